package reference

import "testing"

// TestPairLifecycle drives a pair on its own: created at once, full sync with progress,
// syncing then normal, stop, failover from the secondary's region, reprotect (reversed), and
// delete from the new primary's region.
func TestPairLifecycle(t *testing.T) {
	e := newEBS(t)
	body := e.must("CreateDiskReplicaPair", ebsReq{"RegionId": hz, "SourceZoneId": "cn-hangzhou-h",
		"DiskId": hzDisk4, "DestinationRegionId": sh, "DestinationZoneId": "cn-shanghai-e",
		"DestinationDiskId": shDisk4, "PairName": "logs", "ChargeType": "PREPAY", "Period": "2"})
	pr := body["ReplicaPairId"].(string)
	if body["OrderId"] == "" {
		t.Fatal("CreateDiskReplicaPair returned no OrderId")
	}
	pv := e.pair(pr, hz)
	if status(t, pv) != "created" || pv["Site"] != "production" || num64(pv["Bandwidth"]) != 10240 ||
		num64(pv["ExpiredTime"]) <= num64(pv["CreateTime"]) || num64(pv["RPO"]) != ebsDefaultRPO {
		t.Fatalf("new PREPAY pair: %v", pv)
	}
	if e.pair(pr, sh)["Site"] != "backup" {
		t.Fatal("the secondary's region should see the pair as backup")
	}

	if p := e.must("DescribeDiskReplicaPairProgress", ebsReq{"RegionId": hz, "ReplicaPairId": pr}); p["RecoverPoint"] != nil {
		t.Fatalf("a pair never started has no recovery point to report: %v", p)
	}
	e.must("StartDiskReplicaPair", ebsReq{"RegionId": sh, "ReplicaPairId": pr})
	full := fullSyncSeconds(500)
	if got := status(t, e.pair(pr, hz)); got != "initial_syncing" {
		t.Fatalf("started pair: %s", got)
	}
	e.advance(full / 5)
	if p := e.must("DescribeDiskReplicaPairProgress", ebsReq{"RegionId": hz, "ReplicaPairId": pr}); num64(p["Progress"]) != 20 {
		t.Fatalf("progress a fifth of the way: %v", p)
	}
	e.advance(full - full/5)
	if got := status(t, e.pair(pr, hz)); got != "syncing" {
		t.Fatalf("after the full sync: %s, want syncing", got)
	}
	e.advance(ebsCatchUpSeconds)
	p := e.must("DescribeDiskReplicaPairProgress", ebsReq{"RegionId": hz, "ReplicaPairId": pr})
	if status(t, e.pair(pr, hz)) != "normal" || num64(p["Progress"]) != 100 || num64(p["RecoverPoint"]) == 0 {
		t.Fatalf("settled pair: %v", p)
	}

	e.must("StopDiskReplicaPair", ebsReq{"RegionId": hz, "ReplicaPairId": pr})
	e.advance(ebsStopSeconds)
	e.fails("StopDiskReplicaPair", ebsReq{"RegionId": hz, "ReplicaPairId": pr}, "OperationDenied.InvalidStatus")
	e.must("ModifyDiskReplicaPair", ebsReq{"RegionId": hz, "ReplicaPairId": pr, "PairName": "logs-2", "Description": "rotated logs"})
	if pv := e.pair(pr, hz); pv["PairName"] != "logs-2" || pv["Description"] != "rotated logs" {
		t.Fatalf("modified pair: %v", pv)
	}

	e.fails("FailoverDiskReplicaPair", ebsReq{"RegionId": hz, "ReplicaPairId": pr}, "OperationDenied.OperateNotAllowedForPrimary")
	e.must("FailoverDiskReplicaPair", ebsReq{"RegionId": sh, "ReplicaPairId": pr})
	e.advance(ebsFailoverSeconds)
	e.must("ReprotectDiskReplicaPair", ebsReq{"RegionId": sh, "ReplicaPairId": pr, "ReverseReplicate": "true"})
	e.advance(ebsReprotectSeconds)
	pv = e.pair(pr, sh)
	if status(t, pv) != "stopped" || pv["SourceDiskId"] != shDisk4 || pv["Site"] != "production" {
		t.Fatalf("reprotected pair: %v", pv)
	}

	e.fails("DeleteDiskReplicaPair", ebsReq{"RegionId": hz, "ReplicaPairId": pr}, "OperationDenied.OperateNotAllowedForStandby")
	e.must("DeleteDiskReplicaPair", ebsReq{"RegionId": sh, "ReplicaPairId": pr})
	e.advance(ebsDeleteSeconds)
	e.fails("DescribeDiskReplicaPairProgress", ebsReq{"RegionId": sh, "ReplicaPairId": pr}, "NoSuchResource")
	// The disks outlive the pair and can be paired again.
	e.newPair(hzDisk4, "cn-hangzhou-h", shDisk4, "cn-shanghai-e")
}

