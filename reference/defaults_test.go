package reference

import (
	"strconv"
	"testing"

	"github.com/smcct/smcct/spec"
)

// Handlers read these parameters with Ctx.Int, Ctx.Bool or Ctx.Str and rely on the contract
// for the value of an absent one: the literal they pass is never used. A contract that lost
// one of these defaults would silently change the reference, so each must be there.
func TestHandlerDefaultsComeFromTheContract(t *testing.T) {
	cat := spec.MustDefault()
	cases := []struct {
		version, action, param string
		reason                 string
	}{
		{"2019-06-01", "DescribeReplicationJobs", "PageSize", "paginate reads SMC page sizes"},
		{"2019-06-01", "DescribeReplicationJobs", "PageNumber", "paginate reads SMC page numbers"},
		{"2019-06-01", "CreateAccessToken", "Count", "boundedCount reads Count"},
		{"2019-06-01", "CreateAccessToken", "TimeToLiveInDays", "boundedCount reads TimeToLiveInDays"},
		{"2021-07-30", "DescribeDiskReplicaGroups", "PageSize", "ebsPage reads numbered pages"},
		{"2021-07-30", "DescribeDiskReplicaGroups", "PageNumber", "ebsPage reads numbered pages"},
		{"2021-07-30", "DescribeDiskReplicaGroups", "MaxResults", "ebsPage reads token pages"},
		{"2021-07-30", "DescribeDiskReplicaGroups", "Site", "the site filter defaults to production"},
		{"2021-07-30", "DescribeDiskReplicaPairs", "Site", "the site filter defaults to production"},
		{"2021-07-30", "CreateDiskReplicaPair", "ChargeType", "a pair's charge type"},
		{"2021-07-30", "StartDiskReplicaGroup", "OneShot", "continuous or one-shot sync"},
		{"2021-07-30", "StartDiskReplicaPair", "OneShot", "continuous or one-shot sync"},
		{"2021-07-30", "ReprotectDiskReplicaGroup", "ReverseReplicate", "the direction after a reprotect"},
	}
	for _, c := range cases {
		a, ok := cat.Lookup(c.version, c.action)
		if !ok {
			t.Errorf("%s is not in the contract (%s)", c.action, c.reason)
			continue
		}
		p, ok := a.Param(c.param)
		if !ok {
			t.Errorf("%s has no parameter %s (%s)", c.action, c.param, c.reason)
			continue
		}
		if _, ok := p.Default(); !ok {
			t.Errorf("%s %s has no default in the contract (%s)", c.action, c.param, c.reason)
		}
	}
}

// Seeded tokens without a count or lifetime get the same defaults as CreateAccessToken.
func TestSeedDefaultsEqualTheContract(t *testing.T) {
	a, _ := spec.MustDefault().Lookup("2019-06-01", "CreateAccessToken")
	for name, seeded := range map[string]int{"Count": defaultTokenCount, "TimeToLiveInDays": defaultTokenDays} {
		p, _ := a.Param(name)
		d, _ := p.Default()
		if d != strconv.Itoa(seeded) {
			t.Errorf("a seeded token's %s is %d, the contract's default %q", name, seeded, d)
		}
	}
}
