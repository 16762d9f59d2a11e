package reference

import "testing"

// TestPairDrillLifecycle: a pair drill runs from the secondary's region on a pair with a
// recovery point, copies its secondary disk into one drill disk, and is cleared; a group
// drill's ID is unknown to the pair drill actions and the other way round.
func TestPairDrillLifecycle(t *testing.T) {
	e := newEBS(t)
	pr := e.newPair(hzDisk1, "cn-hangzhou-h", shDisk1, "cn-shanghai-e")
	e.fails("StartPairDrill", ebsReq{"RegionId": sh, "PairId": pr}, "OperationDenied.RecoverPointNotFound")
	e.must("StartDiskReplicaPair", ebsReq{"RegionId": hz, "ReplicaPairId": pr})
	e.advance(fullSyncSeconds(100) + ebsCatchUpSeconds)
	e.fails("StartPairDrill", ebsReq{"RegionId": hz, "PairId": pr}, "OperationDenied.StartDrillShouldOnDestRegion")
	e.fails("StartPairDrill", ebsReq{"RegionId": "cn-beijing", "PairId": pr}, "NoSuchResource")
	id := e.must("StartPairDrill", ebsReq{"RegionId": sh, "PairId": pr})["DrillId"].(string)

	list := items(e.must("DescribePairDrills", ebsReq{"RegionId": hz, "PairId": pr}), "Drills")
	if len(list) != 1 || list[0]["DrillId"] != id || list[0]["Status"] != "executing" ||
		list[0]["DrillDiskStatus"] != "creating" || list[0]["DrillDiskId"] == "" ||
		num64(list[0]["RecoverPoint"]) != num64(e.pair(pr, hz)["LastRecoverPoint"]) {
		t.Fatalf("running drill: %v", list)
	}
	e.fails("ClearPairDrill", ebsReq{"RegionId": sh, "PairId": pr, "DrillId": id}, "OperationDenied.InvalidStatus")
	e.advance(ebsDrillRunSeconds)
	drill := items(e.must("DescribePairDrills", ebsReq{"RegionId": sh, "PairId": pr, "DrillId": id}), "Drills")[0]
	if drill["Status"] != "executed" || drill["DrillDiskStatus"] != "created" {
		t.Fatalf("drill after %ds: %v", ebsDrillRunSeconds, drill)
	}

	other := e.newPair(hzDisk2, "cn-hangzhou-h", shDisk2, "cn-shanghai-e")
	e.fails("ClearPairDrill", ebsReq{"RegionId": sh, "PairId": other, "DrillId": id}, "NoSuchResource")
	e.fails("DescribePairDrills", ebsReq{"RegionId": sh, "PairId": other, "DrillId": id}, "NoSuchResource")
	e.fails("DescribePairDrills", ebsReq{"RegionId": sh, "PairId": "pair-cn-nothing"}, "NoSuchResource")
	g := e.newGroup(nil)
	e.fails("ClearReplicaGroupDrill", ebsReq{"RegionId": sh, "GroupId": g, "DrillId": id}, "NoSuchResource")

	e.must("ClearPairDrill", ebsReq{"RegionId": hz, "PairId": pr, "DrillId": id})
	e.must("ClearPairDrill", ebsReq{"RegionId": sh, "PairId": pr, "DrillId": id}) // already clearing
	if d := items(e.must("DescribePairDrills", ebsReq{"RegionId": sh, "PairId": pr}), "Drills"); len(d) != 1 || d[0]["DrillDiskStatus"] != "deleting" {
		t.Fatalf("clearing drill: %v", d)
	}
	e.advance(ebsDrillClearSeconds)
	if n := len(items(e.must("DescribePairDrills", ebsReq{"RegionId": sh, "PairId": pr}), "Drills")); n != 0 {
		t.Fatalf("%d drills left after clearing", n)
	}
	e.fails("ClearPairDrill", ebsReq{"RegionId": sh, "PairId": pr, "DrillId": id}, "NoSuchResource")
}

// TestPairDrillsGoWithTheirPair: a deleted pair takes its drills along, so nothing is left
// that no action could list or clear.
func TestPairDrillsGoWithTheirPair(t *testing.T) {
	e := newEBS(t)
	pr := e.newPair(hzDisk1, "cn-hangzhou-h", shDisk1, "cn-shanghai-e")
	e.must("StartDiskReplicaPair", ebsReq{"RegionId": hz, "ReplicaPairId": pr})
	e.advance(fullSyncSeconds(100) + ebsCatchUpSeconds)
	e.must("StartPairDrill", ebsReq{"RegionId": sh, "PairId": pr})
	e.must("StopDiskReplicaPair", ebsReq{"RegionId": hz, "ReplicaPairId": pr})
	e.advance(ebsStopSeconds)
	e.must("DeleteDiskReplicaPair", ebsReq{"RegionId": hz, "ReplicaPairId": pr})
	e.advance(ebsDeleteSeconds)
	e.fails("DescribePairDrills", ebsReq{"RegionId": sh, "PairId": pr}, "NoSuchResource") // a request brings state up to now
	if n := len(e.srv.store.accounts[ebsAcct].EBS.PairDrills); n != 0 {
		t.Fatalf("%d drills of a deleted pair are still kept", n)
	}
}
