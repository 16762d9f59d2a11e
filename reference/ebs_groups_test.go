package reference

import "testing"

// TestGroupLifecycle walks one group through the whole documented cycle: create, add a
// pair, start, syncing and normal, stop, failover, reprotect, start in reverse, and delete,
// checking the group and its pair at each step.
func TestGroupLifecycle(t *testing.T) {
	e := newEBS(t)
	g := e.must("CreateDiskReplicaGroup", ebsReq{"RegionId": hz, "SourceZoneId": "cn-hangzhou-h",
		"DestinationRegionId": sh, "DestinationZoneId": "cn-shanghai-e", "GroupName": "orders"})["ReplicaGroupId"].(string)
	if got := status(t, e.group(g, hz)); got != "creating" {
		t.Fatalf("new group: %s, want creating", got)
	}
	e.advance(ebsCreateSeconds)
	if got := status(t, e.group(g, hz)); got != "created" {
		t.Fatalf("after %ds: %s, want created", ebsCreateSeconds, got)
	}
	pr := e.newPair(hzDisk1, "cn-hangzhou-h", shDisk1, "cn-shanghai-e")
	e.must("AddDiskReplicaPair", ebsReq{"RegionId": hz, "ReplicaGroupId": g, "ReplicaPairId": pr})
	if pv := e.pair(pr, hz); pv["ReplicaGroupId"] != g || pv["ReplicaGroupName"] != "orders" {
		t.Fatalf("pair after AddDiskReplicaPair: %v", pv)
	}

	start := e.now()
	e.must("StartDiskReplicaGroup", ebsReq{"RegionId": hz, "ReplicaGroupId": g})
	expect(t, e, g, pr, "syncing", "initial_syncing")
	full := fullSyncSeconds(100)
	e.advance(full / 2)
	prog := e.must("DescribeDiskReplicaPairProgress", ebsReq{"RegionId": sh, "ReplicaPairId": pr})
	if _, has := prog["RecoverPoint"]; num64(prog["Progress"]) != 50 || has {
		t.Fatalf("progress half way through the full sync, and no recovery point yet: %v", prog)
	}
	e.advance(full - full/2)
	expect(t, e, g, pr, "syncing", "syncing")
	if lrp := num64(e.group(g, hz)["LastRecoverPoint"]); lrp != start+full {
		t.Fatalf("recovery point after the full sync: %d, want %d", lrp, start+full)
	}
	e.advance(ebsCatchUpSeconds)
	expect(t, e, g, pr, "normal", "normal")
	e.advance(ebsDefaultRPO)
	if lrp := num64(e.pair(pr, hz)["LastRecoverPoint"]); lrp != start+full+ebsDefaultRPO {
		t.Fatalf("recovery point one RPO later: %d, want %d", lrp, start+full+ebsDefaultRPO)
	}

	e.must("StopDiskReplicaGroup", ebsReq{"RegionId": hz, "ReplicaGroupId": g})
	expect(t, e, g, pr, "stopping", "stopping")
	e.advance(ebsStopSeconds)
	expect(t, e, g, pr, "stopped", "stopped")
	e.must("StopDiskReplicaGroup", ebsReq{"RegionId": hz, "ReplicaGroupId": g})
	expect(t, e, g, pr, "stopped", "stopped") // the page: stopping a stopped group succeeds

	e.fails("FailoverDiskReplicaGroup", ebsReq{"RegionId": hz, "ReplicaGroupId": g}, "OperationDenied.OperateNotAllowedForPrimary")
	e.must("FailoverDiskReplicaGroup", ebsReq{"RegionId": sh, "ReplicaGroupId": g})
	expect(t, e, g, pr, "failovering", "failovering")
	e.advance(ebsFailoverSeconds)
	expect(t, e, g, pr, "failovered", "failovered")

	e.fails("ReprotectDiskReplicaGroup", ebsReq{"RegionId": hz, "ReplicaGroupId": g}, "OperationDenied.OperateNotAllowedForPrimary")
	e.must("ReprotectDiskReplicaGroup", ebsReq{"RegionId": sh, "ReplicaGroupId": g})
	expect(t, e, g, pr, "reprotecting", "reprotecting")
	e.advance(ebsReprotectSeconds)
	expect(t, e, g, pr, "stopped", "stopped")
	gv, pv := e.group(g, sh), e.pair(pr, sh)
	if gv["SourceRegionId"] != sh || gv["DestinationZoneId"] != "cn-hangzhou-h" || gv["PrimaryRegion"] != hz || gv["Site"] != "production" {
		t.Fatalf("group after reprotect should replicate shanghai -> hangzhou from its primary's view: %v", gv)
	}
	if pv["SourceDiskId"] != shDisk1 || pv["DestinationDiskId"] != hzDisk1 || pv["StandbyRegion"] != sh {
		t.Fatalf("pair after reprotect should be reversed: %v", pv)
	}

	e.must("StartDiskReplicaGroup", ebsReq{"RegionId": sh, "ReplicaGroupId": g})
	expect(t, e, g, pr, "syncing", "initial_syncing") // the new secondary needs a full copy
	e.advance(full + ebsCatchUpSeconds)
	expect(t, e, g, pr, "normal", "normal")
	e.must("StopDiskReplicaGroup", ebsReq{"RegionId": sh, "ReplicaGroupId": g})
	e.advance(ebsStopSeconds)

	e.fails("DeleteDiskReplicaGroup", ebsReq{"RegionId": sh, "ReplicaGroupId": g}, "OperationDenied.GroupHasPair")
	e.must("RemoveDiskReplicaPair", ebsReq{"RegionId": sh, "ReplicaGroupId": g, "ReplicaPairId": pr})
	e.must("DeleteDiskReplicaGroup", ebsReq{"RegionId": sh, "ReplicaGroupId": g})
	if got := status(t, e.group(g, sh)); got != "deleting" {
		t.Fatalf("deleted group: %s, want deleting", got)
	}
	e.advance(ebsDeleteSeconds)
	if gv := e.group(g, sh); gv != nil {
		t.Fatalf("group still listed after deletion settled: %v", gv)
	}
	e.fails("StopDiskReplicaGroup", ebsReq{"RegionId": sh, "ReplicaGroupId": g}, "NoSuchResource")
	if pv := e.pair(pr, sh); pv["ReplicaGroupId"] != "" || status(t, pv) != "stopped" {
		t.Fatalf("a removed pair stays, detached and stopped: %v", pv)
	}
}

