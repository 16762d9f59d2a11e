package reference

import (
	"fmt"
	"testing"
)

// TestDescribePaging: numbered pages and token chains both walk every group exactly once,
// in creation order, and a forged token is refused.
func TestDescribePaging(t *testing.T) {
	e := newEBS(t)
	var want []string
	for i := range 7 {
		want = append(want, e.newGroup(ebsReq{"GroupName": fmt.Sprintf("g%d", i)}))
	}
	var paged []string
	for page := 1; page <= 3; page++ {
		body := e.must("DescribeDiskReplicaGroups", ebsReq{"RegionId": hz, "PageSize": "3", "PageNumber": fmt.Sprint(page)})
		if num64(body["TotalCount"]) != 7 || num64(body["PageNumber"]) != int64(page) || num64(body["PageSize"]) != 3 {
			t.Fatalf("page %d header: %v", page, body)
		}
		for _, g := range items(body, "ReplicaGroups") {
			paged = append(paged, g["ReplicaGroupId"].(string))
		}
	}
	if fmt.Sprint(paged) != fmt.Sprint(want) {
		t.Fatalf("pages gave %v, want %v", paged, want)
	}
	var chained []string
	token, calls := "", 0
	for {
		r := ebsReq{"RegionId": hz, "MaxResults": "2", "PageSize": "100"} // PageSize is ignored with tokens
		if token != "" {
			r["NextToken"] = token
		}
		body := e.must("DescribeDiskReplicaGroups", r)
		for _, g := range items(body, "ReplicaGroups") {
			chained = append(chained, g["ReplicaGroupId"].(string))
		}
		calls++
		token, _ = body["NextToken"].(string)
		if token == "" || calls > 10 {
			break
		}
	}
	if fmt.Sprint(chained) != fmt.Sprint(want) || calls != 4 {
		t.Fatalf("token chain gave %v in %d calls, want %v in 4", chained, calls, want)
	}
	beyond := e.must("DescribeDiskReplicaGroups", ebsReq{"RegionId": hz, "PageSize": "5", "PageNumber": "9"})
	if len(items(beyond, "ReplicaGroups")) != 0 || num64(beyond["TotalCount"]) != 7 {
		t.Fatalf("a page past the end should be empty with the total: %v", beyond)
	}
	e.fails("DescribeDiskReplicaGroups", ebsReq{"RegionId": hz, "NextToken": "not-a-token"}, "InvalidParameter")
	e.fails("DescribeDiskReplicaGroups", ebsReq{"RegionId": hz, "NextToken": encodeToken(99)}, "InvalidParameter")
}

// TestDescribeFilters: each filter of DescribeDiskReplicaGroups/Pairs narrows the list the
// way its parameter says.
func TestDescribeFilters(t *testing.T) {
	e := newEBS(t)
	tagged := e.newGroup(ebsReq{"GroupName": "tagged", "ResourceGroupId": "rg-a",
		"Tag.1.Key": "env", "Tag.1.Value": "prod", "Tag.2.Key": "team", "Tag.2.Value": "db"})
	plain := e.newGroup(ebsReq{"GroupName": "plain"})
	grouped := e.newPair(hzDisk1, "cn-hangzhou-h", shDisk1, "cn-shanghai-e")
	e.must("AddDiskReplicaPair", ebsReq{"RegionId": hz, "ReplicaGroupId": plain, "ReplicaPairId": grouped})
	free := e.newPair(hzDisk2, "cn-hangzhou-h", shDisk2, "cn-shanghai-e")

	groups := []struct {
		name string
		r    ebsReq
		want []string
	}{
		{"production is the default site", ebsReq{"RegionId": hz}, []string{tagged, plain}},
		{"the source region holds no backup side", ebsReq{"RegionId": hz, "Site": "backup"}, nil},
		{"the destination region sees them as backup", ebsReq{"RegionId": sh, "Site": "backup"}, []string{tagged, plain}},
		{"an unrelated region sees nothing", ebsReq{"RegionId": "cn-beijing"}, nil},
		{"GroupIds is a comma list", ebsReq{"RegionId": hz, "GroupIds": plain + ",pg-nothing"}, []string{plain}},
		{"Name matches exactly", ebsReq{"RegionId": hz, "Name": "tagged"}, []string{tagged}},
		{"ResourceGroupId", ebsReq{"RegionId": hz, "ResourceGroupId": "rg-a"}, []string{tagged}},
		{"a tag key and value", ebsReq{"RegionId": hz, "Tag.1.Key": "env", "Tag.1.Value": "prod"}, []string{tagged}},
		{"a tag key alone matches any value", ebsReq{"RegionId": hz, "Tag.1.Key": "team"}, []string{tagged}},
		{"every tag must match", ebsReq{"RegionId": hz, "Tag.1.Key": "env", "Tag.2.Key": "owner"}, nil},
		{"a tag value without a key is accepted and not used", ebsReq{"RegionId": hz, "Tag.1.Value": "prod"}, []string{tagged, plain}},
	}
	for _, tc := range groups {
		got := ids(items(e.must("DescribeDiskReplicaGroups", tc.r), "ReplicaGroups"), "ReplicaGroupId")
		if fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("groups, %s: got %v, want %v", tc.name, got, tc.want)
		}
	}
	pairs := []struct {
		name string
		r    ebsReq
		want []string
	}{
		{"all pairs of the source region", ebsReq{"RegionId": hz}, []string{grouped, free}},
		{"one group's pairs", ebsReq{"RegionId": hz, "ReplicaGroupId": plain}, []string{grouped}},
		{"a dash selects pairs in no group", ebsReq{"RegionId": hz, "ReplicaGroupId": "-"}, []string{free}},
		{"PairIds is a comma list", ebsReq{"RegionId": sh, "Site": "backup", "PairIds": free}, []string{free}},
	}
	for _, tc := range pairs {
		got := ids(items(e.must("DescribeDiskReplicaPairs", tc.r), "ReplicaPairs"), "ReplicaPairId")
		if fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("pairs, %s: got %v, want %v", tc.name, got, tc.want)
		}
	}
}

func ids(list []map[string]any, field string) []string {
	var out []string
	for _, m := range list {
		out = append(out, m[field].(string))
	}
	return out
}