// TestReprotectDirection: ReverseReplicate false keeps the direction; the v1 parameters name
// the new source side instead.
func TestReprotectDirection(t *testing.T) {
	cases := []struct {
		name    string
		extra   ebsReq
		source  string // source disk afterwards
		errCode string
	}{
		{"v2 default reverses", ebsReq{}, shDisk1, ""},
		{"v2 false keeps the direction", ebsReq{"ReverseReplicate": "false"}, hzDisk1, ""},
		{"v1 names the secondary as the new source", ebsReq{"SourceRegionId": sh, "SourceZoneId": "cn-shanghai-e"}, shDisk1, ""},
		{"v1 names the current source", ebsReq{"SourceRegionId": hz}, hzDisk1, ""},
		{"v1 names a region of neither side", ebsReq{"SourceRegionId": "cn-beijing"}, "", "InvalidParameter"},
		{"v1 names the right region with a wrong zone", ebsReq{"SourceRegionId": sh, "SourceZoneId": "cn-shanghai-f"}, "", "InvalidParameter"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEBS(t)
			g, pr := e.groupWithPair()
			for _, id := range []string{g, pr} {
				e.srv.store.force(ebsAcct, id, map[string]string{"Status": "failovered"}, e.srv.Clock().Now())
			}
			r := ebsReq{"RegionId": sh, "ReplicaGroupId": g}
			for k, v := range tc.extra {
				r[k] = v
			}
			if tc.errCode != "" {
				e.fails("ReprotectDiskReplicaGroup", r, tc.errCode)
				return
			}
			e.must("ReprotectDiskReplicaGroup", r)
			if got := e.pair(pr, hz)["SourceDiskId"]; got != tc.source {
				t.Fatalf("source disk %v, want %s", got, tc.source)
			}
		})
	}
}