func expect(t *testing.T, e *ebsT, group, pair, groupStatus, pairStatus string) {
	t.Helper()
	if got := status(t, e.group(group, hz)); got != groupStatus {
		t.Fatalf("group %s, want %s", got, groupStatus)
	}
	if got := status(t, e.pair(pair, hz)); got != pairStatus {
		t.Fatalf("pair %s, want %s", got, pairStatus)
	}
}

// TestOneShotGroupSync: a one-shot start syncs once and stops; a second one within half an
// RPO is refused, one after it is allowed.
func TestOneShotGroupSync(t *testing.T) {
	e := newEBS(t)
	g, pr := e.groupWithPair()
	shot := ebsReq{"RegionId": hz, "ReplicaGroupId": g, "OneShot": "true"}
	e.must("StartDiskReplicaGroup", shot)
	expect(t, e, g, pr, "manual_syncing", "manual_syncing")
	e.fails("StartDiskReplicaGroup", shot, "OperationDenied.ManualSyncLimit")
	e.advance(fullSyncSeconds(100))
	expect(t, e, g, pr, "stopped", "stopped")
	if lrp := num64(e.group(g, hz)["LastRecoverPoint"]); lrp != e.now() {
		t.Fatalf("one-shot recovery point %d, want %d", lrp, e.now())
	}
	e.fails("StartDiskReplicaGroup", shot, "OperationDenied.ManualSyncLimit")
	e.advance(ebsDefaultRPO / 2)
	e.must("StartDiskReplicaGroup", shot)
	e.advance(ebsIncrementalSeconds) // the second one copies only the changes
	expect(t, e, g, pr, "stopped", "stopped")
}

