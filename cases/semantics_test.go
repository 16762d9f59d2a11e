package cases

import (
	"strings"
	"testing"

	"github.com/smcct/smcct/spec"
)

func TestShowsComparesAsTheContractSays(t *testing.T) {
	cases := []struct {
		sent, got any
		rename    map[string]string
		ok        bool
		reason    string
	}{
		{"40", 40.0, nil, true, "a number sent as text comes back as a JSON number"},
		{"true", true, nil, true, "a boolean likewise"},
		{"a", "b", nil, false, "a different text"},
		{[]any{map[string]any{"Key": "k", "Value": "v"}}, []any{map[string]any{"TagKey": "k", "TagValue": "v"}}, map[string]string{"Key": "TagKey", "Value": "TagValue"}, true, "renamed fields of a tag"},
		{[]any{"a", "b"}, []any{"b", "a"}, nil, true, "lists compare as sets"},
		{[]any{"a", "b"}, []any{"a"}, nil, false, "an item lost"},
		{[]any{map[string]any{"Part": []any{map[string]any{"Device": "1_0"}}}}, []any{map[string]any{"Parts": map[string]any{"Part": []any{map[string]any{"Device": "1_0", "Extra": 1.0}}}}}, map[string]string{"Part": "Parts.Part"}, true, "a nested list behind a wrapper, extra fields ignored"},
		{map[string]any{"Size": "1"}, nil, nil, false, "nothing came back"},
	}
	for _, c := range cases {
		if got := Shows(c.sent, c.got, c.rename); (got == "") != c.ok {
			t.Errorf("Shows(%v, %v) = %q, want ok=%v (%s)", c.sent, c.got, got, c.ok, c.reason)
		}
	}
}

func TestItemMatchesJudgesEachMatch(t *testing.T) {
	item := map[string]any{"Status": "Running", "ReplicaGroupId": "", "Tags": []any{map[string]any{"TagKey": "k", "TagValue": "v"}}}
	cases := []struct {
		f      spec.Filter
		v      FilterValue
		match  bool
		reason string
	}{
		{spec.Filter{Field: "Status", Match: spec.MatchEquals}, FilterValue{Texts: []string{"Running"}}, true, "equal"},
		{spec.Filter{Field: "Status", Match: spec.MatchEquals}, FilterValue{Texts: []string{"running"}}, false, "case matters"},
		{spec.Filter{Field: "Status", Match: spec.MatchAnyOf}, FilterValue{Texts: []string{"Ready", "Running"}}, true, "one of the values"},
		{spec.Filter{Field: "ReplicaGroupId", None: "-"}, FilterValue{Texts: []string{"-"}}, true, "the none value selects an empty field"},
		{spec.Filter{Field: "Tags", Match: spec.MatchTags, TagKey: "TagKey", TagValue: "TagValue"}, FilterValue{Tags: [][2]string{{"k", "v"}}}, true, "the tag is carried"},
		{spec.Filter{Field: "Tags", Match: spec.MatchTags, TagKey: "TagKey", TagValue: "TagValue"}, FilterValue{Tags: [][2]string{{"k", "w"}}}, false, "another value of the key"},
	}
	for _, c := range cases {
		f := c.f
		if f.Match == "" {
			f.Match = spec.MatchEquals
		}
		got, judged := ItemMatches(&f, item, c.v)
		if !judged || got != c.match {
			t.Errorf("%s: match=%v judged=%v, want %v", c.reason, got, judged, c.match)
		}
	}
}

// Every filter of every list gets at least the spec that shows it narrows, and the case
// texts are unique (they name cassettes).
func TestSemanticCasesCoverTheAnnotations(t *testing.T) {
	seen := map[string]bool{}
	add := func(d string) {
		if seen[d] {
			t.Errorf("two cases share the text %q", d)
		}
		seen[d] = true
	}
	for _, a := range spec.MustDefault().Actions() {
		narrowed := map[string]bool{}
		for _, c := range FilterCases(a) {
			add(c.Describe())
			if c.Check == FilterNarrows {
				narrowed[c.Param.Name] = true
			}
		}
		for _, p := range a.Params {
			if p.Filter != nil && a.List != nil && !narrowed[p.Name] {
				t.Errorf("%s %s: no narrowing case", a.Name, p.Name)
			}
		}
		for _, c := range PagingCases(a) {
			add(c.Describe())
			if c.Check == "walk" && c.Items <= c.Size {
				t.Errorf("%q: %d items fit one page of %d, so the walk follows no page", c.Describe(), c.Items, c.Size)
			}
		}
		for _, c := range RoundTripCases(a) {
			add(c.Describe())
		}
		for _, c := range IdempotencyCases(a) {
			add(c.Describe())
		}
		for _, c := range FlagCases(a) {
			add(c.Describe())
			if !strings.Contains(c.Describe(), "=true") || !strings.Contains(c.Describe(), "=false") {
				t.Errorf("%q does not name both values", c.Describe())
			}
		}
	}
	for _, c := range EnvelopeCases(spec.MustDefault()) {
		add(c.Describe())
	}
}
