package spec

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
)

var updatePaths = flag.Bool("update", false, "rewrite testdata/paths.golden and testdata/metadata")

// Every state of every kind, with the cheapest public path the planner finds or the reason
// none exists. The golden file is the review surface of the state machine: a contract change
// that makes a state unreachable, or a path longer, shows there.
func TestPathsGolden(t *testing.T) {
	var out bytes.Buffer
	fixtures := map[string][]map[string]string{
		"SourceServer": {{"State": "Available"}, {"State": "Unavailable"}},
		"Disk":         {{"Status": "Available"}, {"Status": "In_use"}},
	}
	for _, p := range MustDefault().Products() {
		for _, kind := range p.Kinds() {
			o := p.Objects[kind]
			for _, field := range sortedFields(o.States) {
				for _, v := range o.States[field] {
					path, err := p.Plan(kind, map[string]string{field: v}, PlanOptions{Fixtures: fixtures[kind]})
					if err != nil {
						fmt.Fprintf(&out, "%s %s=%s: %v\n", kind, field, v, err.(*NoPath).Reason)
						continue
					}
					fmt.Fprintf(&out, "%s %s=%s: %s [waits %v, %d calls, lasts %v]\n", kind, field, v, path, path.Total(), path.AllCalls(), path.Window)
				}
			}
		}
	}
	const golden = "testdata/paths.golden"
	if *updatePaths {
		if err := os.WriteFile(golden, out.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test ./spec -run TestPathsGolden -update)", err)
	}
	if !bytes.Equal(want, out.Bytes()) {
		t.Errorf("paths changed; if on purpose, run go test ./spec -run TestPathsGolden -update\n%s", out.String())
	}
}

func sortedFields(m map[string][]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

func TestPlanProperties(t *testing.T) {
	smc, _ := MustDefault().ByName("smc")
	ebs, _ := MustDefault().ByName("ebs")
	cases := []struct {
		why       string
		p         *Product
		kind      string
		want      map[string]string
		opt       PlanOptions
		calls     int
		business  time.Duration
		reasonHas string
	}{
		{why: "a new group is creating: one call, no wait", p: ebs, kind: "ReplicaGroup", want: map[string]string{"Status": "creating"}, calls: 1},
		{why: "created follows creating after the contract's 5 s", p: ebs, kind: "ReplicaGroup", want: map[string]string{"Status": "created"}, calls: 1, business: 5 * time.Second},
		{why: "a failure state happens only by force", p: ebs, kind: "ReplicaGroup", want: map[string]string{"Status": "stop_failed"}, reasonHas: "control plane"},
		{why: "deleting a source server the API cannot create again is no path", p: smc, kind: "SourceServer", want: map[string]string{"State": "Deleting"},
			opt: PlanOptions{Fixtures: []map[string]string{{"State": "Available"}}}, reasonHas: "cannot create again"},
		{why: "without a fixture a source server cannot be had", p: smc, kind: "SourceServer", want: map[string]string{"State": "Available"}, reasonHas: "no existing one"},
		{why: "Expired waits for the earliest ValidTime", p: smc, kind: "ReplicationJob", want: map[string]string{"Status": "Expired"}, calls: 1, business: 7 * 24 * time.Hour},
		{why: "a state outside the enum is refused", p: smc, kind: "ReplicationJob", want: map[string]string{"Status": "Sleeping"}, reasonHas: "not one of its states"},
		{why: "a started pair from a given state needs only the call", p: ebs, kind: "ReplicaPair", want: map[string]string{"Status": "initial_syncing"},
			opt: PlanOptions{From: map[string]string{"Status": "stopped"}}, calls: 1},
	}
	for _, c := range cases {
		path, err := c.p.Plan(c.kind, c.want, c.opt)
		if c.reasonHas != "" {
			if err == nil || !strings.Contains(err.Error(), c.reasonHas) {
				t.Errorf("%s: got %v, %v; want a NoPath saying %q", c.why, path, err, c.reasonHas)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", c.why, err)
			continue
		}
		if path.Calls != c.calls || path.Business != c.business {
			t.Errorf("%s: %s has %d calls and %v of waits, want %d and %v", c.why, path, path.Calls, path.Business, c.calls, c.business)
		}
	}
}

func TestDrillPathNeedsANormalGroup(t *testing.T) {
	ebs, _ := MustDefault().ByName("ebs")
	path, err := ebs.Plan("Drill", map[string]string{"Status": "executed"}, PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	g, ok := path.Needs["ReplicaGroup"]
	if !ok || g.Steps[len(g.Steps)-1].State["Status"] != "normal" {
		t.Fatalf("the drill's path needs a normal group, got %+v", path.Needs)
	}
	if path.Total() != path.Business+g.Total() {
		t.Fatalf("total %v is not the drill's %v plus the group's %v", path.Total(), path.Business, g.Total())
	}
}

func TestDelays(t *testing.T) {
	disk := func(size float64) Values {
		return func(kind, field string) (float64, bool) { return size, kind == "Disk" && field == "Size" }
	}
	cases := []struct {
		why      string
		yaml     string
		vals     Values
		eval     time.Duration
		shortest time.Duration
		err      string
	}{
		{why: "a plain duration", yaml: `"5s"`, eval: 5 * time.Second, shortest: 5 * time.Second},
		{why: "days read as 24 hours", yaml: `"7d"`, eval: 7 * 24 * time.Hour, shortest: 7 * 24 * time.Hour},
		{why: "a field times its unit, above the minimum", yaml: `{"field":"Size","of":"Disk","unit":"1s","min":"60s","plus":"30s"}`,
			vals: disk(200), eval: 230 * time.Second, shortest: 90 * time.Second},
		{why: "a small disk takes the minimum", yaml: `{"field":"Size","of":"Disk","unit":"1s","min":"60s"}`, vals: disk(40), eval: time.Minute, shortest: time.Minute},
		{why: "an unknown field takes the default", yaml: `{"field":"RPO","unit":"1s","default":"900s"}`, eval: 900 * time.Second, shortest: 900 * time.Second},
		{why: "an at-delay without its parameter is its default", yaml: `{"at":"ValidTime","min":"7d","default":"30d"}`, eval: 30 * 24 * time.Hour, shortest: 7 * 24 * time.Hour},
		{why: "negative durations are refused", yaml: `"-5s"`, err: "want a Go duration"},
		{why: "half days are refused", yaml: `"1.5d"`, err: "whole number of days"},
		{why: "at and field exclude each other", yaml: `{"at":"ValidTime","field":"Size","unit":"1s"}`, err: "exclude"},
		{why: "a field needs a unit", yaml: `{"field":"Size"}`, err: "needs a unit"},
		{why: "unknown keys are refused", yaml: `{"field":"Size","unit":"1s","per":"1s"}`, err: "unknown field"},
	}
	for _, c := range cases {
		var d Delay
		err := d.UnmarshalJSON([]byte(c.yaml))
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%s: err %v, want %q", c.why, err, c.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", c.why, err)
			continue
		}
		if got := d.Eval(c.vals); got != c.eval {
			t.Errorf("%s: Eval %v, want %v", c.why, got, c.eval)
		}
		if got := d.Shortest(); got != c.shortest {
			t.Errorf("%s: Shortest %v, want %v", c.why, got, c.shortest)
		}
	}
}

// A lifecycle that breaks the grammar is refused at load, naming the kind and the problem.
func TestLifecycleGrammarErrors(t *testing.T) {
	base, err := files.ReadFile("ebs-2021-07-30.yaml")
	if err != nil {
		t.Fatal(err)
	}
	const anchor = "        timers:\n          - {from: {Status: executing}, to: {Status: executed}, after: 30s}\n"
	if !bytes.Contains(base, []byte(anchor)) {
		t.Fatal("the drill's timers moved: update the anchor of this test")
	}
	cases := []struct{ why, replace, want string }{
		{"a state outside the enum", "          - {from: {Status: executing}, to: {Status: finished}, after: 30s}\n", `Drill.lifecycle: timers[0].to: Status "finished" is not in the enum`},
		{"an unknown field", "          - {from: {Phase: executing}, to: {Status: executed}, after: 30s}\n", "timers[0].from names no state field Phase"},
		{"both to and deletes", "          - {from: {Status: executing}, to: {Status: executed}, deletes: true, after: 30s}\n", "exactly one of to and deletes"},
		{"an undeclared flag", "          - {from: {Status: executing}, when: {flag: warm, in: [\"true\"]}, to: {Status: executed}, after: 30s}\n", "flag warm is not declared"},
		{"a bad delay", "          - {from: {Status: executing}, to: {Status: executed}, after: soon}\n", "duration \"soon\""},
	}
	for _, c := range cases {
		doc := bytes.Replace(base, []byte(anchor), []byte("        timers:\n"+c.replace), 1)
		_, err := LoadProduct(doc)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err %v, want it to say %q", c.why, err, c.want)
		}
	}
}