// TestGroupRefusals: every group-level rule the handlers add to the contract's state lists,
// plus the generic state check, each with the reason it must refuse.
func TestGroupRefusals(t *testing.T) {
	cases := []struct {
		name   string
		setup  func(e *ebsT) ebsReq // returns the request that must fail
		action string
		code   string
	}{
		{"starting an empty group has nothing to replicate", func(e *ebsT) ebsReq {
			return ebsReq{"RegionId": hz, "ReplicaGroupId": e.newGroup(nil)}
		}, "StartDiskReplicaGroup", "OperationDenied.NoPairInGroup"},
		{"failing over an empty group", func(e *ebsT) ebsReq {
			g := e.newGroup(nil)
			// Forcing normal stands for a completed sync, which the contract's flag asks for.
			e.srv.store.force(ebsAcct, g, map[string]string{"Status": "normal"}, e.srv.Clock().Now())
			return ebsReq{"RegionId": sh, "ReplicaGroupId": g}
		}, "FailoverDiskReplicaGroup", "OperationDenied.NoPairInGroup"},
		{"failing over during the group's first full sync", func(e *ebsT) ebsReq {
			g, _ := e.groupWithPair()
			e.must("StartDiskReplicaGroup", ebsReq{"RegionId": hz, "ReplicaGroupId": g})
			e.advance(fullSyncSeconds(100) - 1)
			return ebsReq{"RegionId": sh, "ReplicaGroupId": g}
		}, "FailoverDiskReplicaGroup", "OperationDenied.InvalidStatus"},
		{"failing over after a reprotect, before the new full sync", func(e *ebsT) ebsReq {
			g, _ := e.groupWithPair()
			e.must("StartDiskReplicaGroup", ebsReq{"RegionId": hz, "ReplicaGroupId": g})
			e.advance(fullSyncSeconds(100))
			e.must("FailoverDiskReplicaGroup", ebsReq{"RegionId": sh, "ReplicaGroupId": g})
			e.advance(ebsFailoverSeconds)
			e.must("ReprotectDiskReplicaGroup", ebsReq{"RegionId": sh, "ReplicaGroupId": g})
			e.advance(ebsReprotectSeconds)
			e.must("StartDiskReplicaGroup", ebsReq{"RegionId": sh, "ReplicaGroupId": g})
			return ebsReq{"RegionId": hz, "ReplicaGroupId": g}
		}, "FailoverDiskReplicaGroup", "OperationDenied.InvalidStatus"},
		{"reprotecting a group while a member's primary disk is attached", func(e *ebsT) ebsReq {
			g, pr := e.groupWithPair()
			e.srv.store.force(ebsAcct, g, map[string]string{"Status": "failovered"}, e.srv.Clock().Now())
			e.srv.store.force(ebsAcct, pr, map[string]string{"Status": "failovered"}, e.srv.Clock().Now())
			e.srv.store.force(ebsAcct, hzDisk1, map[string]string{"Status": "In_use"}, e.srv.Clock().Now())
			return ebsReq{"RegionId": sh, "ReplicaGroupId": g}
		}, "ReprotectDiskReplicaGroup", "OperationDenied.InvalidStatus"},
		{"reprotecting an empty group", func(e *ebsT) ebsReq {
			g := e.newGroup(nil)
			e.srv.store.force(ebsAcct, g, map[string]string{"Status": "failovered"}, e.srv.Clock().Now())
			return ebsReq{"RegionId": sh, "ReplicaGroupId": g}
		}, "ReprotectDiskReplicaGroup", "OperationDenied.NoPairInGroup"},
		{"a created group is not running, so it cannot be stopped", func(e *ebsT) ebsReq {
			return ebsReq{"RegionId": hz, "ReplicaGroupId": e.newGroup(nil)}
		}, "StopDiskReplicaGroup", "OperationDenied.InvalidStatus"},
		{"a group still creating cannot take pairs", func(e *ebsT) ebsReq {
			g := e.must("CreateDiskReplicaGroup", ebsReq{"RegionId": hz, "SourceZoneId": "cn-hangzhou-h",
				"DestinationRegionId": sh, "DestinationZoneId": "cn-shanghai-e"})["ReplicaGroupId"].(string)
			pr := e.newPair(hzDisk1, "cn-hangzhou-h", shDisk1, "cn-shanghai-e")
			return ebsReq{"RegionId": hz, "ReplicaGroupId": g, "ReplicaPairId": pr}
		}, "AddDiskReplicaPair", "OperationDenied.GroupStatusCannotAddPair"},
		{"a syncing pair cannot join a group", func(e *ebsT) ebsReq {
			g := e.newGroup(nil)
			pr := e.newPair(hzDisk1, "cn-hangzhou-h", shDisk1, "cn-shanghai-e")
			e.must("StartDiskReplicaPair", ebsReq{"RegionId": hz, "ReplicaPairId": pr})
			return ebsReq{"RegionId": hz, "ReplicaGroupId": g, "ReplicaPairId": pr}
		}, "AddDiskReplicaPair", "OperationDenied.PairStatusCannotAddToGroup"},
		{"a pair in another group", func(e *ebsT) ebsReq {
			_, pr := e.groupWithPair()
			return ebsReq{"RegionId": hz, "ReplicaGroupId": e.newGroup(nil), "ReplicaPairId": pr}
		}, "AddDiskReplicaPair", "OperationDenied.PairInAnotherGroup"},
		{"a pair from another zone than the group's source zone", func(e *ebsT) ebsReq {
			pr := e.newPair(hzDisk3, "cn-hangzhou-i", shDisk3, "cn-shanghai-f")
			return ebsReq{"RegionId": hz, "ReplicaGroupId": e.newGroup(nil), "ReplicaPairId": pr}
		}, "AddDiskReplicaPair", "OperationDenied.PairGroupAZoneConflict"},
		{"a group holds at most 17 pairs", func(e *ebsT) ebsReq {
			g := e.newGroup(nil)
			seedPairsInGroup(t, e, g, maxPairsPerGroup)
			pr := e.newPair(hzDisk1, "cn-hangzhou-h", shDisk1, "cn-shanghai-e")
			return ebsReq{"RegionId": hz, "ReplicaGroupId": g, "ReplicaPairId": pr}
		}, "AddDiskReplicaPair", "OperationDenied.PairsExceedInGroup"},
		{"removing a pair that is not in the group", func(e *ebsT) ebsReq {
			pr := e.newPair(hzDisk1, "cn-hangzhou-h", shDisk1, "cn-shanghai-e")
			return ebsReq{"RegionId": hz, "ReplicaGroupId": e.newGroup(nil), "ReplicaPairId": pr}
		}, "RemoveDiskReplicaPair", "OperationDenied.PairNotInGroup"},
		{"removing from a running group", func(e *ebsT) ebsReq {
			g, pr := e.groupWithPair()
			e.must("StartDiskReplicaGroup", ebsReq{"RegionId": hz, "ReplicaGroupId": g})
			return ebsReq{"RegionId": hz, "ReplicaGroupId": g, "ReplicaPairId": pr}
		}, "RemoveDiskReplicaPair", "OperationDenied.GroupStatusCannotRemovePair"},
		{"a member started on its own is out of step with its group", func(e *ebsT) ebsReq {
			g, pr := e.groupWithPair()
			e.must("StartDiskReplicaPair", ebsReq{"RegionId": hz, "ReplicaPairId": pr})
			return ebsReq{"RegionId": hz, "ReplicaGroupId": g}
		}, "StartDiskReplicaGroup", "OperationDenied.PairGroupStatusConflict"},
		{"a member reversed on its own no longer shares the group's direction", func(e *ebsT) ebsReq {
			g, pr := e.groupWithPair()
			e.srv.store.force(ebsAcct, pr, map[string]string{"Status": "failovered"}, e.srv.Clock().Now())
			e.must("ReprotectDiskReplicaPair", ebsReq{"RegionId": sh, "ReplicaPairId": pr})
			e.advance(ebsReprotectSeconds)
			return ebsReq{"RegionId": hz, "ReplicaGroupId": g}
		}, "StartDiskReplicaGroup", "OperationDenied.PairGroupAZoneConflict"},
		{"the secondary disk is attached to an instance", func(e *ebsT) ebsReq {
			g := e.newGroup(nil)
			pr := e.newPair(hzDisk1, "cn-hangzhou-h", shDisk1, "cn-shanghai-e")
			e.must("AddDiskReplicaPair", ebsReq{"RegionId": hz, "ReplicaGroupId": g, "ReplicaPairId": pr})
			e.srv.store.force(ebsAcct, shDisk1, map[string]string{"Status": "In_use"}, e.srv.Clock().Now())
			return ebsReq{"RegionId": hz, "ReplicaGroupId": g}
		}, "StartDiskReplicaGroup", "OperationDenied.StandbyDeviceAttached"},
		{"a group is not visible from a region it does not touch", func(e *ebsT) ebsReq {
			return ebsReq{"RegionId": "cn-beijing", "ReplicaGroupId": e.newGroup(nil)}
		}, "DeleteDiskReplicaGroup", "NoSuchResource"},
		{"within one region a group must change zones", func(e *ebsT) ebsReq {
			return ebsReq{"RegionId": hz, "SourceZoneId": "cn-hangzhou-h", "DestinationRegionId": hz, "DestinationZoneId": "cn-hangzhou-h"}
		}, "CreateDiskReplicaGroup", "InvalidParameter"},
		{"a zone outside its region", func(e *ebsT) ebsReq {
			return ebsReq{"RegionId": hz, "SourceZoneId": "cn-shanghai-e", "DestinationRegionId": sh, "DestinationZoneId": "cn-shanghai-e"}
		}, "CreateDiskReplicaGroup", "InvalidParameter"},
		{"a failovered group cannot be modified", func(e *ebsT) ebsReq {
			g := e.newGroup(nil)
			e.srv.store.force(ebsAcct, g, map[string]string{"Status": "failovered"}, e.srv.Clock().Now())
			return ebsReq{"RegionId": hz, "ReplicaGroupId": g, "GroupName": "renamed"}
		}, "ModifyDiskReplicaGroup", "OperationDenied.InvalidStatus"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEBS(t)
			e.fails(tc.action, tc.setup(e), tc.code)
		})
	}
}

