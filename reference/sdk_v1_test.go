package reference

import (
	"errors"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/auth/credentials"
	sdkerrors "github.com/aliyun/alibaba-cloud-sdk-go/sdk/errors"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/ebs"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/smc"
)

// These tests drive the reference with the official v1 Go SDK (alibaba-cloud-sdk-go
// v1.63.107) over loopback: the typed request structs, its HMAC-SHA1 signer, its response
// decoder and its error type. The clock moves through the control plane, as a client in
// another language would move it.

// sdkRef is a reference on a loopback listener, seen as an SDK sees it.
type sdkRef struct {
	host string // 127.0.0.1:port, what SDKs take as their endpoint
	base string // http://host, for the control plane
}

func newSDKRef(t *testing.T) sdkRef {
	t.Helper()
	srv, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(v1Seen.track(srv))
	t.Cleanup(func() { ts.Close(); srv.Close() })
	return sdkRef{host: strings.TrimPrefix(ts.URL, "http://"), base: ts.URL}
}

// advance moves the business clock through the control plane.
func (r sdkRef) advance(t *testing.T, by string) {
	t.Helper()
	postJSON(t, r.base+"/_smcct/clock/advance?by="+by, nil)
}

func v1SMCClient(t *testing.T, host string) *smc.Client {
	t.Helper()
	c, err := smc.NewClientWithOptions("cn-hangzhou", sdk.NewConfig(), credentials.NewAccessKeyCredential("smcct", "smcct-secret"))
	if err != nil {
		t.Fatal(err)
	}
	c.Domain = host
	return c
}

// v1WantError asserts that err is the v1 SDK's ServerError with this code and status.
func v1WantError(t *testing.T, step string, err error, code string, status int) {
	t.Helper()
	var se *sdkerrors.ServerError
	if !errors.As(err, &se) {
		t.Fatalf("%s: got %T %v, want *errors.ServerError %s", step, err, err, code)
	}
	if se.ErrorCode() != code || se.HttpStatus() != status || se.RequestId() == "" {
		t.Fatalf("%s: SDK saw %s/%d (request %q), want %s/%d", step, se.ErrorCode(), se.HttpStatus(), se.RequestId(), code, status)
	}
}

func v1OK(t *testing.T, step string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", step, err)
	}
}

// v1Job describes one job through the SDK and returns it.
func v1Job(t *testing.T, c *smc.Client, id string) smc.ReplicationJob {
	t.Helper()
	req := smc.CreateDescribeReplicationJobsRequest()
	req.JobId = &[]string{id}
	resp, err := c.DescribeReplicationJobs(req)
	v1OK(t, "DescribeReplicationJobs", err)
	if resp.TotalCount != 1 || len(resp.ReplicationJobs.ReplicationJob) != 1 {
		t.Fatalf("DescribeReplicationJobs %s: %d jobs (total %d)", id, len(resp.ReplicationJobs.ReplicationJob), resp.TotalCount)
	}
	return resp.ReplicationJobs.ReplicationJob[0]
}

func v1WantJob(t *testing.T, c *smc.Client, id, step, status, business string) {
	t.Helper()
	j := v1Job(t, c, id)
	if j.Status != status || j.BusinessStatus != business {
		t.Fatalf("%s: job %s is %s/%s, want %s/%s", step, id, j.Status, j.BusinessStatus, status, business)
	}
}

const v1Source = "s-bp1smcctlinux0000001"

func v1CreateIncremental(t *testing.T, c *smc.Client, source, name string) string {
	t.Helper()
	req := smc.CreateCreateReplicationJobRequest()
	req.SourceId, req.Name, req.TargetType = source, name, "Image"
	req.ImageName, req.SystemDiskSize = name+"-image", "40"
	req.RunOnce, req.Frequency, req.MaxNumberOfImageToKeep = "false", "12", "2"
	req.Tag = &[]smc.CreateReplicationJobTag{{Key: "team", Value: "sdk"}}
	resp, err := c.CreateReplicationJob(req)
	v1OK(t, "CreateReplicationJob", err)
	if !strings.HasPrefix(resp.JobId, "j-") || resp.RequestId == "" {
		t.Fatalf("CreateReplicationJob answered JobId %q, RequestId %q", resp.JobId, resp.RequestId)
	}
	return resp.JobId
}

