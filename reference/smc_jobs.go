package reference

import "time"

// maxJobsPerAccount is the documented quota of replication jobs.
const maxJobsPerAccount = 1000

// createReplicationJob makes a job in Ready, or in Waiting when ScheduledStartTime is set
// (it then starts by itself). The source's state was checked by the contract; what is left
// here are the rules between parameters and existing objects.
func createReplicationJob(c *Ctx) (any, error) {
	s := c.Account.SMC
	src := s.source(c.Str("SourceId"))
	if src == nil {
		return nil, c.NotFound("SourceServer")
	}
	if len(s.Jobs) >= maxJobsPerAccount {
		return nil, c.Err("QuotaExceeded.ReplicationJob")
	}
	if blocker := s.unfinishedJob(src.SourceId); blocker != nil {
		return nil, c.Err("SourceServer.UnfinishedReplicationJob", blocker.JobId)
	}
	j := &replicationJob{jobView: jobView{
		SourceId: src.SourceId, RegionId: c.Str("RegionId"), Status: "Ready",
		TargetType: "Image", RunOnce: true, CreationTime: fmtTime(c.Now),
		JobType: int(c.Int("JobType", 0)), ResourceGroupId: c.Str("ResourceGroupId"),
		WorkgroupId: src.WorkgroupId,
	}}
	j.jobView = j.jobView.filled()
	if err := applyJobSettings(c, s, j, src); err != nil {
		return nil, err
	}
	if j.TargetType == "Image" && j.SystemDiskSize == 0 {
		// Neither ImageName nor SystemDiskSize is needed (the contract's choice): the image's
		// system disk then takes the source's size, within the contract's lower bound.
		j.SystemDiskSize = max(src.SystemDiskSize, minSystemDiskSize(c))
	}
	if err := applyJobTimes(c, j); err != nil {
		return nil, err
	}
	if j.ValidTime == "" {
		j.RT.ValidUntil = c.Now.Add(validity.Default)
		j.ValidTime = fmtTime(j.RT.ValidUntil)
	}
	j.JobId = c.Account.NewID("j-")
	j.Tags.set(tagsParam(c))
	if !j.RT.NextRun.IsZero() {
		j.Status = "Waiting"
	}
	s.addJob(j)
	src.JobId = j.JobId
	s.refresh()
	return map[string]any{"JobId": j.JobId}, nil
}

// minSystemDiskSize is the contract's lower bound of SystemDiskSize.
func minSystemDiskSize(c *Ctx) int {
	if p, ok := c.Action.Param("SystemDiskSize"); ok && p.Schema.Min != nil {
		return int(*p.Schema.Min)
	}
	return 0
}

// applyJobTimes reads ScheduledStartTime (later than now, within 30 days) and ValidTime (7
// to 90 days after creation). The schema checks the format; the window depends on the
// clock, so it is checked here and answered with the gateway's invalid-parameter code.
func applyJobTimes(c *Ctx, j *replicationJob) error {
	created, _ := parseAPITime(j.CreationTime)
	if c.Has("ScheduledStartTime") {
		t, ok := parseAPITime(c.Str("ScheduledStartTime"))
		if !ok || !t.After(c.Now) || t.After(c.Now.Add(schedule.Max)) {
			return invalidParam(c, "ScheduledStartTime")
		}
		j.ScheduledStartTime, j.RT.NextRun = fmtTime(t), t
	}
	if c.Has("ValidTime") {
		t, ok := parseAPITime(c.Str("ValidTime"))
		if !ok || t.Before(created.Add(validity.Min)) || t.After(created.Add(validity.Max)) {
			return invalidParam(c, "ValidTime")
		}
		j.ValidTime, j.RT.ValidUntil = fmtTime(t), t
	}
	return nil
}

