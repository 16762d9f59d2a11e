package conformance

import (
	"context"
	"fmt"
	"net/url"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/smcct/smcct/suites/framework"
)

// Lifecycles: whole journeys of jobs, sources, replica groups, pairs and drills, each in a
// private account, watched through the public Describe actions while the control plane moves
// business time. Time never passes by sleeping.

// findByID looks through an answer for the object whose field holds id, wherever the
// product's list wrapping puts it.
func findByID(v any, field, id string) (map[string]any, bool) {
	switch x := v.(type) {
	case map[string]any:
		if fmt.Sprint(x[field]) == id {
			return x, true
		}
		for _, e := range x {
			if m, ok := findByID(e, field, id); ok {
				return m, true
			}
		}
	case []any:
		for _, e := range x {
			if m, ok := findByID(e, field, id); ok {
				return m, true
			}
		}
	}
	return nil, false
}

// journey is a lifecycle spec's account and clock. With a control plane it is a private
// account whose clock the spec moves; without one it is the default account, walked on the
// target's own clock (framework.Walker): objects the API cannot create come from the
// target's profile, waits are polls with deadlines from the contract's time, and what the
// journey creates is removed when it ends.
type journey struct {
	*account
	ctl *framework.Control
	w   *framework.Walker
	// src and dst are where EBS objects replicate from and to.
	src, dst framework.Site
}

// newJourney starts a journey with n source servers: seeded into a private account, or
// leased from the profile.
func newJourney(ctx SpecContext, f *framework.F, n int) (*journey, []string) {
	GinkgoHelper()
	f.NeedWrites()
	if !f.T.Caps.Control {
		w := f.Walker(ctx)
		j := &journey{account: &account{f: f, c: f.Client}, w: w}
		ids := make([]string, n)
		for i := range ids {
			ids[i] = w.LeaseSource(ctx, "Available").ID
		}
		return j, ids
	}
	ctl := f.NeedVirtualClock()
	ids, objs := sources(f, n)
	return &journey{account: ownAccount(ctx, f, map[string][]map[string]any{"sourceServers": objs}), ctl: ctl}, ids
}

// afford skips a walked journey that would wait longer than the spec budget.
func (j *journey) afford(business time.Duration) {
	GinkgoHelper()
	if j.w != nil {
		j.w.AffordTime(business)
	}
}

// ok sends a step that must succeed; what it creates on a walked journey is removed at the
// end, like everything a walker makes.
func (j *journey) ok(ctx context.Context, name string, params url.Values) *framework.Result {
	GinkgoHelper()
	r := j.account.ok(ctx, name, params)
	if j.w != nil {
		j.w.AdoptCreated(r)
	}
	return r
}

// now is the business time of the journey's clock.
func (j *journey) now(ctx context.Context) time.Time {
	GinkgoHelper()
	var now time.Time
	var err error
	if j.w != nil {
		now, err = j.f.T.Pace.Now(ctx, j.f.Client, j.f.T.ProbeName())
	} else {
		now, err = j.ctl.Now(ctx)
	}
	Expect(err).NotTo(HaveOccurred())
	return now
}

// advance lets business time pass: the control plane moves it, a walked journey sleeps
// while the target's clock runs.
func (j *journey) advance(ctx context.Context, d time.Duration) {
	GinkgoHelper()
	if j.w != nil {
		sleepFor(ctx, j.w.Wall(d))
		return
	}
	_, err := j.ctl.Advance(ctx, d)
	Expect(err).NotTo(HaveOccurred())
}

// shows checks a status seen right after a call. On a walked journey the target's clock
// runs on while the answer travels: a status time alone leads to from the wanted one (a
// transitional status already left) is noted, not failed.
func (j *journey) shows(kind, got, want string, what ...any) {
	GinkgoHelper()
	if j.w != nil && got != want && timeLeads(kind, want, got) {
		AddReportEntry("timing", fmt.Sprintf("the %s was %s already, past %s, when it was read", kind, got, want))
		return
	}
	Expect(got).To(Equal(want), what...)
}

// timeLeads reports whether time alone takes an object of kind from one Status to another
// ("gone": it disappears).
func timeLeads(kind, from, to string) bool {
	st := map[string]string{"Status": from}
	if to == "gone" {
		for _, p := range framework.Catalog().Products() {
			if o := p.Objects[kind]; o != nil && o.Lifecycle != nil {
				for _, t := range o.Lifecycle.TimersFor(st, nil) {
					if t.Deletes {
						return true
					}
				}
			}
		}
		return false
	}
	return framework.TimeAlone(kind, st, nil, map[string]string{"Status": to})
}

