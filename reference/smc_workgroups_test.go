package reference

import (
	"fmt"
	"testing"
	"time"
)

func TestWorkgroupMembershipAndStatus(t *testing.T) {
	srv := newSMCServer(t)
	wg := must(t, srv, defaultAcct, "CreateWorkgroup", p{"Name": "wave1", "Tag.1.Key": "wave", "Tag.1.Value": "1"})["WorkgroupId"].(string)
	wg2 := must(t, srv, defaultAcct, "CreateWorkgroup", p{"Name": "wave2"})["WorkgroupId"].(string)
	group := func(id string) map[string]any {
		list := wrapped(must(t, srv, defaultAcct, "DescribeWorkgroups", p{"WorkgroupId.1": id}), "Workgroups", "Workgroup")
		if len(list) != 1 {
			t.Fatalf("workgroup %s listed %d times", id, len(list))
		}
		return list[0]
	}
	must(t, srv, defaultAcct, "AssociateSourceServers", p{"WorkgroupId": wg, "SourceId.1": linuxSrc, "SourceId.2": linuxSrc2})
	must(t, srv, defaultAcct, "AssociateSourceServers", p{"WorkgroupId": wg, "SourceId.1": linuxSrc})
	fails(t, srv, defaultAcct, "AssociateSourceServers", p{"WorkgroupId": wg2, "SourceId.1": linuxSrc}, "SourceServer.InOtherWorkgroup")
	fails(t, srv, defaultAcct, "AssociateSourceServers", p{"WorkgroupId": wg2, "SourceId.1": otherSrc}, "InvalidSourceId.NotFound")
	if got := sourceOf(t, srv, defaultAcct, linuxSrc)["WorkgroupId"]; got != wg {
		t.Errorf("a member names its group: %v", got)
	}
	if g := group(wg); g["Status"] != "NotStarted" || len(wrapped(g, "Warnings", "Warning")) != 1 {
		t.Errorf("no jobs yet: NotStarted with an UnRelated warning, got %v", g)
	}
	job := createJob(t, srv, linuxSrc, nil)
	must(t, srv, defaultAcct, "StartReplicationJob", p{"JobId": job})
	if g := group(wg); g["Status"] != "InProgress" {
		t.Errorf("a running member job: InProgress, got %v", g["Status"])
	}
	fails(t, srv, defaultAcct, "DisassociateSourceServers", p{"WorkgroupId": wg, "SourceId.1": linuxSrc2, "SourceId.2": "s-bp1smcctwindows00001"}, "SourceServer.NotInWorkgroup")
	if got := sourceOf(t, srv, defaultAcct, linuxSrc2)["WorkgroupId"]; got != wg {
		t.Errorf("a refused disassociation changes nothing: %v", got)
	}
	must(t, srv, defaultAcct, "DisassociateSourceServers", p{"WorkgroupId": wg, "SourceId.1": linuxSrc2})
	advance(srv, time.Hour)
	if g := group(wg); g["Status"] != "Completed" {
		t.Errorf("every member finished: Completed, got %v", g["Status"])
	}
	must(t, srv, defaultAcct, "ModifyWorkgroupAttribute", p{"WorkgroupId": wg, "Name": "wave1b"})
	if n := len(wrapped(must(t, srv, defaultAcct, "DescribeWorkgroups", p{"Name": "wave1b", "Tag.1.Key": "wave"}), "Workgroups", "Workgroup")); n != 1 {
		t.Errorf("renamed group found by name and tag: %d", n)
	}
	must(t, srv, defaultAcct, "DeleteWorkgroup", p{"WorkgroupId": wg})
	if got := sourceOf(t, srv, defaultAcct, linuxSrc)["WorkgroupId"]; got != "" {
		t.Errorf("deleting a group frees its sources: %v", got)
	}
	fails(t, srv, otherAcct, "DeleteWorkgroup", p{"WorkgroupId": wg2}, "InvalidWorkgroupId.NotFound")
}

func TestWorkgroupQuotas(t *testing.T) {
	srv := newSMCServer(t)
	for i := range maxWorkgroups {
		must(t, srv, defaultAcct, "CreateWorkgroup", p{"Name": fmt.Sprintf("g%02d", i)})
	}
	fails(t, srv, defaultAcct, "CreateWorkgroup", nil, "QuotaExceeded.Workgroup")
	unjournaled(srv)
	s := srv.store.accounts[defaultAcct].SMC
	w := s.Workgroups[0]
	for i := range maxSourcesPerWorkgrp {
		id := fmt.Sprintf("s-filler%013d", i)
		s.Sources = append(s.Sources, newSeededSource(sourceView{SourceId: id, WorkgroupId: w.WorkgroupId}, DefaultStart))
		w.SourceIds = append(w.SourceIds, id)
	}
	s.sourcesGen++ // the list changed behind the handlers' back: the index must know
	fails(t, srv, defaultAcct, "AssociateSourceServers", p{"WorkgroupId": w.WorkgroupId, "SourceId.1": linuxSrc}, "QuotaExceeded.WorkgroupSourceServer")
}

func TestCrossZoneJobRunsThroughTheLifecycle(t *testing.T) {
	srv := newSMCServer(t)
	cases := []struct {
		params p
		code   string
		why    string
	}{
		{p{"TargetZoneId": "cn-shanghai-e"}, "InvalidTargetZoneId", "the zone is not in the region"},
		{p{"TargetZoneId": "cn-hangzhou-h", "TargetVSwitchId": "vsw-bp1smcct0000000000003"}, "InvalidTargetVSwitchId", "the vSwitch is in another zone"},
		{p{"TargetZoneId": "cn-hangzhou-i", "TargetVSwitchId": "vsw-bp1smcct0000000000002"}, "", "zone and vSwitch agree"},
	}
	var id string
	for _, tc := range cases {
		tc.params["RegionId"], tc.params["InstanceId"] = "cn-hangzhou", "i-bp1smcct00000000001"
		body, err := call(t, srv, defaultAcct, "CreateCrossZoneMigrationJob", tc.params)
		switch {
		case tc.code == "" && err != nil:
			t.Fatalf("%s: %v", tc.why, err)
		case tc.code != "" && (err == nil || err.Code != tc.code):
			t.Fatalf("%s: got %v, want %s", tc.why, err, tc.code)
		case err == nil:
			id = body["JobId"].(string)
		}
	}
	j := jobOf(t, srv, defaultAcct, id)
	if j["JobType"].(float64) != 2 || j["Status"] != "Running" || j["VpcId"] != "vpc-bp1smcct0000000000001" {
		t.Fatalf("a cross-zone job is type 2 and runs at once: %v", j)
	}
	advance(srv, runDuration())
	if got := jobOf(t, srv, defaultAcct, id)["Status"]; got != "Finished" {
		t.Errorf("it finishes like a one-time job, got %v", got)
	}
}