// seedPairsInGroup seeds n created pairs between extra disks, all of them members of g.
func seedPairsInGroup(t *testing.T, e *ebsT, g string, n int) {
	t.Helper()
	var disks, pairs []map[string]any
	for i := range n {
		src, dst := diskName("bp1", i), diskName("uf6", i)
		disks = append(disks,
			map[string]any{"DiskId": src, "RegionId": hz, "ZoneId": "cn-hangzhou-h", "Size": 20},
			map[string]any{"DiskId": dst, "RegionId": sh, "ZoneId": "cn-shanghai-e", "Size": 20})
		pairs = append(pairs, map[string]any{"ReplicaPairId": "pair-cn-seed" + diskName("", i),
			"SourceDiskId": src, "DestinationDiskId": dst, "ReplicaGroupId": g})
	}
	seedEBS(t, e, map[string]any{"disks": disks, "replicaPairs": pairs})
}

func diskName(prefix string, i int) string {
	const digits = "0123456789"
	return "d-" + prefix + "seed" + string(digits[i/10%10]) + string(digits[i%10])
}

// TestOneShotKeepsMembersInStep: a group whose newest member never had a full sync does a
// full one-shot, and every member, even one synced before, stays with it until it ends.
func TestOneShotKeepsMembersInStep(t *testing.T) {
	e := newEBS(t)
	g, old := e.groupWithPair()
	e.must("StartDiskReplicaGroup", ebsReq{"RegionId": hz, "ReplicaGroupId": g, "OneShot": "true"})
	e.advance(fullSyncSeconds(100) + ebsDefaultRPO)
	fresh := e.newPair(hzDisk2, "cn-hangzhou-h", shDisk2, "cn-shanghai-e")
	e.srv.store.force(ebsAcct, fresh, map[string]string{"Status": "stopped"}, e.srv.Clock().Now())
	e.must("AddDiskReplicaPair", ebsReq{"RegionId": hz, "ReplicaGroupId": g, "ReplicaPairId": fresh})
	e.must("StartDiskReplicaGroup", ebsReq{"RegionId": hz, "ReplicaGroupId": g, "OneShot": "true"})
	e.advance(ebsIncrementalSeconds)
	expect(t, e, g, old, "manual_syncing", "manual_syncing")
	e.advance(fullSyncSeconds(200))
	expect(t, e, g, old, "stopped", "stopped")
	if got := status(t, e.pair(fresh, hz)); got != "stopped" {
		t.Fatalf("new member after the one-shot: %s", got)
	}
}