func startReplicationJob(c *Ctx) (any, error) {
	s := c.Account.SMC
	j := s.job(c.Str("JobId"))
	if err := sourceUsable(c, s, j); err != nil {
		return nil, err
	}
	j.startRun(c.Now, "Manual")
	s.refresh()
	return struct{}{}, nil
}

// sourceUsable answers SourceServerState.Invalid when the job's source went Unavailable:
// a run cannot proceed without the agent.
func sourceUsable(c *Ctx, s *smcState, j *replicationJob) error {
	if j.SourceId == "" {
		return nil
	}
	src := s.source(j.SourceId)
	if src != nil && src.Agent == "Available" {
		return nil
	}
	cur := "Unavailable"
	if src != nil {
		cur = src.sourceView.State
	}
	return c.Err("SourceServerState.Invalid", cur, "Available, InUse")
}

// stopReplicationJob pauses a run; Start later begins the run again from Preparing.
func stopReplicationJob(c *Ctx) (any, error) {
	j := c.Account.SMC.job(c.Str("JobId"))
	j.Status, j.BusinessStatus, j.TransitionInstanceId = "Stopped", "", ""
	j.RT.RunStart, j.RT.RunBegan, j.RT.RunType = time.Time{}, time.Time{}, ""
	return struct{}{}, nil
}

// cutOverReplicationJob ends a Waiting job: with SyncData a last run copies the final
// changes (from Syncing on) and records its image; without it only the cleanup phase runs.
// Either way the job then finishes. The run's phase clock starts in the past so that it
// shows the phase it begins in, but the job's StartTime and the run's record say now.
func cutOverReplicationJob(c *Ctx) (any, error) {
	s := c.Account.SMC
	j := s.job(c.Str("JobId"))
	sync := c.Bool("SyncData", false)
	if sync {
		if err := sourceUsable(c, s, j); err != nil {
			return nil, err
		}
	}
	from := "Cleaning"
	if sync {
		from = "Syncing"
	}
	j.startRun(c.Now, "Manual")
	j.RT.RunStart = c.Now.Add(-phaseOffset(from))
	j.BusinessStatus, j.Progress = phaseAt(phaseOffset(from))
	j.RT.FinalRun, j.RT.CleanupOnly = true, !sync
	s.refresh()
	return struct{}{}, nil
}

// deleteReplicationJob shows Deleting for a short while and then the job is gone; the
// contract decides from which statuses that is allowed.
func deleteReplicationJob(c *Ctx) (any, error) {
	s := c.Account.SMC
	j := s.job(c.Str("JobId"))
	j.forceStatus("Deleting", c.Now)
	s.refresh()
	return struct{}{}, nil
}

func describeReplicationJobs(c *Ctx) (any, error) {
	f := newJobFilter(c)
	number, size := pageBounds(c)
	page, total := c.Account.SMC.jobPage(f, (number-1)*size, size)
	// The page is encoded here, under the account lock, because the encoding reads the jobs
	// in place instead of copying their views; it is the hottest read of the API.
	return jobPageJSON(page, total, number, size)
}

// jobPage returns the matching jobs at [start, start+size) of the matches, in creation
// order, and how many match. The index narrows the jobs looked at to those of the listed
// IDs, of the listed sources, or of the region; when the region is the only filter, as it
// is for every SDK call without others, the page is cut straight from the region's list.
func (s *smcState) jobPage(f jobFilter, start, size int) ([]*replicationJob, int) {
	if !s.jobsIndexed() { // only inside a write that changed the list
		return scanPage(s.Jobs, f.matches, start, size)
	}
	var cands []int32
	switch {
	case len(f.jobIDs) > 0:
		cands = s.jobIdx.positionsOf(f.jobIDs)
	case len(f.sourceIDs) > 0:
		cands = s.jobIdx.union("SourceId", f.sourceIDs)
	case f.region != "":
		cands = s.jobIdx.group("RegionId", f.region)
		if f.onlyRegion() {
			page := make([]*replicationJob, 0, max(0, min(size, len(cands)-start)))
			for _, i := range cands[min(start, len(cands)):min(start+size, len(cands))] {
				page = append(page, s.Jobs[i])
			}
			return page, len(cands)
		}
	default:
		if f.empty() {
			return cutPage(s.Jobs, start, size), len(s.Jobs)
		}
		return scanPage(s.Jobs, f.matches, start, size)
	}
	page := make([]*replicationJob, 0, min(size, len(cands)))
	total := 0
	for _, i := range cands {
		if j := s.Jobs[i]; f.matches(j) {
			if total >= start && len(page) < size {
				page = append(page, j)
			}
			total++
		}
	}
	return page, total
}

