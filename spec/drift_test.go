package spec

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

// TestMetadataFactsAreCurrent rebuilds testdata/metadata from the official metadata copies
// and requires the checked-in facts to be the same; -update writes them. Without the copies
// (a CI machine has none) the checked-in facts are what the drift test uses.
func TestMetadataFactsAreCurrent(t *testing.T) {
	dir := metadataDir()
	if dir == "" {
		t.Skip("no official metadata copies found (set SMCCT_METADATA); the checked-in facts stand")
	}
	for _, doc := range Documents {
		src := filepath.Join(dir, strings.TrimSuffix(doc, ".yaml")+".api-docs.json")
		data, err := os.ReadFile(src)
		if err != nil {
			t.Fatalf("%s: %v", doc, err)
		}
		facts, err := reduceAPIDocs(data)
		if err != nil {
			t.Fatalf("%s: %v", src, err)
		}
		want, err := encodeFacts(facts)
		if err != nil {
			t.Fatal(err)
		}
		if *updatePaths {
			if err := os.MkdirAll(filepath.Dir(factsFile(doc)), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(factsFile(doc), want, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(factsFile(doc))
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s is not what %s reduces to; run go test ./spec -run TestMetadataFactsAreCurrent -update", factsFile(doc), src)
		}
	}
}

// TestContractMatchesMetadata holds the contract against the official metadata's facts:
// every difference in actions, parameters (names, types, formats, required, styles, enums,
// ranges, lengths, patterns, defaults, list sizes), documented errors (codes, statuses,
// messages) and success fields must be covered by a recorded choice, and every cover must
// still cover something.
//
// Most covers pin only the metadata's side (it says nothing), so a contract value could move
// under one unnoticed. testdata/drift.golden therefore lists every difference, both sides and
// the choices covering it: a change on either side shows there for review (-update).
func TestContractMatchesMetadata(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	var golden bytes.Buffer
	for _, doc := range Documents {
		facts, err := loadFacts(doc)
		if err != nil {
			t.Fatalf("%s: %v", doc, err)
		}
		p, ok := c.ByName(facts.Product)
		if !ok || facts.Version != p.Version {
			t.Fatalf("%s holds %s %s, which the contract does not describe", factsFile(doc), facts.Product, facts.Version)
		}
		diffs := drift(p, facts)
		used := make([][]bool, len(p.Choices))
		for j := range p.Choices {
			used[j] = make([]bool, len(p.Choices[j].Covers))
		}
		var open []string
		for _, d := range diffs {
			if !covered(p.Choices, d, used) {
				open = append(open, d.String())
			}
			golden.WriteString(driftLine(p, d))
		}
		for j, ch := range p.Choices {
			for k, cv := range ch.Covers {
				if !used[j][k] {
					t.Errorf("%s: choice %q: cover %v matches no difference any more", p.Name, ch.Topic, coverText(cv))
				}
			}
		}
		if len(open) > 0 {
			t.Errorf("%s: %d differences from the metadata that no choice covers:\n  %s", p.Name, len(open), strings.Join(open, "\n  "))
		}
		t.Logf("%s: %d differences from the metadata, %d covered by recorded choices", p.Name, len(diffs), len(diffs)-len(open))
	}
	checkGolden(t, "testdata/drift.golden", golden.Bytes())
}

// checkGolden compares out with a golden file, or writes it under -update, and shows the
// lines that differ.
func checkGolden(t *testing.T, file string, out []byte) {
	t.Helper()
	if *updatePaths {
		if err := os.WriteFile(file, out, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("%v (run go test ./spec -run TestContractMatchesMetadata -update)", err)
	}
	if bytes.Equal(want, out) {
		return
	}
	wantLines, gotLines := strings.Split(string(want), "\n"), strings.Split(string(out), "\n")
	var changes []string
	for _, l := range gotLines {
		if !slices.Contains(wantLines, l) {
			changes = append(changes, "+ "+l)
		}
	}
	for _, l := range wantLines {
		if !slices.Contains(gotLines, l) {
			changes = append(changes, "- "+l)
		}
	}
	t.Errorf("the differences from the metadata changed; review them, and if on purpose run go test ./spec -run TestContractMatchesMetadata -update:\n  %s", strings.Join(changes, "\n  "))
}

// driftLine is a difference as the golden file lists it, with the choices covering it.
func driftLine(p *Product, d Difference) string {
	return fmt.Sprintf("%s  <- %s\n", d, strings.Join(coveringTopics(p.Choices, d), "; "))
}

// TestDriftGoldenSeesContractChanges: a contract value that moves under a cover pinning only
// the metadata's silence (the Site filter's enum) still changes the golden list.
func TestDriftGoldenSeesContractChanges(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	ebs, _ := c.ByName("ebs")
	facts, err := loadFacts("ebs-2021-07-30.yaml")
	if err != nil {
		t.Fatal(err)
	}
	a, _ := ebs.Action("DescribeDiskReplicaPairs")
	site, ok := a.Param("Site")
	if !ok {
		t.Fatal("DescribeDiskReplicaPairs has no Site")
	}
	site.Schema.Enum = append(site.Schema.Enum, "remote")
	want, err := os.ReadFile("testdata/drift.golden")
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range drift(ebs, facts) {
		if d.Action == "DescribeDiskReplicaPairs" && d.Param == "Site" && d.Aspect == "enum" {
			if strings.Contains(string(want), driftLine(ebs, d)) {
				t.Fatalf("the golden list already holds %s", d)
			}
			if len(coveringTopics(ebs.Choices, d)) == 0 {
				t.Fatalf("%s is no longer covered, so this case tests nothing new", d)
			}
			return
		}
	}
	t.Fatal("no Site enum difference")
}

// coveringTopics names the choices whose covers match a difference.
func coveringTopics(choices []Choice, d Difference) []string {
	var out []string
	for _, ch := range choices {
		for _, cv := range ch.Covers {
			if cv.Matches(d) {
				out = append(out, ch.Topic)
				break
			}
		}
	}
	return out
}

func covered(choices []Choice, d Difference, used [][]bool) bool {
	found := false
	for j, ch := range choices {
		for k, cv := range ch.Covers {
			if cv.Matches(d) {
				used[j][k], found = true, true
			}
		}
	}
	return found
}

func coverText(c Cover) string {
	s := fmt.Sprintf("action %v aspect %v", []string(c.Action), []string(c.Aspect))
	if len(c.Param) > 0 {
		s += fmt.Sprintf(" param %v", []string(c.Param))
	}
	if c.Contract != nil {
		s += fmt.Sprintf(" contract %q", *c.Contract)
	}
	if c.Metadata != nil {
		s += fmt.Sprintf(" metadata %q", *c.Metadata)
	}
	return s
}

// drift lists every difference between a product's contract and its metadata facts, in a
// stable order.
func drift(p *Product, facts *metaFacts) []Difference {
	var out []Difference
	add := func(action, param, aspect, contract, metadata string) {
		if contract != metadata {
			out = append(out, Difference{Product: p.Name, Action: action, Param: param, Aspect: aspect, Contract: contract, Metadata: metadata})
		}
	}
	for _, name := range unionKeys(p.actions, facts.Actions) {
		a, inContract := p.actions[name]
		f, inMetadata := facts.Actions[name]
		if !inContract || !inMetadata {
			add(name, "", "action", present(inContract), present(inMetadata))
			continue
		}
		params := contractParams(a)
		for _, wire := range unionKeys(params, f.Params) {
			cp, mp := params[wire], f.Params[wire]
			if cp == nil || mp == nil {
				add(name, wire, "param", present(cp != nil), present(mp != nil))
				continue
			}
			compareParam(cp, mp, func(aspect, c, m string) { add(name, wire, aspect, c, m) })
		}
		compareErrors(a, f, add)
		resp := contractResponse(a.Response)
		for _, field := range unionKeys(resp, f.Response) {
			ct, inC := resp[field]
			mt, inM := f.Response[field]
			if !inC || !inM {
				add(name, field, "response", present(inC), present(inM))
				continue
			}
			add(name, field, "responseType", ct, mt)
		}
	}
	return out
}

func present(ok bool) string {
	if ok {
		return "present"
	}
	return ""
}

func compareParam(c, m *paramFact, add func(aspect, contract, metadata string)) {
	add("type", c.Type, m.Type)
	add("format", c.Format, m.Format)
	add("required", fmt.Sprint(c.Required), fmt.Sprint(m.Required))
	add("style", c.Style, m.Style)
	add("enum", strings.Join(c.Enum, ","), strings.Join(m.Enum, ","))
	add("minimum", c.Minimum, m.Minimum)
	add("maximum", c.Maximum, m.Maximum)
	add("minLength", c.MinLength, m.MinLength)
	add("maxLength", c.MaxLength, m.MaxLength)
	add("pattern", c.Pattern, m.Pattern)
	add("default", c.Default, m.Default)
	add("maxItems", c.MaxItems, m.MaxItems)
	add("not", c.Not, m.Not)
	add("uniqueItems", fmt.Sprint(c.UniqueItems), fmt.Sprint(m.UniqueItems))
}

func compareErrors(a *Action, f *actionFact, add func(action, param, aspect, contract, metadata string)) {
	meta := map[string]ErrorCode{}
	for _, e := range f.Errors {
		meta[e.Code] = e
	}
	for _, code := range unionKeys(a.errors, meta) {
		ce, inC := a.errors[code]
		me, inM := meta[code]
		if !inC || !inM {
			add(a.Name, code, "error", present(inC), present(inM))
			continue
		}
		add(a.Name, code, "status", fmt.Sprint(ce.Status), fmt.Sprint(me.Status))
		add(a.Name, code, "message", ce.Message, me.Message)
	}
}

// contractParams flattens an action's parameters into wire paths with what their schemas
// say, in the metadata's terms. Rules the metadata cannot state (not, uniqueItems) are
// compared against its silence.
func contractParams(a *Action) map[string]*paramFact {
	out := map[string]*paramFact{}
	for _, p := range a.Params {
		walkContract(out, p.Name, p.Schema, p.Required, string(p.Style), 0)
	}
	return out
}

func walkContract(out map[string]*paramFact, wire string, s *openapi3.Schema, required bool, style string, depth int) {
	if s == nil || depth > 8 {
		return
	}
	pf := &paramFact{Format: s.Format, Required: required, Style: style, Pattern: s.Pattern, Default: WireText(s.Default)}
	if s.Type != nil && len(*s.Type) > 0 {
		pf.Type = (*s.Type)[0]
	}
	for _, v := range s.Enum {
		pf.Enum = append(pf.Enum, WireText(v))
	}
	sort.Strings(pf.Enum)
	if s.Min != nil {
		pf.Minimum = WireText(*s.Min)
	}
	if s.Max != nil {
		pf.Maximum = WireText(*s.Max)
	}
	if s.MinLength > 0 {
		pf.MinLength = WireText(int64(s.MinLength))
	}
	if s.MaxLength != nil {
		pf.MaxLength = WireText(int64(*s.MaxLength))
	}
	if s.MaxItems != nil {
		pf.MaxItems = WireText(int64(*s.MaxItems))
	}
	if s.Not != nil && s.Not.Value != nil {
		pf.Not = s.Not.Value.Pattern
	}
	pf.UniqueItems = s.UniqueItems
	out[wire] = pf
	if s.Items != nil {
		walkContract(out, wire+".N", s.Items.Value, false, "", depth+1)
	}
	for name, prop := range s.Properties {
		walkContract(out, wire+"."+name, prop.Value, slices.Contains(s.Required, name), "", depth+1)
	}
}

// contractResponse flattens a success schema into field paths and types, merging allOf.
func contractResponse(s *openapi3.Schema) map[string]string {
	out := map[string]string{}
	var walk func(prefix string, s *openapi3.Schema, depth int)
	walk = func(prefix string, s *openapi3.Schema, depth int) {
		if s == nil || depth > 8 {
			return
		}
		for _, part := range s.AllOf {
			walk(prefix, part.Value, depth+1)
		}
		for name, prop := range s.Properties {
			p := name
			if prefix != "" {
				p = prefix + "." + name
			}
			out[p] = typeOf(prop.Value)
			if prop.Value != nil && prop.Value.Items != nil {
				out[p+".N"] = typeOf(prop.Value.Items.Value)
				walk(p+".N", prop.Value.Items.Value, depth+1)
			}
			walk(p, prop.Value, depth+1)
		}
	}
	walk("", s, 0)
	return out
}

func typeOf(s *openapi3.Schema) string {
	if s == nil || s.Type == nil || len(*s.Type) == 0 {
		if s != nil && len(s.AllOf) > 0 {
			return "object"
		}
		return ""
	}
	return (*s.Type)[0]
}

func unionKeys[A, B any](a map[string]A, b map[string]B) []string {
	seen := map[string]bool{}
	var out []string
	for k := range a {
		if !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	for k := range b {
		if !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// TestDriftFindsChanges: the comparison notices the kinds of change a new metadata copy
// brings, and the recorded covers do not swallow them.
func TestDriftFindsChanges(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	ebs, _ := c.ByName("ebs")
	cases := []struct {
		name   string
		change func(f *metaFacts)
		want   Difference
	}{
		{"a new enum value", func(f *metaFacts) {
			f.Actions["DescribeDiskReplicaPairs"].Params["Site"].Enum = []string{"backup", "production", "remote"}
		},
			Difference{Action: "DescribeDiskReplicaPairs", Param: "Site", Aspect: "enum"}},
		{"a bound where there was none", func(f *metaFacts) { f.Actions["StartPairDrill"].Params["ClientToken"].MaxLength = "32" },
			Difference{Action: "StartPairDrill", Param: "ClientToken", Aspect: "maxLength"}},
		{"a status that moved", func(f *metaFacts) {
			for i, e := range f.Actions["ClearPairDrill"].Errors {
				if e.Code == "NoSuchResource" {
					f.Actions["ClearPairDrill"].Errors[i].Status = 400
				}
			}
		}, Difference{Action: "ClearPairDrill", Param: "NoSuchResource", Aspect: "status"}},
		{"a new replica action", func(f *metaFacts) {
			f.Actions["DescribeDiskReplicaPairEvents"] = &actionFact{Params: map[string]*paramFact{}, Response: map[string]string{}}
		}, Difference{Action: "DescribeDiskReplicaPairEvents", Aspect: "action"}},
		{"a new success field", func(f *metaFacts) { f.Actions["DescribePairDrills"].Response["Drills.N.PairId"] = "string" },
			Difference{Action: "DescribePairDrills", Param: "Drills.N.PairId", Aspect: "response"}},
		{"a parameter gone", func(f *metaFacts) { delete(f.Actions["StartPairDrill"].Params, "ClientToken") },
			Difference{Action: "StartPairDrill", Param: "ClientToken", Aspect: "param"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			facts, err := loadFacts("ebs-2021-07-30.yaml")
			if err != nil {
				t.Fatal(err)
			}
			tc.change(facts)
			used := make([][]bool, len(ebs.Choices))
			for j := range ebs.Choices {
				used[j] = make([]bool, len(ebs.Choices[j].Covers))
			}
			for _, d := range drift(ebs, facts) {
				if d.Action == tc.want.Action && d.Param == tc.want.Param && d.Aspect == tc.want.Aspect {
					if covered(ebs.Choices, d, used) {
						t.Fatalf("%v is covered by a recorded choice", d)
					}
					return
				}
			}
			t.Fatalf("no difference %s %s %s", tc.want.Action, tc.want.Param, tc.want.Aspect)
		})
	}
}

// TestCoverGrammar: covers read a name or a list, globs match, a side given must be equal,
// and a cover naming an unknown aspect or an unreadable glob is refused at load.
func TestCoverGrammar(t *testing.T) {
	empty := ""
	d := Difference{Product: "ebs", Action: "StartPairDrill", Param: "ClientToken", Aspect: "maxLength", Contract: "64"}
	cases := []struct {
		cover Cover
		match bool
		why   string
	}{
		{Cover{Action: Names{"*"}, Aspect: Names{"maxLength"}}, true, "a glob action, any param"},
		{Cover{Action: Names{"Start*Drill"}, Param: Names{"ClientToken"}, Aspect: Names{"minLength", "maxLength"}}, true, "lists and globs"},
		{Cover{Action: Names{"*"}, Param: Names{"RegionId"}, Aspect: Names{"maxLength"}}, false, "another parameter"},
		{Cover{Action: Names{"*"}, Aspect: Names{"maxLength"}, Metadata: &empty}, true, "the metadata says nothing, as the cover expects"},
		{Cover{Action: Names{"*"}, Aspect: Names{"maxLength"}, Contract: &empty}, false, "the contract does say something"},
	}
	for _, tc := range cases {
		if got := tc.cover.Matches(d); got != tc.match {
			t.Errorf("%s: Matches = %v", tc.why, got)
		}
	}
	for _, bad := range []Cover{
		{Action: Names{"*"}, Aspect: Names{"length"}},
		{Action: Names{"["}, Aspect: Names{"maxLength"}},
		{Aspect: Names{"maxLength"}},
	} {
		if bad.check() == nil {
			t.Errorf("cover %v was accepted", coverText(bad))
		}
	}
	var n Names
	if err := n.UnmarshalJSON([]byte(`"One"`)); err != nil || len(n) != 1 {
		t.Errorf("a single name: %v %v", n, err)
	}
	if err := n.UnmarshalJSON([]byte(`["A","B"]`)); err != nil || len(n) != 2 {
		t.Errorf("a list: %v %v", n, err)
	}
}
