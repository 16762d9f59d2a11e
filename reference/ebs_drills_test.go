package reference

import "testing"

// TestDrillLifecycle: a drill runs from the secondary's region on a group with a recovery
// point, copies each pair's secondary disk, and is cleared.
func TestDrillLifecycle(t *testing.T) {
	e := newEBS(t)
	g, pr := e.groupWithPair()
	e.fails("StartReplicaGroupDrill", ebsReq{"RegionId": sh, "GroupId": g}, "OperationDenied.RecoverPointNotFound")
	e.must("StartDiskReplicaGroup", ebsReq{"RegionId": hz, "ReplicaGroupId": g})
	e.advance(fullSyncSeconds(100) + ebsCatchUpSeconds)
	e.fails("StartReplicaGroupDrill", ebsReq{"RegionId": hz, "GroupId": g}, "OperationDenied.StartDrillShouldOnDestRegion")
	id := e.must("StartReplicaGroupDrill", ebsReq{"RegionId": sh, "GroupId": g})["DrillId"].(string)

	list := items(e.must("DescribeReplicaGroupDrills", ebsReq{"RegionId": sh, "GroupId": g}), "Drills")
	if len(list) != 1 || list[0]["DrillId"] != id || list[0]["Status"] != "executing" ||
		num64(list[0]["RecoverPoint"]) != num64(e.group(g, hz)["LastRecoverPoint"]) {
		t.Fatalf("running drill: %v", list)
	}
	disks, _ := list[0]["PairsInfo"].([]any)
	if len(disks) != 1 || disks[0].(map[string]any)["PairId"] != pr || disks[0].(map[string]any)["DrillDiskStatus"] != "creating" {
		t.Fatalf("drill disks: %v", disks)
	}
	e.fails("ClearReplicaGroupDrill", ebsReq{"RegionId": sh, "GroupId": g, "DrillId": id}, "OperationDenied.InvalidStatus")
	e.advance(ebsDrillRunSeconds)
	drill := items(e.must("DescribeReplicaGroupDrills", ebsReq{"RegionId": hz, "GroupId": g, "DrillId": id}), "Drills")[0]
	if drill["Status"] != "executed" {
		t.Fatalf("drill after %ds: %v", ebsDrillRunSeconds, drill)
	}

	other := e.newGroup(nil)
	e.fails("ClearReplicaGroupDrill", ebsReq{"RegionId": sh, "GroupId": other, "DrillId": id}, "NoSuchResource")
	e.fails("DescribeReplicaGroupDrills", ebsReq{"RegionId": sh, "GroupId": other, "DrillId": id}, "NoSuchResource")
	e.fails("DescribeReplicaGroupDrills", ebsReq{"RegionId": sh, "GroupId": "pg-nothing"}, "NoSuchResource")

	e.must("ClearReplicaGroupDrill", ebsReq{"RegionId": sh, "GroupId": g, "DrillId": id})
	e.must("ClearReplicaGroupDrill", ebsReq{"RegionId": sh, "GroupId": g, "DrillId": id}) // already clearing
	e.advance(ebsDrillClearSeconds)
	if n := len(items(e.must("DescribeReplicaGroupDrills", ebsReq{"RegionId": sh, "GroupId": g}), "Drills")); n != 0 {
		t.Fatalf("%d drills left after clearing", n)
	}
	e.fails("ClearReplicaGroupDrill", ebsReq{"RegionId": sh, "GroupId": g, "DrillId": id}, "NoSuchResource")
}
