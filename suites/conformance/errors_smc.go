package conformance

import (
	"fmt"
	"net/url"
	"strconv"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/smcct/smcct/suites/framework"
)

// Fixture network of cn-hangzhou (fixtures/default.yaml): two VPCs, a vSwitch in each.
const (
	vpcA     = "vpc-bp1smcct0000000000001"
	vpcB     = "vpc-bp1smcct0000000000002"
	vSwitchA = "vsw-bp1smcct0000000000001"
)

// quotaJobs and quotaWorkgroups are the account limits the contract states.
const (
	quotaJobs       = 1000
	quotaWorkgroups = 50
	quotaMembers    = 50
)

// seededSource is an Available source server with one data disk (index 1).
func seededSource(id string) map[string]any {
	return map[string]any{
		"SourceId": id, "Name": id, "State": "Available", "Platform": "CentOS Linux 7.9",
		"Architecture": "x86_64", "SystemDiskSize": 40,
		"DataDisks": map[string]any{"DataDisk": []any{map[string]any{"Index": 1, "Size": 100, "Path": "/dev/vdb"}}},
	}
}

func sources(f *framework.F, n int) ([]string, []map[string]any) {
	ids := make([]string, n)
	objs := make([]map[string]any, n)
	for i := range ids {
		ids[i] = f.ID("s-")
		objs[i] = seededSource(ids[i])
	}
	return ids, objs
}

func jobParams(source, name string, extra ...string) url.Values {
	q := url.Values{"SourceId": {source}, "Name": {name}}
	for i := 0; i+1 < len(extra); i += 2 {
		q.Set(extra[i], extra[i+1])
	}
	return q
}