// TestV1SDKReplicationJobLifecycle walks an incremental job through every SMC action of the
// v1 SDK that touches jobs: create, describe, modify, start, stop, restart, a finished run,
// cut-over, delete; with the documented errors on the way.
func TestV1SDKReplicationJobLifecycle(t *testing.T) {
	ref := newSDKRef(t)
	c := v1SMCClient(t, ref.host)
	id := v1CreateIncremental(t, c, v1Source, "sdk-v1-job")
	v1WantJob(t, c, id, "after create", "Ready", "")

	mod := smc.CreateModifyReplicationJobAttributeRequest()
	mod.JobId, mod.Name, mod.Description = id, "sdk-v1-renamed", "renamed-by-v1-sdk"
	_, err := c.ModifyReplicationJobAttribute(mod)
	v1OK(t, "ModifyReplicationJobAttribute", err)
	if j := v1Job(t, c, id); j.Name != "sdk-v1-renamed" || j.Description != "renamed-by-v1-sdk" {
		t.Fatalf("modify did not stick: %q %q", j.Name, j.Description)
	}

	stop := smc.CreateStopReplicationJobRequest()
	stop.JobId = id
	_, err = c.StopReplicationJob(stop)
	v1WantError(t, "stop a Ready job", err, "ReplicationJob.InvalidStatus", 400)

	start := smc.CreateStartReplicationJobRequest()
	start.JobId = id
	_, err = c.StartReplicationJob(start)
	v1OK(t, "StartReplicationJob", err)
	v1WantJob(t, c, id, "just started", "Running", "Preparing")
	_, err = c.StopReplicationJob(stop)
	v1WantError(t, "stop while Preparing", err, "ReplicationJob.InvalidBusinessStatus", 400)
	ref.advance(t, "3m")
	v1WantJob(t, c, id, "three minutes in", "Running", "Syncing")
	_, err = c.StopReplicationJob(stop)
	v1OK(t, "StopReplicationJob", err)
	v1WantJob(t, c, id, "after stop", "Stopped", "")

	_, err = c.StartReplicationJob(start)
	v1OK(t, "restart", err)
	ref.advance(t, "30m")
	j := v1Job(t, c, id)
	if j.Status != "Waiting" || len(j.ReplicationJobRuns.ReplicationJobRun) != 1 || !strings.HasPrefix(j.ImageId, "m-") {
		t.Fatalf("after a full run: %s, %d runs, image %q; want Waiting with one run and an image", j.Status, len(j.ReplicationJobRuns.ReplicationJobRun), j.ImageId)
	}

	cut := smc.CreateCutOverReplicationJobRequest()
	cut.JobId, cut.SyncData = id, "false"
	_, err = c.CutOverReplicationJob(cut)
	v1OK(t, "CutOverReplicationJob", err)
	ref.advance(t, "5m")
	v1WantJob(t, c, id, "after cut-over", "Finished", "")
	_, err = c.CutOverReplicationJob(cut)
	v1WantError(t, "cut over a Finished job", err, "ReplicationJob.InvalidStatus", 400)

	del := smc.CreateDeleteReplicationJobRequest()
	del.JobId = id
	_, err = c.DeleteReplicationJob(del)
	v1OK(t, "DeleteReplicationJob", err)
	ref.advance(t, "2m")
	_, err = c.StartReplicationJob(start)
	v1WantError(t, "start a deleted job", err, "InvalidJobId.NotFound", 404)
}

