package cases

import (
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/smcct/smcct/spec"
)

// ValidationCase is one generated parameter-validation spec.
type ValidationCase struct {
	Action *spec.Action
	Param  *spec.Param
	// Wire is the wire name of the spot under test (DataDisk.1.Size).
	Wire string
	// Rule is the schema keyword under test (required, minimum, ...).
	Rule string
	// Pass: the value sits on the boundary and must not earn a parameter error; otherwise
	// it breaks Rule and must earn Expect.
	Pass   bool
	Value  string
	Params url.Values
	Expect spec.ErrorCode
	// CheckMessage: the expected message has no holes, so it is compared exactly.
	CheckMessage bool
	// Forbid are the parameter errors a passing case must not earn: a code alone for an
	// override, code and message for a family whose code does not name the parameter (EBS).
	Forbid []spec.ErrorCode
	// Drop names common parameters the client must not add (RegionId, when its absence is
	// under test).
	Drop []string
}

// Refused reports whether a service error is one of the parameter errors in Forbid.
func (c ValidationCase) Refused(code, message string) bool {
	for _, f := range c.Forbid {
		if f.Code == code && (f.Message == "" || f.Message == message) {
			return true
		}
	}
	return false
}

// Describe names the case in the spec text.
func (c ValidationCase) Describe() string {
	if c.Pass {
		return fmt.Sprintf("%s %s=%s on the %s boundary is accepted", c.Action.Name, c.Wire, short(c.Value), c.Rule)
	}
	if c.Rule == "required" {
		return fmt.Sprintf("%s without %s returns %d %s", c.Action.Name, c.Wire, c.Expect.Status, c.Expect.Code)
	}
	return fmt.Sprintf("%s %s=%s breaking %s returns %d %s", c.Action.Name, c.Wire, short(c.Value), c.Rule, c.Expect.Status, c.Expect.Code)
}

func short(v string) string {
	if len(v) > 24 {
		return fmt.Sprintf("%q...(%d chars)", v[:12], len(v))
	}
	return strconv.Quote(v)
}

// site is one place in a parameter that a rule applies to.
type site struct {
	param    *spec.Param
	path     []step
	wire     string
	schema   *openapi3.Schema
	required bool
}

func sites(p *spec.Param) []site {
	var out []site
	var walk func(s *openapi3.Schema, path []step, wire string, required bool, depth int)
	walk = func(s *openapi3.Schema, path []step, wire string, required bool, depth int) {
		if s == nil || depth > 6 {
			return
		}
		out = append(out, site{param: p, path: path, wire: wire, schema: s, required: required})
		if p.Style == spec.StyleJSON {
			return // inside JSON text, errors name the whole parameter: only its own rules apply
		}
		switch {
		case s.Type.Is(openapi3.TypeArray) && s.Items != nil:
			walk(s.Items.Value, appendStep(path, step{list: true}), wire+".1", false, depth+1)
		case s.Type.Is(openapi3.TypeObject):
			names := make([]string, 0, len(s.Properties))
			for n := range s.Properties {
				names = append(names, n)
			}
			sort.Strings(names)
			for _, n := range names {
				walk(s.Properties[n].Value, appendStep(path, step{field: n}), wire+"."+n, contains(s.Required, n), depth+1)
			}
		}
	}
	walk(p.Schema, []step{{field: p.Name}}, p.Name, p.Required, 0)
	return out
}

