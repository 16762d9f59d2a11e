package cases

import (
	"encoding/json"
	"net/url"
	"sort"
	"strconv"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/smcct/smcct/rpc/flat"
	"github.com/smcct/smcct/spec"
)

// A request is built as a tree of wire values (string leaves, []any lists, map objects) and
// flattened with the RPC codec at the end, so that a case can change one spot deep inside a
// list of objects and leave the rest valid.

// step is one hop of a path: a field name or a 0-based list index.
type step struct {
	field string
	index int
	list  bool
}

func (s step) wire() string {
	if s.list {
		return strconv.Itoa(s.index + 1)
	}
	return s.field
}

// instanceAlong builds a valid value of s that contains path: objects carry their required
// fields and the field on the path, lists enough items to reach the path's index.
func instanceAlong(s *openapi3.Schema, path []step, variant int) (any, bool) {
	switch {
	case s.Type.Is(openapi3.TypeArray):
		if s.Items == nil || s.Items.Value == nil {
			return nil, false
		}
		n := 1
		if len(path) > 0 && path[0].list {
			n = path[0].index + 1
		}
		items := make([]any, n)
		for i := range items {
			var rest []step
			if len(path) > 0 && path[0].list && i == path[0].index {
				rest = path[1:]
			}
			v, ok := instanceAlong(s.Items.Value, rest, variant+i)
			if !ok {
				return nil, false
			}
			items[i] = v
		}
		return items, true
	case s.Type.Is(openapi3.TypeObject):
		return objectAlong(s, path, variant)
	}
	return validScalar(s, variant)
}

func objectAlong(s *openapi3.Schema, path []step, variant int) (any, bool) {
	obj := map[string]any{}
	want := map[string]bool{}
	for _, r := range s.Required {
		want[r] = true
	}
	if len(path) > 0 && !path[0].list {
		want[path[0].field] = true
	}
	if len(want) == 0 && len(s.Properties) > 0 {
		// An object with no fields sends nothing at all: give it its first field.
		names := make([]string, 0, len(s.Properties))
		for n := range s.Properties {
			names = append(names, n)
		}
		sort.Strings(names)
		want[names[0]] = true
	}
	for name := range want {
		ref, ok := s.Properties[name]
		if !ok || ref.Value == nil {
			return nil, false
		}
		var rest []step
		if len(path) > 0 && path[0].field == name {
			rest = path[1:]
		}
		v, ok := instanceAlong(ref.Value, rest, variant)
		if !ok {
			return nil, false
		}
		obj[name] = v
	}
	return obj, true
}

// setAt replaces (or, with remove, deletes) the value at path inside v.
func setAt(v any, path []step, val any, remove bool) bool {
	if len(path) == 0 {
		return false
	}
	last := len(path) == 1
	switch c := v.(type) {
	case map[string]any:
		if path[0].list {
			return false
		}
		if last {
			if remove {
				delete(c, path[0].field)
			} else {
				c[path[0].field] = val
			}
			return true
		}
		return setAt(c[path[0].field], path[1:], val, remove)
	case []any:
		if !path[0].list || path[0].index >= len(c) {
			return false
		}
		if last {
			c[path[0].index] = val
			return !remove
		}
		return setAt(c[path[0].index], path[1:], val, remove)
	}
	return false
}

// encode flattens a request tree. json-style parameters travel as JSON text of typed values.
func encode(a *spec.Action, tree map[string]any) url.Values {
	plain := map[string]any{}
	for name, v := range tree {
		if p, ok := a.Param(name); ok && p.Style == spec.StyleJSON {
			b, _ := json.Marshal(typed(p.Schema, v)) // plain values always marshal
			plain[name] = string(b)
			continue
		}
		plain[name] = v
	}
	return flat.Encode(plain)
}

// typed turns wire text back into JSON types by the schema, for json-style parameters.
func typed(s *openapi3.Schema, v any) any {
	switch x := v.(type) {
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			if s.Items != nil && s.Items.Value != nil {
				out[i] = typed(s.Items.Value, e)
			}
		}
		return out
	case map[string]any:
		out := map[string]any{}
		for k, e := range x {
			if ref, ok := s.Properties[k]; ok && ref.Value != nil {
				out[k] = typed(ref.Value, e)
			}
		}
		return out
	case string:
		switch scalarKind(s) {
		case openapi3.TypeInteger, openapi3.TypeNumber:
			if f, err := strconv.ParseFloat(x, 64); err == nil {
				return f
			}
		case openapi3.TypeBoolean:
			if b, err := strconv.ParseBool(x); err == nil {
				return b
			}
		}
	}
	return v
}

func cloneTree(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = cloneTree(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = cloneTree(e)
		}
		return out
	}
	return v
}
