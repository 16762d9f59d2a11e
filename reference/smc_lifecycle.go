package reference

import (
	"hash/fnv"
	"time"
)

// phase is one BusinessStatus of a run: how long it lasts and the Progress it spans.
type phase struct {
	name     string
	duration time.Duration
	from, to float64
}

const (
	// maxStepsPerAdvance bounds the event loop of one job for one advance; fastForward keeps
	// real work far below it, so hitting it would mean a lifecycle bug, not a long jump.
	maxStepsPerAdvance = 100000
)

// runDuration is the length of one full run.
func runDuration() time.Duration {
	var d time.Duration
	for _, p := range jobPhases {
		d += p.duration
	}
	return d
}

// phaseOffset is how far into a run a phase starts; -1 for an unknown phase.
func phaseOffset(name string) time.Duration {
	var d time.Duration
	for _, p := range jobPhases {
		if p.name == name {
			return d
		}
		d += p.duration
	}
	return -1
}

// phaseAt returns the phase and Progress a run shows elapsed into it.
func phaseAt(elapsed time.Duration) (string, float64) {
	var start time.Duration
	for _, p := range jobPhases {
		if elapsed < start+p.duration {
			frac := float64(elapsed-start) / float64(p.duration)
			return p.name, roundProgress(p.from + frac*(p.to-p.from))
		}
		start += p.duration
	}
	last := jobPhases[len(jobPhases)-1]
	return last.name, last.to
}

// advance runs every lifecycle up to now: job runs, schedules, expiry and removal, token
// expiry, then the states that follow from them. Each job handles its events in time order,
// so the outcome does not depend on how often advance is called.
func (s *smcState) advance(now time.Time) {
	if now.Before(s.Now) {
		now = s.Now
	}
	for _, j := range s.Jobs {
		j.advance(now)
	}
	jobs, sources := len(s.Jobs), len(s.Sources)
	s.Jobs = without(s.Jobs, func(j *replicationJob) bool {
		return !j.RT.RemoveAt.IsZero() && !j.RT.RemoveAt.After(now)
	})
	s.Sources = without(s.Sources, func(src *sourceServer) bool {
		return !src.RemoveAt.IsZero() && !src.RemoveAt.After(now)
	})
	if len(s.Jobs) != jobs { // only a removal changes the lists here: no rebuild every second
		s.jobsGen++
	}
	if len(s.Sources) != sources {
		s.sourcesGen++
	}
	for _, t := range s.Tokens {
		t.advance(now)
	}
	s.Now = now
	s.refresh()
}

// advance applies the job's due events in order, then shows the phase it is in at now.
func (j *replicationJob) advance(now time.Time) {
	for range maxStepsPerAdvance {
		j.fastForward(now)
		at, ev := j.nextEvent()
		if ev == noEvent || at.After(now) {
			break
		}
		j.apply(ev, at)
	}
	if j.Status == "Running" {
		j.BusinessStatus, j.Progress = phaseAt(now.Sub(j.RT.RunStart))
	}
}

// jobEvent names a lifecycle event; nextEvent returns one instead of a bound method so
// that advancing an account allocates nothing per job on every request.
type jobEvent int

const (
	noEvent jobEvent = iota
	expireEvent
	endRunEvent
	scheduledRunEvent
)

// nextEvent returns the job's earliest pending event. Expiry wins a tie, so a run due at
// the very moment the job expires never starts.
func (j *replicationJob) nextEvent() (time.Time, jobEvent) {
	at, ev := time.Time{}, noEvent
	if !j.RT.ValidUntil.IsZero() && contains(blockingStatuses, j.Status) && j.Status != "Expired" {
		at, ev = j.RT.ValidUntil, expireEvent
	}
	runAt, runEv := time.Time{}, noEvent
	switch j.Status {
	case "Running":
		runAt, runEv = j.RT.RunStart.Add(runDuration()), endRunEvent
	case "Waiting":
		if !j.RT.NextRun.IsZero() {
			runAt, runEv = j.RT.NextRun, scheduledRunEvent
		}
	}
	if runEv != noEvent && (ev == noEvent || runAt.Before(at)) {
		at, ev = runAt, runEv
	}
	return at, ev
}

func (j *replicationJob) apply(ev jobEvent, at time.Time) {
	switch ev {
	case expireEvent:
		j.expire(at)
	case endRunEvent:
		j.endRun(at)
	case scheduledRunEvent:
		j.startRun(at, "Schedule")
	}
}

