package report

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/smcct/smcct/spec"
)

// maxRules bounds the rules shown for one spec: a lifecycle walk labels a dozen actions.
const maxRules = 12

// rules states, from the catalog, the contract rules a spec's labels point at: the
// documented errors it names (code:<Code>), the state preconditions of its actions when it
// is a precondition spec, the constraints of the parameters it names (param:<Name>) and
// the effects of its actions when it is a lifecycle spec. Specs say what they check in
// their labels, so the rule text comes from the contract, never from a second copy.
func rules(cat *spec.Catalog, labels []string) []string {
	if cat == nil {
		return nil
	}
	var actions []*spec.Action
	var codes, params []string
	for _, l := range labels {
		switch k, v, _ := strings.Cut(l, ":"); k {
		case "action":
			if a := find(cat, v); a != nil {
				actions = append(actions, a)
			}
		case "code":
			codes = append(codes, v)
		case "param":
			params = append(params, v)
		}
	}
	var out []string
	add := func(s string) {
		if s != "" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	for _, a := range actions {
		for _, p := range params {
			add(paramRule(a, p))
		}
		if slices.Contains(labels, "precondition") {
			for _, pc := range a.Preconditions {
				if len(codes) == 0 || slices.Contains(codes, pc.Error) {
					add(preconditionRule(a, pc))
				}
			}
		}
		for _, c := range codes {
			add(errorRule(a, c))
		}
		if slices.Contains(labels, "lifecycle") {
			for _, e := range a.Effects {
				add(effectRule(a, e))
			}
		}
	}
	// A spec whose labels name no code, parameter, state rule or effect (protocol,
	// isolation) still gets what its actions are for.
	if len(out) == 0 {
		for _, a := range actions {
			if a.Summary != "" {
				add(a.Name + ": " + a.Summary)
			}
		}
	}
	if len(out) > maxRules {
		out = append(out[:maxRules], fmt.Sprintf("... and %d more", len(out)-maxRules))
	}
	return out
}

func find(cat *spec.Catalog, name string) *spec.Action {
	for _, p := range cat.Products() {
		if a, ok := p.Action(name); ok {
			return a
		}
	}
	return nil
}

// errorRule finds a code among the action's documented errors, the gateway's, and the
// product's parameter-error families.
func errorRule(a *spec.Action, code string) string {
	if e, ok := a.Error(code); ok {
		return fmt.Sprintf("%s documents %d %s: %q", a.Name, e.Status, e.Code, e.Message)
	}
	if gw := a.Product.Gateway; gw != nil {
		for _, e := range gw.Errors {
			if e.Code == code {
				return fmt.Sprintf("the %s gateway answers %d %s: %q", a.Product.Name, e.Status, e.Code, e.Message)
			}
		}
	}
	f := a.Product.Families
	for _, fam := range []spec.Family{f.Missing, f.Invalid, f.Unknown} {
		if name, ok := familyName(fam, code); ok {
			e := fam.For(name)
			return fmt.Sprintf("a parameter error of %s answers %d %s: %q", a.Product.Name, e.Status, e.Code, e.Message)
		}
	}
	return fmt.Sprintf("%s: %s is not a documented code", a.Name, code)
}

// familyName returns the parameter a family's code carries, as the family's {Name}
// template places it.
func familyName(f spec.Family, code string) (string, bool) {
	prefix, suffix, templated := strings.Cut(f.Code, "{Name}")
	if f.Code == "" || !templated {
		return "", f.Code != "" && code == f.Code
	}
	if len(code) <= len(prefix)+len(suffix) || !strings.HasPrefix(code, prefix) || !strings.HasSuffix(code, suffix) {
		return "", false
	}
	return code[len(prefix) : len(code)-len(suffix)], true
}

func preconditionRule(a *spec.Action, pc spec.Precondition) string {
	obj := pc.Object
	if obj == "" {
		obj = a.Object
	}
	s := fmt.Sprintf("%s needs %s.%s in [%s], else %s", a.Name, obj, pc.Field, strings.Join(pc.In, ", "), pc.Error)
	return s + condition(pc.When)
}

func effectRule(a *spec.Action, e spec.Effect) string {
	var parts []string
	if len(e.Via) > 0 {
		parts = append(parts, "passes through "+strings.Join(e.Via, ", "))
	}
	if len(e.Set) > 0 {
		parts = append(parts, "sets "+pairs(e.Set))
	}
	if len(e.Settles) > 0 {
		parts = append(parts, "settles at "+pairs(e.Settles))
	}
	if e.Deletes {
		parts = append(parts, "deletes the "+a.Object)
	}
	if len(parts) == 0 {
		return ""
	}
	return a.Name + " on success " + strings.Join(parts, ", then ") + condition(e.When)
}

func condition(c *spec.Condition) string {
	if c == nil {
		return ""
	}
	return fmt.Sprintf(" (when %s in [%s])", c.Param, strings.Join(c.In, ", "))
}

func pairs(m map[string]string) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for i, k := range keys {
		keys[i] = k + "=" + m[k]
	}
	return strings.Join(keys, ", ")
}

// paramRule states a parameter's schema keywords, the constraints validation specs check.
func paramRule(a *spec.Action, name string) string {
	p, ok := a.Param(name)
	if !ok {
		return ""
	}
	var cs []string
	if p.Required {
		cs = append(cs, "required")
	}
	cs = append(cs, constraints(p.Schema, 0)...)
	if len(cs) == 0 {
		return ""
	}
	return fmt.Sprintf("%s %s: %s", a.Name, name, strings.Join(cs, ", "))
}

func constraints(s *openapi3.Schema, depth int) []string {
	if s == nil || depth > 3 {
		return nil
	}
	var cs []string
	if s.Type != nil && len(s.Type.Slice()) > 0 {
		cs = append(cs, strings.Join(s.Type.Slice(), "|"))
	}
	num := func(k string, v *float64) {
		if v != nil {
			cs = append(cs, fmt.Sprintf("%s %v", k, *v))
		}
	}
	num("minimum", s.Min)
	num("maximum", s.Max)
	count := func(k string, v uint64, set bool) {
		if set {
			cs = append(cs, fmt.Sprintf("%s %d", k, v))
		}
	}
	count("minLength", s.MinLength, s.MinLength > 0)
	count("maxLength", deref(s.MaxLength), s.MaxLength != nil)
	count("minItems", s.MinItems, s.MinItems > 0)
	count("maxItems", deref(s.MaxItems), s.MaxItems != nil)
	if s.Pattern != "" {
		cs = append(cs, "pattern "+s.Pattern)
	}
	if len(s.Enum) > 0 {
		vals := make([]string, len(s.Enum))
		for i, v := range s.Enum {
			vals[i] = fmt.Sprint(v)
		}
		cs = append(cs, "one of ["+strings.Join(vals, ", ")+"]")
	}
	if s.Items != nil && s.Items.Value != nil {
		if in := constraints(s.Items.Value, depth+1); len(in) > 0 {
			cs = append(cs, "items: "+strings.Join(in, " "))
		}
	}
	return cs
}

func deref(v *uint64) uint64 {
	if v == nil {
		return 0
	}
	return *v
}