// TestPairRefusals: the pair rules the handlers add, and generic state checks they rely on.
func TestPairRefusals(t *testing.T) {
	create := func(over ebsReq) ebsReq {
		r := ebsReq{"RegionId": hz, "SourceZoneId": "cn-hangzhou-h", "DiskId": hzDisk1,
			"DestinationRegionId": sh, "DestinationZoneId": "cn-shanghai-e", "DestinationDiskId": shDisk1}
		for k, v := range over {
			r[k] = v
		}
		return r
	}
	cases := []struct {
		name   string
		setup  func(e *ebsT) ebsReq
		action string
		code   string
	}{
		{"an unknown source disk", func(e *ebsT) ebsReq { return create(ebsReq{"DiskId": "d-bp1nothing"}) },
			"CreateDiskReplicaPair", "NoSuchResource"},
		{"an unknown destination disk", func(e *ebsT) ebsReq { return create(ebsReq{"DestinationDiskId": "d-uf6nothing"}) },
			"CreateDiskReplicaPair", "NoSuchResource"},
		{"the other account's disk", func(e *ebsT) ebsReq { return create(ebsReq{"DiskId": otherHz}) },
			"CreateDiskReplicaPair", "NoSuchResource"},
		{"a disk named in the wrong zone is not there", func(e *ebsT) ebsReq { return create(ebsReq{"SourceZoneId": "cn-hangzhou-i"}) },
			"CreateDiskReplicaPair", "NoSuchResource"},
		{"both disks in one region", func(e *ebsT) ebsReq {
			return create(ebsReq{"DestinationRegionId": hz, "DestinationZoneId": "cn-hangzhou-h", "DestinationDiskId": hzDisk2})
		}, "CreateDiskReplicaPair", "InvalidParameter"},
		{"a secondary smaller than the primary", func(e *ebsT) ebsReq {
			return create(ebsReq{"DiskId": hzDisk4, "DestinationDiskId": shDisk1})
		}, "CreateDiskReplicaPair", "InvalidParameter"},
		{"a disk already replicating", func(e *ebsT) ebsReq {
			e.newPair(hzDisk1, "cn-hangzhou-h", shDisk1, "cn-shanghai-e")
			return create(ebsReq{"DestinationDiskId": shDisk2})
		}, "CreateDiskReplicaPair", "OperationDenied.InvalidStatus"},
		{"pay-as-you-go pairs cannot buy bandwidth", func(e *ebsT) ebsReq { return create(ebsReq{"Bandwidth": "10240"}) },
			"CreateDiskReplicaPair", "InvalidParameter"},
		{"an attached secondary cannot be written to", func(e *ebsT) ebsReq {
			pr := e.newPair(hzDisk1, "cn-hangzhou-h", shDisk1, "cn-shanghai-e")
			e.srv.store.force(ebsAcct, shDisk1, map[string]string{"Status": "In_use"}, e.srv.Clock().Now())
			return ebsReq{"RegionId": hz, "ReplicaPairId": pr}
		}, "StartDiskReplicaPair", "OperationDenied.StandbyDeviceAttached"},
		{"one-shot syncs too close together", func(e *ebsT) ebsReq {
			pr := e.newPair(hzDisk1, "cn-hangzhou-h", shDisk1, "cn-shanghai-e")
			e.must("StartDiskReplicaPair", ebsReq{"RegionId": hz, "ReplicaPairId": pr, "OneShot": "true"})
			e.advance(fullSyncSeconds(100))
			return ebsReq{"RegionId": hz, "ReplicaPairId": pr, "OneShot": "true"}
		}, "StartDiskReplicaPair", "OperationDenied.ManualSyncLimit"},
		{"a running pair cannot be started again", func(e *ebsT) ebsReq {
			pr := e.newPair(hzDisk1, "cn-hangzhou-h", shDisk1, "cn-shanghai-e")
			e.must("StartDiskReplicaPair", ebsReq{"RegionId": hz, "ReplicaPairId": pr})
			return ebsReq{"RegionId": hz, "ReplicaPairId": pr}
		}, "StartDiskReplicaPair", "OperationDenied.InvalidStatus"},
		{"only a failovered pair can be reprotected", func(e *ebsT) ebsReq {
			return ebsReq{"RegionId": sh, "ReplicaPairId": e.newPair(hzDisk1, "cn-hangzhou-h", shDisk1, "cn-shanghai-e")}
		}, "ReprotectDiskReplicaPair", "OperationDenied.InvalidStatus"},
		{"reprotect is asked of the secondary's region", func(e *ebsT) ebsReq {
			pr := e.newPair(hzDisk1, "cn-hangzhou-h", shDisk1, "cn-shanghai-e")
			e.srv.store.force(ebsAcct, pr, map[string]string{"Status": "failovered"}, e.srv.Clock().Now())
			return ebsReq{"RegionId": hz, "ReplicaPairId": pr}
		}, "ReprotectDiskReplicaPair", "OperationDenied.OperateNotAllowedForPrimary"},
		{"reprotect waits until the primary disk is detached", func(e *ebsT) ebsReq {
			pr := e.newPair(hzDisk1, "cn-hangzhou-h", shDisk1, "cn-shanghai-e")
			e.srv.store.force(ebsAcct, pr, map[string]string{"Status": "failovered"}, e.srv.Clock().Now())
			e.srv.store.force(ebsAcct, hzDisk1, map[string]string{"Status": "In_use"}, e.srv.Clock().Now())
			return ebsReq{"RegionId": sh, "ReplicaPairId": pr, "ReverseReplicate": "false"}
		}, "ReprotectDiskReplicaPair", "OperationDenied.InvalidStatus"},
		{"a created pair has never run, so it cannot be deleted", func(e *ebsT) ebsReq {
			return ebsReq{"RegionId": hz, "ReplicaPairId": e.newPair(hzDisk1, "cn-hangzhou-h", shDisk1, "cn-shanghai-e")}
		}, "DeleteDiskReplicaPair", "OperationDenied.InvalidStatus"},
		{"an invalid pair cannot fail over", func(e *ebsT) ebsReq {
			pr := e.newPair(hzDisk1, "cn-hangzhou-h", shDisk1, "cn-shanghai-e")
			e.srv.store.force(ebsAcct, pr, map[string]string{"Status": "invalid"}, e.srv.Clock().Now())
			return ebsReq{"RegionId": sh, "ReplicaPairId": pr}
		}, "FailoverDiskReplicaPair", "OperationDenied.InvalidStatus"},
		{"a created pair has no copy to fail over to", func(e *ebsT) ebsReq {
			return ebsReq{"RegionId": sh, "ReplicaPairId": e.newPair(hzDisk1, "cn-hangzhou-h", shDisk1, "cn-shanghai-e")}
		}, "FailoverDiskReplicaPair", "OperationDenied.InvalidStatus"},
		{"a pair stopped before its first full sync ended cannot fail over", func(e *ebsT) ebsReq {
			pr := e.newPair(hzDisk1, "cn-hangzhou-h", shDisk1, "cn-shanghai-e")
			e.must("StartDiskReplicaPair", ebsReq{"RegionId": hz, "ReplicaPairId": pr})
			e.advance(fullSyncSeconds(100) / 2)
			e.must("StopDiskReplicaPair", ebsReq{"RegionId": hz, "ReplicaPairId": pr})
			e.advance(ebsStopSeconds)
			return ebsReq{"RegionId": sh, "ReplicaPairId": pr}
		}, "FailoverDiskReplicaPair", "OperationDenied.InvalidStatus"},
		{"a pair is not visible from a third region", func(e *ebsT) ebsReq {
			return ebsReq{"RegionId": "cn-beijing", "ReplicaPairId": e.newPair(hzDisk1, "cn-hangzhou-h", shDisk1, "cn-shanghai-e")}
		}, "DescribeDiskReplicaPairProgress", "NoSuchResource"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEBS(t)
			e.fails(tc.action, tc.setup(e), tc.code)
		})
	}
}