// TestSameRegionGroup: a group may replicate between two zones of one region (the metadata:
// same-region cross-zone or cross-region). That region then holds both ends: it lists the
// group under either Site, and it is the destination region the drill rules ask for.
func TestSameRegionGroup(t *testing.T) {
	e := newEBS(t)
	g := e.must("CreateDiskReplicaGroup", ebsReq{"RegionId": hz, "SourceZoneId": "cn-hangzhou-h",
		"DestinationRegionId": hz, "DestinationZoneId": "cn-hangzhou-i"})["ReplicaGroupId"].(string)
	e.advance(ebsCreateSeconds)
	for _, site := range []string{"production", "backup"} {
		list := items(e.must("DescribeDiskReplicaGroups", ebsReq{"RegionId": hz, "Site": site}), "ReplicaGroups")
		if len(list) != 1 || list[0]["ReplicaGroupId"] != g || list[0]["Site"] != site {
			t.Errorf("Site=%s lists %v, want the group shown as %s", site, list, site)
		}
	}
	e.fails("StartReplicaGroupDrill", ebsReq{"RegionId": hz, "GroupId": g}, "OperationDenied.RecoverPointNotFound")
	e.fails("DeleteDiskReplicaGroup", ebsReq{"RegionId": sh, "ReplicaGroupId": g}, "NoSuchResource")
}
