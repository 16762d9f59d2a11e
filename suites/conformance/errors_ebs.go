package conformance

import (
	"net/url"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/smcct/smcct/suites/framework"
)

// The EBS specs replicate from cn-hangzhou-h to cn-shanghai-e, fixture zones every reference
// has. Disks are seeded into the spec's own account: ECS owns disks, EBS only names them.
const (
	srcRegion, srcZone = "cn-hangzhou", "cn-hangzhou-h"
	dstRegion, dstZone = "cn-shanghai", "cn-shanghai-e"
)

// maxPairsInGroup is the documented pair limit of one replica group.
const maxPairsInGroup = 17

// ebsAccount is a private account with n disk pairs' worth of disks: n source disks in the
// source zone and n destination disks in the destination zone.
type ebsAccount struct {
	*account
	src, dst []string
}

func newEBSAccount(ctx SpecContext, f *framework.F, n int, dstStatus string) *ebsAccount {
	GinkgoHelper()
	e := &ebsAccount{}
	var disks []map[string]any
	for i := 0; i < n; i++ {
		s, d := f.ID("d-"), f.ID("d-")
		e.src, e.dst = append(e.src, s), append(e.dst, d)
		disks = append(disks,
			map[string]any{"DiskId": s, "RegionId": srcRegion, "ZoneId": srcZone, "Size": 100, "Category": "cloud_essd", "Status": "Available"},
			map[string]any{"DiskId": d, "RegionId": dstRegion, "ZoneId": dstZone, "Size": 100, "Category": "cloud_essd", "Status": dstStatus})
	}
	e.account = ownAccount(ctx, f, map[string][]map[string]any{"disks": disks})
	return e
}

func groupParams(token string) url.Values {
	q := url.Values{"RegionId": {srcRegion}, "SourceZoneId": {srcZone}, "DestinationRegionId": {dstRegion}, "DestinationZoneId": {dstZone}}
	if token != "" {
		q.Set("ClientToken", token)
	}
	return q
}

// group creates a replica group and puts it in created: a new group is creating for a while,
// a status in which it takes no pairs.
func (e *ebsAccount) group(ctx SpecContext) string {
	GinkgoHelper()
	return e.created(ctx, e.ok(ctx, "CreateDiskReplicaGroup", groupParams("")).Str("ReplicaGroupId"))
}

func (e *ebsAccount) created(ctx SpecContext, group string) string {
	GinkgoHelper()
	e.force(ctx, group, "created")
	return group
}

func (e *ebsAccount) pairParams(i int) url.Values {
	q := groupParams("")
	q.Set("DiskId", e.src[i])
	q.Set("DestinationDiskId", e.dst[i])
	return q
}

func (e *ebsAccount) pair(ctx SpecContext, i int) string {
	GinkgoHelper()
	return e.ok(ctx, "CreateDiskReplicaPair", e.pairParams(i)).Str("ReplicaPairId")
}

func (e *ebsAccount) add(ctx SpecContext, group, pair string) {
	GinkgoHelper()
	e.ok(ctx, "AddDiskReplicaPair", url.Values{"RegionId": {srcRegion}, "ReplicaGroupId": {group}, "ReplicaPairId": {pair}})
}

// force puts one of the account's objects in a state, for sites and statuses no short
// public sequence reaches.
func (e *ebsAccount) force(ctx SpecContext, id, status string) {
	GinkgoHelper()
	Expect(e.f.NeedControl().Force(ctx, e.key, id, map[string]string{"Status": status})).To(Succeed())
}

