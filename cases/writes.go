package cases

import (
	"fmt"
	"sort"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/smcct/smcct/spec"
)

// PagingCase is one generated spec about how a list pages.
type PagingCase struct {
	Action *spec.Action
	Paging spec.Paging
	Kind   string
	// Check: "walk" every object once across pages; "beyond" a page past the end is empty;
	// "defaults" the echoes show the defaults when nothing is asked.
	Check string
	// Size is the page size the walk asks for, or the fixed size of a list without a size
	// parameter; Items is how many items the walk makes: more than a page.
	Size, Items int
}

// PagingCases generates the paging specs of a list action from x-acs-list.paging.
func PagingCases(a *spec.Action) []PagingCase {
	if a.List == nil {
		return nil
	}
	kind, _, _ := a.List.OwnerOf()
	var out []PagingCase
	for _, pg := range a.List.Paging {
		c := PagingCase{Action: a, Paging: pg, Kind: kind, Check: "walk", Size: 2, Items: 3}
		if pg.Fixed > 0 {
			c.Size, c.Items = pg.Fixed, pg.Fixed+1
		}
		out = append(out, c)
		if pg.Style == spec.PagesStyle {
			c.Check = "beyond"
			out = append(out, c)
			if len(pg.Echo) > 0 {
				c.Check = "defaults"
				out = append(out, c)
			}
		}
	}
	return out
}

// Describe names the case in the spec text.
func (c PagingCase) Describe() string {
	a, pg := c.Action.Name, c.Paging
	switch {
	case pg.Style == spec.TokenStyle && pg.Size != "":
		return fmt.Sprintf("%s follows %s with %s=%d through every object once, ending with an empty token", a, pg.Token, pg.Size, c.Size)
	case pg.Style == spec.TokenStyle && pg.Fixed > 0:
		return fmt.Sprintf("%s follows %s through %d items, %d a page, every one once, ending with an empty token", a, pg.Token, c.Items, c.Size)
	case pg.Style == spec.TokenStyle:
		return fmt.Sprintf("%s follows %s through every object once, ending with an empty token", a, pg.Token)
	case c.Check == "beyond":
		return fmt.Sprintf("%s answers a %s past the last page with no items and the full %s", a, pg.Number, pg.Total)
	case c.Check == "defaults":
		return fmt.Sprintf("%s echoes the default %s when none is asked", a, strings.Join(pg.Echo, " and "))
	}
	return fmt.Sprintf("%s pages with %s=%d through every object once, counting %s and echoing %s", a, pg.Size, c.Size, pg.Total, strings.Join(pg.Echo, " and "))
}

// Labels are the spec's labels.
func (c PagingCase) Labels() []string {
	return []string{"semantics", "paging", "action:" + c.Action.Name}
}

// RoundTripCase is one generated spec: what a write accepted is what the object's listed
// item shows.
type RoundTripCase struct {
	Action *spec.Action
	Param  *spec.Param
	Kind   string
	// Value is the request value of the parameter as a tree (string leaves, lists, maps);
	// With are the other parameters it needs.
	Value any
	With  map[string]string
	// Lister reads the object back, narrowed to its ID by IDParam.
	Lister  *spec.Action
	IDParam *spec.Param
}

// RoundTripCases generates the round-trip specs of a write action from x-acs-roundtrip.
func RoundTripCases(a *spec.Action) []RoundTripCase {
	if !a.Write {
		return nil
	}
	kind := a.ObjectKind()
	lister, idp, ok := a.Product.Lister(kind)
	if !ok {
		return nil
	}
	var out []RoundTripCase
	for _, p := range a.Params {
		rt := p.RoundTrip
		if rt == nil {
			continue
		}
		v, ok := roundTripValue(a, p)
		if !ok {
			continue
		}
		out = append(out, RoundTripCase{Action: a, Param: p, Kind: kind, Value: v, With: rt.With, Lister: lister, IDParam: idp})
	}
	return out
}

