package reference

import (
	"strconv"

	"github.com/smcct/smcct/spec"
)

// Lifecycle timings of the EBS replica objects are the contract's, in business seconds
// (timings.go); docs/reference-ebs.md lists them with the reasoning.

// Pseudo statuses used only as the target of a timed transition, never shown to clients.
const (
	nextCycle = "~cycle" // the full sync ended: continuous replication starts
	nextGone  = "~gone"  // the object disappears
)

// ebsLife is the bookkeeping of a replica object's lifecycle. It is saved with the object so
// that a restored (or dumped and re-seeded) state resumes where it stopped.
type ebsLife struct {
	Next  string `json:"next,omitempty"`  // status taken at Until
	Until int64  `json:"until,omitempty"` // end of the current timed phase; 0 = stable
	Since int64  `json:"since,omitempty"` // start of the current timed phase (Progress)
	// CycleFrom is when continuous replication began (the first full sync ended); while it is
	// set and no timed phase runs, the object catches up (syncing), then stays normal while
	// a new recovery point is taken every RPO seconds.
	CycleFrom int64 `json:"cycleFrom,omitempty"`
	Synced    bool  `json:"synced,omitempty"`    // the first full sync has completed
	OneShotAt int64 `json:"oneShotAt,omitempty"` // when the last one-shot sync was asked for
}

// replication is what groups and pairs share: a status that moves with the clock.
type replication struct {
	Status           string  `json:"Status"`
	RPO              int64   `json:"RPO"`
	LastRecoverPoint int64   `json:"LastRecoverPoint"`
	Life             ebsLife `json:"Lifecycle"`
}

// State implements Stateful for the contract's preconditions.
func (r *replication) State(field string) string {
	switch field {
	case "Status":
		return r.Status
	case spec.FlagSubject + "synced":
		return strconv.FormatBool(r.Life.Synced)
	}
	return ""
}

// phase enters a timed status that becomes next after secs seconds. Continuous replication
// stops: whatever it had copied stays as LastRecoverPoint.
func (r *replication) phase(status, next string, now, secs int64) {
	r.Status = status
	r.Life.Next, r.Life.Since, r.Life.Until = next, now, now+secs
	r.Life.CycleFrom = 0
}

// settle enters a stable status.
func (r *replication) settle(status string, now int64) {
	r.Status = status
	r.Life.Next, r.Life.Until, r.Life.Since = "", 0, now
	r.Life.CycleFrom = 0
}

// cycle starts continuous replication at t: the first full sync is complete.
func (r *replication) cycle(t int64) {
	r.Life.Synced = true
	r.Life.Next, r.Life.Until, r.Life.Since = "", 0, t
	r.Life.CycleFrom = t
	if r.LastRecoverPoint < t {
		r.LastRecoverPoint = t
	}
	r.Status = "syncing"
}

// advance runs the lifecycle up to now. It reports true when the object is gone.
func (r *replication) advance(now int64) (gone bool) {
	for r.Life.Until > 0 && now >= r.Life.Until {
		t, next := r.Life.Until, r.Life.Next
		switch {
		case next == nextGone:
			return true
		case next == nextCycle:
			r.cycle(t)
		case r.Status == "manual_syncing":
			r.Life.Synced = true
			r.LastRecoverPoint = t
			r.settle(next, t)
		case r.Status == "reprotecting":
			r.Life.Synced = false // the contract's timer: the copy is no longer complete
			r.settle(next, t)
		default:
			r.settle(next, t)
		}
	}
	if r.Life.CycleFrom > 0 && r.Life.Until == 0 {
		r.Status, r.LastRecoverPoint = cycleAt(r.Life.CycleFrom, r.rpo(), now, r.LastRecoverPoint)
	}
	return false
}

func (r *replication) rpo() int64 {
	if r.RPO <= 0 {
		return ebsDefaultRPO
	}
	return r.RPO
}

// cycleAt is continuous replication seen at now: syncing while it catches up with what was
// written during the full sync, normal afterwards. The status does not flicker with each
// periodic sync (the contract's effects say it settles to normal); the recovery point moves
// forward every RPO seconds instead.
func cycleAt(from, rpo, now, lastPoint int64) (status string, recoverPoint int64) {
	p := max(now-from, 0)
	status = "normal"
	if p < ebsCatchUpSeconds {
		status = "syncing"
	}
	return status, max(from+(p/rpo)*rpo, lastPoint)
}

