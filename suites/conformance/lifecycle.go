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

// journey is a lifecycle spec's account and clock.
type journey struct {
	*account
	ctl *framework.Control
}

func newJourney(ctx SpecContext, f *framework.F, state map[string][]map[string]any) *journey {
	GinkgoHelper()
	f.NeedWrites()
	ctl := f.NeedVirtualClock()
	return &journey{account: ownAccount(ctx, f, state), ctl: ctl}
}

func (j *journey) advance(ctx context.Context, d time.Duration) {
	GinkgoHelper()
	_, err := j.ctl.Advance(ctx, d)
	Expect(err).NotTo(HaveOccurred())
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
// what read answered on the way.
func (j *journey) until(ctx SpecContext, step, limit time.Duration, want string, read func() string) []string {
	GinkgoHelper()
	seen := []string{read()}
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
	l := Label("lifecycle", "needs:control", "needs:writes")
	for _, a := range actions {
		l = append(l, "action:"+a)
	}
	return l
}

var _ = Describe("Replication job lifecycles", func() {
	f := framework.New()

	It("a one-time job runs Preparing, Syncing, Processing, Cleaning to Finished with an image, and frees its source",
		lifecycleLabels("CreateReplicationJob", "StartReplicationJob", "DescribeReplicationJobs", "DescribeSourceServers"), func(ctx SpecContext) {
			ids, objs := sources(f, 1)
			j := newJourney(ctx, f, map[string][]map[string]any{"sourceServers": objs})
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
			ids, objs := sources(f, 1)
			j := newJourney(ctx, f, map[string][]map[string]any{"sourceServers": objs})
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
				ids, objs := sources(f, 1)
				j := newJourney(ctx, f, map[string][]map[string]any{"sourceServers": objs})
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
			ids, objs := sources(f, 1)
			j := newJourney(ctx, f, map[string][]map[string]any{"sourceServers": objs})
			now, err := j.ctl.Now(ctx)
			Expect(err).NotTo(HaveOccurred())
			at := now.Add(2 * time.Hour).UTC().Format(time.RFC3339)
			job := j.ok(ctx, "CreateReplicationJob", jobParams(ids[0], f.Name("job"), "ScheduledStartTime", at)).Str("JobId")
			j.expectJob(ctx, job, map[string]any{"Status": "Waiting"})
			j.advance(ctx, 2*time.Hour-time.Minute)
			j.expectJob(ctx, job, map[string]any{"Status": "Waiting"})
			j.advance(ctx, 2*time.Minute)
			j.expectJob(ctx, job, map[string]any{"Status": "Running"})
		})

	It("a job past its ValidTime is Expired and removed seven days later",
		lifecycleLabels("CreateReplicationJob", "DescribeReplicationJobs"), func(ctx SpecContext) {
			ids, objs := sources(f, 1)
			j := newJourney(ctx, f, map[string][]map[string]any{"sourceServers": objs})
			now, err := j.ctl.Now(ctx)
			Expect(err).NotTo(HaveOccurred())
			valid := now.Add(8 * 24 * time.Hour).UTC().Format(time.RFC3339)
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
			ids, objs := sources(f, 1)
			j := newJourney(ctx, f, map[string][]map[string]any{"sourceServers": objs})
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
// a destination disk in the destination zone.
func newEBSJourney(ctx SpecContext, f *framework.F) (*journey, string, string) {
	GinkgoHelper()
	src, dst := f.ID("d-"), f.ID("d-")
	j := newJourney(ctx, f, map[string][]map[string]any{"disks": {
		{"DiskId": src, "RegionId": srcRegion, "ZoneId": srcZone, "Size": 100, "Category": "cloud_essd", "Status": "Available"},
		{"DiskId": dst, "RegionId": dstRegion, "ZoneId": dstZone, "Size": 100, "Category": "cloud_essd", "Status": "Available"},
	}})
	return j, src, dst
}

const ebsStep, ebsLimit = 5 * time.Second, 30 * time.Minute

var _ = Describe("Replica lifecycles", func() {
	f := framework.New()

	It("a replica group goes created, syncing, normal, stopped, failovered, reprotected and is deleted once empty",
		lifecycleLabels("CreateDiskReplicaGroup", "CreateDiskReplicaPair", "AddDiskReplicaPair", "StartDiskReplicaGroup", "StopDiskReplicaGroup",
			"FailoverDiskReplicaGroup", "ReprotectDiskReplicaGroup", "RemoveDiskReplicaPair", "DeleteDiskReplicaGroup", "DeleteDiskReplicaPair", "DescribeDiskReplicaGroups"), func(ctx SpecContext) {
			j, src, dst := newEBSJourney(ctx, f)
			g := j.ok(ctx, "CreateDiskReplicaGroup", groupParams(f.Token())).Str("ReplicaGroupId")
			status := func(region string) func() string { return func() string { return j.groupStatus(ctx, g, region) } }
			Expect(j.until(ctx, ebsStep, ebsLimit, "created", status(srcRegion))).To(HaveExactElements("creating", "created"), "a new group is creating for a moment")
			p := j.ok(ctx, "CreateDiskReplicaPair", ebsPairParams(src, dst)).Str("ReplicaPairId")
			j.ok(ctx, "AddDiskReplicaPair", url.Values{"RegionId": {srcRegion}, "ReplicaGroupId": {g}, "ReplicaPairId": {p}})
			j.ok(ctx, "StartDiskReplicaGroup", url.Values{"RegionId": {srcRegion}, "ReplicaGroupId": {g}})
			Expect(status(srcRegion)()).To(Equal("syncing"))
			j.until(ctx, ebsStep, ebsLimit, "normal", status(srcRegion))
			Expect(j.pairStatus(ctx, p, srcRegion)).To(Equal("normal"), "the group moved its pair along")

			j.ok(ctx, "StopDiskReplicaGroup", url.Values{"RegionId": {srcRegion}, "ReplicaGroupId": {g}})
			Expect(status(srcRegion)()).To(Equal("stopping"))
			j.until(ctx, ebsStep, ebsLimit, "stopped", status(srcRegion))

			// Describe lists the production site: the source region until reprotect reverses it.
			j.ok(ctx, "FailoverDiskReplicaGroup", url.Values{"RegionId": {dstRegion}, "ReplicaGroupId": {g}})
			Expect(status(srcRegion)()).To(Equal("failovering"))
			j.until(ctx, ebsStep, ebsLimit, "failovered", status(srcRegion))

			j.ok(ctx, "ReprotectDiskReplicaGroup", url.Values{"RegionId": {dstRegion}, "ReplicaGroupId": {g}})
			Expect(status(dstRegion)()).To(Equal("reprotecting"))
			j.until(ctx, ebsStep, ebsLimit, "stopped", status(dstRegion))
			obj, _ := j.view(ctx, "DescribeDiskReplicaGroups", url.Values{"RegionId": {dstRegion}, "GroupIds": {g}}, "ReplicaGroupId", g)
			Expect(obj["SourceRegionId"]).To(Equal(dstRegion), "reprotect reverses the direction by default")

			expectError(j.call(ctx, "DeleteDiskReplicaGroup", url.Values{"RegionId": {dstRegion}, "ReplicaGroupId": {g}}), "DeleteDiskReplicaGroup", "OperationDenied.GroupHasPair")
			j.ok(ctx, "RemoveDiskReplicaPair", url.Values{"RegionId": {dstRegion}, "ReplicaGroupId": {g}, "ReplicaPairId": {p}})
			j.ok(ctx, "DeleteDiskReplicaGroup", url.Values{"RegionId": {dstRegion}, "ReplicaGroupId": {g}})
			Expect(status(dstRegion)()).To(Equal("deleting"))
			j.until(ctx, ebsStep, ebsLimit, "gone", status(dstRegion))
			j.ok(ctx, "DeleteDiskReplicaPair", url.Values{"RegionId": {dstRegion}, "ReplicaPairId": {p}})
			j.until(ctx, ebsStep, ebsLimit, "gone", func() string { return j.pairStatus(ctx, p, dstRegion) })
		})

	It("a replica pair goes created, initial_syncing, normal, stopped, failovered, reprotected and deleted",
		lifecycleLabels("CreateDiskReplicaPair", "StartDiskReplicaPair", "StopDiskReplicaPair", "FailoverDiskReplicaPair",
			"ReprotectDiskReplicaPair", "DeleteDiskReplicaPair", "DescribeDiskReplicaPairs", "DescribeDiskReplicaPairProgress"), func(ctx SpecContext) {
			j, src, dst := newEBSJourney(ctx, f)
			p := j.ok(ctx, "CreateDiskReplicaPair", ebsPairParams(src, dst)).Str("ReplicaPairId")
			status := func(region string) func() string { return func() string { return j.pairStatus(ctx, p, region) } }
			Expect(status(srcRegion)()).To(Equal("created"))
			j.ok(ctx, "StartDiskReplicaPair", url.Values{"RegionId": {srcRegion}, "ReplicaPairId": {p}})
			Expect(status(srcRegion)()).To(Equal("initial_syncing"))
			seen := j.until(ctx, ebsStep, ebsLimit, "normal", status(srcRegion))
			Expect(seen).To(ContainElement("syncing"), "the full sync is followed by a catch-up")
			progress := j.ok(ctx, "DescribeDiskReplicaPairProgress", url.Values{"RegionId": {srcRegion}, "ReplicaPairId": {p}})
			Expect(fmt.Sprint(progress.Response.Data["Progress"])).To(Equal("100"), "a completed full sync shows 100")

			j.ok(ctx, "StopDiskReplicaPair", url.Values{"RegionId": {srcRegion}, "ReplicaPairId": {p}})
			j.until(ctx, ebsStep, ebsLimit, "stopped", status(srcRegion))
			j.ok(ctx, "FailoverDiskReplicaPair", url.Values{"RegionId": {dstRegion}, "ReplicaPairId": {p}})
			Expect(status(srcRegion)()).To(Equal("failovering"))
			j.until(ctx, ebsStep, ebsLimit, "failovered", status(srcRegion))
			j.ok(ctx, "ReprotectDiskReplicaPair", url.Values{"RegionId": {dstRegion}, "ReplicaPairId": {p}})
			Expect(status(dstRegion)()).To(Equal("reprotecting"), "reprotect made the secondary the production site")
			j.until(ctx, ebsStep, ebsLimit, "stopped", status(dstRegion))
			j.ok(ctx, "DeleteDiskReplicaPair", url.Values{"RegionId": {dstRegion}, "ReplicaPairId": {p}})
			Expect(status(dstRegion)()).To(Equal("deleting"))
			j.until(ctx, ebsStep, ebsLimit, "gone", status(dstRegion))
		})

	It("a drill on a synced group executes in the secondary region and is cleared",
		lifecycleLabels("StartReplicaGroupDrill", "DescribeReplicaGroupDrills", "ClearReplicaGroupDrill"), func(ctx SpecContext) {
			j, src, dst := newEBSJourney(ctx, f)
			g := j.ok(ctx, "CreateDiskReplicaGroup", groupParams(f.Token())).Str("ReplicaGroupId")
			j.until(ctx, ebsStep, ebsLimit, "created", func() string { return j.groupStatus(ctx, g, srcRegion) })
			p := j.ok(ctx, "CreateDiskReplicaPair", ebsPairParams(src, dst)).Str("ReplicaPairId")
			j.ok(ctx, "AddDiskReplicaPair", url.Values{"RegionId": {srcRegion}, "ReplicaGroupId": {g}, "ReplicaPairId": {p}})
			j.ok(ctx, "StartDiskReplicaGroup", url.Values{"RegionId": {srcRegion}, "ReplicaGroupId": {g}})
			j.until(ctx, ebsStep, ebsLimit, "normal", func() string { return j.groupStatus(ctx, g, srcRegion) })
			d := j.ok(ctx, "StartReplicaGroupDrill", url.Values{"RegionId": {dstRegion}, "GroupId": {g}}).Str("DrillId")
			status := func() string {
				// Naming a cleared drill answers NoSuchResource: list the group's drills instead.
				return j.ebsStatus(ctx, "DescribeReplicaGroupDrills", "", "DrillId", d, dstRegion, "GroupId", g)
			}
			Expect(status()).To(Equal("executing"))
			j.until(ctx, ebsStep, ebsLimit, "executed", status)
			j.ok(ctx, "ClearReplicaGroupDrill", url.Values{"RegionId": {dstRegion}, "GroupId": {g}, "DrillId": {d}})
			Expect(status()).To(Equal("clearing"))
			j.until(ctx, ebsStep, ebsLimit, "gone", status)
		})

	It("a drill on a synced pair executes in the secondary region, shows its drill disk and is cleared",
		lifecycleLabels("StartPairDrill", "DescribePairDrills", "ClearPairDrill", "StartDiskReplicaPair"), func(ctx SpecContext) {
			j, src, dst := newEBSJourney(ctx, f)
			p := j.ok(ctx, "CreateDiskReplicaPair", ebsPairParams(src, dst)).Str("ReplicaPairId")
			j.ok(ctx, "StartDiskReplicaPair", url.Values{"RegionId": {srcRegion}, "ReplicaPairId": {p}})
			j.until(ctx, ebsStep, ebsLimit, "normal", func() string { return j.pairStatus(ctx, p, srcRegion) })
			d := j.ok(ctx, "StartPairDrill", url.Values{"RegionId": {dstRegion}, "PairId": {p}}).Str("DrillId")
			drill := func() (map[string]any, bool) {
				return j.view(ctx, "DescribePairDrills", url.Values{"RegionId": {dstRegion}, "PairId": {p}}, "DrillId", d)
			}
			status := func() string {
				if obj, ok := drill(); ok {
					return fmt.Sprint(obj["Status"])
				}
				return "gone"
			}
			first, ok := drill()
			Expect(ok).To(BeTrue(), "DescribePairDrills lists the new drill")
			Expect(first).To(And(HaveKeyWithValue("Status", "executing"), HaveKeyWithValue("DrillDiskStatus", "creating")))
			j.until(ctx, ebsStep, ebsLimit, "executed", status)
			done, _ := drill()
			Expect(done).To(HaveKeyWithValue("DrillDiskStatus", "created"))
			Expect(done["DrillDiskId"]).NotTo(BeEmpty())
			j.ok(ctx, "ClearPairDrill", url.Values{"RegionId": {srcRegion}, "PairId": {p}, "DrillId": {d}})
			Expect(status()).To(Equal("clearing"))
			j.until(ctx, ebsStep, ebsLimit, "gone", status)
		})
})