// scanPage is jobPage's way without an index: one pass, holding only the page.
func scanPage[T any](list []T, match func(T) bool, start, size int) ([]T, int) {
	page := make([]T, 0, min(size, len(list)))
	total := 0
	for _, x := range list {
		if match(x) {
			if total >= start && len(page) < size {
				page = append(page, x)
			}
			total++
		}
	}
	return page, total
}

// cutPage copies list[start:start+size], clipped to the list.
func cutPage[T any](list []T, start, size int) []T {
	lo := min(start, len(list))
	hi := min(lo+size, len(list))
	return append(make([]T, 0, hi-lo), list[lo:hi]...)
}

// jobFilter holds DescribeReplicationJobs' filters, read from the request once; they are
// ANDed and an empty filter is ignored.
type jobFilter struct {
	jobType                                  int64
	hasType                                  bool
	name, region, status, business, resGroup string
	jobIDs, sourceIDs, instanceIDs           []string
	tags                                     []map[string]any
}

func newJobFilter(c *Ctx) jobFilter {
	return jobFilter{
		jobType: c.Int("JobType", -1), hasType: c.Has("JobType"),
		name: c.Str("Name"), region: c.Str("RegionId"), status: c.Str("Status"),
		business: c.Str("BusinessStatus"), resGroup: c.Str("ResourceGroupId"),
		jobIDs: c.Strs("JobId"), sourceIDs: c.Strs("SourceId"), instanceIDs: c.Strs("InstanceId"),
		tags: c.Objs("Tag"),
	}
}

// empty reports a filter that every job passes.
func (f jobFilter) empty() bool { return f.region == "" && f.onlyRegion() }

// onlyRegion reports a filter of nothing but RegionId (or nothing).
func (f jobFilter) onlyRegion() bool {
	return !f.hasType && f.name == "" && f.status == "" && f.business == "" && f.resGroup == "" &&
		len(f.jobIDs) == 0 && len(f.sourceIDs) == 0 && len(f.instanceIDs) == 0 && len(f.tags) == 0
}

func (f jobFilter) matches(j *replicationJob) bool {
	if f.hasType && f.jobType != int64(j.JobType) {
		return false
	}
	return eq(f.name, j.Name) && eq(f.region, j.RegionId) && eq(f.status, j.Status) &&
		eq(f.business, j.BusinessStatus) && eq(f.resGroup, j.ResourceGroupId) &&
		in(f.jobIDs, j.JobId) && in(f.sourceIDs, j.SourceId) && in(f.instanceIDs, j.InstanceId) &&
		j.Tags.matches(f.tags)
}

// jobNameTaken reports whether another live job of the account already has the name.
func (s *smcState) jobNameTaken(name string, self *replicationJob) bool {
	for _, j := range s.Jobs {
		if j != self && j.Status != "Deleting" && j.Name == name {
			return true
		}
	}
	return false
}

// imageNameTaken reports whether another live job targets the same image name in the region.
func (s *smcState) imageNameTaken(region, name string, self *replicationJob) bool {
	for _, j := range s.Jobs {
		if j != self && j.Status != "Deleting" && j.RegionId == region && j.ImageName == name {
			return true
		}
	}
	return false
}