// progress is the percentage DescribeDiskReplicaPairProgress reports: how far a running full
// or one-shot sync is, 100 once the first full sync is done, 0 before.
func (r *replication) progress(now int64) int64 {
	syncing := r.Life.Until > 0 && (r.Life.Next == nextCycle || r.Status == "manual_syncing")
	if syncing && r.Life.Until > r.Life.Since {
		pct := (now - r.Life.Since) * 100 / (r.Life.Until - r.Life.Since)
		return min(max(pct, 0), 99)
	}
	if r.Life.Synced {
		return 100
	}
	return 0
}

// enter puts an object into any status the way the service would have got it there: timed
// statuses get their usual successor and duration, syncing and normal start continuous
// replication. The control plane (force) and seeding use it, so a forced "stopping" still
// settles to "stopped".
func (r *replication) enter(status string, now int64) {
	switch status {
	case "creating":
		r.phase(status, "created", now, ebsCreateSeconds)
	case "stopping":
		r.phase(status, "stopped", now, ebsStopSeconds)
	case "failovering":
		r.phase(status, "failovered", now, ebsFailoverSeconds)
	case "reprotecting":
		r.phase(status, "stopped", now, ebsReprotectSeconds)
	case "deleting":
		r.phase(status, nextGone, now, ebsDeleteSeconds)
	case "manual_syncing":
		r.phase(status, "stopped", now, ebsIncrementalSeconds)
	case "initial_syncing":
		r.phase(status, nextCycle, now, ebsMinFullSyncSeconds)
	case "syncing":
		r.cycle(now)
	case "normal":
		// Begin the catch-up in the past, so that now is already past it.
		r.cycle(now - ebsCatchUpSeconds)
		r.advance(now)
	default:
		r.settle(status, now)
	}
}

// start begins continuous replication. Without a complete copy on the secondary (never
// synced, or reprotected since) it first makes a full sync, which a pair shows as
// fullStatus (initial_syncing); with one it only catches up, showing syncing.
// Starting what already replicates changes nothing.
func (r *replication) start(now, fullSecs int64, fullStatus string) {
	if r.replicating() {
		return
	}
	if r.Life.Synced {
		r.cycle(now) // the secondary holds its copy: catch up from the last recovery point
		return
	}
	r.phase(fullStatus, nextCycle, now, fullSecs)
}

// replicating reports whether continuous replication runs or its full sync is under way.
func (r *replication) replicating() bool {
	return r.Life.Next == nextCycle || (r.Life.CycleFrom > 0 && r.Life.Until == 0)
}

// oneShot runs one sync and stops: incremental after a full sync, full before.
func (r *replication) oneShot(now, fullSecs int64) {
	secs := int64(ebsIncrementalSeconds)
	if !r.Life.Synced {
		secs = fullSecs
	}
	r.phase("manual_syncing", "stopped", now, secs)
	r.Life.OneShotAt = now
}

// oneShotTooSoon is the service's ManualSyncLimit: one-shot syncs must be more than half an
// RPO apart.
func (r *replication) oneShotTooSoon(now int64) bool {
	return r.Life.OneShotAt > 0 && now-r.Life.OneShotAt <= r.rpo()/2
}

// stop ends replication; a stopped or stopping object is left as it is (the StopDiskReplicaGroup
// page allows the call and promises stopped).
func (r *replication) stop(now int64) {
	if r.Status == "stopped" || r.Status == "stopping" {
		return
	}
	r.phase("stopping", "stopped", now, ebsStopSeconds)
}

// failover makes the secondary usable; repeating it while it runs or after it is a no-op.
func (r *replication) failover(now int64) {
	if r.Status == "failovered" || r.Status == "failovering" {
		return
	}
	r.phase("failovering", "failovered", now, ebsFailoverSeconds)
}

// reprotect prepares replication again after a failover. Whichever way data flows next, the
// new secondary has diverged, so the next start is a full sync.
func (r *replication) reprotect(now int64) {
	r.phase("reprotecting", "stopped", now, ebsReprotectSeconds)
	r.Life.OneShotAt = 0
}

// remove starts deletion; the object disappears when it settles.
func (r *replication) remove(now int64) {
	if r.Status == "deleting" {
		return
	}
	r.phase("deleting", nextGone, now, ebsDeleteSeconds)
}