// roundTripValue is the annotation's example, else a full valid value of the schema that is
// not its default (a default would show whether or not it was sent).
func roundTripValue(a *spec.Action, p *spec.Param) (any, bool) {
	if _, names := IDKind(a, p.Name); names {
		return nil, true // an object the spec makes: its ID is the value
	}
	if ex := p.RoundTrip.Example; ex != nil {
		return wireTree(ex), true
	}
	if v, ok := wellKnown[p.Name]; ok {
		return v, true
	}
	d, hasDefault := p.Default()
	for variant := 1; variant < 4; variant++ {
		v, ok := fullInstance(p.Schema, variant, 0)
		if !ok {
			return nil, false
		}
		if s, isText := v.(string); !hasDefault || !isText || s != d {
			return v, true
		}
	}
	return nil, false
}

// wireTree turns an example decoded from YAML into wire text leaves.
func wireTree(v any) any {
	switch x := v.(type) {
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = wireTree(e)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = wireTree(e)
		}
		return out
	}
	return spec.WireText(v)
}

// fullInstance is a valid value of s with every property of its objects and two items in
// each list (fewer when maxItems says so), so that a round trip sees every field.
func fullInstance(s *openapi3.Schema, variant, depth int) (any, bool) {
	if depth > 6 {
		return nil, false
	}
	switch {
	case s.Type.Is(openapi3.TypeArray):
		if s.Items == nil || s.Items.Value == nil {
			return nil, false
		}
		n := 2
		if s.MaxItems != nil && int(*s.MaxItems) < n {
			n = int(*s.MaxItems)
		}
		items := make([]any, n)
		for i := range items {
			v, ok := fullInstance(s.Items.Value, variant+i, depth+1)
			if !ok {
				return nil, false
			}
			items[i] = v
		}
		return items, true
	case s.Type.Is(openapi3.TypeObject):
		obj := map[string]any{}
		for name, ref := range s.Properties {
			if ref.Value == nil {
				continue
			}
			v, ok := fullInstance(ref.Value, variant, depth+1)
			if !ok {
				return nil, false
			}
			obj[name] = v
		}
		return obj, true
	}
	return validScalar(s, variant)
}

// Describe names the case in the spec text.
func (c RoundTripCase) Describe() string {
	if c.Value == nil {
		return fmt.Sprintf("%s %s shows in %s as %s", c.Action.Name, c.Param.Name, c.Lister.Name, c.Param.RoundTrip.Field)
	}
	return fmt.Sprintf("%s %s=%s shows in %s as %s", c.Action.Name, c.Param.Name, showTree(c.Value), c.Lister.Name, c.Param.RoundTrip.Field)
}

func showTree(v any) string {
	switch x := v.(type) {
	case string:
		return short(x)
	case []any:
		return fmt.Sprintf("(%d items)", len(x))
	case map[string]any:
		return fmt.Sprintf("(%d fields)", len(x))
	}
	return fmt.Sprint(v)
}

// Labels are the spec's labels.
func (c RoundTripCase) Labels() []string {
	return []string{"semantics", "roundtrip", "needs:writes", "action:" + c.Action.Name, "action:" + c.Lister.Name, "param:" + c.Param.Name}
}

// Shows compares what a request sent with what an item shows: text leaves as wire text,
// objects field by field (renamed by rename; fields the item adds are ignored), lists as
// sets of equal length. It returns what differs, "" when nothing.
func Shows(sent, got any, rename map[string]string) string {
	switch want := sent.(type) {
	case []any:
		list, ok := got.([]any)
		if !ok {
			return fmt.Sprintf("a list of %d was sent, %s came back", len(want), kindOf(got))
		}
		if len(list) != len(want) {
			return fmt.Sprintf("%d items were sent, %d came back", len(want), len(list))
		}
		used := make([]bool, len(list))
		for i, w := range want {
			found := false
			for j, g := range list {
				if !used[j] && Shows(w, g, rename) == "" {
					used[j], found = true, true
					break
				}
			}
			if !found {
				return fmt.Sprintf("item %d (%v) is not among what came back", i+1, w)
			}
		}
		return ""
	case map[string]any:
		obj, ok := got.(map[string]any)
		if !ok {
			return fmt.Sprintf("an object was sent, %s came back", kindOf(got))
		}
		keys := make([]string, 0, len(want))
		for k := range want {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			path := k
			if r, ok := rename[k]; ok {
				path = r
			}
			g, _ := spec.Field(obj, path)
			if p := Shows(want[k], g, rename); p != "" {
				return path + ": " + p
			}
		}
		return ""
	}
	if spec.WireText(got) != spec.WireText(sent) {
		return fmt.Sprintf("%q was sent, %q came back", spec.WireText(sent), spec.WireText(got))
	}
	return ""
}

