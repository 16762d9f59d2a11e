package report

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/onsi/ginkgo/v2/types"
	"github.com/smcct/smcct/spec"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

const (
	leakedKeyID = "LTAI5tQwErTyUiOpAsDf"
	leakedToken = "CAISzAJ1q6Ft5B2yfSjIr5bSBI3wq7lnhpWaaR7mnmoQdO8Zl"
)

var t0 = time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)

// it builds an It spec report.
func it(containers []string, text string, state types.SpecState, labels ...string) types.SpecReport {
	return types.SpecReport{
		LeafNodeType:             types.NodeTypeIt,
		ContainerHierarchyTexts:  containers,
		ContainerHierarchyLabels: make([][]string, len(containers)),
		LeafNodeText:             text,
		LeafNodeLabels:           labels,
		LeafNodeLocation:         types.CodeLocation{FileName: "/build/here/suites/conformance/x.go", LineNumber: 7},
		State:                    state,
		StartTime:                t0,
		EndTime:                  t0.Add(time.Millisecond),
		RunTime:                  time.Millisecond,
	}
}

func entry(name string, v any) types.ReportEntry {
	return types.ReportEntry{Name: name, Value: types.WrapEntryValue(v)}
}

func withRule(s types.SpecReport, rule string) types.SpecReport {
	s.ReportEntries = append(s.ReportEntries, entry(RuleEntry, rule))
	return s
}

// synthetic is a small run with one spec of every kind the report tells apart.
func synthetic() []types.Report {
	run := types.SpecReport{LeafNodeType: types.NodeTypeReportBeforeSuite, State: types.SpecStatePassed,
		ReportEntries: []types.ReportEntry{entry(RunEntry, Run{Target: "http://127.0.0.1:9", Signature: "v1", Version: "test",
			Capabilities: map[string]bool{"control plane": false, "writes": true}})}}

	failed := it([]string{"State preconditions", "StopReplicationJob"}, "when the job is Ready returns 400 ReplicationJob.InvalidStatus",
		types.SpecStateFailed, "action:StopReplicationJob", "precondition", "error", "code:ReplicationJob.InvalidStatus")
	failed.Failure = types.Failure{
		Message:  "Expected\n    <*framework.Result | 0xc000123>: 500 InternalError \"boom\"\nto be 400 ReplicationJob.InvalidStatus",
		Location: types.CodeLocation{FileName: "/build/here/suites/conformance/preconditions.go", LineNumber: 42},
	}
	for i := range 5 {
		failed.ReportEntries = append(failed.ReportEntries, entry(ExchangeEntry,
			"request: POST /?AccessKeyId="+leakedKeyID+"&Action=StopReplicationJob&SecurityToken="+leakedToken+"&Signature=c2ln&N="+string(rune('0'+i))+
				"\n  Authorization: ACS3-HMAC-SHA256 Credential="+leakedKeyID+",SignedHeaders=host,Signature=abc\nresponse: 500 {}"))
	}
	skipped := it([]string{"State preconditions", "StartReplicationJob"}, "when the job is InError returns 400",
		types.SpecStateSkipped, "action:StartReplicationJob", "precondition", "needs:control")
	skipped.Failure.Message = "target cannot be controlled"
	return []types.Report{{
		SuiteDescription: "synthetic", StartTime: t0, EndTime: t0.Add(3 * time.Second),
		SpecReports: []types.SpecReport{
			run,
			it([]string{"Parameter validation", "StopReplicationJob"}, "StopReplicationJob without JobId returns 400 MissingJobId",
				types.SpecStatePassed, "action:StopReplicationJob", "param:JobId", "validation", "error", "code:MissingJobId"),
			failed,
			skipped,
			it([]string{"Filtered"}, "a spec the label filter left out", types.SpecStateSkipped, "action:StopReplicationJob", "validation"),
			it([]string{"Lifecycle"}, "a job goes Ready, Running, Stopped", types.SpecStatePassed,
				"action:CreateReplicationJob", "action:StartReplicationJob", "action:StopReplicationJob", "lifecycle"),
			it([]string{"Semantics"}, "a category added later shows as a column", types.SpecStatePassed, "action:DescribeReplicationJobs", "semantics"),
			it([]string{"Future"}, "an action the contract does not describe yet <script>alert(1)</script>", types.SpecStatePanicked, "action:DescribeFutureThings", "semantics"),
			withRule(it([]string{"Isolation"}, "another account's job is invisible", types.SpecStateFailed, "action:DescribeReplicationJobs", "isolation"),
				"a job of one account is not listed for another"),
			it([]string{"Protocol"}, "a spec about no action", types.SpecStatePassed, "protocol"),
		},
	}}
}

