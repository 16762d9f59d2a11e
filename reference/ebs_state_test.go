package reference

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"
)

// seedEBS loads objects in the dump shape into the default account, as the control plane does.
func seedEBS(t *testing.T, e *ebsT, kinds map[string]any) {
	t.Helper()
	raw := map[string]json.RawMessage{}
	for k, v := range kinds {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		raw[k] = b
	}
	if err := e.srv.store.seedKinds(ebsAcct, raw, e.srv.Clock().Now()); err != nil {
		t.Fatalf("seed: %v", err)
	}
}

// TestEBSStateSurvivesJSON: an account's EBS share in the middle of every kind of lifecycle
// encodes and decodes to the same thing, and the restored copy keeps moving exactly like the
// original (durable state must resume timers, not restart them).
func TestEBSStateSurvivesJSON(t *testing.T) {
	e := newEBS(t)
	g, pr := e.groupWithPair()
	e.must("StartDiskReplicaGroup", ebsReq{"RegionId": hz, "ReplicaGroupId": g})
	e.advance(fullSyncSeconds(100) + ebsCatchUpSeconds)
	e.must("StartReplicaGroupDrill", ebsReq{"RegionId": sh, "GroupId": g})
	lone := e.newPair(hzDisk2, "cn-hangzhou-h", shDisk2, "cn-shanghai-e")
	e.must("StartDiskReplicaPair", ebsReq{"RegionId": hz, "ReplicaPairId": lone, "OneShot": "true"})
	e.advance(7)

	unjournaled(e.srv) // the test advances the live state itself
	orig := e.srv.store.accounts[ebsAcct].EBS
	b, err := json.Marshal(orig)
	if err != nil {
		t.Fatal(err)
	}
	var back ebsState
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	b2, _ := json.Marshal(&back)
	if string(b) != string(b2) {
		t.Fatalf("round trip changed the state:\n%s\n%s", b, b2)
	}
	later := e.srv.Clock().Now().Add(2 * time.Hour)
	orig.advance(later)
	back.advance(later)
	if !reflect.DeepEqual(orig.dump(), back.dump()) {
		t.Fatalf("restored state diverged after two hours:\n%v\n%v", orig.dump(), back.dump())
	}
	if back.pair(pr).Status != "normal" || back.pair(lone).Status != "stopped" || back.Drills[0].Status != "executed" {
		t.Fatalf("restored lifecycles did not finish: %s", b2)
	}
}

// TestEBSDumpSeedsBack: a dump fed to seed on a fresh account reproduces it.
func TestEBSDumpSeedsBack(t *testing.T) {
	e := newEBS(t)
	g, _ := e.groupWithPair()
	e.must("StartDiskReplicaGroup", ebsReq{"RegionId": hz, "ReplicaGroupId": g})
	dump := e.srv.store.accounts[ebsAcct].EBS.dump()
	raw := map[string]json.RawMessage{}
	for k, v := range dump {
		raw[k], _ = json.Marshal(v)
	}
	fresh := newEBSState()
	if err := fresh.seed(raw, e.srv.Clock().Now()); err != nil {
		t.Fatalf("seed from dump: %v", err)
	}
	if !reflect.DeepEqual(fresh.dump(), dump) {
		t.Fatalf("seeded copy differs:\n%v\n%v", fresh.dump(), dump)
	}
}

// TestEBSSeedRefusesBadObjects: fixtures with mistakes fail loudly instead of half loading.
func TestEBSSeedRefusesBadObjects(t *testing.T) {
	cases := []struct {
		name, kind, body, want string
	}{
		{"a disk needs a size", "disks", `[{"DiskId":"d-x","RegionId":"cn-hangzhou","ZoneId":"cn-hangzhou-h"}]`, "positive Size"},
		{"a typo in a field name", "disks", `[{"Disk_Id":"d-x","RegionId":"cn-hangzhou","ZoneId":"cn-hangzhou-h","Size":1}]`, "unknown field"},
		{"a group status outside the enum", "replicaGroups", `[{"ReplicaGroupId":"pg-x","SourceRegionId":"a","SourceZoneId":"a1","DestinationRegionId":"b","DestinationZoneId":"b1","Status":"initial_syncing"}]`, "not one of"},
		{"a pair in a group that does not exist", "replicaPairs", `[{"ReplicaPairId":"pair-cn-x","SourceDiskId":"d-bp1smcctdisk00000001","DestinationDiskId":"d-uf6smcctdisk00000001","ReplicaGroupId":"pg-none"}]`, "does not exist"},
		{"a pair whose disks are unknown and placement missing", "replicaPairs", `[{"ReplicaPairId":"pair-cn-x","SourceDiskId":"d-a","DestinationDiskId":"d-b"}]`, "regions and zones"},
		{"a drill of an unknown group", "drills", `[{"DrillId":"pg-drill-x","GroupId":"pg-none"}]`, "does not exist"},
		{"not a list", "replicaGroups", `{"ReplicaGroupId":"pg-x"}`, "cannot unmarshal"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEBS(t)
			err := e.srv.store.accounts[ebsAcct].EBS.seed(map[string]json.RawMessage{tc.kind: json.RawMessage(tc.body)}, e.srv.Clock().Now())
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("seed error %v, want one mentioning %q", err, tc.want)
			}
		})
	}
}

