package spec

import (
	"reflect"
	"testing"
)

func mustAction(t *testing.T, version, name string) *Action {
	t.Helper()
	a, ok := MustDefault().Lookup(version, name)
	if !ok {
		t.Fatalf("no action %s", name)
	}
	return a
}

func TestConditionsReadSentValuesThenDefaults(t *testing.T) {
	start := mustAction(t, "2021-07-30", "StartDiskReplicaGroup")
	oneShot := &Condition{Param: "OneShot", In: []string{"true"}}
	continuous := &Condition{Param: "OneShot", In: []string{"false"}}
	cases := []struct {
		cond   *Condition
		sent   map[string]string
		want   bool
		reason string
	}{
		{nil, nil, true, "no condition always holds"},
		{oneShot, map[string]string{"OneShot": "true"}, true, "the sent value"},
		{oneShot, nil, false, "absent OneShot has the contract's default, false"},
		{continuous, nil, true, "the default meets a condition on false"},
		{&Condition{Param: "Nothing", In: []string{""}}, nil, true, "an absent parameter without a default is empty"},
	}
	for _, c := range cases {
		if got := c.cond.Matches(start, Given(c.sent)); got != c.want {
			t.Errorf("%+v with %v: %v, want %v (%s)", c.cond, c.sent, got, c.want, c.reason)
		}
	}
}

func TestDefaultsAreWireText(t *testing.T) {
	cases := []struct {
		version, action, param string
		want                   string
		ok                     bool
	}{
		{"2019-06-01", "DescribeReplicationJobs", "PageSize", "10", true},
		{"2021-07-30", "ReprotectDiskReplicaGroup", "ReverseReplicate", "true", true},
		{"2021-07-30", "DescribeDiskReplicaPairs", "Site", "production", true},
		{"2019-06-01", "DescribeReplicationJobs", "Name", "", false},
	}
	for _, c := range cases {
		p, _ := mustAction(t, c.version, c.action).Param(c.param)
		if got, ok := p.Default(); got != c.want || ok != c.ok {
			t.Errorf("%s %s default: %q %v, want %q %v", c.action, c.param, got, ok, c.want, c.ok)
		}
	}
}

func TestPreconditionsJudgeInOrder(t *testing.T) {
	stop := mustAction(t, "2019-06-01", "StopReplicationJob")
	pcs := stop.Applicable(nil)
	if len(pcs) < 2 || pcs[0].Kind(stop) != "ReplicationJob" {
		t.Fatalf("StopReplicationJob preconditions: %+v", pcs)
	}
	state := func(status, business string) func(kind, field string) (string, bool) {
		return func(kind, field string) (string, bool) {
			return map[string]string{"Status": status, "BusinessStatus": business}[field], true
		}
	}
	if i, cur, failed := FirstFailing(pcs, stop, state("Ready", "")); !failed || i != 0 || cur != "Ready" {
		t.Errorf("a Ready job fails the first precondition: %d %q %v", i, cur, failed)
	}
	if _, _, failed := FirstFailing(pcs, stop, state("Running", "Syncing")); failed {
		t.Error("a syncing running job may be stopped")
	}
	gone := func(string, string) (string, bool) { return "", false }
	if _, _, failed := FirstFailing(pcs, stop, gone); failed {
		t.Error("a precondition on an object that is not there is passed over")
	}
	e := stop.Refusal(pcs[0], "Ready")
	want := "The specified replication job status: Ready is invalid. This operation can only be performed in the following status: Running."
	if e.Code != "ReplicationJob.InvalidStatus" || e.Message != want {
		t.Errorf("refusal %+v, want ReplicationJob.InvalidStatus %q", e, want)
	}
	pc := Precondition{In: []string{"a", "b"}, Args: []string{"current", "allowed", "literal"}}
	if got := pc.MessageArgs(stop.Product, "c"); !reflect.DeepEqual(got, []string{"c", "a, b", "literal"}) {
		t.Errorf("message args %q", got)
	}
}

func TestKindsListTheActionsObjectFirst(t *testing.T) {
	add := mustAction(t, "2021-07-30", "AddDiskReplicaPair")
	if got := add.Kinds(); len(got) < 2 || got[0] != add.Object {
		t.Errorf("AddDiskReplicaPair kinds %v, want its object %s first and the pair", got, add.Object)
	}
}