func sleepFor(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

// view reads one object through a Describe action; ok is false when the answer lacks it.
func (j *journey) view(ctx SpecContext, action string, q url.Values, field, id string) (map[string]any, bool) {
	GinkgoHelper()
	r := j.ok(ctx, action, q)
	return findByID(r.Response.Data, field, id)
}

func (j *journey) job(ctx SpecContext, id string) map[string]any {
	GinkgoHelper()
	obj, ok := j.view(ctx, "DescribeReplicationJobs", url.Values{"JobId.1": {id}}, "JobId", id)
	Expect(ok).To(BeTrue(), "DescribeReplicationJobs shows job %s", id)
	return obj
}

func (j *journey) jobGone(ctx SpecContext, id string) bool {
	_, ok := j.view(ctx, "DescribeReplicationJobs", url.Values{"JobId.1": {id}}, "JobId", id)
	return !ok
}

func (j *journey) source(ctx SpecContext, id string) (map[string]any, bool) {
	return j.view(ctx, "DescribeSourceServers", url.Values{"SourceId.1": {id}}, "SourceId", id)
}

// expectJob checks fields of a job as Describe shows it.
func (j *journey) expectJob(ctx SpecContext, id string, fields map[string]any) map[string]any {
	GinkgoHelper()
	obj := j.job(ctx, id)
	for k, v := range fields {
		Expect(fmt.Sprint(obj[k])).To(Equal(fmt.Sprint(v)), "job %s field %s", id, k)
	}
	return obj
}

func (j *journey) expectSourceState(ctx SpecContext, id, state string) {
	GinkgoHelper()
	obj, ok := j.source(ctx, id)
	Expect(ok).To(BeTrue(), "DescribeSourceServers shows source %s", id)
	Expect(obj["State"]).To(Equal(state), "source %s State", id)
}

// until moves the clock by step until read answers want, at most limit in all; it returns
// what read answered on the way. A walked journey polls instead, and skips when the target
// takes longer than twice the limit: timing is never the target's fault.
func (j *journey) until(ctx SpecContext, step, limit time.Duration, want string, read func() string) []string {
	GinkgoHelper()
	seen := []string{read()}
	if j.w != nil {
		deadline := time.Now().Add(2*j.w.Wall(limit) + 3*time.Second)
		interval := min(max(j.w.Wall(step)/4, 10*time.Millisecond), time.Second)
		for seen[len(seen)-1] != want {
			if time.Now().After(deadline) {
				Skip(fmt.Sprintf("still not %s after %v, twice the contract's %v at time scale %g (seen %v)", want, 2*j.w.Wall(limit), limit, j.w.Scale(), seen))
			}
			sleepFor(ctx, interval)
			if now := read(); now != seen[len(seen)-1] {
				seen = append(seen, now)
			}
		}
		return seen
	}
	for moved := time.Duration(0); seen[len(seen)-1] != want; moved += step {
		if moved >= limit {
			Fail(fmt.Sprintf("still not %s after %v of business time (seen %v)", want, limit, seen))
		}
		j.advance(ctx, step)
		seen = append(seen, read())
	}
	return seen
}

func lifecycleLabels(actions ...string) Labels {
	l := Label("lifecycle", "needs:writes")
	for _, a := range actions {
		l = append(l, "action:"+a)
	}
	return l
}

var _ = Describe("Replication job lifecycles", func() {
	f := framework.New()

	It("a one-time job runs Preparing, Syncing, Processing, Cleaning to Finished with an image, and frees its source",
		lifecycleLabels("CreateReplicationJob", "StartReplicationJob", "DescribeReplicationJobs", "DescribeSourceServers"), func(ctx SpecContext) {
			j, ids := newJourney(ctx, f, 1)
			job := j.ok(ctx, "CreateReplicationJob", jobParams(ids[0], f.Name("job"))).Str("JobId")
			j.expectJob(ctx, job, map[string]any{"Status": "Ready"})
			j.ok(ctx, "StartReplicationJob", url.Values{"JobId": {job}})
			j.expectJob(ctx, job, map[string]any{"Status": "Running", "BusinessStatus": "Preparing"})
			j.expectSourceState(ctx, ids[0], "InUse")
			seen := j.until(ctx, time.Minute, time.Hour, "Finished", func() string {
				obj := j.job(ctx, job)
				return fmt.Sprint(obj["Status"])
			})
			Expect(seen).To(ContainElement("Running"))
			done := j.expectJob(ctx, job, map[string]any{"Status": "Finished"})
			Expect(done["ImageId"]).To(MatchRegexp(`^m-`), "a finished Image job names its image")
			j.expectSourceState(ctx, ids[0], "Available")
		})

	It("a started job shows each business phase in order as the clock moves",
		lifecycleLabels("CreateReplicationJob", "StartReplicationJob", "DescribeReplicationJobs"), func(ctx SpecContext) {
			j, ids := newJourney(ctx, f, 1)
			job := j.ok(ctx, "CreateReplicationJob", jobParams(ids[0], f.Name("job"))).Str("JobId")
			j.ok(ctx, "StartReplicationJob", url.Values{"JobId": {job}})
			var phases []string
			for i := 0; i < 40; i++ {
				obj := j.job(ctx, job)
				if obj["Status"] != "Running" {
					break
				}
				if p := fmt.Sprint(obj["BusinessStatus"]); len(phases) == 0 || phases[len(phases)-1] != p {
					phases = append(phases, p)
				}
				j.advance(ctx, time.Minute)
			}
			Expect(phases).To(Equal([]string{"Preparing", "Syncing", "Processing", "Cleaning"}))
		})

	for _, sync := range []string{"true", "false"} {
		It("an incremental job waits between runs and a cut-over with SyncData="+sync+" finishes it",
			lifecycleLabels("CreateReplicationJob", "StartReplicationJob", "CutOverReplicationJob", "DescribeReplicationJobs"), func(ctx SpecContext) {
				j, ids := newJourney(ctx, f, 1)
				q := jobParams(ids[0], f.Name("job"), "RunOnce", "false", "Frequency", "12", "MaxNumberOfImageToKeep", "3")
				job := j.ok(ctx, "CreateReplicationJob", q).Str("JobId")
				j.ok(ctx, "StartReplicationJob", url.Values{"JobId": {job}})
				j.until(ctx, time.Minute, time.Hour, "Waiting", func() string { return fmt.Sprint(j.job(ctx, job)["Status"]) })
				firstImage := j.job(ctx, job)["ImageId"]
				Expect(firstImage).To(MatchRegexp(`^m-`), "the first run made an image")
				j.ok(ctx, "CutOverReplicationJob", url.Values{"JobId": {job}, "SyncData": {sync}})
				phase := map[string]string{"true": "Syncing", "false": "Cleaning"}[sync]
				j.expectJob(ctx, job, map[string]any{"Status": "Running", "BusinessStatus": phase})
				j.until(ctx, time.Minute, time.Hour, "Finished", func() string { return fmt.Sprint(j.job(ctx, job)["Status"]) })
				last := j.job(ctx, job)["ImageId"]
				if sync == "true" {
					Expect(last).NotTo(Equal(firstImage), "a cut-over that syncs makes one more image")
				} else {
					Expect(last).To(Equal(firstImage), "a cut-over without sync makes no new image")
				}
			})
	}

	It("a job with a ScheduledStartTime waits until then and starts by itself",
		lifecycleLabels("CreateReplicationJob", "DescribeReplicationJobs"), func(ctx SpecContext) {
			j, ids := newJourney(ctx, f, 1)
			j.afford(2 * time.Hour)
			at := j.now(ctx).Add(2 * time.Hour)
			job := j.ok(ctx, "CreateReplicationJob", jobParams(ids[0], f.Name("job"), "ScheduledStartTime", at.UTC().Format(time.RFC3339))).Str("JobId")
			j.expectJob(ctx, job, map[string]any{"Status": "Waiting"})
			if j.w != nil {
				// On the target's own clock, known only roughly: the job must not start
				// before its time (less what the clock estimate may be off), and must start.
				seen := j.until(ctx, time.Minute, 3*time.Hour, "Running", func() string { return fmt.Sprint(j.job(ctx, job)["Status"]) })
				Expect(seen).To(HaveExactElements("Waiting", "Running"))
				Expect(j.now(ctx)).To(BeTemporally(">=", at.Add(-10*time.Minute)), "the job started before its ScheduledStartTime %s", at)
				return
			}
			j.advance(ctx, 2*time.Hour-time.Minute)
			j.expectJob(ctx, job, map[string]any{"Status": "Waiting"})
			j.advance(ctx, 2*time.Minute)
			j.expectJob(ctx, job, map[string]any{"Status": "Running"})
		})

	It("a job past its ValidTime is Expired and removed seven days later",
		lifecycleLabels("CreateReplicationJob", "DescribeReplicationJobs"), func(ctx SpecContext) {
			j, ids := newJourney(ctx, f, 1)
			j.afford(15 * 24 * time.Hour)
			valid := j.now(ctx).Add(8 * 24 * time.Hour).UTC().Format(time.RFC3339)
			job := j.ok(ctx, "CreateReplicationJob", jobParams(ids[0], f.Name("job"), "ValidTime", valid)).Str("JobId")
			j.advance(ctx, 8*24*time.Hour-time.Minute)
			j.expectJob(ctx, job, map[string]any{"Status": "Ready"})
			j.advance(ctx, 2*time.Minute)
			j.expectJob(ctx, job, map[string]any{"Status": "Expired"})
			j.advance(ctx, 7*24*time.Hour-2*time.Minute)
			Expect(j.jobGone(ctx, job)).To(BeFalse(), "an expired job stays for seven days")
			j.advance(ctx, 2*time.Minute)
			Expect(j.jobGone(ctx, job)).To(BeTrue(), "seven days after expiry the job is gone")
		})
})

var _ = Describe("Source server deletion", func() {
	f := framework.New()

	It("DeleteSourceServer refuses a source with jobs unless Force is set, and with Force takes the jobs along",
		lifecycleLabels("DeleteSourceServer", "CreateReplicationJob", "DescribeSourceServers", "DescribeReplicationJobs"), func(ctx SpecContext) {
			if !f.T.Caps.Control {
				Skip("the journey deletes a source server, which the API cannot create again: it needs a control plane to seed one")
			}
			j, ids := newJourney(ctx, f, 1)
			job := j.ok(ctx, "CreateReplicationJob", jobParams(ids[0], f.Name("job"))).Str("JobId")
			expectError(j.call(ctx, "DeleteSourceServer", url.Values{"SourceId": {ids[0]}}), "DeleteSourceServer", "ReplicationJob.Related", job)
			j.expectSourceState(ctx, ids[0], "Available")
			j.ok(ctx, "DeleteSourceServer", url.Values{"SourceId": {ids[0]}, "Force": {"true"}})
			j.expectSourceState(ctx, ids[0], "Deleting")
			j.expectJob(ctx, job, map[string]any{"Status": "Deleting"})
			j.advance(ctx, 2*time.Minute)
			_, present := j.source(ctx, ids[0])
			Expect(present).To(BeFalse(), "the source is gone once deleted")
			Expect(j.jobGone(ctx, job)).To(BeTrue(), "its job went with it")
		})
})

// ebsStatus reads a group, pair or drill's Status through its Describe action in a region
// (idParam "" lists without naming it); "gone" when the answer does not list it.
func (j *journey) ebsStatus(ctx SpecContext, action, idParam, idField, id, region string, extra ...string) string {
	GinkgoHelper()
	q := url.Values{"RegionId": {region}}
	if idParam != "" {
		q.Set(idParam, id)
	}
	for i := 0; i+1 < len(extra); i += 2 {
		q.Set(extra[i], extra[i+1])
	}
	obj, ok := j.view(ctx, action, q, idField, id)
	if !ok {
		return "gone"
	}
	return fmt.Sprint(obj["Status"])
}

func (j *journey) groupStatus(ctx SpecContext, id, region string) string {
	return j.ebsStatus(ctx, "DescribeDiskReplicaGroups", "GroupIds", "ReplicaGroupId", id, region)
}

func (j *journey) pairStatus(ctx SpecContext, id, region string) string {
	return j.ebsStatus(ctx, "DescribeDiskReplicaPairs", "PairIds", "ReplicaPairId", id, region)
}

// newEBSJourney is a journey with one pair's worth of disks: a source disk in the source zone,
// a destination disk in the destination zone; seeded, or leased from the profile.
func newEBSJourney(ctx SpecContext, f *framework.F) (*journey, string, string) {
	GinkgoHelper()
	f.NeedWrites()
	if !f.T.Caps.Control {
		j, _ := newJourney(ctx, f, 0)
		d := j.w.Lease("")
		j.src, j.dst = framework.Site{Region: d.Src.Region, Zone: d.Src.Zone}, framework.Site{Region: d.Dst.Region, Zone: d.Dst.Zone}
		return j, d.Src.ID, d.Dst.ID
	}
	src, dst := f.ID("d-"), f.ID("d-")
	ctl := f.NeedVirtualClock()
	acct := ownAccount(ctx, f, map[string][]map[string]any{"disks": {
		{"DiskId": src, "RegionId": srcRegion, "ZoneId": srcZone, "Size": 100, "Category": "cloud_essd", "Status": "Available"},
		{"DiskId": dst, "RegionId": dstRegion, "ZoneId": dstZone, "Size": 100, "Category": "cloud_essd", "Status": "Available"},
	}})
	j := &journey{account: acct, ctl: ctl}
	j.src, j.dst = framework.Site{Region: srcRegion, Zone: srcZone}, framework.Site{Region: dstRegion, Zone: dstZone}
	return j, src, dst
}

// groupParams creates a group between the journey's sites; a walked journey names it with
// the run tag.
func (j *journey) groupParams(token string) url.Values {
	q := url.Values{"RegionId": {j.src.Region}, "SourceZoneId": {j.src.Zone}, "DestinationRegionId": {j.dst.Region}, "DestinationZoneId": {j.dst.Zone}}
	if token != "" {
		q.Set("ClientToken", token)
	}
	if j.w != nil {
		q.Set("GroupName", j.f.Name("group"))
	}
	return q
}

func (j *journey) pairParams(src, dst string) url.Values {
	q := j.groupParams("")
	q.Set("DiskId", src)
	q.Set("DestinationDiskId", dst)
	if j.w != nil {
		q.Del("GroupName")
		q.Set("PairName", j.f.Name("pair"))
	}
	return q
}

const ebsStep, ebsLimit = 5 * time.Second, 30 * time.Minute

var _ = Describe("Replica lifecycles", func() {
	f := framework.New()

	It("a replica group goes created, syncing, normal, stopped, failovered, reprotected and is deleted once empty",
		lifecycleLabels("CreateDiskReplicaGroup", "CreateDiskReplicaPair", "AddDiskReplicaPair", "StartDiskReplicaGroup", "StopDiskReplicaGroup",
			"FailoverDiskReplicaGroup", "ReprotectDiskReplicaGroup", "RemoveDiskReplicaPair", "DeleteDiskReplicaGroup", "DeleteDiskReplicaPair", "DescribeDiskReplicaGroups"), func(ctx SpecContext) {
			j, src, dst := newEBSJourney(ctx, f)
			g := j.ok(ctx, "CreateDiskReplicaGroup", j.groupParams(f.Token())).Str("ReplicaGroupId")
			status := func(region string) func() string { return func() string { return j.groupStatus(ctx, g, region) } }
			seen := j.until(ctx, ebsStep, ebsLimit, "created", status(j.src.Region))
			if j.w == nil || seen[0] == "creating" {
				Expect(seen).To(HaveExactElements("creating", "created"), "a new group is creating for a moment")
			} else {
				j.shows("ReplicaGroup", seen[0], "creating")
			}
			p := j.ok(ctx, "CreateDiskReplicaPair", j.pairParams(src, dst)).Str("ReplicaPairId")
			j.ok(ctx, "AddDiskReplicaPair", url.Values{"RegionId": {j.src.Region}, "ReplicaGroupId": {g}, "ReplicaPairId": {p}})
			j.ok(ctx, "StartDiskReplicaGroup", url.Values{"RegionId": {j.src.Region}, "ReplicaGroupId": {g}})
			j.shows("ReplicaGroup", status(j.src.Region)(), "syncing")
			j.until(ctx, ebsStep, ebsLimit, "normal", status(j.src.Region))
			Expect(j.pairStatus(ctx, p, j.src.Region)).To(Equal("normal"), "the group moved its pair along")

			j.ok(ctx, "StopDiskReplicaGroup", url.Values{"RegionId": {j.src.Region}, "ReplicaGroupId": {g}})
			j.shows("ReplicaGroup", status(j.src.Region)(), "stopping")
			j.until(ctx, ebsStep, ebsLimit, "stopped", status(j.src.Region))

			// Describe lists the production site: the source region until reprotect reverses it.
			j.ok(ctx, "FailoverDiskReplicaGroup", url.Values{"RegionId": {j.dst.Region}, "ReplicaGroupId": {g}})
			j.shows("ReplicaGroup", status(j.src.Region)(), "failovering")
			j.until(ctx, ebsStep, ebsLimit, "failovered", status(j.src.Region))

			j.ok(ctx, "ReprotectDiskReplicaGroup", url.Values{"RegionId": {j.dst.Region}, "ReplicaGroupId": {g}})
			j.shows("ReplicaGroup", status(j.dst.Region)(), "reprotecting")
			j.until(ctx, ebsStep, ebsLimit, "stopped", status(j.dst.Region))
			obj, _ := j.view(ctx, "DescribeDiskReplicaGroups", url.Values{"RegionId": {j.dst.Region}, "GroupIds": {g}}, "ReplicaGroupId", g)
			Expect(obj["SourceRegionId"]).To(Equal(j.dst.Region), "reprotect reverses the direction by default")

			expectError(j.call(ctx, "DeleteDiskReplicaGroup", url.Values{"RegionId": {j.dst.Region}, "ReplicaGroupId": {g}}), "DeleteDiskReplicaGroup", "OperationDenied.GroupHasPair")
			j.ok(ctx, "RemoveDiskReplicaPair", url.Values{"RegionId": {j.dst.Region}, "ReplicaGroupId": {g}, "ReplicaPairId": {p}})
			j.ok(ctx, "DeleteDiskReplicaGroup", url.Values{"RegionId": {j.dst.Region}, "ReplicaGroupId": {g}})
			j.shows("ReplicaGroup", status(j.dst.Region)(), "deleting")
			j.until(ctx, ebsStep, ebsLimit, "gone", status(j.dst.Region))
			j.ok(ctx, "DeleteDiskReplicaPair", url.Values{"RegionId": {j.dst.Region}, "ReplicaPairId": {p}})
			j.until(ctx, ebsStep, ebsLimit, "gone", func() string { return j.pairStatus(ctx, p, j.dst.Region) })
		})

	It("a replica pair goes created, initial_syncing, normal, stopped, failovered, reprotected and deleted",
		lifecycleLabels("CreateDiskReplicaPair", "StartDiskReplicaPair", "StopDiskReplicaPair", "FailoverDiskReplicaPair",
			"ReprotectDiskReplicaPair", "DeleteDiskReplicaPair", "DescribeDiskReplicaPairs", "DescribeDiskReplicaPairProgress"), func(ctx SpecContext) {
			j, src, dst := newEBSJourney(ctx, f)
			p := j.ok(ctx, "CreateDiskReplicaPair", j.pairParams(src, dst)).Str("ReplicaPairId")
			status := func(region string) func() string { return func() string { return j.pairStatus(ctx, p, region) } }
			j.shows("ReplicaPair", status(j.src.Region)(), "created")
			j.ok(ctx, "StartDiskReplicaPair", url.Values{"RegionId": {j.src.Region}, "ReplicaPairId": {p}})
			j.shows("ReplicaPair", status(j.src.Region)(), "initial_syncing")
			seen := j.until(ctx, ebsStep, ebsLimit, "normal", status(j.src.Region))
			Expect(seen).To(ContainElement("syncing"), "the full sync is followed by a catch-up")
			progress := j.ok(ctx, "DescribeDiskReplicaPairProgress", url.Values{"RegionId": {j.src.Region}, "ReplicaPairId": {p}})
			Expect(fmt.Sprint(progress.Response.Data["Progress"])).To(Equal("100"), "a completed full sync shows 100")

			j.ok(ctx, "StopDiskReplicaPair", url.Values{"RegionId": {j.src.Region}, "ReplicaPairId": {p}})
			j.until(ctx, ebsStep, ebsLimit, "stopped", status(j.src.Region))
			j.ok(ctx, "FailoverDiskReplicaPair", url.Values{"RegionId": {j.dst.Region}, "ReplicaPairId": {p}})
			j.shows("ReplicaPair", status(j.src.Region)(), "failovering")
			j.until(ctx, ebsStep, ebsLimit, "failovered", status(j.src.Region))
			j.ok(ctx, "ReprotectDiskReplicaPair", url.Values{"RegionId": {j.dst.Region}, "ReplicaPairId": {p}})
			j.shows("ReplicaPair", status(j.dst.Region)(), "reprotecting", "reprotect made the secondary the production site")
			j.until(ctx, ebsStep, ebsLimit, "stopped", status(j.dst.Region))
			j.ok(ctx, "DeleteDiskReplicaPair", url.Values{"RegionId": {j.dst.Region}, "ReplicaPairId": {p}})
			j.shows("ReplicaPair", status(j.dst.Region)(), "deleting")
			j.until(ctx, ebsStep, ebsLimit, "gone", status(j.dst.Region))
		})

	It("a drill on a synced group executes in the secondary region and is cleared",
		lifecycleLabels("StartReplicaGroupDrill", "DescribeReplicaGroupDrills", "ClearReplicaGroupDrill"), func(ctx SpecContext) {
			j, src, dst := newEBSJourney(ctx, f)
			g := j.ok(ctx, "CreateDiskReplicaGroup", j.groupParams(f.Token())).Str("ReplicaGroupId")
			j.until(ctx, ebsStep, ebsLimit, "created", func() string { return j.groupStatus(ctx, g, j.src.Region) })
			p := j.ok(ctx, "CreateDiskReplicaPair", j.pairParams(src, dst)).Str("ReplicaPairId")
			j.ok(ctx, "AddDiskReplicaPair", url.Values{"RegionId": {j.src.Region}, "ReplicaGroupId": {g}, "ReplicaPairId": {p}})
			j.ok(ctx, "StartDiskReplicaGroup", url.Values{"RegionId": {j.src.Region}, "ReplicaGroupId": {g}})
			j.until(ctx, ebsStep, ebsLimit, "normal", func() string { return j.groupStatus(ctx, g, j.src.Region) })
			d := j.ok(ctx, "StartReplicaGroupDrill", url.Values{"RegionId": {j.dst.Region}, "GroupId": {g}}).Str("DrillId")
			status := func() string {
				// Naming a cleared drill answers NoSuchResource: list the group's drills instead.
				return j.ebsStatus(ctx, "DescribeReplicaGroupDrills", "", "DrillId", d, j.dst.Region, "GroupId", g)
			}
			j.shows("Drill", status(), "executing")
			j.until(ctx, ebsStep, ebsLimit, "executed", status)
			j.ok(ctx, "ClearReplicaGroupDrill", url.Values{"RegionId": {j.dst.Region}, "GroupId": {g}, "DrillId": {d}})
			j.shows("Drill", status(), "clearing")
			j.until(ctx, ebsStep, ebsLimit, "gone", status)
		})

	It("a drill on a synced pair executes in the secondary region, shows its drill disk and is cleared",
		lifecycleLabels("StartPairDrill", "DescribePairDrills", "ClearPairDrill", "StartDiskReplicaPair"), func(ctx SpecContext) {
			j, src, dst := newEBSJourney(ctx, f)
			p := j.ok(ctx, "CreateDiskReplicaPair", j.pairParams(src, dst)).Str("ReplicaPairId")
			j.ok(ctx, "StartDiskReplicaPair", url.Values{"RegionId": {j.src.Region}, "ReplicaPairId": {p}})
			j.until(ctx, ebsStep, ebsLimit, "normal", func() string { return j.pairStatus(ctx, p, j.src.Region) })
			d := j.ok(ctx, "StartPairDrill", url.Values{"RegionId": {j.dst.Region}, "PairId": {p}}).Str("DrillId")
			drill := func() (map[string]any, bool) {
				return j.view(ctx, "DescribePairDrills", url.Values{"RegionId": {j.dst.Region}, "PairId": {p}}, "DrillId", d)
			}
			status := func() string {
				if obj, ok := drill(); ok {
					return fmt.Sprint(obj["Status"])
				}
				return "gone"
			}
			first, ok := drill()
			Expect(ok).To(BeTrue(), "DescribePairDrills lists the new drill")
			if j.shows("PairDrill", fmt.Sprint(first["Status"]), "executing"); first["Status"] == "executing" {
				Expect(first).To(HaveKeyWithValue("DrillDiskStatus", "creating"))
			}
			j.until(ctx, ebsStep, ebsLimit, "executed", status)
			done, _ := drill()
			Expect(done).To(HaveKeyWithValue("DrillDiskStatus", "created"))
			Expect(done["DrillDiskId"]).NotTo(BeEmpty())
			j.ok(ctx, "ClearPairDrill", url.Values{"RegionId": {j.src.Region}, "PairId": {p}, "DrillId": {d}})
			j.shows("PairDrill", status(), "clearing")
			j.until(ctx, ebsStep, ebsLimit, "gone", status)
		})
})
