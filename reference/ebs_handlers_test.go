package reference

import "testing"

// TestEveryEBSActionHasAHandler: the handler table and the contract name the same actions.
func TestEveryEBSActionHasAHandler(t *testing.T) {
	e := newEBS(t)
	prod, _ := e.srv.catalog.ByName("ebs")
	table := ebsHandlers()
	for _, a := range prod.Actions() {
		if table[a.Name] == nil {
			t.Errorf("the contract has %s but the reference has no handler", a.Name)
		}
	}
	for name := range table {
		if _, ok := prod.Action(name); !ok {
			t.Errorf("handler %s answers an action the contract does not describe", name)
		}
	}
}

// TestEveryEBSActionAnswersWithinTheContract runs one scenario that makes every action
// succeed at least once; the helper validates every success body against the action's
// response schema, so this fails if any action's body breaks it or is never exercised.
func TestEveryEBSActionAnswersWithinTheContract(t *testing.T) {
	e := newEBS(t)
	g := e.newGroup(ebsReq{"GroupName": "all", "Description": "every action", "Tag.1.Key": "k", "Tag.1.Value": "v"})
	e.must("ModifyDiskReplicaGroup", ebsReq{"RegionId": hz, "ReplicaGroupId": g, "GroupName": "all-2", "RPO": "900", "Bandwidth": "0", "EnableRtc": "true"})
	pr := e.newPair(hzDisk1, "cn-hangzhou-h", shDisk1, "cn-shanghai-e")
	e.must("ModifyDiskReplicaPair", ebsReq{"RegionId": hz, "ReplicaPairId": pr, "PairName": "p1", "RPO": "900"})
	e.must("AddDiskReplicaPair", ebsReq{"RegionId": hz, "ReplicaGroupId": g, "ReplicaPairId": pr})
	e.must("StartDiskReplicaGroup", ebsReq{"RegionId": hz, "ReplicaGroupId": g})
	e.must("DescribeDiskReplicaPairProgress", ebsReq{"RegionId": hz, "ReplicaPairId": pr})
	e.advance(fullSyncSeconds(100) + ebsCatchUpSeconds)
	e.must("DescribeDiskReplicaGroups", ebsReq{"RegionId": hz})
	e.must("DescribeDiskReplicaPairs", ebsReq{"RegionId": sh, "Site": "backup", "MaxResults": "1"})
	drill := e.must("StartReplicaGroupDrill", ebsReq{"RegionId": sh, "GroupId": g})["DrillId"].(string)
	e.advance(ebsDrillRunSeconds)
	e.must("DescribeReplicaGroupDrills", ebsReq{"RegionId": sh, "GroupId": g})
	e.must("ClearReplicaGroupDrill", ebsReq{"RegionId": sh, "GroupId": g, "DrillId": drill})
	pairDrill := e.must("StartPairDrill", ebsReq{"RegionId": sh, "PairId": pr})["DrillId"].(string)
	e.advance(ebsDrillRunSeconds)
	e.must("DescribePairDrills", ebsReq{"RegionId": hz, "PairId": pr, "MaxResults": "5"})
	e.must("ClearPairDrill", ebsReq{"RegionId": sh, "PairId": pr, "DrillId": pairDrill})
	e.must("StopDiskReplicaGroup", ebsReq{"RegionId": hz, "ReplicaGroupId": g})
	e.advance(ebsStopSeconds)
	e.must("FailoverDiskReplicaGroup", ebsReq{"RegionId": sh, "ReplicaGroupId": g})
	e.advance(ebsFailoverSeconds)
	e.must("ReprotectDiskReplicaGroup", ebsReq{"RegionId": sh, "ReplicaGroupId": g})
	e.advance(ebsReprotectSeconds)
	e.must("RemoveDiskReplicaPair", ebsReq{"RegionId": sh, "ReplicaGroupId": g, "ReplicaPairId": pr})
	e.must("DeleteDiskReplicaGroup", ebsReq{"RegionId": sh, "ReplicaGroupId": g})

	e.must("StartDiskReplicaPair", ebsReq{"RegionId": sh, "ReplicaPairId": pr})
	e.advance(fullSyncSeconds(100)) // failover needs the first full sync after the reprotect
	e.must("StopDiskReplicaPair", ebsReq{"RegionId": sh, "ReplicaPairId": pr})
	e.advance(ebsStopSeconds)
	e.must("FailoverDiskReplicaPair", ebsReq{"RegionId": hz, "ReplicaPairId": pr})
	e.advance(ebsFailoverSeconds)
	e.must("ReprotectDiskReplicaPair", ebsReq{"RegionId": hz, "ReplicaPairId": pr})
	e.advance(ebsReprotectSeconds)
	e.must("DeleteDiskReplicaPair", ebsReq{"RegionId": hz, "ReplicaPairId": pr})

	prod, _ := e.srv.catalog.ByName("ebs")
	for _, a := range prod.Actions() {
		if !e.ok[a.Name] {
			t.Errorf("%s never answered 200 in the scenario", a.Name)
		}
	}
}

// TestClientTokenReplaysEBSCreates: a retried create with the same token mints nothing new;
// the same token with other parameters is refused (answered generically, checked here for
// the EBS bodies).
func TestClientTokenReplaysEBSCreates(t *testing.T) {
	e := newEBS(t)
	r := ebsReq{"RegionId": hz, "SourceZoneId": "cn-hangzhou-h", "DiskId": hzDisk1, "DestinationRegionId": sh,
		"DestinationZoneId": "cn-shanghai-e", "DestinationDiskId": shDisk1, "ClientToken": "tok-1"}
	first := e.must("CreateDiskReplicaPair", r)
	again := e.must("CreateDiskReplicaPair", r)
	if first["ReplicaPairId"] != again["ReplicaPairId"] || first["OrderId"] != again["OrderId"] {
		t.Fatalf("retry minted a new pair: %v then %v", first, again)
	}
	r["PairName"] = "changed"
	e.fails("CreateDiskReplicaPair", r, "IdempotentParameterMismatch")
}