func TestPlanRemoval(t *testing.T) {
	smc, _ := MustDefault().ByName("smc")
	ebs, _ := MustDefault().ByName("ebs")
	cases := []struct {
		why   string
		p     *Product
		kind  string
		from  map[string]string
		steps string
		err   string
	}{
		{why: "a Ready job is deleted at once", p: smc, kind: "ReplicationJob", from: map[string]string{"Status": "Ready"},
			steps: "DeleteReplicationJob, wait 1m0s"},
		{why: "a syncing job is stopped first", p: smc, kind: "ReplicationJob", from: map[string]string{"Status": "Running", "BusinessStatus": "Syncing"},
			steps: "StopReplicationJob, DeleteReplicationJob, wait 1m0s"},
		{why: "a normal pair is stopped, then deleted", p: ebs, kind: "ReplicaPair", from: map[string]string{"Status": "normal"},
			steps: "StopDiskReplicaPair, wait 5s, DeleteDiskReplicaPair, wait 5s"},
		{why: "a drill is cleared once executed", p: ebs, kind: "Drill", from: map[string]string{"Status": "executing"},
			steps: "wait 30s, ClearReplicaGroupDrill, wait 10s"},
		{why: "a deleting pair only needs time", p: ebs, kind: "ReplicaPair", from: map[string]string{"Status": "deleting"}, steps: "wait 5s"},
		{why: "a source server is never removed", p: smc, kind: "SourceServer", from: map[string]string{"State": "Available"}, err: "never removed"},
		{why: "a group whose stop failed is stopped again, then deleted", p: ebs, kind: "ReplicaGroup", from: map[string]string{"Status": "stop_failed"},
			steps: "StopDiskReplicaGroup, wait 5s, DeleteDiskReplicaGroup, wait 5s"},
	}
	for _, c := range cases {
		path, err := c.p.PlanRemoval(c.kind, c.from, nil)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%s: %v, %v; want %q", c.why, path, err, c.err)
			}
			continue
		}
		if err != nil || path.String() != c.steps {
			t.Errorf("%s: %q, %v; want %q", c.why, path, err, c.steps)
		}
	}
}