func TestBuild(t *testing.T) {
	cat := spec.MustDefault()
	sum := Build(synthetic(), cat)

	if sum.Run.Target != "http://127.0.0.1:9" || sum.Run.Version != "test" {
		t.Errorf("run entry not read: %+v", sum.Run)
	}
	if got, want := sum.Total, (Tally{Passed: 4, Failed: 3, Skipped: 2}); got != want {
		t.Errorf("total %+v, want %+v", got, want)
	}
	rows := map[string]*Row{}
	for _, r := range sum.Rows() {
		rows[r.Action] = r
	}
	for _, a := range cat.Actions() {
		if r := rows[a.Name]; r == nil || !r.Known {
			t.Errorf("no row for the catalog's %s: every action has one, run or not", a.Name)
		}
	}
	cases := []struct {
		action string
		want   Tally
		reason string
	}{
		{"StopReplicationJob", Tally{Passed: 2, Failed: 1, Skipped: 1}, "validation, precondition, filtered-out and the lifecycle walk"},
		{"StartReplicationJob", Tally{Passed: 1, Skipped: 1}, "a spec naming several actions counts in each"},
		{"DescribeFutureThings", Tally{Failed: 1}, "an action only a label names still gets a row"},
		{"(no action label)", Tally{Passed: 1}, "specs without an action label are not lost"},
		{"DeleteWorkgroup", Tally{}, "an action no spec ran for has an empty row"},
	}
	for _, c := range cases {
		r := rows[c.action]
		if r == nil || r.Total != c.want {
			t.Errorf("%s: %+v, want %+v (%s)", c.action, r, c.want, c.reason)
		}
	}
	if !slices.Equal(sum.Categories, []string{"error", "isolation", "lifecycle", "precondition", "protocol", "semantics", "validation"}) {
		t.Errorf("categories %v: they come from labels without a colon, sorted", sum.Categories)
	}
	if c := rows["StopReplicationJob"].Cell("precondition"); c != (Tally{Failed: 1}) {
		t.Errorf("StopReplicationJob precondition cell %+v", c)
	}
	if len(sum.Skips) != 2 || sum.Skips[0].Reason == sum.Skips[1].Reason {
		t.Errorf("skips by reason: %+v", sum.Skips)
	}
	if g := sum.Groups[len(sum.Groups)-1]; g.Rows[0].Known {
		t.Errorf("the last group should hold what the contract does not know: %+v", g)
	}
}

func TestFailureDetail(t *testing.T) {
	cat := spec.MustDefault()
	sum := Build(synthetic(), cat)
	var f *Failure
	for _, s := range sum.Failures {
		if slices.Contains(s.Actions, "StopReplicationJob") {
			f = s.Failure
		}
	}
	if f == nil {
		t.Fatal("no StopReplicationJob failure")
	}
	if f.Actual != `500 InternalError "boom"` || f.Expected != "to be 400 ReplicationJob.InvalidStatus" {
		t.Errorf("expected/actual: %q / %q", f.Expected, f.Actual)
	}
	if len(f.Exchanges) != maxExchanges || f.Omitted != 5-maxExchanges || !strings.Contains(f.Exchanges[len(f.Exchanges)-1], "N=4") {
		t.Errorf("the last %d exchanges are kept: %d kept, %d omitted", maxExchanges, len(f.Exchanges), f.Omitted)
	}
	all := strings.Join(f.Exchanges, "\n")
	for _, secret := range []string{leakedKeyID, leakedToken, "c2ln", "Signature=abc"} {
		if strings.Contains(all, secret) {
			t.Errorf("%q survived redaction:\n%s", secret, all)
		}
	}
	// The rule comes from the contract: the action's precondition that answers the code.
	a, _ := cat.Lookup("2019-06-01", "StopReplicationJob")
	rules := strings.Join(f.Rules, "\n")
	for _, pc := range a.Preconditions {
		if pc.Error == "ReplicationJob.InvalidStatus" && !strings.Contains(rules, strings.Join(pc.In, ", ")) {
			t.Errorf("the rule does not state the allowed states %v:\n%s", pc.In, rules)
		}
	}
	if e, _ := a.Error("ReplicationJob.InvalidStatus"); !strings.Contains(rules, e.Message) {
		t.Errorf("the rule does not quote the documented message:\n%s", rules)
	}
}