// TestDeletingAMemberLeavesItsGroup: the contract lets a member be deleted; the group then
// no longer lists it and can itself be deleted.
func TestDeletingAMemberLeavesItsGroup(t *testing.T) {
	e := newEBS(t)
	g, pr := e.groupWithPair()
	e.srv.store.force(ebsAcct, pr, map[string]string{"Status": "stopped"}, e.srv.Clock().Now())
	e.must("DeleteDiskReplicaPair", ebsReq{"RegionId": hz, "ReplicaPairId": pr})
	if gv := e.group(g, hz); num64(gv["PairNumber"]) != 0 {
		t.Fatalf("group still counts the deleted pair: %v", gv)
	}
	e.must("DeleteDiskReplicaGroup", ebsReq{"RegionId": hz, "ReplicaGroupId": g})
}

// TestRestartAfterStopIsIncremental: initial_syncing is the first replication only (the
// metadata); a pair restarted after a Stop catches up from its recovery point, as do the
// members of a restarted group. A reprotect makes the next start a full sync again.
func TestRestartAfterStopIsIncremental(t *testing.T) {
	e := newEBS(t)
	pr := e.newPair(hzDisk2, "cn-hangzhou-h", shDisk2, "cn-shanghai-e")
	start := ebsReq{"RegionId": hz, "ReplicaPairId": pr}
	e.must("StartDiskReplicaPair", start)
	if got := status(t, e.pair(pr, hz)); got != "initial_syncing" {
		t.Fatalf("first start: %s, want initial_syncing", got)
	}
	e.advance(fullSyncSeconds(200) + ebsCatchUpSeconds)
	e.must("StopDiskReplicaPair", start)
	e.advance(ebsStopSeconds)
	point := num64(e.pair(pr, hz)["LastRecoverPoint"])
	e.must("StartDiskReplicaPair", start)
	if got := status(t, e.pair(pr, hz)); got != "syncing" {
		t.Fatalf("restart after a stop: %s, want syncing (no second full sync)", got)
	}
	e.advance(ebsCatchUpSeconds)
	if got, lrp := status(t, e.pair(pr, hz)), num64(e.pair(pr, hz)["LastRecoverPoint"]); got != "normal" || lrp <= point {
		t.Fatalf("after catching up: %s with recovery point %d (was %d)", got, lrp, point)
	}

	g, member := e.groupWithPair()
	group := ebsReq{"RegionId": hz, "ReplicaGroupId": g}
	e.must("StartDiskReplicaGroup", group)
	expect(t, e, g, member, "syncing", "initial_syncing")
	e.advance(fullSyncSeconds(100) + ebsCatchUpSeconds)
	e.must("StopDiskReplicaGroup", group)
	e.advance(ebsStopSeconds)
	e.must("StartDiskReplicaGroup", group)
	expect(t, e, g, member, "syncing", "syncing")
	e.advance(ebsCatchUpSeconds)
	expect(t, e, g, member, "normal", "normal")
}
