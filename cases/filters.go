package cases

import (
	"fmt"
	"net/url"
	"sort"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/smcct/smcct/spec"
)

// The checks a filter case makes.
const (
	FilterNarrows = "narrows" // a value of one object lists it and not the other
	FilterEmpty   = "empty"   // an empty value lists as if absent
	FilterNone    = "none"    // the none value lists only objects whose field is empty
	FilterUnknown = "unknown" // an ID that names nothing: an empty list or the documented code
	FilterDefault = "default" // absent lists as the schema default
	FilterAnd     = "and"     // two filters narrow together
)

// FilterCase is one generated spec about how a list parameter narrows what a read returns.
type FilterCase struct {
	Action *spec.Action
	Param  *spec.Param
	Filter *spec.Filter
	Check  string
	// Kind is the object kind the list's items belong to; the spec makes objects of it.
	Kind string
	// Other is the second filter of an And case: the list's ID filter.
	Other *spec.Param
	// Absent is a well-formed ID that names nothing, for Unknown.
	Absent string
	// Expect is the documented error an unknown ID earns; zero when the list is just empty.
	Expect spec.ErrorCode
	// Default is the parameter's default, for Default.
	Default string
}

// FilterCases generates the filter specs of one list action from its x-acs-filter
// annotations, in parameter order.
func FilterCases(a *spec.Action) []FilterCase {
	if a.List == nil {
		return nil
	}
	kind, _, _ := a.List.OwnerOf()
	var out []FilterCase
	for _, p := range a.Params {
		f := p.Filter
		if f == nil {
			continue
		}
		base := FilterCase{Action: a, Param: p, Filter: f, Kind: kind}
		out = append(out, with(base, FilterNarrows))
		// x-acs-ignore-empty has its own generated specs (EmptyValueCases); this covers the
		// filters it does not (EBS ID lists).
		if f.Empty == "ignored" && !a.EmptyIgnored(p.Name) && len(broken(p.Schema, "")) == 0 && !p.Schema.Type.Is(openapi3.TypeArray) {
			out = append(out, with(base, FilterEmpty))
		}
		if f.None != "" {
			out = append(out, with(base, FilterNone))
		}
		if c, ok := unknownCase(base); ok {
			out = append(out, c)
		}
		if d, ok := p.Default(); ok {
			c := with(base, FilterDefault)
			c.Default = d
			out = append(out, c)
		}
	}
	if c, ok := andCase(a, kind); ok {
		out = append(out, c)
	}
	return out
}

func with(c FilterCase, check string) FilterCase {
	c.Check = check
	return c
}

func unknownCase(c FilterCase) (FilterCase, bool) {
	f := c.Filter
	if f.Kind == "" {
		return c, false
	}
	o := c.Action.Product.Objects[f.Kind]
	c.Check, c.Absent = FilterUnknown, o.IDPrefix+"smcctabsent000000000"
	s := c.Param.Schema
	if s.Type.Is(openapi3.TypeArray) && s.Items != nil && s.Items.Value != nil {
		s = s.Items.Value
	}
	if len(broken(s, c.Absent)) > 0 {
		return c, false
	}
	if f.Unknown != "" && f.Unknown != "empty" {
		e, ok := c.Action.Error(f.Unknown)
		if !ok {
			return c, false
		}
		c.Expect = e
	}
	return c, true
}

// andCase pairs the list's ID filter with its first filter a create sets (a name): both
// must hold, so naming one object by ID and the other's name lists neither.
func andCase(a *spec.Action, kind string) (FilterCase, bool) {
	id := a.IDFilter()
	if id == nil {
		return FilterCase{}, false
	}
	creator, ok := a.Product.Creator(kind)
	if !ok {
		return FilterCase{}, false
	}
	for _, p := range a.Params {
		f := p.Filter
		if f == nil || p == id || f.Match != spec.MatchEquals || f.Vary != nil {
			continue
		}
		if _, ok := creator.Param(p.Name); ok {
			return FilterCase{Action: a, Param: p, Filter: f, Check: FilterAnd, Kind: kind, Other: id}, true
		}
	}
	return FilterCase{}, false
}