// TestRuleFallbacks: a spec's own rule entry comes first, and a spec whose labels point at
// no rule gets its actions' summaries from the catalog.
func TestRuleFallbacks(t *testing.T) {
	cat := spec.MustDefault()
	var f *Failure
	for _, s := range Build(synthetic(), cat).Failures {
		if slices.Contains(s.Categories, "isolation") {
			f = s.Failure
		}
	}
	a, _ := cat.Lookup("2019-06-01", "DescribeReplicationJobs")
	if f == nil || len(f.Rules) != 2 || f.Rules[0] != "a job of one account is not listed for another" || !strings.Contains(f.Rules[1], a.Summary) {
		t.Errorf("rules %+v", f)
	}
}

func TestExpectation(t *testing.T) {
	cases := []struct {
		msg, actual, expected, reason string
	}{
		{"Expected\n    <int>: 3\nto equal\n    <int>: 4", "3", "to equal\n4", "Gomega's Equal"},
		{"Expected:\n    <*framework.Result | 0xc0>: 200 {}\nto be 400 X", "200 {}", "to be 400 X", "a gcustom matcher"},
		{"a call failed\nExpected\n    <bool>: false\nto be true", "false", "to be true", "an annotation before Expected"},
		{"the answer breaks the contract: no RequestId", "", "", "a Fail message has no expectation"},
		{"Expected\n    <int>: 3", "", "", "no expectation line after the value"},
	}
	for _, c := range cases {
		a, e := expectation(c.msg)
		if a != c.actual || e != c.expected {
			t.Errorf("%s: got %q / %q, want %q / %q", c.reason, a, e, c.actual, c.expected)
		}
	}
}

func TestHTML(t *testing.T) {
	cat := spec.MustDefault()
	var buf bytes.Buffer
	if err := WriteHTML(&buf, Build(synthetic(), cat)); err != nil {
		t.Fatal(err)
	}
	page := buf.String()
	for _, a := range cat.Actions() {
		if !strings.Contains(page, `data-action="`+a.Name+`"`) {
			t.Errorf("no row for %s", a.Name)
		}
	}
	for _, want := range []string{`<th class="cell">semantics</th>`, "&lt;script&gt;alert(1)&lt;/script&gt;", "REDACTED-ACCESS-KEY-ID", `id="filter"`} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	for _, bad := range []string{"<script>alert(1)", leakedKeyID, leakedToken} {
		if strings.Contains(page, bad) {
			t.Errorf("the page contains %q", bad)
		}
	}
}

// TestText compares the terminal summary and diff with golden files (-update rewrites them).
func TestText(t *testing.T) {
	cat := spec.MustDefault()
	base := Build(synthetic(), cat)
	var buf bytes.Buffer
	if err := WriteText(&buf, base); err != nil {
		t.Fatal(err)
	}
	golden(t, "summary.txt", buf.Bytes())

	other := synthetic()
	specs := other[0].SpecReports
	specs[1].State, specs[1].Failure = types.SpecStateFailed, types.Failure{Message: "Expected\n    <int>: 3\nto equal\n    <int>: 4"}
	specs[2].State = types.SpecStatePassed
	other[0].SpecReports = append(specs[:5], specs[6:]...)
	buf.Reset()
	d := Diff(base, Build(other, cat))
	if err := d.WriteText(&buf, "base.json", "other.json"); err != nil {
		t.Fatal(err)
	}
	golden(t, "diff.txt", buf.Bytes())
	if got := d.RegressedActions(); !slices.Equal(got, []string{"CreateReplicationJob", "StartReplicationJob", "StopReplicationJob"}) {
		t.Errorf("regressed actions %v", got)
	}
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the output (run with -update after checking):\n%s", path, got)
	}
}