// TestV1SDKTagsAndSources covers the tag actions and the source-server actions of the v1
// SDK: tag, list, untag, describe and modify a source, delete it with and without Force.
func TestV1SDKTagsAndSources(t *testing.T) {
	ref := newSDKRef(t)
	c := v1SMCClient(t, ref.host)
	id := v1CreateIncremental(t, c, v1Source, "sdk-v1-tags")

	tag := smc.CreateTagResourcesRequest()
	tag.ResourceType, tag.ResourceId = "replicationjob", &[]string{id}
	tag.Tag = &[]smc.TagResourcesTag{{Key: "env", Value: "test"}, {Key: "owner", Value: "v1"}}
	_, err := c.TagResources(tag)
	v1OK(t, "TagResources", err)
	list := smc.CreateListTagResourcesRequest()
	list.ResourceType, list.ResourceId = "replicationjob", &[]string{id}
	got, err := c.ListTagResources(list)
	v1OK(t, "ListTagResources", err)
	if keys := v1TagKeys(got.TagResources.TagResource); keys != "env,owner,team" {
		t.Fatalf("ListTagResources keys %q, want env,owner,team (create-time tag included)", keys)
	}
	untag := smc.CreateUntagResourcesRequest()
	untag.ResourceType, untag.ResourceId, untag.TagKey = "replicationjob", &[]string{id}, &[]string{"env"}
	_, err = c.UntagResources(untag)
	v1OK(t, "UntagResources", err)
	got, err = c.ListTagResources(list)
	v1OK(t, "ListTagResources after untag", err)
	if keys := v1TagKeys(got.TagResources.TagResource); keys != "owner,team" {
		t.Fatalf("after untag: keys %q, want owner,team", keys)
	}
	tag.ResourceType = "bucket"
	_, err = c.TagResources(tag)
	if err == nil {
		t.Fatal("TagResources on an unknown resource type succeeded")
	}

	mod := smc.CreateModifySourceServerAttributeRequest()
	mod.SourceId, mod.Name, mod.Description = v1Source, "web-01-renamed", "renamed by the v1 SDK"
	_, err = c.ModifySourceServerAttribute(mod)
	v1OK(t, "ModifySourceServerAttribute", err)
	desc := smc.CreateDescribeSourceServersRequest()
	desc.SourceId = &[]string{v1Source}
	srcs, err := c.DescribeSourceServers(desc)
	v1OK(t, "DescribeSourceServers", err)
	if s := srcs.SourceServers.SourceServer; len(s) != 1 || s[0].Name != "web-01-renamed" || s[0].JobId != id {
		t.Fatalf("DescribeSourceServers: %+v; want the renamed source pointing at %s", s, id)
	}

	del := smc.CreateDeleteSourceServerRequest()
	del.SourceId = v1Source
	_, err = c.DeleteSourceServer(del)
	v1WantError(t, "delete a source that has a job", err, "ReplicationJob.Related", 400)
	del.Force = "true"
	_, err = c.DeleteSourceServer(del)
	v1OK(t, "DeleteSourceServer Force", err)
	ref.advance(t, "1h")
	srcs, err = c.DescribeSourceServers(desc)
	v1OK(t, "DescribeSourceServers after delete", err)
	if srcs.TotalCount != 0 {
		t.Fatalf("a force-deleted source is still listed an hour later: %+v", srcs.SourceServers.SourceServer)
	}
	jobs := smc.CreateDescribeReplicationJobsRequest()
	jobs.JobId = &[]string{id}
	left, err := c.DescribeReplicationJobs(jobs)
	v1OK(t, "DescribeReplicationJobs after force delete", err)
	if left.TotalCount != 0 {
		t.Fatalf("Force did not take the source's job with it: %+v", left.ReplicationJobs.ReplicationJob)
	}
}

func v1TagKeys(tags []smc.TagResource) string {
	var keys []string
	for _, t := range tags {
		keys = append(keys, t.TagKey)
	}
	sort.Strings(keys)
	return strings.Join(keys, ",")
}

// v1EBS returns a v1 EBS client for a region. The v1 EBS package has no endpoint data, so
// without Domain the SDK would ask the Location service over the network (§6.4).
func v1EBS(t *testing.T, host, region string) *ebs.Client {
	t.Helper()
	c, err := ebs.NewClientWithOptions(region, sdk.NewConfig(), credentials.NewAccessKeyCredential("smcct", "smcct-secret"))
	if err != nil {
		t.Fatal(err)
	}
	c.Domain = host
	return c
}

// v1Group describes one replica group as seen from the client's region.
func v1Group(t *testing.T, c *ebs.Client, id, site string) ebs.ReplicaGroup {
	t.Helper()
	req := ebs.CreateDescribeDiskReplicaGroupsRequest()
	req.GroupIds, req.Site = id, site
	resp, err := c.DescribeDiskReplicaGroups(req)
	v1OK(t, "DescribeDiskReplicaGroups", err)
	if len(resp.ReplicaGroups) != 1 {
		t.Fatalf("DescribeDiskReplicaGroups %s (%s): %d groups", id, site, len(resp.ReplicaGroups))
	}
	return resp.ReplicaGroups[0]
}

func v1Pair(t *testing.T, c *ebs.Client, id, site string) ebs.ReplicaPair {
	t.Helper()
	req := ebs.CreateDescribeDiskReplicaPairsRequest()
	req.PairIds, req.Site = id, site
	resp, err := c.DescribeDiskReplicaPairs(req)
	v1OK(t, "DescribeDiskReplicaPairs", err)
	if len(resp.ReplicaPairs) != 1 {
		t.Fatalf("DescribeDiskReplicaPairs %s (%s): %d pairs", id, site, len(resp.ReplicaPairs))
	}
	return resp.ReplicaPairs[0]
}