// Describe names the case in the spec text.
func (c FilterCase) Describe() string {
	a, p, f := c.Action.Name, c.Param.Name, c.Filter
	switch c.Check {
	case FilterEmpty:
		return fmt.Sprintf("%s ignores an empty %s", a, p)
	case FilterNone:
		return fmt.Sprintf("%s with %s=%q lists only objects without a %s", a, p, f.None, f.Field)
	case FilterUnknown:
		if c.Expect.Code != "" {
			return fmt.Sprintf("%s with %s naming no %s returns %d %s", a, p, f.Kind, c.Expect.Status, c.Expect.Code)
		}
		return fmt.Sprintf("%s with %s naming no %s lists nothing", a, p, f.Kind)
	case FilterDefault:
		return fmt.Sprintf("%s without %s lists what %s=%s lists", a, p, p, c.Default)
	case FilterAnd:
		return fmt.Sprintf("%s combines %s and %s with AND", a, c.Other.Name, p)
	}
	switch f.Match {
	case spec.MatchMembership:
		return fmt.Sprintf("%s %s lists exactly the objects each value names", a, p)
	case spec.MatchTags:
		return fmt.Sprintf("%s %s lists exactly the objects carrying every given tag", a, p)
	case spec.MatchAnyOf, spec.MatchCSV:
		return fmt.Sprintf("%s %s lists exactly the objects whose %s is one of the values", a, p, f.Field)
	}
	return fmt.Sprintf("%s %s lists exactly the objects whose %s equals it", a, p, f.Field)
}

// Labels are the spec's labels.
func (c FilterCase) Labels() []string {
	return []string{"semantics", "filter", "action:" + c.Action.Name, "param:" + c.Param.Name}
}

// FilterValue is what a filter case sends: texts for equals, anyOf, csv and membership;
// key and value pairs for tags.
type FilterValue struct {
	Texts []string
	Tags  [][2]string
}

// Params renders the value as the filter parameter's wire parameters.
func (v FilterValue) Params(p *spec.Param) url.Values {
	q := url.Values{}
	switch {
	case p.Filter.Match == spec.MatchTags:
		for i, t := range v.Tags {
			q.Set(fmt.Sprintf("%s.%d.Key", p.Name, i+1), t[0])
			if t[1] != "" {
				q.Set(fmt.Sprintf("%s.%d.Value", p.Name, i+1), t[1])
			}
		}
	case p.Filter.Match == spec.MatchCSV:
		q.Set(p.Name, strings.Join(v.Texts, ","))
	case p.Schema.Type.Is(openapi3.TypeArray):
		for i, t := range v.Texts {
			q.Set(fmt.Sprintf("%s.%d", p.Name, i+1), t)
		}
	case len(v.Texts) > 0:
		q.Set(p.Name, v.Texts[0])
	}
	return q
}

// ItemMatches judges one listed item by the filter for the value sent. judged is false when
// the item does not show what the filter compares (membership, a tag binding's owner).
func ItemMatches(f *spec.Filter, item map[string]any, v FilterValue) (match, judged bool) {
	switch f.Match {
	case spec.MatchMembership:
		return false, false
	case spec.MatchTags:
		if f.Field == "" {
			return false, false
		}
		tags, _ := spec.Field(item, f.Field)
		return carriesAll(tags, f, v.Tags), true
	}
	got, ok := spec.Field(item, f.Field)
	text := ""
	if ok {
		text = spec.WireText(got)
	}
	if f.None != "" && len(v.Texts) == 1 && v.Texts[0] == f.None {
		return text == "", true
	}
	return contains(v.Texts, text), true
}

func carriesAll(tags any, f *spec.Filter, want [][2]string) bool {
	list, _ := tags.([]any)
	for _, w := range want {
		found := false
		for _, t := range list {
			m, _ := t.(map[string]any)
			if spec.WireText(m[f.TagKey]) == w[0] && (w[1] == "" || spec.WireText(m[f.TagValue]) == w[1]) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// ValueOf reads, from an object's listed item, the filter value that selects it: its field
// as text, or (for tags) its first tag. ok is false when the item shows nothing to filter by.
func ValueOf(f *spec.Filter, item map[string]any) (FilterValue, bool) {
	if f.Match == spec.MatchTags {
		var list []any
		if f.Field == "" {
			list = []any{item}
		} else {
			v, _ := spec.Field(item, f.Field)
			list, _ = v.([]any)
		}
		var tags [][2]string
		for _, t := range list {
			if m, ok := t.(map[string]any); ok {
				tags = append(tags, [2]string{spec.WireText(m[f.TagKey]), spec.WireText(m[f.TagValue])})
			}
		}
		sort.Slice(tags, func(i, j int) bool { return tags[i][0] < tags[j][0] })
		if len(tags) == 0 {
			return FilterValue{}, false
		}
		return FilterValue{Tags: tags[:1]}, true
	}
	got, ok := spec.Field(item, f.Field)
	if !ok {
		return FilterValue{}, false
	}
	return FilterValue{Texts: []string{spec.WireText(got)}}, true
}
