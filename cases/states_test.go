package cases

import (
	"strings"
	"testing"

	"github.com/smcct/smcct/spec"
)

func findCase(t *testing.T, action string, params, states map[string]string) StateCase {
	t.Helper()
	a := lookupAction(action)
	if a == nil {
		t.Fatalf("the contract does not describe %s", action)
	}
	for _, c := range StateCases(a) {
		if !sameMap(c.Params, params) {
			continue
		}
		flat := map[string]string{}
		for k, fields := range c.States {
			for f, v := range fields {
				flat[k+"."+f] = v
			}
		}
		if sameMap(flat, states) {
			return c
		}
	}
	t.Fatalf("%s: no case with params %v and states %v", action, params, states)
	return StateCase{}
}

func sameMap(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func TestStateCasesJudgeLikeTheService(t *testing.T) {
	cases := []struct {
		action  string
		params  map[string]string
		states  map[string]string
		allowed bool
		code    string
		message string
		reason  string
	}{
		{"StopReplicationJob", nil, map[string]string{"ReplicationJob.Status": "Ready"}, false, "ReplicationJob.InvalidStatus",
			"The specified replication job status: Ready is invalid. This operation can only be performed in the following status: Running.",
			"the first precondition fails, so the business status it never reaches is not part of the case"},
		{"StopReplicationJob", nil, map[string]string{"ReplicationJob.Status": "Running", "ReplicationJob.BusinessStatus": "Preparing"}, false, "ReplicationJob.InvalidBusinessStatus", "",
			"the second field is varied with the first satisfied"},
		{"StopReplicationJob", nil, map[string]string{"ReplicationJob.Status": "Running", "ReplicationJob.BusinessStatus": "Syncing"}, true, "", "",
			"both fields satisfied"},
		{"DeleteSourceServer", nil, map[string]string{"SourceServer.State": "InUse"}, false, "SourceServer.WithRunningReplicationJob", "",
			"two preconditions on one field: the first passes InUse, the second refuses it"},
		{"DeleteSourceServer", nil, map[string]string{"SourceServer.State": "Deleting"}, false, "SourceServerState.Invalid",
			"The specified source server status: Deleting is invalid. This operation can only be performed in the following status: Unavailable, Available, InUse.",
			"allowed states are joined with the product's separator"},
		{"StartDiskReplicaGroup", map[string]string{"OneShot": "true"}, map[string]string{"ReplicaGroup.Status": "manual_syncing"}, true, "", "",
			"the one-shot precondition allows a group already syncing by hand"},
		{"StartDiskReplicaGroup", map[string]string{"OneShot": "false"}, map[string]string{"ReplicaGroup.Status": "manual_syncing"}, false, "OperationDenied.InvalidStatus", "",
			"the continuous precondition does not"},
		{"AddDiskReplicaPair", nil, map[string]string{"ReplicaGroup.Status": "created", "ReplicaPair.Status": "creating"}, false, "OperationDenied.PairStatusCannotAddToGroup", "",
			"a precondition on a second object, with the group satisfied"},
		{"AddDiskReplicaPair", nil, map[string]string{"ReplicaGroup.Status": "syncing"}, false, "OperationDenied.GroupStatusCannotAddPair", "",
			"the group is checked first; the pair is not part of the case"},
	}
	for _, c := range cases {
		got := findCase(t, c.action, orEmpty(c.params), c.states)
		if got.Allowed != c.allowed {
			t.Errorf("%s %v: allowed=%v, want %v (%s)", c.action, c.states, got.Allowed, c.allowed, c.reason)
			continue
		}
		if !c.allowed && got.Expect.Code != c.code {
			t.Errorf("%s %v: code %s, want %s (%s)", c.action, c.states, got.Expect.Code, c.code, c.reason)
		}
		if c.message != "" && got.Message != c.message {
			t.Errorf("%s %v: message %q, want %q (%s)", c.action, c.states, got.Message, c.message, c.reason)
		}
	}
}

func orEmpty(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}

func TestStateCasesCoverEveryStateOfEveryCheckedField(t *testing.T) {
	for _, a := range spec.MustDefault().Actions() {
		if len(a.Preconditions) == 0 {
			continue
		}
		seen := map[string]bool{}
		allowed := 0
		for _, c := range StateCases(a) {
			for k, fields := range c.States {
				for f, v := range fields {
					seen[k+"."+f+"="+v] = true
				}
			}
			if c.Allowed {
				allowed++
			}
		}
		for _, pc := range a.Preconditions {
			kind := pc.Kind(a)
			for _, v := range a.Product.Objects[kind].States[pc.Field] {
				if !seen[kind+"."+pc.Field+"="+v] {
					t.Errorf("%s: no case puts the %s %s in %s", a.Name, kind, pc.Field, v)
				}
			}
		}
		if allowed == 0 {
			t.Errorf("%s: no case is allowed; its preconditions would refuse every state", a.Name)
		}
	}
}

func TestStateCaseTextsAreUnique(t *testing.T) {
	seen := map[string]bool{}
	for _, a := range spec.MustDefault().Actions() {
		for _, c := range StateCases(a) {
			d := c.Describe()
			if seen[d] {
				t.Errorf("two cases share the text %q: their names and IDs would collide", d)
			}
			seen[d] = true
			if !c.Allowed && !strings.Contains(d, c.Expect.Code) {
				t.Errorf("%q does not name its code", d)
			}
		}
	}
}

func TestJudgeReadsEffects(t *testing.T) {
	job := &spec.Object{Kind: "ReplicationJob", States: map[string][]string{
		"Status": {"Running", "Finished", "Waiting"}, "BusinessStatus": {"Syncing", "Processing", "Cleaning"}}}
	cut := &spec.Effect{Set: map[string]string{"Status": "Running", "BusinessStatus": "Syncing"},
		Via: []string{"Syncing", "Processing", "Cleaning"}, Settles: map[string]string{"Status": "Finished"}}
	group := &spec.Object{Kind: "ReplicaGroup", States: map[string][]string{"Status": {"syncing", "normal", "created"}}}
	start := &spec.Effect{Set: map[string]string{"Status": "syncing"}, Settles: map[string]string{"Status": "normal"}}
	cases := []struct {
		j      Judge
		now    map[string]string
		ok     bool
		reason string
	}{
		{Judge{job, cut, map[string]string{"Status": "Waiting"}, false}, map[string]string{"Status": "Running", "BusinessStatus": "Syncing"}, true, "exactly what the effect sets"},
		{Judge{job, cut, map[string]string{"Status": "Waiting"}, false}, map[string]string{"Status": "Running", "BusinessStatus": "Processing"}, true, "a via value of the field whose enum holds it"},
		{Judge{job, cut, map[string]string{"Status": "Waiting"}, false}, map[string]string{"Status": "Waiting", "BusinessStatus": ""}, false, "nothing happened"},
		{Judge{group, start, map[string]string{"Status": "normal"}, false}, map[string]string{"Status": "normal"}, true, "an object already settled may stay settled"},
		{Judge{group, start, map[string]string{"Status": "created"}, false}, map[string]string{"Status": "normal"}, false, "jumping straight to the settled state skips what the effect sets"},
		{Judge{group, nil, map[string]string{"Status": "created"}, false}, map[string]string{"Status": "created"}, true, "no effect, no change"},
		{Judge{group, nil, map[string]string{"Status": "created"}, false}, map[string]string{"Status": "syncing"}, false, "no effect, yet a change"},
		{Judge{job, cut, map[string]string{"Status": "Waiting"}, true}, map[string]string{"Status": "Running", "BusinessStatus": "Processing"}, false, "exact: a passing value is not the value the effect sets"},
		{Judge{job, cut, map[string]string{"Status": "Waiting"}, true}, map[string]string{"Status": "Running", "BusinessStatus": "Syncing"}, true, "exact: the set values themselves"},
	}
	for _, c := range cases {
		if got := c.j.RightAfter(c.now); (got == "") != c.ok {
			t.Errorf("RightAfter(%v) = %q, want ok=%v (%s)", c.now, got, c.ok, c.reason)
		}
	}
	j := Judge{job, cut, nil, false}
	if settled, p := j.Along(map[string]string{"Status": "Finished", "BusinessStatus": ""}); !settled || p != "" {
		t.Errorf("a Finished job is settled whatever its business status: %v %q", settled, p)
	}
	if settled, p := j.Along(map[string]string{"Status": "Waiting", "BusinessStatus": ""}); settled || p == "" {
		t.Errorf("a job back in Waiting passed through a state the effect does not name: %v %q", settled, p)
	}
}

// action_ finds an action of the contract by name in any product.
func lookupAction(name string) *spec.Action {
	for _, p := range spec.MustDefault().Products() {
		if a, ok := p.Action(name); ok {
			return a
		}
	}
	return nil
}