var _ = Describe("SMC business errors", Label("needs:control", "needs:writes"), func() {
	f := framework.New()

	Context("CreateReplicationJob", func() {
		It("returns QuotaExceeded.ReplicationJob when the account holds 1,000 jobs", errorLabels("CreateReplicationJob", "QuotaExceeded.ReplicationJob"), func(ctx SpecContext) {
			ids, objs := sources(f, 1)
			jobs := make([]map[string]any, quotaJobs)
			for i := range jobs {
				jobs[i] = map[string]any{"JobId": f.ID("j-"), "Name": "seeded-" + strconv.Itoa(i), "Status": "Finished"}
			}
			acct := ownAccount(ctx, f, map[string][]map[string]any{"sourceServers": objs, "replicationJobs": jobs})
			expectError(acct.call(ctx, "CreateReplicationJob", jobParams(ids[0], f.Name("job"))), "CreateReplicationJob", "QuotaExceeded.ReplicationJob")
		})
		It("returns ReplicationJobName.Duplicate for a name another job has", errorLabels("CreateReplicationJob", "ReplicationJobName.Duplicate"), func(ctx SpecContext) {
			ids, objs := sources(f, 2)
			acct := ownAccount(ctx, f, map[string][]map[string]any{"sourceServers": objs})
			name := f.Name("job")
			acct.ok(ctx, "CreateReplicationJob", jobParams(ids[0], name))
			expectError(acct.call(ctx, "CreateReplicationJob", jobParams(ids[1], name)), "CreateReplicationJob", "ReplicationJobName.Duplicate")
		})
		It("returns ImageName.UsedByReplicationJob for an image name another job uses", errorLabels("CreateReplicationJob", "ImageName.UsedByReplicationJob"), func(ctx SpecContext) {
			ids, objs := sources(f, 2)
			acct := ownAccount(ctx, f, map[string][]map[string]any{"sourceServers": objs})
			image := f.Name("image")
			acct.ok(ctx, "CreateReplicationJob", jobParams(ids[0], f.Name("job"), "ImageName", image))
			r := acct.call(ctx, "CreateReplicationJob", jobParams(ids[1], f.Name("job"), "ImageName", image))
			expectError(r, "CreateReplicationJob", "ImageName.UsedByReplicationJob", image)
		})
		It("returns SourceServer.UnfinishedReplicationJob naming the job that blocks the source", errorLabels("CreateReplicationJob", "SourceServer.UnfinishedReplicationJob"), func(ctx SpecContext) {
			ids, objs := sources(f, 1)
			acct := ownAccount(ctx, f, map[string][]map[string]any{"sourceServers": objs})
			first := acct.ok(ctx, "CreateReplicationJob", jobParams(ids[0], f.Name("job"))).Str("JobId")
			r := acct.call(ctx, "CreateReplicationJob", jobParams(ids[0], f.Name("job")))
			expectError(r, "CreateReplicationJob", "SourceServer.UnfinishedReplicationJob", first)
		})
		It("returns ReplicationJobDataDiskIndex.Invalid for a data disk the source lacks", errorLabels("CreateReplicationJob", "ReplicationJobDataDiskIndex.Invalid"), func(ctx SpecContext) {
			ids, objs := sources(f, 1)
			acct := ownAccount(ctx, f, map[string][]map[string]any{"sourceServers": objs})
			r := acct.call(ctx, "CreateReplicationJob", jobParams(ids[0], f.Name("job"), "DataDisk.1.Index", "9", "DataDisk.1.Size", "100"))
			expectError(r, "CreateReplicationJob", "ReplicationJobDataDiskIndex.Invalid")
		})
		It("returns VSwitchIdVpcId.Mismatch for a vSwitch of another VPC", errorLabels("CreateReplicationJob", "VSwitchIdVpcId.Mismatch"), func(ctx SpecContext) {
			ids, objs := sources(f, 1)
			acct := ownAccount(ctx, f, map[string][]map[string]any{"sourceServers": objs})
			r := acct.call(ctx, "CreateReplicationJob", jobParams(ids[0], f.Name("job"), "NetMode", "2", "VSwitchId", vSwitchA, "VpcId", vpcB))
			expectError(r, "CreateReplicationJob", "VSwitchIdVpcId.Mismatch")
		})
	})

	It("CreateCrossZoneMigrationJob returns QuotaExceeded.ReplicationJob when the account holds 1,000 jobs", errorLabels("CreateCrossZoneMigrationJob", "QuotaExceeded.ReplicationJob"), func(ctx SpecContext) {
		jobs := make([]map[string]any, quotaJobs)
		for i := range jobs {
			jobs[i] = map[string]any{"JobId": f.ID("j-"), "Name": "seeded-" + strconv.Itoa(i), "Status": "Finished"}
		}
		acct := ownAccount(ctx, f, map[string][]map[string]any{"replicationJobs": jobs})
		r := acct.call(ctx, "CreateCrossZoneMigrationJob", url.Values{"InstanceId": {"i-bp1smcctinstance0001"}, "TargetZoneId": {"cn-hangzhou-i"}})
		expectError(r, "CreateCrossZoneMigrationJob", "QuotaExceeded.ReplicationJob")
	})

	It("CreateWorkgroup returns QuotaExceeded.Workgroup when the account holds 50 workgroups", errorLabels("CreateWorkgroup", "QuotaExceeded.Workgroup"), func(ctx SpecContext) {
		groups := make([]map[string]any, quotaWorkgroups)
		for i := range groups {
			groups[i] = map[string]any{"WorkgroupId": f.ID("w-"), "Name": "seeded-" + strconv.Itoa(i)}
		}
		acct := ownAccount(ctx, f, map[string][]map[string]any{"workgroups": groups})
		expectError(acct.call(ctx, "CreateWorkgroup", url.Values{"Name": {f.Name("wg")}}), "CreateWorkgroup", "QuotaExceeded.Workgroup")
	})

	Context("workgroup membership", func() {
		It("AssociateSourceServers returns QuotaExceeded.WorkgroupSourceServer for a 51st member", errorLabels("AssociateSourceServers", "QuotaExceeded.WorkgroupSourceServer"), func(ctx SpecContext) {
			ids, objs := sources(f, quotaMembers+1)
			members := make([]any, quotaMembers)
			for i := range members {
				members[i] = ids[i]
			}
			wg := f.ID("w-")
			acct := ownAccount(ctx, f, map[string][]map[string]any{"sourceServers": objs,
				"workgroups": {{"WorkgroupId": wg, "Name": "full", "SourceIds": members}}})
			r := acct.call(ctx, "AssociateSourceServers", url.Values{"WorkgroupId": {wg}, "SourceId.1": {ids[quotaMembers]}})
			expectError(r, "AssociateSourceServers", "QuotaExceeded.WorkgroupSourceServer")
		})
		It("AssociateSourceServers returns SourceServer.InOtherWorkgroup for another group's member", errorLabels("AssociateSourceServers", "SourceServer.InOtherWorkgroup"), func(ctx SpecContext) {
			ids, objs := sources(f, 1)
			w1, w2 := f.ID("w-"), f.ID("w-")
			acct := ownAccount(ctx, f, map[string][]map[string]any{"sourceServers": objs, "workgroups": {
				{"WorkgroupId": w1, "Name": "one", "SourceIds": []any{ids[0]}}, {"WorkgroupId": w2, "Name": "two"}}})
			r := acct.call(ctx, "AssociateSourceServers", url.Values{"WorkgroupId": {w2}, "SourceId.1": {ids[0]}})
			expectError(r, "AssociateSourceServers", "SourceServer.InOtherWorkgroup")
		})
		for _, action := range []string{"AssociateSourceServers", "DisassociateSourceServers"} {
			It(action+" returns InvalidSourceId.NotFound for an absent source in an existing workgroup", errorLabels(action, "InvalidSourceId.NotFound"), func(ctx SpecContext) {
				wg := f.ID("w-")
				acct := ownAccount(ctx, f, map[string][]map[string]any{"workgroups": {{"WorkgroupId": wg, "Name": "one"}}})
				expectError(acct.call(ctx, action, url.Values{"WorkgroupId": {wg}, "SourceId.1": {f.ID("s-")}}), action, "InvalidSourceId.NotFound")
			})
			It(action+" returns InvalidWorkgroupId.NotFound for an absent workgroup and an existing source", errorLabels(action, "InvalidWorkgroupId.NotFound"), func(ctx SpecContext) {
				ids, objs := sources(f, 1)
				acct := ownAccount(ctx, f, map[string][]map[string]any{"sourceServers": objs})
				expectError(acct.call(ctx, action, url.Values{"WorkgroupId": {f.ID("w-")}, "SourceId.1": {ids[0]}}), action, "InvalidWorkgroupId.NotFound")
			})
		}
	})

	Context("DeleteSourceServer", func() {
		It("returns ReplicationJob.Related naming the source's jobs when Force is not set", errorLabels("DeleteSourceServer", "ReplicationJob.Related"), func(ctx SpecContext) {
			ids, objs := sources(f, 1)
			job := f.ID("j-")
			acct := ownAccount(ctx, f, map[string][]map[string]any{"sourceServers": objs,
				"replicationJobs": {{"JobId": job, "Name": "related", "SourceId": ids[0], "Status": "Ready"}}})
			expectError(acct.call(ctx, "DeleteSourceServer", url.Values{"SourceId": {ids[0]}}), "DeleteSourceServer", "ReplicationJob.Related", job)
		})
		It("returns SourceServer.WithRunningReplicationJob even with Force while a job runs", errorLabels("DeleteSourceServer", "SourceServer.WithRunningReplicationJob"), func(ctx SpecContext) {
			ids, objs := sources(f, 1)
			acct := ownAccount(ctx, f, map[string][]map[string]any{"sourceServers": objs})
			job := acct.ok(ctx, "CreateReplicationJob", jobParams(ids[0], f.Name("job"))).Str("JobId")
			acct.ok(ctx, "StartReplicationJob", url.Values{"JobId": {job}})
			r := acct.call(ctx, "DeleteSourceServer", url.Values{"SourceId": {ids[0]}, "Force": {"true"}})
			expectError(r, "DeleteSourceServer", "SourceServer.WithRunningReplicationJob")
		})
	})

	Context("ModifyReplicationJobAttribute", func() {
		// twoJobs creates two Ready jobs on two sources and returns their IDs.
		twoJobs := func(ctx SpecContext, extra ...string) (*account, string, string) {
			ids, objs := sources(f, 2)
			acct := ownAccount(ctx, f, map[string][]map[string]any{"sourceServers": objs})
			a := acct.ok(ctx, "CreateReplicationJob", jobParams(ids[0], f.Name("job"), extra...)).Str("JobId")
			b := acct.ok(ctx, "CreateReplicationJob", jobParams(ids[1], f.Name("job"))).Str("JobId")
			return acct, a, b
		}
		It("returns DataDisk.DuplicateIndex for one index given twice", errorLabels("ModifyReplicationJobAttribute", "DataDisk.DuplicateIndex"), func(ctx SpecContext) {
			acct, job, _ := twoJobs(ctx)
			r := acct.call(ctx, "ModifyReplicationJobAttribute", url.Values{"JobId": {job},
				"DataDisk.1.Index": {"1"}, "DataDisk.1.Size": {"100"}, "DataDisk.2.Index": {"1"}, "DataDisk.2.Size": {"100"}})
			expectError(r, "ModifyReplicationJobAttribute", "DataDisk.DuplicateIndex")
		})
		It("returns ReplicationJobDataDiskIndex.Invalid for a data disk the source lacks", errorLabels("ModifyReplicationJobAttribute", "ReplicationJobDataDiskIndex.Invalid"), func(ctx SpecContext) {
			acct, job, _ := twoJobs(ctx)
			r := acct.call(ctx, "ModifyReplicationJobAttribute", url.Values{"JobId": {job}, "DataDisk.1.Index": {"9"}, "DataDisk.1.Size": {"100"}})
			expectError(r, "ModifyReplicationJobAttribute", "ReplicationJobDataDiskIndex.Invalid")
		})
		It("returns ReplicationJobName.Duplicate when renaming to another job's name", errorLabels("ModifyReplicationJobAttribute", "ReplicationJobName.Duplicate"), func(ctx SpecContext) {
			acct, a, b := twoJobs(ctx)
			name := jobName(ctx, acct, a)
			expectError(acct.call(ctx, "ModifyReplicationJobAttribute", url.Values{"JobId": {b}, "Name": {name}}), "ModifyReplicationJobAttribute", "ReplicationJobName.Duplicate")
		})
		It("returns ImageName.UsedByReplicationJob for an image name another job uses", errorLabels("ModifyReplicationJobAttribute", "ImageName.UsedByReplicationJob"), func(ctx SpecContext) {
			image := f.Name("image")
			acct, _, b := twoJobs(ctx, "ImageName", image)
			r := acct.call(ctx, "ModifyReplicationJobAttribute", url.Values{"JobId": {b}, "ImageName": {image}})
			expectError(r, "ModifyReplicationJobAttribute", "ImageName.UsedByReplicationJob", image)
		})
	})

	It("ModifySourceServerAttribute returns SourceServerName.Duplicate for another source's name", errorLabels("ModifySourceServerAttribute", "SourceServerName.Duplicate"), func(ctx SpecContext) {
		ids, objs := sources(f, 2)
		acct := ownAccount(ctx, f, map[string][]map[string]any{"sourceServers": objs})
		r := acct.call(ctx, "ModifySourceServerAttribute", url.Values{"SourceId": {ids[1]}, "Name": {ids[0]}})
		expectError(r, "ModifySourceServerAttribute", "SourceServerName.Duplicate")
	})

	Context("tags", func() {
		for _, action := range []string{"TagResources", "UntagResources", "ListTagResources"} {
			It(action+" returns Duplicate.ResourceId for one ID given twice", errorLabels(action, "Duplicate.ResourceId"), func(ctx SpecContext) {
				ids, objs := sources(f, 1)
				acct := ownAccount(ctx, f, map[string][]map[string]any{"sourceServers": objs})
				q := tagParams(action, ids[0], ids[0])
				expectError(acct.call(ctx, action, q), action, "Duplicate.ResourceId")
			})
			It(action+" returns InvalidResourceId.NotFound for an absent resource", errorLabels(action, "InvalidResourceId.NotFound"), func(ctx SpecContext) {
				acct := ownAccount(ctx, f, nil)
				expectError(acct.call(ctx, action, tagParams(action, f.ID("s-"))), action, "InvalidResourceId.NotFound")
			})
		}
		It("TagResources returns NumberExceed.Tags when a resource would carry 21 tags", errorLabels("TagResources", "NumberExceed.Tags"), func(ctx SpecContext) {
			ids, objs := sources(f, 1)
			acct := ownAccount(ctx, f, map[string][]map[string]any{"sourceServers": objs})
			for i := 0; i < 20; i += 10 {
				q := url.Values{"ResourceType": {"sourceserver"}, "ResourceId.1": {ids[0]}}
				for j := 1; j <= 10; j++ {
					q.Set(fmt.Sprintf("Tag.%d.Key", j), fmt.Sprintf("key-%d", i+j))
					q.Set(fmt.Sprintf("Tag.%d.Value", j), "v")
				}
				acct.ok(ctx, "TagResources", q)
			}
			r := acct.call(ctx, "TagResources", url.Values{"ResourceType": {"sourceserver"}, "ResourceId.1": {ids[0]}, "Tag.1.Key": {"key-21"}, "Tag.1.Value": {"v"}})
			expectError(r, "TagResources", "NumberExceed.Tags")
		})
		It("ListTagResources returns InvalidParameter.TagValue for a value without its key", errorLabels("ListTagResources", "InvalidParameter.TagValue"), func(ctx SpecContext) {
			acct := ownAccount(ctx, f, nil)
			r := acct.call(ctx, "ListTagResources", url.Values{"ResourceType": {"sourceserver"}, "Tag.1.Value": {"v"}})
			expectError(r, "ListTagResources", "InvalidParameter.TagValue")
		})
	})
})

// tagParams names resources for one of the tag actions, with the tag the writers need.
func tagParams(action string, ids ...string) url.Values {
	q := url.Values{"ResourceType": {"sourceserver"}}
	for i, id := range ids {
		q.Set(fmt.Sprintf("ResourceId.%d", i+1), id)
	}
	switch action {
	case "TagResources":
		q.Set("Tag.1.Key", "team")
		q.Set("Tag.1.Value", "smcct")
	case "UntagResources":
		q.Set("TagKey.1", "team")
	}
	return q
}

// jobName reads a job's name back, so that a rename can collide with it.
func jobName(ctx SpecContext, acct *account, job string) string {
	GinkgoHelper()
	r := acct.ok(ctx, "DescribeReplicationJobs", url.Values{"JobId.1": {job}})
	list, _ := r.Response.Data["ReplicationJobs"].(map[string]any)
	items, _ := list["ReplicationJob"].([]any)
	Expect(items).To(HaveLen(1), "DescribeReplicationJobs JobId.1=%s", job)
	name, _ := items[0].(map[string]any)["Name"].(string)
	return name
}