func appendStep(path []step, s step) []step {
	return append(append([]step(nil), path...), s)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// ValidationCases generates the parameter-validation cases of one action: per rule of
// every constrained spot, a value that breaks it and, where the rule has one, a boundary
// value that must pass.
func ValidationCases(a *spec.Action) []ValidationCase {
	base, ok := Baseline(a)
	if !ok {
		return nil
	}
	var out []ValidationCase
	for _, p := range a.Params {
		for _, st := range sites(p) {
			out = append(out, siteCases(a, base, st)...)
		}
	}
	out = append(out, requirementCases(a, base)...)
	return out
}

// probe is one value to try at a site: remove it, or set val (a scalar or a list).
type probe struct {
	rule   string
	pass   bool
	remove bool
	val    any
	show   string
}

func siteCases(a *spec.Action, base map[string]any, st site) []ValidationCase {
	var out []ValidationCase
	for _, pr := range probes(st) {
		tree, ok := treeFor(a, base, st, pr)
		if !ok {
			continue
		}
		if pr.pass && refersToObject(st) {
			continue
		}
		c := ValidationCase{Action: a, Param: st.param, Wire: st.wire, Rule: pr.rule, Pass: pr.pass, Value: pr.show, Params: encode(a, tree)}
		if pr.remove && !keepsParent(c.Params, st) {
			continue // removing the only field would remove the item: nothing left to name
		}
		if pr.remove && st.wire == "RegionId" {
			c.Drop = []string{"RegionId"}
		}
		if pr.pass {
			c.Forbid = forbidden(a, st)
		} else {
			c.Expect = expectedError(a, st, pr.rule)
			c.CheckMessage = !c.Expect.HasHoles()
		}
		out = append(out, c)
	}
	return out
}

func treeFor(a *spec.Action, base map[string]any, st site, pr probe) (map[string]any, bool) {
	tree := cloneTree(base).(map[string]any)
	root, ok := instanceAlong(st.param.Schema, st.path[1:], 0)
	if !ok {
		return nil, false
	}
	if len(st.path) == 1 {
		if pr.remove {
			delete(tree, st.param.Name)
		} else {
			tree[st.param.Name] = pr.val
		}
		return tree, true
	}
	tree[st.param.Name] = root
	return tree, setAt(tree, st.path, pr.val, pr.remove)
}

// refersToObject: the parameter names something that must exist (a region, zone, vSwitch,
// disk, a page token the service issued, ...). The service checks existence with the same code family as the schema rules,
// so a well-formed boundary value that names nothing is refused for a reason the case does
// not test; only the breaking values of such parameters are generated.
func refersToObject(st site) bool {
	last := st.path[len(st.path)-1]
	name := last.field
	if last.list && len(st.path) > 1 {
		name = st.path[len(st.path)-2].field
	}
	return strings.HasSuffix(name, "Id") || strings.HasSuffix(name, "Ids") || name == "NextToken"
}

// keepsParent reports whether the request still carries something of the item that held
// the removed field.
func keepsParent(q url.Values, st site) bool {
	if len(st.path) == 1 {
		return true
	}
	parent := st.wire[:strings.LastIndex(st.wire, ".")]
	for k := range q {
		if strings.HasPrefix(k, parent+".") {
			return true
		}
	}
	return false
}

// expectedError is the code a broken rule earns: the parameter's override, else the family.
func expectedError(a *spec.Action, st site, rule string) spec.ErrorCode {
	if code, ok := st.param.ErrorOn[rule]; ok {
		if e, ok := a.Error(code); ok {
			return e
		}
	}
	if rule == "required" {
		return a.Product.Families.Missing.For(st.wire)
	}
	return a.Product.Families.Invalid.For(st.wire)
}

// forbidden lists the parameter errors that would mean a boundary value was refused.
func forbidden(a *spec.Action, st site) []spec.ErrorCode {
	f := a.Product.Families
	out := []spec.ErrorCode{f.Missing.For(st.wire), f.Invalid.For(st.wire), f.Invalid.For(st.param.Name)}
	codes := make([]string, 0, len(st.param.ErrorOn))
	for _, code := range st.param.ErrorOn {
		codes = append(codes, code)
	}
	sort.Strings(codes)
	for _, code := range codes {
		out = append(out, spec.ErrorCode{Code: code})
	}
	return out
}

// wrongTypeText is a value that is no integer, number or boolean.
const wrongTypeText = "smcct-not-a-value"

func probes(st site) []probe {
	s := st.schema
	var out []probe
	if st.required {
		out = append(out, probe{rule: "required", remove: true, show: "(absent)"})
	}
	if s.Type.Is(openapi3.TypeArray) {
		return append(out, listProbes(st)...)
	}
	if s.Type.Is(openapi3.TypeObject) {
		return out
	}
	for _, pr := range scalarProbes(s) {
		if ok := pr.pass == (len(broken(s, pr.show)) == 0); ok && (pr.pass || only(broken(s, pr.show), pr.rule)) {
			pr.val = pr.show
			out = append(out, pr)
		}
	}
	return out
}

// only reports whether the value breaks the rule under test and nothing else, so that
// the expected code cannot depend on which rule a target checks first.
func only(rules []string, rule string) bool { return len(rules) == 1 && rules[0] == rule }

func scalarProbes(s *openapi3.Schema) []probe {
	var out []probe
	switch scalarKind(s) {
	case openapi3.TypeInteger, openapi3.TypeNumber, openapi3.TypeBoolean:
		out = append(out, probe{rule: "type", show: wrongTypeText})
		out = append(out, numberProbes(s)...)
	case openapi3.TypeString:
		out = append(out, stringProbes(s)...)
	}
	if len(s.Enum) > 0 {
		out = append(out, probe{rule: "enum", show: notInEnum(s)})
		for _, e := range s.Enum {
			out = append(out, probe{rule: "enum", pass: true, show: spec.WireText(e)})
		}
		for _, v := range enumNeighbours(s) {
			out = append(out, probe{rule: "enum", show: v})
		}
	}
	return out
}

// enumNeighbours are the values next to each member that the enum still refuses: another
// letter case of a text (an emulator comparing case-insensitively accepts them), one more
// and one less of a number.
func enumNeighbours(s *openapi3.Schema) []string {
	var out []string
	add := func(v string) {
		if v != "" && v != notInEnum(s) && !inEnum(s.Enum, v) && !contains(out, v) {
			out = append(out, v)
		}
	}
	for _, e := range s.Enum {
		t := spec.WireText(e)
		if scalarKind(s) == openapi3.TypeString {
			add(strings.ToLower(t))
			add(strings.ToUpper(t))
			continue
		}
		if n, err := strconv.ParseFloat(t, 64); err == nil {
			add(strconv.FormatFloat(n-1, 'f', -1, 64))
			add(strconv.FormatFloat(n+1, 'f', -1, 64))
		}
	}
	return out
}

func numberProbes(s *openapi3.Schema) []probe {
	var out []probe
	num := func(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }
	if s.Min != nil {
		out = append(out, probe{rule: "minimum", show: num(*s.Min - 1)}, probe{rule: "minimum", pass: !s.ExclusiveMin.IsTrue(), show: num(*s.Min)})
	}
	if s.Max != nil {
		out = append(out, probe{rule: "maximum", show: num(*s.Max + 1)}, probe{rule: "maximum", pass: !s.ExclusiveMax.IsTrue(), show: num(*s.Max)})
	}
	return out
}

func stringProbes(s *openapi3.Schema) []probe {
	var out []probe
	if s.MinLength > 1 {
		if v, ok := stringOfLength(s, int(s.MinLength)-1); ok {
			out = append(out, probe{rule: "minLength", show: v})
		}
	}
	if s.MinLength > 0 {
		if v, ok := stringOfLength(s, int(s.MinLength)); ok {
			out = append(out, probe{rule: "minLength", pass: true, show: v})
		}
	}
	if s.MaxLength != nil {
		for _, n := range []int{int(*s.MaxLength) + 1, int(*s.MaxLength)} {
			if v, ok := stringOfLength(s, n); ok {
				out = append(out, probe{rule: "maxLength", pass: n == int(*s.MaxLength), show: v})
			}
		}
	}
	if s.Pattern != "" {
		if v, ok := breakingPattern(s); ok {
			out = append(out, probe{rule: "pattern", show: v})
		}
	}
	if s.Not != nil && s.Not.Value != nil && s.Not.Value.Pattern != "" {
		for extra := 0; extra < 40; extra++ {
			if v, ok := resize(genPattern(s.Not.Value.Pattern, extra, 0)+"smcct", int(max(s.MinLength, 8)), &openapi3.Schema{}); ok && only(broken(s, v), "not") {
				out = append(out, probe{rule: "not", show: v})
				break
			}
		}
	}
	if s.Format == "date-time" {
		out = append(out, probe{rule: "format", show: "2026-11-24 08:00:00"})
	}
	return out
}

// breakingPattern finds a value of an allowed length that the pattern rejects.
func breakingPattern(s *openapi3.Schema) (string, bool) {
	n := int(max(s.MinLength, 1))
	for _, c := range []string{"!", "-", "0", "_", " ", "A", "a", "中"} {
		v := strings.Repeat(c, n)
		if only(broken(s, v), "pattern") {
			return v, true
		}
		if v2 := "a" + v; only(broken(s, v2), "pattern") {
			return v2, true
		}
	}
	return "", false
}

func notInEnum(s *openapi3.Schema) string {
	if scalarKind(s) == openapi3.TypeString {
		return "smcctNotInEnum"
	}
	hi := 0.0
	for _, e := range s.Enum {
		if f, err := strconv.ParseFloat(spec.WireText(e), 64); err == nil && f > hi {
			hi = f
		}
	}
	return strconv.FormatFloat(hi+1, 'f', -1, 64)
}

// listProbes: one item more than maxItems breaks it; exactly maxItems must pass.
func listProbes(st site) []probe {
	s := st.schema
	if s.MaxItems == nil || s.Items == nil || s.Items.Value == nil || st.param.Style == spec.StyleJSON {
		return nil
	}
	var out []probe
	for _, n := range []int{int(*s.MaxItems) + 1, int(*s.MaxItems)} {
		items := make([]any, n)
		for i := range items {
			v, ok := instanceAlong(s.Items.Value, nil, i)
			if !ok {
				return nil
			}
			items[i] = v
		}
		out = append(out, probe{rule: "maxItems", pass: n == int(*s.MaxItems), val: items, show: fmt.Sprintf("%d items", n)})
	}
	return out
}