func kindOf(v any) string {
	switch v.(type) {
	case nil:
		return "nothing"
	case []any:
		return "a list"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%q", spec.WireText(v))
}

// IdempotencyCase is one generated spec about a write's idempotency token.
type IdempotencyCase struct {
	Action *spec.Action
	Token  *spec.Param
	Kind   string
	// Check: "retry" (same token, same parameters) or "changed" (same token, another value
	// of Changed).
	Check   string
	Changed *spec.Param
	// Mismatch is the documented refusal of a changed retry; zero: the first answer again.
	Mismatch spec.ErrorCode
}

// IdempotencyCases generates the token specs of a write: a create, delete or membership
// change retried, and a create or modify retried with another value.
func IdempotencyCases(a *spec.Action) []IdempotencyCase {
	if !a.Write {
		return nil
	}
	var tok *spec.Param
	for _, p := range a.Params {
		if p.Idempotency != nil {
			tok = p
		}
	}
	if tok == nil {
		return nil
	}
	kind := a.ObjectKind()
	verb := verbOf(a.Name)
	var out []IdempotencyCase
	if contains([]string{"Create", "Delete", "Add", "Remove"}, verb) {
		out = append(out, IdempotencyCase{Action: a, Token: tok, Kind: kind, Check: "retry"})
	}
	if verb == "Create" || verb == "Modify" {
		if p := nameParam(a); p != nil {
			c := IdempotencyCase{Action: a, Token: tok, Kind: kind, Check: "changed", Changed: p}
			if code := tok.Idempotency.Mismatch; code != "" {
				c.Mismatch, _ = a.Error(code)
			}
			out = append(out, c)
		}
	}
	return out
}

func verbOf(action string) string {
	for i := 1; i < len(action); i++ {
		if action[i] >= 'A' && action[i] <= 'Z' {
			return action[:i]
		}
	}
	return action
}

// nameParam is the write's round-tripped name parameter, the one a changed retry varies.
func nameParam(a *spec.Action) *spec.Param {
	for _, p := range a.Params {
		if p.RoundTrip != nil && strings.HasSuffix(p.Name, "Name") && scalarKind(p.Schema) == openapi3.TypeString {
			return p
		}
	}
	return nil
}

// Describe names the case in the spec text.
func (c IdempotencyCase) Describe() string {
	if c.Check == "retry" {
		return fmt.Sprintf("%s retried with the same %s answers as the first call and does it once", c.Action.Name, c.Token.Name)
	}
	if c.Mismatch.Code != "" {
		return fmt.Sprintf("%s retried with the same %s and another %s returns %d %s", c.Action.Name, c.Token.Name, c.Changed.Name, c.Mismatch.Status, c.Mismatch.Code)
	}
	return fmt.Sprintf("%s retried with the same %s and another %s answers as the first call and changes nothing", c.Action.Name, c.Token.Name, c.Changed.Name)
}

// Labels are the spec's labels.
func (c IdempotencyCase) Labels() []string {
	l := []string{"semantics", "idempotency", "needs:writes", "action:" + c.Action.Name}
	if c.Mismatch.Code != "" && c.Check == "changed" {
		l = append(l, "code:"+c.Mismatch.Code)
	}
	return l
}

// FlagCase is one generated spec: what a boolean parameter's two values do to two objects
// in the same state.
type FlagCase struct {
	Action *spec.Action
	Param  *spec.Param
	Kind   string
	// Given is what both objects need first (x-acs-flag given, or the state the action's
	// preconditions allow for both values); States is that state for effects.
	Given  string
	States map[string]map[string]string
	// Flag is the annotation; Effects are, per value, the x-acs-effects the value selects.
	Flag    *spec.Flag
	Effects map[string]*spec.Effect
}

// FlagCases generates the flag specs of a write: x-acs-flag parameters, and parameters whose
// values select different x-acs-effects.
func FlagCases(a *spec.Action) []FlagCase {
	if !a.Write {
		return nil
	}
	var out []FlagCase
	for _, p := range a.Params {
		if p.Flag != nil {
			kind := a.ObjectKind()
			if p.Flag.Object != nil {
				kind = p.Flag.Object.Kind
			}
			out = append(out, FlagCase{Action: a, Param: p, Kind: kind, Given: p.Flag.Given, Flag: p.Flag})
			continue
		}
		if c, ok := effectFlag(a, p); ok {
			out = append(out, c)
		}
	}
	return out
}

// effectFlag builds the case of a boolean whose values select different effects, in a state
// every applicable precondition of both values allows.
func effectFlag(a *spec.Action, p *spec.Param) (FlagCase, bool) {
	if !p.Schema.Type.Is(openapi3.TypeBoolean) {
		return FlagCase{}, false
	}
	effects := map[string]*spec.Effect{}
	for _, v := range []string{"true", "false"} {
		effects[v] = a.EffectFor(spec.Given(map[string]string{p.Name: v}))
	}
	if effects["true"] == nil || effects["true"] == effects["false"] {
		return FlagCase{}, false
	}
	states := map[string]map[string]string{}
	for _, pc := range a.Preconditions {
		kind := pc.Kind(a)
		allowed := pc.In
		for _, v := range []string{"true", "false"} {
			for _, other := range a.Applicable(spec.Given(map[string]string{p.Name: v})) {
				if other.Kind(a) == kind && other.Field == pc.Field {
					allowed = intersect(allowed, other.In)
				}
			}
		}
		if len(allowed) == 0 {
			return FlagCase{}, false
		}
		if states[kind] == nil {
			states[kind] = map[string]string{}
		}
		states[kind][pc.Field] = allowed[0]
	}
	return FlagCase{Action: a, Param: p, Kind: a.ObjectKind(), States: states, Effects: effects}, true
}

func intersect(a, b []string) []string {
	var out []string
	for _, x := range a {
		if contains(b, x) {
			out = append(out, x)
		}
	}
	return out
}

// Describe names the case in the spec text.
func (c FlagCase) Describe() string {
	var parts []string
	for _, v := range []string{"true", "false"} {
		parts = append(parts, fmt.Sprintf("with %s=%s %s", c.Param.Name, v, c.outcomeText(v)))
	}
	return fmt.Sprintf("%s %s", c.Action.Name, strings.Join(parts, "; "))
}

func (c FlagCase) outcomeText(v string) string {
	if c.Flag == nil {
		return describeEffect(c.Effects[v])
	}
	o := c.Flag.When[v]
	switch {
	case o.Error != "":
		return "returns " + o.Error
	case o.Deletes:
		return "deletes the " + c.Kind
	case len(o.Swaps) == 2:
		return fmt.Sprintf("swaps %s and %s", o.Swaps[0], o.Swaps[1])
	case o.Clears != "":
		return "clears " + o.Clears
	case len(o.Keeps) > 0:
		return "keeps " + strings.Join(o.Keeps, " and ")
	}
	return "succeeds"
}

// Labels are the spec's labels.
func (c FlagCase) Labels() []string {
	return []string{"semantics", "flag", "needs:writes", "action:" + c.Action.Name, "param:" + c.Param.Name}
}
