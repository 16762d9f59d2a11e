package spec

import (
	"sort"
	"strings"
	"testing"
)

// The action lists of the contract issue: the current SMC API and the EBS replica actions.
var wantActions = map[string][]string{
	"smc": {"DescribeSourceServers", "ModifySourceServerAttribute", "DeleteSourceServer",
		"CreateReplicationJob", "ModifyReplicationJobAttribute", "StartReplicationJob",
		"StopReplicationJob", "DescribeReplicationJobs", "CutOverReplicationJob",
		"DeleteReplicationJob", "TagResources", "ListTagResources", "UntagResources",
		"CreateAccessToken", "DisableAccessToken", "ListAccessTokens", "DeleteAccessToken",
		"CreateWorkgroup", "DescribeWorkgroups", "ModifyWorkgroupAttribute", "DeleteWorkgroup",
		"AssociateSourceServers", "DisassociateSourceServers", "CreateCrossZoneMigrationJob"},
	"ebs": {"CreateDiskReplicaGroup", "DescribeDiskReplicaGroups", "ModifyDiskReplicaGroup",
		"StartDiskReplicaGroup", "StopDiskReplicaGroup", "FailoverDiskReplicaGroup",
		"ReprotectDiskReplicaGroup", "DeleteDiskReplicaGroup", "AddDiskReplicaPair",
		"RemoveDiskReplicaPair", "CreateDiskReplicaPair", "DescribeDiskReplicaPairs",
		"DescribeDiskReplicaPairProgress", "ModifyDiskReplicaPair", "StartDiskReplicaPair",
		"StopDiskReplicaPair", "FailoverDiskReplicaPair", "ReprotectDiskReplicaPair",
		"DeleteDiskReplicaPair", "StartReplicaGroupDrill", "DescribeReplicaGroupDrills",
		"ClearReplicaGroupDrill", "StartPairDrill", "DescribePairDrills", "ClearPairDrill"},
}

func TestCatalogHasExactlyTheContractActions(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for product, want := range wantActions {
		p, ok := c.ByName(product)
		if !ok {
			t.Fatalf("no product %s", product)
		}
		var got []string
		for _, a := range p.Actions() {
			got = append(got, a.Name)
		}
		w := append([]string(nil), want...)
		sort.Strings(w)
		if strings.Join(got, ",") != strings.Join(w, ",") {
			t.Errorf("%s actions:\n got  %v\n want %v", product, got, w)
		}
		total += len(got)
	}
	if total != 49 {
		t.Errorf("%d actions in all, want 49", total)
	}
}