// TestEBSForce: the control plane's forced states enter the lifecycle like real ones, and a
// bad force changes nothing.
func TestEBSForce(t *testing.T) {
	e := newEBS(t)
	g, pr := e.groupWithPair()
	now := e.srv.Clock().Now()
	force := func(id string, f map[string]string) error {
		_, found, err := e.srv.store.force(ebsAcct, id, f, now)
		if !found && err == nil {
			t.Fatalf("force %s: not found", id)
		}
		return err
	}
	if err := force(g, map[string]string{"Status": "stopping"}); err != nil {
		t.Fatal(err)
	}
	e.advance(ebsStopSeconds)
	if got := status(t, e.group(g, hz)); got != "stopped" {
		t.Fatalf("forced stopping settles to %s, want stopped", got)
	}
	for _, bad := range []map[string]string{
		{"Status": "initial_syncing"},           // pairs only
		{"Status": "stopped", "Colour": "blue"}, // unknown field: nothing applied
		{"LastRecoverPoint": "soon"},            // not a number
	} {
		if err := force(g, bad); err == nil {
			t.Fatalf("force %v on a group succeeded", bad)
		}
	}
	if got := status(t, e.group(g, hz)); got != "stopped" {
		t.Fatalf("a refused force changed the group to %s", got)
	}
	if err := force(pr, map[string]string{"Status": "normal", "RPO": "900"}); err != nil {
		t.Fatal(err)
	}
	if got := status(t, e.pair(pr, hz)); got != "normal" {
		t.Fatalf("forced normal shows %s", got)
	}
	if _, found, _ := e.srv.store.force(ebsAcct, "pg-nothing", map[string]string{"Status": "stopped"}, now); found {
		t.Fatal("forcing an unknown ID reported found")
	}
}

// TestEBSAccountsAreIsolated: another account cannot see, use or touch the default
// account's groups, pairs, disks or drills; it is answered as if they did not exist.
func TestEBSAccountsAreIsolated(t *testing.T) {
	e := newEBS(t)
	g, pr := e.groupWithPair()
	e.must("StartDiskReplicaGroup", ebsReq{"RegionId": hz, "ReplicaGroupId": g})
	e.advance(fullSyncSeconds(100) + ebsCatchUpSeconds)
	drill := e.must("StartReplicaGroupDrill", ebsReq{"RegionId": sh, "GroupId": g})["DrillId"].(string)
	e.advance(ebsDrillRunSeconds)
	cases := []struct {
		action string
		r      ebsReq
	}{
		{"StopDiskReplicaGroup", ebsReq{"RegionId": hz, "ReplicaGroupId": g}},
		{"ModifyDiskReplicaGroup", ebsReq{"RegionId": hz, "ReplicaGroupId": g, "GroupName": "mine"}},
		{"StopDiskReplicaPair", ebsReq{"RegionId": hz, "ReplicaPairId": pr}},
		{"DescribeDiskReplicaPairProgress", ebsReq{"RegionId": hz, "ReplicaPairId": pr}},
		{"AddDiskReplicaPair", ebsReq{"RegionId": hz, "ReplicaGroupId": g, "ReplicaPairId": pr}},
		{"DescribeReplicaGroupDrills", ebsReq{"RegionId": sh, "GroupId": g}},
		{"ClearReplicaGroupDrill", ebsReq{"RegionId": sh, "GroupId": g, "DrillId": drill}},
		{"CreateDiskReplicaPair", ebsReq{"RegionId": hz, "SourceZoneId": "cn-hangzhou-h", "DiskId": hzDisk2,
			"DestinationRegionId": sh, "DestinationZoneId": "cn-shanghai-e", "DestinationDiskId": shDisk2}},
	}
	for _, tc := range cases {
		if _, err := e.call(ebsOther, tc.action, tc.r); err == nil || err.Code != "NoSuchResource" {
			t.Errorf("%s from the other account: %v, want NoSuchResource", tc.action, err)
		}
	}
	for _, site := range []string{"production", "backup"} {
		for _, region := range []string{hz, sh} {
			body, _ := e.call(ebsOther, "DescribeDiskReplicaGroups", ebsReq{"RegionId": region, "Site": site})
			pairs, _ := e.call(ebsOther, "DescribeDiskReplicaPairs", ebsReq{"RegionId": region, "Site": site})
			if len(items(body, "ReplicaGroups")) != 0 || len(items(pairs, "ReplicaPairs")) != 0 {
				t.Errorf("the other account lists the default account's objects from %s/%s", region, site)
			}
		}
	}
	if got := status(t, e.group(g, hz)); got != "normal" {
		t.Fatalf("the group changed under the other account's calls: %s", got)
	}
}
