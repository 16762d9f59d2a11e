package conformance

import (
	"context"
	"fmt"
	"net/url"
	"strconv"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/smcct/smcct/suites/framework"
)

// Paging and filters of the Describe/List actions: pages are disjoint and cover the whole
// list, TotalCount counts every match, filters are ANDed and an empty filter is ignored. Each
// spec runs in an account of its own, so it knows exactly what the lists hold.

func ids(items []map[string]any, idField string) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = fmt.Sprint(it[idField])
	}
	return out
}

func number(r *framework.Result, name string) int {
	GinkgoHelper()
	n, err := strconv.Atoi(fmt.Sprint(r.Response.Data[name]))
	Expect(err).NotTo(HaveOccurred(), "%s in the answer", name)
	return n
}

// flatList returns an EBS flat array (ReplicaGroups[]) of a response.
func flatList(r *framework.Result, name string) []map[string]any {
	GinkgoHelper()
	Expect(r).To(framework.Succeed200())
	items, _ := r.Response.Data[name].([]any)
	out := make([]map[string]any, 0, len(items))
	for _, it := range items {
		if m, ok := it.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

// jobsAccount is an account with n Available sources and one Ready job on each.
func jobsAccount(ctx context.Context, f *framework.F, n int) (*account, []string, []string) {
	src, objs := sources(f, n)
	a := ownAccount(ctx, f, map[string][]map[string]any{"sourceServers": objs})
	jobs := make([]string, n)
	for i, s := range src {
		jobs[i] = field(a.ok(ctx, "CreateReplicationJob", jobParams(s, fmt.Sprintf("job-%02d", i))), "JobId")
	}
	return a, src, jobs
}

var _ = Describe("Paging and filters (smc)", Label("needs:control", "needs:writes"), func() {
	f := framework.New()

	It("DescribeReplicationJobs pages with PageSize and PageNumber, disjoint pages covering every job", Label("action:DescribeReplicationJobs"), func(ctx SpecContext) {
		a, _, jobs := jobsAccount(ctx, f, 12)
		var seen []string
		for page := 1; page <= 4; page++ {
			r := a.call(ctx, "DescribeReplicationJobs", url.Values{"PageSize": {"5"}, "PageNumber": {strconv.Itoa(page)}})
			got := ids(listed(r, "ReplicationJobs", "ReplicationJob"), "JobId")
			Expect(number(r, "TotalCount")).To(Equal(12))
			Expect(number(r, "PageNumber")).To(Equal(page))
			Expect(number(r, "PageSize")).To(Equal(5))
			Expect(got).To(HaveLen([]int{5, 5, 2, 0}[page-1]), "page %d", page)
			seen = append(seen, got...)
		}
		Expect(seen).To(ConsistOf(jobs))
	})
	It("DescribeReplicationJobs answers ten jobs a page when PageSize is not given", Label("action:DescribeReplicationJobs"), func(ctx SpecContext) {
		a, _, _ := jobsAccount(ctx, f, 12)
		r := a.call(ctx, "DescribeReplicationJobs", nil)
		Expect(listed(r, "ReplicationJobs", "ReplicationJob")).To(HaveLen(10))
		Expect(number(r, "PageSize")).To(Equal(10))
		Expect(number(r, "PageNumber")).To(Equal(1))
	})
	It("DescribeReplicationJobs ANDs its filters and ignores an empty one", Label("action:DescribeReplicationJobs", "action:StartReplicationJob"), func(ctx SpecContext) {
		a, _, jobs := jobsAccount(ctx, f, 3)
		a.ok(ctx, "StartReplicationJob", url.Values{"JobId": {jobs[0]}})
		find := func(q url.Values) []string {
			return ids(listed(a.call(ctx, "DescribeReplicationJobs", q), "ReplicationJobs", "ReplicationJob"), "JobId")
		}
		Expect(find(url.Values{"Status": {"Running"}})).To(ConsistOf(jobs[0]))
		Expect(find(url.Values{"Name": {"job-01"}})).To(ConsistOf(jobs[1]))
		Expect(find(url.Values{"Name": {"job-01"}, "Status": {"Running"}})).To(BeEmpty())
		Expect(find(url.Values{"JobId.1": {jobs[1]}, "JobId.2": {jobs[2]}})).To(ConsistOf(jobs[1], jobs[2]))
		Expect(find(url.Values{"Name": {""}})).To(ConsistOf(jobs))
	})
	It("DescribeSourceServers filters by State and SourceId and counts every match", Label("action:DescribeSourceServers"), func(ctx SpecContext) {
		src, objs := sources(f, 3)
		objs[2]["State"] = "Unavailable"
		a := ownAccount(ctx, f, map[string][]map[string]any{"sourceServers": objs})
		r := a.call(ctx, "DescribeSourceServers", url.Values{"State": {"Available"}})
		Expect(ids(listed(r, "SourceServers", "SourceServer"), "SourceId")).To(ConsistOf(src[0], src[1]))
		Expect(number(r, "TotalCount")).To(Equal(2))
		r = a.call(ctx, "DescribeSourceServers", url.Values{"SourceId.1": {src[2]}, "State": {"Unavailable"}})
		Expect(ids(listed(r, "SourceServers", "SourceServer"), "SourceId")).To(ConsistOf(src[2]))
		r = a.call(ctx, "DescribeSourceServers", url.Values{"PageSize": {"2"}, "PageNumber": {"2"}})
		Expect(listed(r, "SourceServers", "SourceServer")).To(HaveLen(1))
		Expect(number(r, "TotalCount")).To(Equal(3))
	})
	It("ListTagResources follows NextToken through every binding exactly once", Label("action:ListTagResources", "action:TagResources"), func(ctx SpecContext) {
		a, _, jobs := jobsAccount(ctx, f, 6)
		tags := url.Values{"ResourceType": {"replicationjob"}}
		for i, j := range jobs {
			tags.Set("ResourceId."+strconv.Itoa(i+1), j)
		}
		for k := 1; k <= 10; k++ {
			tags.Set(fmt.Sprintf("Tag.%d.Key", k), fmt.Sprintf("k%02d", k))
			tags.Set(fmt.Sprintf("Tag.%d.Value", k), "v")
		}
		a.ok(ctx, "TagResources", tags)
		seen := map[string]int{}
		q := url.Values{"ResourceType": {"replicationjob"}}
		for pages := 0; pages < 10; pages++ {
			r := a.call(ctx, "ListTagResources", q)
			for _, b := range listed(r, "TagResources", "TagResource") {
				seen[fmt.Sprint(b["ResourceId"], "/", b["TagKey"])]++
			}
			next := fmt.Sprint(r.Response.Data["NextToken"])
			if next == "" || next == "<nil>" {
				break
			}
			q.Set("NextToken", next)
		}
		Expect(seen).To(HaveLen(60), "6 jobs with 10 tags each")
		for k, n := range seen {
			Expect(n).To(Equal(1), "binding %s listed once", k)
		}
	})
})

var _ = Describe("Paging and filters (ebs)", Label("needs:control", "needs:writes"), func() {
	f := framework.New()

	groups := func(ctx SpecContext, e *ebsAccount, n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = e.ok(ctx, "CreateDiskReplicaGroup", groupParams("")).Str("ReplicaGroupId")
		}
		return out
	}

	It("DescribeDiskReplicaGroups follows NextToken with MaxResults through every group exactly once", Label("action:DescribeDiskReplicaGroups", "action:CreateDiskReplicaGroup"), func(ctx SpecContext) {
		e := newEBSAccount(ctx, f, 0, "Available")
		want := groups(ctx, e, 5)
		var seen []string
		q := url.Values{"RegionId": {srcRegion}, "MaxResults": {"2"}}
		for pages := 0; pages < 5; pages++ {
			r := e.call(ctx, "DescribeDiskReplicaGroups", q)
			page := ids(flatList(r, "ReplicaGroups"), "ReplicaGroupId")
			Expect(len(page)).To(BeNumerically("<=", 2))
			seen = append(seen, page...)
			next := fmt.Sprint(r.Response.Data["NextToken"])
			if next == "" || next == "<nil>" {
				break
			}
			q.Set("NextToken", next)
		}
		Expect(seen).To(ConsistOf(want))
	})
	It("DescribeDiskReplicaGroups pages with PageNumber and PageSize and counts every group", Label("action:DescribeDiskReplicaGroups"), func(ctx SpecContext) {
		e := newEBSAccount(ctx, f, 0, "Available")
		want := groups(ctx, e, 5)
		var seen []string
		for page := 1; page <= 3; page++ {
			r := e.call(ctx, "DescribeDiskReplicaGroups", url.Values{"RegionId": {srcRegion}, "PageSize": {"2"}, "PageNumber": {strconv.Itoa(page)}})
			got := ids(flatList(r, "ReplicaGroups"), "ReplicaGroupId")
			Expect(got).To(HaveLen([]int{2, 2, 1}[page-1]), "page %d", page)
			Expect(number(r, "TotalCount")).To(Equal(5))
			seen = append(seen, got...)
		}
		Expect(seen).To(ConsistOf(want))
	})
	It("DescribeDiskReplicaGroups filters by GroupIds", Label("action:DescribeDiskReplicaGroups"), func(ctx SpecContext) {
		e := newEBSAccount(ctx, f, 0, "Available")
		g := groups(ctx, e, 3)
		r := e.call(ctx, "DescribeDiskReplicaGroups", url.Values{"RegionId": {srcRegion}, "GroupIds": {g[0] + "," + g[2]}})
		Expect(ids(flatList(r, "ReplicaGroups"), "ReplicaGroupId")).To(ConsistOf(g[0], g[2]))
	})
	It("DescribeDiskReplicaPairs follows NextToken and filters by PairIds", Label("action:DescribeDiskReplicaPairs", "action:CreateDiskReplicaPair"), func(ctx SpecContext) {
		e := newEBSAccount(ctx, f, 3, "Available")
		var want []string
		for i := range e.src {
			want = append(want, e.ok(ctx, "CreateDiskReplicaPair", ebsPairParams(e.src[i], e.dst[i])).Str("ReplicaPairId"))
		}
		var seen []string
		q := url.Values{"RegionId": {srcRegion}, "MaxResults": {"2"}}
		for pages := 0; pages < 5; pages++ {
			r := e.call(ctx, "DescribeDiskReplicaPairs", q)
			seen = append(seen, ids(flatList(r, "ReplicaPairs"), "ReplicaPairId")...)
			next := fmt.Sprint(r.Response.Data["NextToken"])
			if next == "" || next == "<nil>" {
				break
			}
			q.Set("NextToken", next)
		}
		Expect(seen).To(ConsistOf(want))
		r := e.call(ctx, "DescribeDiskReplicaPairs", url.Values{"RegionId": {srcRegion}, "PairIds": {want[1]}})
		Expect(ids(flatList(r, "ReplicaPairs"), "ReplicaPairId")).To(ConsistOf(want[1]))
	})
	It("DescribeDiskReplicaPairProgress reaches 100 with a recovery point once a started pair has synced", Label("action:DescribeDiskReplicaPairProgress", "action:StartDiskReplicaPair"), func(ctx SpecContext) {
		e := newEBSAccount(ctx, f, 1, "Available")
		ctl := f.NeedVirtualClock()
		p := e.ok(ctx, "CreateDiskReplicaPair", ebsPairParams(e.src[0], e.dst[0])).Str("ReplicaPairId")
		e.ok(ctx, "StartDiskReplicaPair", url.Values{"RegionId": {srcRegion}, "ReplicaPairId": {p}})
		_, err := ctl.Advance(ctx, ebsLimit)
		Expect(err).NotTo(HaveOccurred())
		r := e.call(ctx, "DescribeDiskReplicaPairProgress", url.Values{"RegionId": {srcRegion}, "ReplicaPairId": {p}})
		Expect(number(r, "Progress")).To(Equal(100))
		Expect(number(r, "RecoverPoint")).To(BeNumerically(">", 0))
	})
})