func v1CreatePair(t *testing.T, c *ebs.Client, src, dst, name string) string {
	t.Helper()
	req := ebs.CreateCreateDiskReplicaPairRequest()
	req.DiskId, req.SourceZoneId, req.PairName = src, "cn-hangzhou-h", name
	req.DestinationRegionId, req.DestinationZoneId, req.DestinationDiskId = "cn-shanghai", "cn-shanghai-e", dst
	resp, err := c.CreateDiskReplicaPair(req)
	v1OK(t, "CreateDiskReplicaPair", err)
	if resp.ReplicaPairId == "" || resp.OrderId == "" {
		t.Fatalf("CreateDiskReplicaPair answered %+v", resp)
	}
	return resp.ReplicaPairId
}

// TestV1SDKReplicaGroupLifecycle drives a group with one pair through create, add, modify,
// start, progress, stop, failover (from the secondary region), reprotect, remove and
// delete, with the v1 EBS client.
func TestV1SDKReplicaGroupLifecycle(t *testing.T) {
	ref := newSDKRef(t)
	hz, sh := v1EBS(t, ref.host, "cn-hangzhou"), v1EBS(t, ref.host, "cn-shanghai")
	pair := v1CreatePair(t, hz, "d-bp1smcctdisk00000001", "d-uf6smcctdisk00000001", "v1-pair")
	cg := ebs.CreateCreateDiskReplicaGroupRequest()
	cg.SourceZoneId, cg.DestinationRegionId, cg.DestinationZoneId, cg.GroupName = "cn-hangzhou-h", "cn-shanghai", "cn-shanghai-e", "v1-group"
	created, err := hz.CreateDiskReplicaGroup(cg)
	v1OK(t, "CreateDiskReplicaGroup", err)
	group := created.ReplicaGroupId
	ref.advance(t, "10s")
	if g := v1Group(t, hz, group, "production"); g.Status != "created" || g.GroupName != "v1-group" {
		t.Fatalf("new group: %s %q, want created v1-group", g.Status, g.GroupName)
	}

	add := ebs.CreateAddDiskReplicaPairRequest()
	add.ReplicaGroupId, add.ReplicaPairId = group, pair
	_, err = hz.AddDiskReplicaPair(add)
	v1OK(t, "AddDiskReplicaPair", err)
	mod := ebs.CreateModifyDiskReplicaGroupRequest()
	mod.ReplicaGroupId, mod.Description = group, "modified by the v1 SDK"
	_, err = hz.ModifyDiskReplicaGroup(mod)
	v1OK(t, "ModifyDiskReplicaGroup", err)

	start := ebs.CreateStartDiskReplicaGroupRequest()
	start.ReplicaGroupId = group
	_, err = hz.StartDiskReplicaGroup(start)
	v1OK(t, "StartDiskReplicaGroup", err)
	if p := v1Pair(t, hz, pair, "production"); p.Status != "initial_syncing" || p.ReplicaGroupId != group {
		t.Fatalf("member after group start: %s in %q, want initial_syncing in %s", p.Status, p.ReplicaGroupId, group)
	}
	_, err = hz.ModifyDiskReplicaGroup(mod)
	v1WantError(t, "modify a syncing group", err, "OperationDenied.InvalidStatus", 403)
	ref.advance(t, "10m")
	prog := ebs.CreateDescribeDiskReplicaPairProgressRequest()
	prog.ReplicaPairId = pair
	pr, err := hz.DescribeDiskReplicaPairProgress(prog)
	v1OK(t, "DescribeDiskReplicaPairProgress", err)
	if pr.Progress != 100 || pr.RecoverPoint == 0 {
		t.Fatalf("after the full sync: progress %d, recover point %d", pr.Progress, pr.RecoverPoint)
	}

	stop := ebs.CreateStopDiskReplicaGroupRequest()
	stop.ReplicaGroupId = group
	_, err = hz.StopDiskReplicaGroup(stop)
	v1OK(t, "StopDiskReplicaGroup", err)
	ref.advance(t, "10s")
	fo := ebs.CreateFailoverDiskReplicaGroupRequest()
	fo.ReplicaGroupId = group
	_, err = hz.FailoverDiskReplicaGroup(fo)
	v1WantError(t, "failover from the primary region", err, "OperationDenied.OperateNotAllowedForPrimary", 403)
	fo = ebs.CreateFailoverDiskReplicaGroupRequest() // the SDK stamped the first client's region into fo
	fo.ReplicaGroupId = group
	_, err = sh.FailoverDiskReplicaGroup(fo)
	v1OK(t, "FailoverDiskReplicaGroup", err)
	ref.advance(t, "20s")
	if g := v1Group(t, sh, group, "backup"); g.Status != "failovered" {
		t.Fatalf("after failover: %s", g.Status)
	}
	rp := ebs.CreateReprotectDiskReplicaGroupRequest()
	rp.ReplicaGroupId, rp.SourceRegionId, rp.SourceZoneId = group, "cn-shanghai", "cn-shanghai-e"
	_, err = sh.ReprotectDiskReplicaGroup(rp)
	v1OK(t, "ReprotectDiskReplicaGroup", err)
	ref.advance(t, "20s")
	g := v1Group(t, sh, group, "production")
	if g.Status != "stopped" || g.SourceRegionId != "cn-shanghai" {
		t.Fatalf("after reprotect: %s from %s, want stopped from cn-shanghai", g.Status, g.SourceRegionId)
	}

	del := ebs.CreateDeleteDiskReplicaGroupRequest()
	del.ReplicaGroupId = group
	_, err = sh.DeleteDiskReplicaGroup(del)
	v1WantError(t, "delete a group with a pair", err, "OperationDenied.GroupHasPair", 403)
	rm := ebs.CreateRemoveDiskReplicaPairRequest()
	rm.ReplicaGroupId, rm.ReplicaPairId = group, pair
	_, err = sh.RemoveDiskReplicaPair(rm)
	v1OK(t, "RemoveDiskReplicaPair", err)
	_, err = sh.DeleteDiskReplicaGroup(del)
	v1OK(t, "DeleteDiskReplicaGroup", err)
	ref.advance(t, "10s")
	_, err = sh.StopDiskReplicaGroup(stop)
	v1WantError(t, "stop a deleted group", err, "NoSuchResource", 404)
}

