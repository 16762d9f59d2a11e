package conformance

import (
	"context"
	"fmt"
	"net/url"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/smcct/smcct/cases"
	"github.com/smcct/smcct/spec"
	"github.com/smcct/smcct/suites/framework"
)

// Documented behaviours that no schema rule or precondition states and that a target gets
// wrong easily: defaults applied inside nested lists, the empty-value and tag-filter rules
// of the Describe actions, the checks behind the EBS failover and reprotect pages. Where the
// contract holds the fact (a default, a choice), the spec reads it from there.

// contractDefault is the contract's default of a field inside an action's parameter.
func contractDefault(action, param string, fields ...string) any {
	GinkgoHelper()
	p, ok := framework.MustAction(action).Param(param)
	Expect(ok).To(BeTrue(), "%s has %s", action, param)
	return p.DefaultAt(fields...)
}

// describeJob returns the one job DescribeReplicationJobs lists for an ID.
func describeJob(ctx context.Context, a *account, id string) map[string]any {
	GinkgoHelper()
	got := listed(a.call(ctx, "DescribeReplicationJobs", url.Values{"JobId.1": {id}}), "ReplicationJobs", "ReplicationJob")
	Expect(got).To(HaveLen(1), "job %s is listed", id)
	return got[0]
}

// wrappedList reads an SMC wrapped list (SystemDiskParts.SystemDiskPart) out of an object.
func wrappedList(obj map[string]any, outer, inner string) []map[string]any {
	wrap, _ := obj[outer].(map[string]any)
	items, _ := wrap[inner].([]any)
	out := make([]map[string]any, 0, len(items))
	for _, it := range items {
		if m, ok := it.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

// invalidParam is the product's invalid-parameter answer naming one parameter.
func invalidParam(action, param string) spec.ErrorCode {
	return framework.MustAction(action).Product.Families.Invalid.For(param)
}

var _ = Describe("EBS placement", Label("needs:control", "needs:writes", "action:CreateDiskReplicaGroup", "action:DescribeDiskReplicaGroups"), func() {
	f := framework.New()

	oneRegion := func(dstZone string) url.Values {
		q := groupParams("")
		q.Set("DestinationRegionId", srcRegion)
		q.Set("DestinationZoneId", dstZone)
		return q
	}
	It("accepts a replica group between two zones of one region and lists it under both sites", func(ctx SpecContext) {
		e := newEBSAccount(ctx, f, 0, "Available")
		g := e.ok(ctx, "CreateDiskReplicaGroup", oneRegion("cn-hangzhou-i")).Str("ReplicaGroupId")
		for _, site := range []string{"production", "backup"} {
			got := flatList(e.call(ctx, "DescribeDiskReplicaGroups", url.Values{"RegionId": {srcRegion}, "GroupIds": {g}, "Site": {site}}), "ReplicaGroups")
			Expect(got).To(ConsistOf(HaveKeyWithValue("ReplicaGroupId", g)), "Site=%s", site)
		}
	})
	It("returns InvalidParameter naming DestinationZoneId for a group within one zone", func(ctx SpecContext) {
		e := newEBSAccount(ctx, f, 0, "Available")
		r := e.call(ctx, "CreateDiskReplicaGroup", oneRegion(srcZone))
		Expect(r).To(framework.HaveDocumentedError(invalidParam("CreateDiskReplicaGroup", "DestinationZoneId")))
	})
})

// smcPopulated is a private account holding one of each SMC object, tagged, so that a filter
// that wrongly applies an empty value shows in what the read actions list.
func smcPopulated(ctx context.Context, f *framework.F) *account {
	GinkgoHelper()
	ids, objs := sources(f, 2)
	a := ownAccount(ctx, f, map[string][]map[string]any{"sourceServers": objs})
	job := field(a.ok(ctx, "CreateReplicationJob", jobParams(ids[0], f.Name("job"))), "JobId")
	a.ok(ctx, "TagResources", url.Values{"ResourceType": {"replicationjob"}, "ResourceId.1": {job}, "Tag.1.Key": {"team"}, "Tag.1.Value": {"blue"}})
	a.ok(ctx, "CreateAccessToken", url.Values{"Name": {f.Name("token")}})
	a.ok(ctx, "CreateWorkgroup", url.Values{"Name": {f.Name("wave")}})
	return a
}

// withoutRequestID is a success body minus the field that differs between any two calls.
func withoutRequestID(r *framework.Result) map[string]any {
	GinkgoHelper()
	Expect(r).To(framework.Succeed200())
	out := map[string]any{}
	for k, v := range r.Response.Data {
		if k != "RequestId" {
			out[k] = v
		}
	}
	return out
}

var _ = Describe("Empty values", Label("needs:control", "needs:writes"), func() {
	f := framework.New()
	for _, a := range framework.Catalog().Actions() {
		for _, c := range cases.EmptyValueCases(a) {
			It(fmt.Sprintf("%s answers %s sent empty as if it were not sent", a.Name, c.Param), Label("action:"+a.Name, "param:"+c.Param), func(ctx SpecContext) {
				acct := smcPopulated(ctx, f)
				want := withoutRequestID(acct.call(ctx, a.Name, c.Base))
				Expect(withoutRequestID(acct.call(ctx, a.Name, c.WithEmpty()))).To(Equal(want))
			})
		}
	}
})

var _ = Describe("EBS failover before the first full sync", Label("needs:control", "needs:writes"), func() {
	f := framework.New()
	advance := func(ctx SpecContext, d time.Duration) {
		GinkgoHelper()
		_, err := f.NeedVirtualClock().Advance(ctx, d)
		Expect(err).NotTo(HaveOccurred())
	}

	It("FailoverDiskReplicaGroup returns OperationDenied.InvalidStatus while the group's first full sync runs, and succeeds once it ended",
		errorLabels("FailoverDiskReplicaGroup", "OperationDenied.InvalidStatus", "action:StartDiskReplicaGroup"), func(ctx SpecContext) {
			e := newEBSAccount(ctx, f, 1, "Available")
			g := e.group(ctx)
			e.add(ctx, g, e.pair(ctx, 0))
			e.ok(ctx, "StartDiskReplicaGroup", url.Values{"RegionId": {srcRegion}, "ReplicaGroupId": {g}})
			failover := url.Values{"RegionId": {dstRegion}, "ReplicaGroupId": {g}}
			expectError(e.call(ctx, "FailoverDiskReplicaGroup", failover), "FailoverDiskReplicaGroup", "OperationDenied.InvalidStatus")
			advance(ctx, 10*time.Minute)
			e.ok(ctx, "FailoverDiskReplicaGroup", failover)
		})
	It("FailoverDiskReplicaPair returns OperationDenied.InvalidStatus for a pair stopped before its first full sync ended",
		errorLabels("FailoverDiskReplicaPair", "OperationDenied.InvalidStatus", "action:StartDiskReplicaPair", "action:StopDiskReplicaPair"), func(ctx SpecContext) {
			e := newEBSAccount(ctx, f, 1, "Available")
			p := e.pair(ctx, 0)
			e.ok(ctx, "StartDiskReplicaPair", url.Values{"RegionId": {srcRegion}, "ReplicaPairId": {p}})
			advance(ctx, 5*time.Second)
			e.ok(ctx, "StopDiskReplicaPair", url.Values{"RegionId": {srcRegion}, "ReplicaPairId": {p}})
			advance(ctx, time.Minute)
			r := e.call(ctx, "FailoverDiskReplicaPair", url.Values{"RegionId": {dstRegion}, "ReplicaPairId": {p}})
			expectError(r, "FailoverDiskReplicaPair", "OperationDenied.InvalidStatus")
		})
})

var _ = Describe("EBS reprotect with the primary disk attached", Label("needs:control", "needs:writes"), func() {
	f := framework.New()

	It("ReprotectDiskReplicaPair returns OperationDenied.InvalidStatus until the primary disk is detached",
		errorLabels("ReprotectDiskReplicaPair", "OperationDenied.InvalidStatus"), func(ctx SpecContext) {
			e := newEBSAccount(ctx, f, 1, "Available")
			p := e.pair(ctx, 0)
			e.force(ctx, p, "failovered")
			e.force(ctx, e.src[0], "In_use")
			q := url.Values{"RegionId": {dstRegion}, "ReplicaPairId": {p}}
			expectError(e.call(ctx, "ReprotectDiskReplicaPair", q), "ReprotectDiskReplicaPair", "OperationDenied.InvalidStatus")
			e.force(ctx, e.src[0], "Available")
			e.ok(ctx, "ReprotectDiskReplicaPair", q)
		})
	It("ReprotectDiskReplicaGroup returns OperationDenied.InvalidStatus while a member's primary disk is attached",
		errorLabels("ReprotectDiskReplicaGroup", "OperationDenied.InvalidStatus"), func(ctx SpecContext) {
			e := newEBSAccount(ctx, f, 1, "Available")
			g, p := e.group(ctx), e.pair(ctx, 0)
			e.add(ctx, g, p)
			e.force(ctx, g, "failovered")
			e.force(ctx, p, "failovered")
			e.force(ctx, e.src[0], "In_use")
			r := e.call(ctx, "ReprotectDiskReplicaGroup", url.Values{"RegionId": {dstRegion}, "ReplicaGroupId": {g}})
			expectError(r, "ReprotectDiskReplicaGroup", "OperationDenied.InvalidStatus")
		})
})

var _ = Describe("SMC cut-over", Label("needs:control", "needs:writes", "action:CutOverReplicationJob", "action:DescribeReplicationJobs"), func() {
	f := framework.New()

	It("cuts over a one-time job waiting for its ScheduledStartTime, with the cut-over's time as StartTime", func(ctx SpecContext) {
		ids, objs := sources(f, 1)
		a := ownAccount(ctx, f, map[string][]map[string]any{"sourceServers": objs})
		now, err := f.NeedVirtualClock().Now(ctx)
		Expect(err).NotTo(HaveOccurred())
		q := jobParams(ids[0], f.Name("job"), "ScheduledStartTime", now.UTC().Add(48*time.Hour).Format(time.RFC3339))
		job := field(a.ok(ctx, "CreateReplicationJob", q), "JobId")
		Expect(describeJob(ctx, a, job)).To(HaveKeyWithValue("Status", "Waiting"))
		a.ok(ctx, "CutOverReplicationJob", url.Values{"JobId": {job}, "SyncData": {"true"}})
		Expect(describeJob(ctx, a, job)).To(And(
			HaveKeyWithValue("Status", "Running"),
			HaveKeyWithValue("StartTime", now.UTC().Format(time.RFC3339))))
	})
})

var _ = Describe("SMC image targets", Label("needs:control", "needs:writes", "action:CreateReplicationJob", "action:DescribeReplicationJobs"), func() {
	f := framework.New()

	It("treats TargetType=Image like a job that leaves TargetType out: neither needs ImageName or SystemDiskSize", func(ctx SpecContext) {
		ids, objs := sources(f, 2)
		a := ownAccount(ctx, f, map[string][]map[string]any{"sourceServers": objs})
		explicit := describeJob(ctx, a, field(a.ok(ctx, "CreateReplicationJob", jobParams(ids[0], f.Name("job"), "TargetType", "Image")), "JobId"))
		implicit := describeJob(ctx, a, field(a.ok(ctx, "CreateReplicationJob", jobParams(ids[1], f.Name("job"))), "JobId"))
		for _, k := range []string{"TargetType", "ImageName", "SystemDiskSize"} {
			Expect(explicit[k]).To(Equal(implicit[k]), "%s with and without TargetType=Image", k)
		}
	})
})

var _ = Describe("Tag filters without a key", Label("needs:control", "needs:writes"), func() {
	f := framework.New()

	It("DescribeReplicationJobs accepts an empty Tag.N.Key and does not use that filter", Label("action:DescribeReplicationJobs"), func(ctx SpecContext) {
		a := smcPopulated(ctx, f)
		want := withoutRequestID(a.call(ctx, "DescribeReplicationJobs", nil))
		Expect(want["TotalCount"]).NotTo(BeEquivalentTo(0), "the account holds a job")
		got := withoutRequestID(a.call(ctx, "DescribeReplicationJobs", url.Values{"Tag.1.Key": {""}, "Tag.1.Value": {"nothing-has-this"}}))
		Expect(got).To(Equal(want))
	})
	It("DescribeDiskReplicaGroups accepts a Tag.N.Value without its key and does not use that filter", Label("action:CreateDiskReplicaGroup", "action:DescribeDiskReplicaGroups"), func(ctx SpecContext) {
		e := newEBSAccount(ctx, f, 0, "Available")
		q := groupParams("")
		q.Set("Tag.1.Key", "team")
		q.Set("Tag.1.Value", "blue")
		g := e.ok(ctx, "CreateDiskReplicaGroup", q).Str("ReplicaGroupId")
		got := flatList(e.call(ctx, "DescribeDiskReplicaGroups", url.Values{"RegionId": {srcRegion}, "Tag.1.Value": {"red"}}), "ReplicaGroups")
		Expect(got).To(ConsistOf(HaveKeyWithValue("ReplicaGroupId", g)))
	})
})

var _ = Describe("EBS restart after a stop", Label("needs:control", "needs:writes", "action:StartDiskReplicaPair", "action:StopDiskReplicaPair", "action:DescribeDiskReplicaPairs"), func() {
	f := framework.New()

	It("shows initial_syncing on the first start only: a restart after a Stop shows syncing", func(ctx SpecContext) {
		e := newEBSAccount(ctx, f, 1, "Available")
		p := e.pair(ctx, 0)
		q := url.Values{"RegionId": {srcRegion}, "ReplicaPairId": {p}}
		statusOf := func() any {
			got := flatList(e.call(ctx, "DescribeDiskReplicaPairs", url.Values{"RegionId": {srcRegion}, "PairIds": {p}}), "ReplicaPairs")
			Expect(got).To(HaveLen(1))
			return got[0]["Status"]
		}
		e.ok(ctx, "StartDiskReplicaPair", q)
		Expect(statusOf()).To(Equal("initial_syncing"))
		_, err := f.NeedVirtualClock().Advance(ctx, 10*time.Minute)
		Expect(err).NotTo(HaveOccurred())
		e.ok(ctx, "StopDiskReplicaPair", q)
		_, err = f.NeedVirtualClock().Advance(ctx, time.Minute)
		Expect(err).NotTo(HaveOccurred())
		Expect(statusOf()).To(Equal("stopped"))
		e.ok(ctx, "StartDiskReplicaPair", q)
		Expect(statusOf()).To(Equal("syncing"))
	})
})

var _ = Describe("EBS progress before a start", Label("needs:control", "needs:writes", "action:DescribeDiskReplicaPairProgress"), func() {
	f := framework.New()

	It("leaves RecoverPoint out for a pair that was never started", func(ctx SpecContext) {
		e := newEBSAccount(ctx, f, 1, "Available")
		r := e.ok(ctx, "DescribeDiskReplicaPairProgress", url.Values{"RegionId": {srcRegion}, "ReplicaPairId": {e.pair(ctx, 0)}})
		Expect(r.Response.Data).NotTo(HaveKey("RecoverPoint"))
	})
})

var _ = Describe("Error envelopes", Label("protocol"), func() {
	f := framework.New()

	It("names the regional EBS endpoint as HostId, and puts q first in Recommend", Label("action:DescribeDiskReplicaPairProgress"), func(ctx SpecContext) {
		a := framework.MustAction("DescribeDiskReplicaPairProgress")
		id, ok := cases.AbsentID(a, "ReplicaPairId")
		Expect(ok).To(BeTrue())
		r := f.Call(ctx, a.Name, url.Values{"RegionId": {dstRegion}, "ReplicaPairId": {id}})
		Expect(r.Err).NotTo(BeNil(), "an unknown pair is an error")
		Expect(r.Err.HostID).To(Equal(a.Product.HostFor(dstRegion)))
		Expect(r.Err.Recommend).To(HavePrefix("https://api.aliyun.com/troubleshoot?q=" + r.Err.Code + "&"))
	})
})

var _ = Describe("Documented defaults", Label("needs:control", "needs:writes"), func() {
	f := framework.New()

	It("CreateReplicationJob gives a partition sent without Block the contract's default", Label("action:CreateReplicationJob", "action:DescribeReplicationJobs"), func(ctx SpecContext) {
		want := contractDefault("CreateReplicationJob", "SystemDiskPart", "Block")
		Expect(want).NotTo(BeNil(), "the contract gives Block a default")
		Expect(contractDefault("CreateReplicationJob", "DataDisk", "Part", "Block")).To(Equal(want))
		ids, objs := sources(f, 1)
		a := ownAccount(ctx, f, map[string][]map[string]any{"sourceServers": objs})
		q := jobParams(ids[0], f.Name("job"),
			"SystemDiskPart.1.Device", "0_0", "SystemDiskPart.1.SizeBytes", "1024",
			"DataDisk.1.Index", "1", "DataDisk.1.Size", "100", "DataDisk.1.Part.1.Device", "1_0", "DataDisk.1.Part.1.SizeBytes", "1024")
		job := describeJob(ctx, a, field(a.ok(ctx, "CreateReplicationJob", q), "JobId"))
		sys := wrappedList(job, "SystemDiskParts", "SystemDiskPart")
		Expect(sys).To(ConsistOf(HaveKeyWithValue("Block", want)))
		data := wrappedList(job, "DataDisks", "DataDisk")
		Expect(data).To(HaveLen(1))
		Expect(wrappedList(data[0], "Parts", "Part")).To(ConsistOf(HaveKeyWithValue("Block", want)))
	})
})