// fastForward skips whole incremental cycles that end before now (and before expiry) and
// whose records would be trimmed anyway, so a jump of months costs a few steps, not
// thousands. Skipped runs still count, so image IDs stay the same as stepping through.
func (j *replicationJob) fastForward(now time.Time) {
	if j.Status != "Waiting" || j.RunOnce || j.RT.NextRun.IsZero() || j.Frequency <= 0 {
		return
	}
	limit := now
	if !j.RT.ValidUntil.IsZero() && j.RT.ValidUntil.Before(limit) {
		limit = j.RT.ValidUntil
	}
	cycle := runDuration() + time.Duration(j.Frequency)*time.Hour
	whole := int(limit.Sub(j.RT.NextRun) / cycle)
	skip := whole - max(j.MaxNumberOfImageToKeep, 1) - 1
	if skip <= 0 {
		return
	}
	j.RT.Runs += skip
	j.RT.NextRun = j.RT.NextRun.Add(time.Duration(skip) * cycle)
}

// startRun begins a run from Preparing; Stopped and InError jobs start over from scratch.
func (j *replicationJob) startRun(at time.Time, kind string) {
	j.Status, j.BusinessStatus, j.Progress = "Running", jobPhases[0].name, 0
	j.ErrorCode, j.StatusInfo = "", ""
	j.RT.Started, j.RT.Runs, j.RT.RunType = true, j.RT.Runs+1, kind
	j.RT.FinalRun, j.RT.CleanupOnly = false, false
	j.RT.RunStart, j.RT.RunBegan, j.RT.NextRun = at, at, time.Time{}
	if j.StartTime == "" {
		j.StartTime = fmtTime(at)
	}
	j.TransitionInstanceId = derivedID("i-", j.JobId, j.RT.Runs)
}

// began is when the current run was asked for: RunBegan, or the phase clock's origin for
// a run saved before RunBegan existed.
func (rt jobRuntime) began() time.Time {
	if !rt.RunBegan.IsZero() {
		return rt.RunBegan
	}
	return rt.RunStart
}

// endRun records the finished run and its image, then finishes a one-time (or cut-over)
// job or puts an incremental one back to Waiting for its next run.
func (j *replicationJob) endRun(at time.Time) {
	if j.RT.CleanupOnly {
		j.finish(at)
		return
	}
	img := derivedID("m-", j.JobId, j.RT.Runs)
	if j.TargetType != "Image" {
		img = ""
	}
	j.ImageId = img
	runs := append(j.ReplicationJobRuns.ReplicationJobRun, jobRun{
		ImageId: img, Type: j.RT.RunType, StartTime: fmtTime(j.RT.began()), EndTime: fmtTime(at),
	})
	if keep := j.MaxNumberOfImageToKeep; !j.RunOnce && keep > 0 && len(runs) > keep {
		runs = append([]jobRun{}, runs[len(runs)-keep:]...)
	}
	j.ReplicationJobRuns.ReplicationJobRun = runs
	if j.RunOnce || j.RT.FinalRun {
		j.finish(at)
		return
	}
	j.Status, j.BusinessStatus, j.Progress, j.TransitionInstanceId = "Waiting", "", 100, ""
	j.RT.RunStart, j.RT.RunBegan, j.RT.RunType = time.Time{}, time.Time{}, ""
	j.RT.NextRun = at.Add(time.Duration(j.Frequency) * time.Hour)
}

func (j *replicationJob) finish(at time.Time) {
	j.Status, j.BusinessStatus, j.Progress, j.TransitionInstanceId = "Finished", "", 100, ""
	j.EndTime = fmtTime(at)
	j.RT = jobRuntime{Started: true, Runs: j.RT.Runs, ValidUntil: j.RT.ValidUntil}
}

// expire ends whatever the job was doing; the job is removed seven days later.
func (j *replicationJob) expire(at time.Time) {
	j.Status, j.BusinessStatus, j.TransitionInstanceId = "Expired", "", ""
	j.RT.RunStart, j.RT.RunBegan, j.RT.NextRun = time.Time{}, time.Time{}, time.Time{}
	j.RT.RemoveAt = at.Add(expiredRetention)
}

// derivedID mints an ID from an owner ID and a counter. Lifecycle events have no account
// to draw IDs from, and a hash keeps them the same however time was stepped.
func derivedID(prefix, owner string, n int) string {
	const alphabet = "0123456789abcdefghijklmnopqrstuvwxyz"
	h := fnv.New64a()
	h.Write([]byte(owner))
	h.Write([]byte{byte(n), byte(n >> 8), byte(n >> 16), byte(n >> 24)})
	v := h.Sum64()
	b := make([]byte, 20)
	for i := range b {
		v ^= v >> 29
		v *= 0xBF58476D1CE4E5B9
		v ^= v >> 32
		b[i] = alphabet[v%36]
	}
	return prefix + string(b)
}