// TestV1SDKReplicaPairLifecycle covers the pair-only actions: modify, start, stop,
// failover, reprotect and delete, with a state error and an unknown ID on the way.
func TestV1SDKReplicaPairLifecycle(t *testing.T) {
	ref := newSDKRef(t)
	hz, sh := v1EBS(t, ref.host, "cn-hangzhou"), v1EBS(t, ref.host, "cn-shanghai")
	pair := v1CreatePair(t, hz, "d-bp1smcctdisk00000002", "d-uf6smcctdisk00000002", "v1-solo")

	stop := ebs.CreateStopDiskReplicaPairRequest()
	stop.ReplicaPairId = pair
	_, err := hz.StopDiskReplicaPair(stop)
	v1WantError(t, "stop a created pair", err, "OperationDenied.InvalidStatus", 403)
	mod := ebs.CreateModifyDiskReplicaPairRequest()
	mod.ReplicaPairId, mod.PairName = pair, "v1-solo-renamed"
	_, err = hz.ModifyDiskReplicaPair(mod)
	v1OK(t, "ModifyDiskReplicaPair", err)

	start := ebs.CreateStartDiskReplicaPairRequest()
	start.ReplicaPairId = pair
	_, err = hz.StartDiskReplicaPair(start)
	v1OK(t, "StartDiskReplicaPair", err)
	ref.advance(t, "10m")
	if p := v1Pair(t, hz, pair, "production"); (p.Status != "syncing" && p.Status != "normal") || p.PairName != "v1-solo-renamed" {
		t.Fatalf("after the full sync: %s %q, want syncing or normal", p.Status, p.PairName)
	}
	_, err = hz.StopDiskReplicaPair(stop)
	v1OK(t, "StopDiskReplicaPair", err)
	ref.advance(t, "10s")

	fo := ebs.CreateFailoverDiskReplicaPairRequest()
	fo.ReplicaPairId = pair
	_, err = sh.FailoverDiskReplicaPair(fo)
	v1OK(t, "FailoverDiskReplicaPair", err)
	ref.advance(t, "20s")
	rp := ebs.CreateReprotectDiskReplicaPairRequest()
	rp.ReplicaPairId = pair
	_, err = sh.ReprotectDiskReplicaPair(rp)
	v1OK(t, "ReprotectDiskReplicaPair", err)
	ref.advance(t, "20s")
	if p := v1Pair(t, sh, pair, "production"); p.Status != "stopped" || p.SourceDiskId != "d-uf6smcctdisk00000002" {
		t.Fatalf("after reprotect: %s from %s, want stopped from the former secondary", p.Status, p.SourceDiskId)
	}

	del := ebs.CreateDeleteDiskReplicaPairRequest()
	del.ReplicaPairId = pair
	_, err = sh.DeleteDiskReplicaPair(del)
	v1OK(t, "DeleteDiskReplicaPair", err)
	ref.advance(t, "10s")
	_, err = sh.DeleteDiskReplicaPair(del)
	v1WantError(t, "delete a deleted pair", err, "NoSuchResource", 404)
}
