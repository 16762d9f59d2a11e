package cases

import (
	"fmt"
	"net/url"
	"sort"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/smcct/smcct/spec"
)

// Baseline builds a request tree that breaks no parameter rule of the action: its
// required parameters with valid values, object IDs that name nothing, and whatever the
// action's x-acs-requires demand of those values. ok is false when some required value
// cannot be generated from its schema.
func Baseline(a *spec.Action) (map[string]any, bool) {
	tree := map[string]any{}
	for _, p := range a.Params {
		if !p.Required {
			continue
		}
		v, ok := baselineValue(a, p)
		if !ok {
			return nil, false
		}
		tree[p.Name] = v
	}
	for _, r := range a.Requires {
		v, ok := tree[r.If.Param].(string)
		if !ok || !contains(r.If.In, v) {
			continue
		}
		for _, name := range r.Then {
			p, ok := a.Param(name)
			if !ok {
				return nil, false
			}
			if _, have := tree[name]; !have {
				val, ok := baselineValue(a, p)
				if !ok {
					return nil, false
				}
				tree[name] = val
			}
		}
	}
	return tree, true
}

func baselineValue(a *spec.Action, p *spec.Param) (any, bool) {
	if id, ok := AbsentID(a, p.Name); ok {
		if p.Schema.Type.Is(openapi3.TypeArray) {
			return []any{id}, true
		}
		return id, true
	}
	if v, ok := wellKnown[p.Name]; ok && scalarKind(p.Schema) == openapi3.TypeString && len(broken(p.Schema, v)) == 0 {
		return v, true
	}
	return instanceAlong(p.Schema, nil, 0)
}

// IDKind returns the object kind whose ID the parameter carries, if any: one of the kinds
// the action names first (group and pair drills both call their ID DrillId), then any.
func IDKind(a *spec.Action, param string) (*spec.Object, bool) {
	if p, ok := a.Param(param); ok && p.Names != "" {
		o, ok := a.Product.Objects[p.Names]
		return o, ok
	}
	for _, kind := range a.Kinds() {
		if o := a.Product.Objects[kind]; o != nil && o.IDParam == param {
			return o, true
		}
	}
	for _, o := range sortedObjects(a.Product) {
		if o.IDParam == param {
			return o, true
		}
	}
	return nil, false
}

// AbsentID is a well-formed ID, for the kind the parameter names, that no target holds.
func AbsentID(a *spec.Action, param string) (string, bool) {
	o, ok := IDKind(a, param)
	if !ok {
		return "", false
	}
	p, _ := a.Param(param)
	s := p.Schema
	if s.Type.Is(openapi3.TypeArray) && s.Items != nil && s.Items.Value != nil {
		s = s.Items.Value
	}
	for _, c := range []string{o.IDPrefix + "smcctabsent000000000", "smcctabsent0000000000"} {
		if len(broken(s, c)) == 0 {
			return c, true
		}
	}
	return validScalar(s, 0)
}

func sortedObjects(p *spec.Product) []*spec.Object {
	names := make([]string, 0, len(p.Objects))
	for n := range p.Objects {
		names = append(names, n)
	}
	sort.Strings(names)
	out := make([]*spec.Object, len(names))
	for i, n := range names {
		out[i] = p.Objects[n]
	}
	return out
}

// requirementCases: for every x-acs-requires rule, a request that triggers it without one
// of the parameters it demands.
func requirementCases(a *spec.Action, base map[string]any) []ValidationCase {
	var out []ValidationCase
	for _, r := range a.Requires {
		if len(r.If.In) == 0 {
			continue
		}
		for _, missing := range r.Then {
			tree := cloneTree(base).(map[string]any)
			tree[r.If.Param] = r.If.In[0]
			for _, other := range r.Then {
				if p, ok := a.Param(other); ok && other != missing {
					if v, ok := baselineValue(a, p); ok {
						tree[other] = v
					}
				}
			}
			delete(tree, missing)
			e := a.Product.Families.Missing.For(missing)
			if r.Error != "" {
				if doc, ok := a.Error(r.Error); ok {
					e = doc
				}
			}
			p, _ := a.Param(r.If.Param)
			out = append(out, ValidationCase{
				Action: a, Param: p, Wire: missing, Rule: "requires",
				Value: fmt.Sprintf("%s=%s", r.If.Param, r.If.In[0]), Params: encode(a, tree),
				Expect: e, CheckMessage: !e.HasHoles(),
			})
		}
	}
	return out
}

// Query flattens a tree for a hand-written spec.
func Query(a *spec.Action, tree map[string]any) url.Values { return encode(a, tree) }
