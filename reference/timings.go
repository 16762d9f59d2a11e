package reference

import (
	"fmt"
	"time"

	"github.com/smcct/smcct/spec"
)

// The lifecycle timings are the contract's: every duration below is read once from the
// lifecycles of x-acs-objects (spec/*.yaml, docs/spec-format.md "State machine"), so the
// reference runs the very machine the suites plan their walks on. Only what the contract
// does not state stays here: the Progress each job phase spans.

// jobPhases is one run of a replication job, start to end, with the durations of the
// contract's Running timers.
var jobPhases = contractPhases([]phase{
	{name: "Preparing", from: 0, to: 10},
	{name: "Syncing", from: 10, to: 80},
	{name: "Processing", from: 80, to: 95},
	{name: "Cleaning", from: 95, to: 100},
})

var (
	// expiredRetention is how long an Expired job stays listed before it is removed.
	expiredRetention = smcTimer("ReplicationJob", state("Status", "Expired"), nil).After.Fixed
	// deletingDuration is how long a deleted job shows Deleting before it disappears.
	deletingDuration = smcTimer("ReplicationJob", state("Status", "Deleting"), nil).After.Fixed
	// sourceDeletingDuration is the same for a deleted source server.
	sourceDeletingDuration = smcTimer("SourceServer", state("State", "Deleting"), nil).After.Fixed
	// validity is ValidTime's rule: its default and bounds after creation.
	validity = smcTimer("ReplicationJob", state("Status", "Ready"), state("Status", "Expired")).After
	// schedule bounds ScheduledStartTime.
	schedule = timerOf("smc", "ReplicationJob", state("Status", "Waiting"), map[string]string{"scheduled": "true"},
		state("Status", "Running", "BusinessStatus", "Preparing")).After
)

// EBS timings in business seconds (docs/reference-ebs.md).
var (
	ebsCreateSeconds    = ebsSeconds("ReplicaGroup", "creating", "created", nil)
	ebsStopSeconds      = ebsSeconds("ReplicaPair", "stopping", "stopped", nil)
	ebsFailoverSeconds  = ebsSeconds("ReplicaPair", "failovering", "failovered", nil)
	ebsReprotectSeconds = ebsSeconds("ReplicaPair", "reprotecting", "stopped", nil)
	ebsDeleteSeconds    = ebsSeconds("ReplicaPair", "deleting", "", nil)
	// ebsIncrementalSeconds is a one-shot sync of an object that already had its full sync.
	ebsIncrementalSeconds = ebsSeconds("ReplicaPair", "manual_syncing", "stopped", map[string]string{"synced": "true"})
	ebsFullSync           = timerOf("ebs", "ReplicaPair", state("Status", "initial_syncing"), nil, state("Status", "syncing")).After
	// ebsMinFullSyncSeconds: a full sync never takes less than this.
	ebsMinFullSyncSeconds = int64(ebsFullSync.Min / time.Second)
	// ebsCatchUpSeconds: after a full sync, syncing (what was written meanwhile) -> normal.
	ebsCatchUpSeconds    = ebsSeconds("ReplicaPair", "syncing", "normal", nil)
	ebsDrillRunSeconds   = ebsSeconds("Drill", "executing", "executed", nil)
	ebsDrillClearSeconds = ebsSeconds("Drill", "clearing", "", nil)
	// ebsDefaultRPO is the period of recovery points when none is set: the only RPO the
	// service offers today.
	ebsDefaultRPO = int64(periodicOf("ebs", "ReplicaPair").Every.Default / time.Second)
)

// fullSyncSeconds is how long a first full sync of size GiB takes: the contract's rate per
// GiB, and never less than its minimum, so that initial_syncing is observable for a small disk.
func fullSyncSeconds(sizeGiB int64) int64 {
	return int64(ebsFullSync.Eval(func(string, string) (float64, bool) { return float64(sizeGiB), true }) / time.Second)
}

func state(kv ...string) map[string]string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m
}

func lifecycleOf(product, kind string) *spec.Lifecycle {
	p, ok := spec.MustDefault().ByName(product)
	if !ok || p.Objects[kind] == nil || p.Objects[kind].Lifecycle == nil {
		panic(fmt.Sprintf("the contract has no lifecycle for %s %s", product, kind))
	}
	return p.Objects[kind].Lifecycle
}

// timerOf is the delay of the contract's timer from one state to another (to nil: the object
// is removed). The documents are embedded and checked by package spec's tests, so a missing
// timer is a build mistake, not a runtime condition.
func timerOf(product, kind string, from, facts, to map[string]string) spec.Timer {
	l := lifecycleOf(product, kind)
	for _, t := range l.TimersFor(from, facts) {
		if (to == nil && t.Deletes) || (to != nil && !t.Deletes && equalState(t.Next(from), applyState(from, to))) {
			return *t
		}
	}
	panic(fmt.Sprintf("the contract has no %s timer from %v to %v", kind, from, to))
}

func smcTimer(kind string, from, to map[string]string) spec.Timer {
	return timerOf("smc", kind, from, nil, to)
}

func ebsSeconds(kind, from, to string, facts map[string]string) int64 {
	var next map[string]string
	if to != "" {
		next = state("Status", to)
	}
	t := timerOf("ebs", kind, state("Status", from), facts, next)
	if t.After.Fixed <= 0 {
		panic(fmt.Sprintf("the contract's %s %s timer is not a fixed duration", kind, from))
	}
	return int64(t.After.Fixed / time.Second)
}

func periodicOf(product, kind string) spec.Periodic {
	l := lifecycleOf(product, kind)
	if len(l.Periodic) == 0 {
		panic(fmt.Sprintf("the contract has no periodic event for %s", kind))
	}
	return l.Periodic[0]
}

// contractPhases fills each phase's duration from the Running timer that leaves it.
func contractPhases(phases []phase) []phase {
	for i := range phases {
		from := state("Status", "Running", "BusinessStatus", phases[i].name)
		var to map[string]string
		if i+1 < len(phases) {
			to = state("BusinessStatus", phases[i+1].name)
		} else {
			to = state("Status", "Finished", "BusinessStatus", "")
		}
		phases[i].duration = timerOf("smc", "ReplicationJob", from, map[string]string{"RunOnce": "true"}, to).After.Fixed
	}
	return phases
}

func applyState(base, set map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range base {
		out[k] = v
	}
	for k, v := range set {
		out[k] = v
	}
	return out
}

func equalState(a, b map[string]string) bool {
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