func TestDiffChanges(t *testing.T) {
	cases := []struct {
		base, other Outcome
		want        Change
		regression  bool
		reason      string
	}{
		{Passed, Failed, Regressed, true, "a passing spec fails"},
		{Failed, Passed, Fixed, false, "a failing spec passes"},
		{Passed, Skipped, NewlySkipped, false, "skipped is not failed: the other target may lack a capability"},
		{Skipped, Failed, NowFailing, false, "nothing passed before"},
		{Skipped, Passed, NowPassing, false, "newly run"},
		{Passed, "", Removed, true, "a passing spec is gone"},
		{Failed, "", Removed, false, "a failing spec is gone"},
		{"", Failed, Added, false, "new specs never regress"},
	}
	for _, c := range cases {
		base, other := &Summary{}, &Summary{}
		if c.base != "" {
			base.Specs = []*Spec{{Key: "k", Outcome: c.base, Actions: []string{"A"}}}
		}
		if c.other != "" {
			other.Specs = []*Spec{{Key: "k", Outcome: c.other, Actions: []string{"A"}}}
		}
		d := Diff(base, other)
		if len(d.Specs) != 1 || d.Specs[0].Change != c.want || d.Specs[0].Regression() != c.regression {
			t.Errorf("%s: %+v, want %s (regression %v)", c.reason, d.Specs, c.want, c.regression)
		}
		if c.regression != (len(d.RegressedActions()) == 1) {
			t.Errorf("%s: regressed actions %v", c.reason, d.RegressedActions())
		}
	}
	same := Build(synthetic(), nil)
	if d := Diff(same, Build(synthetic(), nil)); len(d.Specs) != 0 || len(d.Regressions()) != 0 {
		t.Errorf("a run against itself changes: %+v", d.Specs)
	}
}

func TestProgress(t *testing.T) {
	if NewProgress(&bytes.Buffer{}) != nil {
		t.Error("a buffer is not a terminal: no progress line")
	}
	f, err := os.CreateTemp(t.TempDir(), "out")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if NewProgress(f) != nil {
		t.Error("a file is not a terminal: no progress line")
	}
	var nilp *Progress
	nilp.Begin(3)
	nilp.Spec(types.SpecReport{})
	nilp.End()

	var buf bytes.Buffer
	now := t0
	p := &Progress{w: &buf, now: func() time.Time { return now }}
	p.Begin(3)
	now = now.Add(5 * time.Millisecond)
	p.Spec(types.SpecReport{LeafNodeType: types.NodeTypeIt, State: types.SpecStatePassed})
	p.Spec(types.SpecReport{LeafNodeType: types.NodeTypeReportAfterSuite, State: types.SpecStateFailed})
	now = now.Add(2 * time.Second)
	p.Spec(types.SpecReport{LeafNodeType: types.NodeTypeIt, State: types.SpecStateFailed})
	p.Spec(types.SpecReport{LeafNodeType: types.NodeTypeIt, State: types.SpecStateSkipped}) // left out by a filter
	p.Spec(types.SpecReport{LeafNodeType: types.NodeTypeIt, State: types.SpecStateSkipped, Failure: types.Failure{Message: "no control plane"}})
	p.End()
	out := buf.String()
	for _, want := range []string{"\n\r\x1b[K  0/3 specs, 0 failed, 0s elapsed", "1/3 specs, 0 failed, 0s elapsed", "elapsed\r\r\x1b[K\r\x1b[K  2/3 specs, 1 failed, 2s elapsed", "3/3 specs, 1 failed"} {
		if !strings.Contains(out, want) {
			t.Errorf("progress output lacks %q: %q", want, out)
		}
	}
	if strings.Contains(out, "4/3") {
		t.Errorf("a spec the filter left out was counted: %q", out)
	}
	if n := strings.Count(out, "\r\x1b[K"); n != 6 {
		t.Errorf("%d redraws, want one at the start, one per It spec (a failure only clears) and one to clear: %q", n, out)
	}
	if !strings.HasSuffix(out, "\r\x1b[K") {
		t.Errorf("the line is not cleared at the end: %q", out)
	}
}