var _ = Describe("EBS business errors", Label("needs:control", "needs:writes"), func() {
	f := framework.New()

	for _, action := range []string{"CreateDiskReplicaGroup", "CreateDiskReplicaPair"} {
		It(action+" returns IdempotentParameterMismatch for a reused ClientToken with other parameters", errorLabels(action, "IdempotentParameterMismatch"), func(ctx SpecContext) {
			e := newEBSAccount(ctx, f, 2, "Available")
			token := f.Token()
			first, second := groupParams(token), groupParams(token)
			if action == "CreateDiskReplicaPair" {
				first, second = e.pairParams(0), e.pairParams(1)
				first.Set("ClientToken", token)
				second.Set("ClientToken", token)
			} else {
				second.Set("Description", "changed")
			}
			e.ok(ctx, action, first)
			expectError(e.call(ctx, action, second), action, "IdempotentParameterMismatch")
		})
	}

	It("DeleteDiskReplicaGroup returns OperationDenied.GroupHasPair for a group with a pair", errorLabels("DeleteDiskReplicaGroup", "OperationDenied.GroupHasPair"), func(ctx SpecContext) {
		e := newEBSAccount(ctx, f, 1, "Available")
		g := e.group(ctx)
		e.add(ctx, g, e.pair(ctx, 0))
		r := e.call(ctx, "DeleteDiskReplicaGroup", url.Values{"RegionId": {srcRegion}, "ReplicaGroupId": {g}})
		expectError(r, "DeleteDiskReplicaGroup", "OperationDenied.GroupHasPair")
	})

	Context("AddDiskReplicaPair", func() {
		It("returns OperationDenied.PairInAnotherGroup for another group's pair", errorLabels("AddDiskReplicaPair", "OperationDenied.PairInAnotherGroup"), func(ctx SpecContext) {
			e := newEBSAccount(ctx, f, 1, "Available")
			g1, g2, p := e.group(ctx), e.group(ctx), e.pair(ctx, 0)
			e.add(ctx, g1, p)
			r := e.call(ctx, "AddDiskReplicaPair", url.Values{"RegionId": {srcRegion}, "ReplicaGroupId": {g2}, "ReplicaPairId": {p}})
			expectError(r, "AddDiskReplicaPair", "OperationDenied.PairInAnotherGroup")
		})
		It("returns OperationDenied.PairGroupAZoneConflict for a pair replicating between other zones", errorLabels("AddDiskReplicaPair", "OperationDenied.PairGroupAZoneConflict"), func(ctx SpecContext) {
			e := newEBSAccount(ctx, f, 1, "Available")
			q := groupParams("")
			q.Set("DestinationZoneId", "cn-shanghai-f")
			g := e.created(ctx, e.ok(ctx, "CreateDiskReplicaGroup", q).Str("ReplicaGroupId"))
			r := e.call(ctx, "AddDiskReplicaPair", url.Values{"RegionId": {srcRegion}, "ReplicaGroupId": {g}, "ReplicaPairId": {e.pair(ctx, 0)}})
			expectError(r, "AddDiskReplicaPair", "OperationDenied.PairGroupAZoneConflict")
		})
		It("returns OperationDenied.PairsExceedInGroup for an 18th pair", errorLabels("AddDiskReplicaPair", "OperationDenied.PairsExceedInGroup"), func(ctx SpecContext) {
			e := newEBSAccount(ctx, f, maxPairsInGroup+1, "Available")
			g := e.group(ctx)
			for i := 0; i < maxPairsInGroup; i++ {
				e.add(ctx, g, e.pair(ctx, i))
			}
			r := e.call(ctx, "AddDiskReplicaPair", url.Values{"RegionId": {srcRegion}, "ReplicaGroupId": {g}, "ReplicaPairId": {e.pair(ctx, maxPairsInGroup)}})
			expectError(r, "AddDiskReplicaPair", "OperationDenied.PairsExceedInGroup")
		})
	})

	It("RemoveDiskReplicaPair returns OperationDenied.PairNotInGroup for a pair in no group", errorLabels("RemoveDiskReplicaPair", "OperationDenied.PairNotInGroup"), func(ctx SpecContext) {
		e := newEBSAccount(ctx, f, 2, "Available")
		g := e.group(ctx)
		e.add(ctx, g, e.pair(ctx, 0))
		r := e.call(ctx, "RemoveDiskReplicaPair", url.Values{"RegionId": {srcRegion}, "ReplicaGroupId": {g}, "ReplicaPairId": {e.pair(ctx, 1)}})
		expectError(r, "RemoveDiskReplicaPair", "OperationDenied.PairNotInGroup")
	})

	// An empty group in a status its action allows: only the missing pairs are wrong. Forced
	// normal stands for a completed first sync, which failover also needs.
	DescribeTable("an empty group returns OperationDenied.NoPairInGroup",
		func(ctx SpecContext, action, status, region string) {
			e := newEBSAccount(ctx, f, 0, "Available")
			g := e.group(ctx)
			if status != "" {
				e.force(ctx, g, status)
			}
			expectError(e.call(ctx, action, url.Values{"RegionId": {region}, "ReplicaGroupId": {g}}), action, "OperationDenied.NoPairInGroup")
		},
		Entry("StartDiskReplicaGroup", errorLabels("StartDiskReplicaGroup", "OperationDenied.NoPairInGroup"), "StartDiskReplicaGroup", "", srcRegion),
		Entry("FailoverDiskReplicaGroup", errorLabels("FailoverDiskReplicaGroup", "OperationDenied.NoPairInGroup"), "FailoverDiskReplicaGroup", "normal", dstRegion),
		Entry("ReprotectDiskReplicaGroup", errorLabels("ReprotectDiskReplicaGroup", "OperationDenied.NoPairInGroup"), "ReprotectDiskReplicaGroup", "failovered", dstRegion),
	)

	// Failover and reprotect run on the secondary site; a pair is deleted on the primary one.
	// A failover case stands in normal: forcing it counts as the completed first sync.
	DescribeTable("calling an action on the wrong site",
		func(ctx SpecContext, action, idParam, status, region, code string) {
			e := newEBSAccount(ctx, f, 1, "Available")
			id := e.pair(ctx, 0)
			if idParam == "ReplicaGroupId" {
				g := e.group(ctx)
				e.add(ctx, g, id)
				e.force(ctx, id, status)
				id = g
			}
			e.force(ctx, id, status)
			expectError(e.call(ctx, action, url.Values{"RegionId": {region}, idParam: {id}}), action, code)
		},
		Entry("FailoverDiskReplicaGroup on the primary returns OperateNotAllowedForPrimary", errorLabels("FailoverDiskReplicaGroup", "OperationDenied.OperateNotAllowedForPrimary"),
			"FailoverDiskReplicaGroup", "ReplicaGroupId", "normal", srcRegion, "OperationDenied.OperateNotAllowedForPrimary"),
		Entry("FailoverDiskReplicaPair on the primary returns OperateNotAllowedForPrimary", errorLabels("FailoverDiskReplicaPair", "OperationDenied.OperateNotAllowedForPrimary"),
			"FailoverDiskReplicaPair", "ReplicaPairId", "normal", srcRegion, "OperationDenied.OperateNotAllowedForPrimary"),
		Entry("ReprotectDiskReplicaGroup on the primary returns OperateNotAllowedForPrimary", errorLabels("ReprotectDiskReplicaGroup", "OperationDenied.OperateNotAllowedForPrimary"),
			"ReprotectDiskReplicaGroup", "ReplicaGroupId", "failovered", srcRegion, "OperationDenied.OperateNotAllowedForPrimary"),
		Entry("ReprotectDiskReplicaPair on the primary returns OperateNotAllowedForPrimary", errorLabels("ReprotectDiskReplicaPair", "OperationDenied.OperateNotAllowedForPrimary"),
			"ReprotectDiskReplicaPair", "ReplicaPairId", "failovered", srcRegion, "OperationDenied.OperateNotAllowedForPrimary"),
		Entry("DeleteDiskReplicaPair on the secondary returns OperateNotAllowedForStandby", errorLabels("DeleteDiskReplicaPair", "OperationDenied.OperateNotAllowedForStandby"),
			"DeleteDiskReplicaPair", "ReplicaPairId", "stopped", dstRegion, "OperationDenied.OperateNotAllowedForStandby"),
	)

	Context("StartDiskReplicaPair and StartDiskReplicaGroup", func() {
		It("StartDiskReplicaPair returns OperationDenied.StandbyDeviceAttached while the secondary disk is in use", errorLabels("StartDiskReplicaPair", "OperationDenied.StandbyDeviceAttached"), func(ctx SpecContext) {
			e := newEBSAccount(ctx, f, 1, "In_use")
			r := e.call(ctx, "StartDiskReplicaPair", url.Values{"RegionId": {srcRegion}, "ReplicaPairId": {e.pair(ctx, 0)}})
			expectError(r, "StartDiskReplicaPair", "OperationDenied.StandbyDeviceAttached")
		})
		It("StartDiskReplicaGroup returns OperationDenied.StandbyDeviceAttached while a member's secondary disk is in use", errorLabels("StartDiskReplicaGroup", "OperationDenied.StandbyDeviceAttached"), func(ctx SpecContext) {
			e := newEBSAccount(ctx, f, 1, "In_use")
			g := e.group(ctx)
			e.add(ctx, g, e.pair(ctx, 0))
			r := e.call(ctx, "StartDiskReplicaGroup", url.Values{"RegionId": {srcRegion}, "ReplicaGroupId": {g}})
			expectError(r, "StartDiskReplicaGroup", "OperationDenied.StandbyDeviceAttached")
		})
		for _, kind := range []string{"Pair", "Group"} {
			action, idParam := "StartDiskReplica"+kind, "Replica"+kind+"Id"
			It(action+" returns OperationDenied.ManualSyncLimit for a second one-shot sync soon after the first", errorLabels(action, "OperationDenied.ManualSyncLimit"), func(ctx SpecContext) {
				ctl := f.NeedVirtualClock()
				e := newEBSAccount(ctx, f, 1, "Available")
				id := e.pair(ctx, 0)
				if kind == "Group" {
					g := e.group(ctx)
					e.add(ctx, g, id)
					id = g
				}
				q := url.Values{"RegionId": {srcRegion}, idParam: {id}, "OneShot": {"true"}}
				e.ok(ctx, action, q)
				// Long enough for the first one-shot (a full sync of 100 GiB) to end, well
				// inside the documented half-RPO window.
				_, err := ctl.Advance(ctx, 2*time.Minute)
				Expect(err).NotTo(HaveOccurred())
				expectError(e.call(ctx, action, q), action, "OperationDenied.ManualSyncLimit")
			})
		}
	})

	Context("StartReplicaGroupDrill", func() {
		It("returns OperationDenied.RecoverPointNotFound before any sync", errorLabels("StartReplicaGroupDrill", "OperationDenied.RecoverPointNotFound"), func(ctx SpecContext) {
			e := newEBSAccount(ctx, f, 1, "Available")
			g := e.group(ctx)
			e.add(ctx, g, e.pair(ctx, 0))
			r := e.call(ctx, "StartReplicaGroupDrill", url.Values{"RegionId": {dstRegion}, "GroupId": {g}})
			expectError(r, "StartReplicaGroupDrill", "OperationDenied.RecoverPointNotFound")
		})
		It("returns OperationDenied.StartDrillShouldOnDestRegion on the primary", errorLabels("StartReplicaGroupDrill", "OperationDenied.StartDrillShouldOnDestRegion"), func(ctx SpecContext) {
			e := newEBSAccount(ctx, f, 1, "Available")
			g := e.group(ctx)
			e.add(ctx, g, e.pair(ctx, 0))
			r := e.call(ctx, "StartReplicaGroupDrill", url.Values{"RegionId": {srcRegion}, "GroupId": {g}})
			expectError(r, "StartReplicaGroupDrill", "OperationDenied.StartDrillShouldOnDestRegion")
		})
	})

	Context("StartPairDrill", func() {
		It("returns OperationDenied.RecoverPointNotFound before any sync", errorLabels("StartPairDrill", "OperationDenied.RecoverPointNotFound"), func(ctx SpecContext) {
			e := newEBSAccount(ctx, f, 1, "Available")
			r := e.call(ctx, "StartPairDrill", url.Values{"RegionId": {dstRegion}, "PairId": {e.pair(ctx, 0)}})
			expectError(r, "StartPairDrill", "OperationDenied.RecoverPointNotFound")
		})
		It("returns OperationDenied.StartDrillShouldOnDestRegion on the primary", errorLabels("StartPairDrill", "OperationDenied.StartDrillShouldOnDestRegion"), func(ctx SpecContext) {
			e := newEBSAccount(ctx, f, 1, "Available")
			r := e.call(ctx, "StartPairDrill", url.Values{"RegionId": {srcRegion}, "PairId": {e.pair(ctx, 0)}})
			expectError(r, "StartPairDrill", "OperationDenied.StartDrillShouldOnDestRegion")
		})
		It("returns NoSuchResource for a group drill's ID on the pair drill actions", errorLabels("ClearPairDrill", "NoSuchResource"), func(ctx SpecContext) {
			e := newEBSAccount(ctx, f, 1, "Available")
			g, p := e.group(ctx), e.pair(ctx, 0)
			e.add(ctx, g, p)
			e.ok(ctx, "StartDiskReplicaGroup", url.Values{"RegionId": {srcRegion}, "ReplicaGroupId": {g}})
			_, err := f.NeedVirtualClock().Advance(ctx, 10*time.Minute)
			Expect(err).NotTo(HaveOccurred())
			d := e.ok(ctx, "StartReplicaGroupDrill", url.Values{"RegionId": {dstRegion}, "GroupId": {g}}).Str("DrillId")
			r := e.call(ctx, "ClearPairDrill", url.Values{"RegionId": {dstRegion}, "PairId": {p}, "DrillId": {d}})
			expectError(r, "ClearPairDrill", "NoSuchResource")
		})
	})
})
