package framework

import (
	"os"
	"strings"
	"testing"
	"time"
)

// The example profile in docs/ parses and checks, with the variables it names set.
func TestProfileExample(t *testing.T) {
	t.Setenv("SMCCT_OTHER_ACCESS_KEY_ID", "example-id")
	t.Setenv("SMCCT_OTHER_ACCESS_KEY_SECRET", "example-secret")
	for _, v := range []string{"UNPRIVILEGED", "INACTIVE"} {
		t.Setenv("SMCCT_RAM_"+v+"_ACCESS_KEY_ID", "example-"+v)
		t.Setenv("SMCCT_RAM_"+v+"_ACCESS_KEY_SECRET", "example-secret")
	}
	p, err := LoadProfile("../../docs/target-profile.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if got := p.Other.Credentials(); got.AccessKeyID != "example-id" || got.Secret != "example-secret" {
		t.Errorf("the second account comes from the environment: %+v", got)
	}
	if p.RAM.Unprivileged.Credentials().AccessKeyID != "example-UNPRIVILEGED" || p.RAM.Inactive.Credentials().AccessKeyID != "example-INACTIVE" {
		t.Errorf("the RAM identities come from the environment: %+v", p.RAM)
	}
	if p.Budget() != 30*time.Minute || p.Objects() != 10 || p.Tag() != "smcct" || len(DiskPairs(p.Disks, "", p.Replication)) != 2 {
		t.Errorf("budgets, tag or disk pairs: %v %d %q %v", p.Budget(), p.Objects(), p.Tag(), DiskPairs(p.Disks, "", p.Replication))
	}
}

// Bad values are refused at once, each naming its field.
func TestProfileErrorsNameTheField(t *testing.T) {
	cases := []struct{ why, yaml, want string }{
		{"an unknown field", "regoin: cn-hangzhou\n", "field regoin not found"},
		{"a region that is no region ID", "region: Hangzhou\n", "region: \"Hangzhou\" is not a region ID"},
		{"a zone of another region", "replication: {source: {region: cn-hangzhou, zone: cn-shanghai-e}}\n", "replication.source.zone"},
		{"a source server state outside the contract", "sourceServers: {Busy: [s-abc]}\n", "sourceServers.Busy: not a source server State"},
		{"a source server ID without its prefix", "sourceServers: {Available: [i-abc]}\n", "sourceServers.Available[0]"},
		{"a disk without its prefix", "disks: [{id: vol-1, region: cn-hangzhou, zone: cn-hangzhou-h, size: 20, status: Available}]\n", "disks[0].id"},
		{"a disk listed twice", "disks: [{id: d-1, region: cn-hangzhou, zone: cn-hangzhou-h, size: 20, status: Available}, {id: d-1, region: cn-hangzhou, zone: cn-hangzhou-h, size: 20, status: Available}]\n", "disks[1].id: d-1 is listed twice"},
		{"a disk status outside the contract", "disks: [{id: d-1, region: cn-hangzhou, zone: cn-hangzhou-h, size: 20, status: Attached}]\n", "disks[0].status"},
		{"a disk of no size", "disks: [{id: d-1, region: cn-hangzhou, zone: cn-hangzhou-h, size: 0, status: Available}]\n", "disks[0].size"},
		{"a negative time scale", "timeScale: -2\n", "timeScale"},
		{"a budget that is no duration", "specBudget: soon\n", "duration \"soon\""},
		{"a negative object budget", "objectBudget: -1\n", "objectBudget"},
		{"a run tag that cannot start a name", "runTag: 9lives\n", "runTag"},
		{"a key without its secret", "other: {accessKeyId: abc}\n", "other: an AccessKey ID and its secret go together"},
		{"a secret variable that is not set", "other: {accessKeyId: abc, accessKeySecretEnv: SMCCT_TEST_UNSET_VARIABLE}\n", "other.accessKeySecretEnv"},
		{"a RAM user's key without its secret", "ram: {unprivileged: {accessKeyId: abc}}\n", "ram.unprivileged: an AccessKey ID and its secret go together"},
		{"a disabled key's secret variable that is not set", "ram: {inactive: {accessKeyId: abc, accessKeySecretEnv: SMCCT_TEST_UNSET_VARIABLE}}\n", "ram.inactive.accessKeySecretEnv"},
		{"an unknown RAM identity", "ram: {admin: {accessKeyId: abc, accessKeySecret: x}}\n", "field admin not found"},
		{"an endpoint that is no URL", "endpoint: smc.aliyuncs.com\n", "endpoint"},
	}
	os.Unsetenv("SMCCT_TEST_UNSET_VARIABLE")
	for _, c := range cases {
		_, err := ParseProfile([]byte(c.yaml))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err %v, want it to say %q", c.why, err, c.want)
		}
	}
}

func TestRunNames(t *testing.T) {
	start := time.Date(2026, 12, 3, 14, 0, 0, 0, time.UTC)
	id := NewRunID("smcct", start)
	cases := []struct {
		why, name string
		ok        bool
	}{
		{"a name the run gave", id + "-job-abcdefghij", true},
		{"a probe token of the run", id + "-clock-probe", true},
		{"another tag", "other-" + id[len("smcct-"):] + "-job-x", false},
		{"an untagged name", "web-01", false},
		{"the tag without a start", "smcct-job-abcdefghij", false},
		{"the tag alone", "smcct-", false},
	}
	for _, c := range cases {
		got, ok := ParseRunName("smcct", c.name)
		if ok != c.ok || (ok && !got.Equal(start)) {
			t.Errorf("%s: %q parsed as %v, %v", c.why, c.name, got, ok)
		}
	}
}

func TestDiskPairs(t *testing.T) {
	disks := []Disk{
		{ID: "d-a", Region: "r1", Zone: "r1-a", Size: 100, Status: "Available"},
		{ID: "d-b", Region: "r2", Zone: "r2-a", Size: 50, Status: "Available"},
		{ID: "d-c", Region: "r2", Zone: "r2-a", Size: 100, Status: "Available"},
		{ID: "d-d", Region: "r1", Zone: "r1-a", Size: 40, Status: "In_use"},
		{ID: "d-e", Region: "r2", Zone: "r2-a", Size: 500, Status: "In_use"},
	}
	prefer := Replication{Source: Site{"r1", "r1-a"}, Destination: Site{"r2", "r2-a"}}
	got := DiskPairs(disks, "", prefer)
	var ids []string
	for _, p := range got {
		ids = append(ids, p.ID())
	}
	// d-d (40, In_use) takes d-b (50); d-a (100) takes d-c; d-e is attached, so it is never a
	// destination, and nothing is left for it to replicate to.
	if strings.Join(ids, " ") != "d-d+d-b d-a+d-c" {
		t.Errorf("pairs %v", ids)
	}
	if in := DiskPairs(disks, "In_use", prefer); len(in) != 1 || in[0].Src.ID != "d-d" {
		t.Errorf("pairs with an attached source: %v", in)
	}
}
