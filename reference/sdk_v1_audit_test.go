package reference

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	sdkerrors "github.com/aliyun/alibaba-cloud-sdk-go/sdk/errors"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/smc"
)

// TestV1SDKAuditItems meets, as a user of the official v1 SDK would, each behaviour the audit
// against the official docs (issue #12) found wrong: the same requests, sent through the
// SDK's signer and decoded by its types, must now get what the docs describe. The written
// and generated suites specs hold the same rules against any target; this test shows the
// SDK sees them too.
func TestV1SDKAuditItems(t *testing.T) {
	const smcV, ebsV = "2019-06-01", "2021-07-30"
	t.Run("1 a group may join two zones of one region", func(t *testing.T) {
		ref := newAuditRef(t)
		hz := newV1Common(t, ref.host, ebsV, "cn-hangzhou")
		g := hz.ok("CreateDiskReplicaGroup", map[string]string{"SourceZoneId": "cn-hangzhou-h",
			"DestinationRegionId": "cn-hangzhou", "DestinationZoneId": "cn-hangzhou-i"})
		if id, _ := g["ReplicaGroupId"].(string); id == "" {
			t.Fatalf("no ReplicaGroupId in %v", g)
		}
	})

	t.Run("2 an empty filter value is not used as a filter", func(t *testing.T) {
		ref := newAuditRef(t)
		c := newV1Common(t, ref.host, smcV, "cn-hangzhou")
		v1CreateIncremental(t, v1SMCClient(t, ref.host), v1Source, "audit-empty")
		for _, tc := range []struct{ action, param, total string }{
			{"DescribeReplicationJobs", "Status", "TotalCount"},
			{"DescribeReplicationJobs", "BusinessStatus", "TotalCount"},
			{"DescribeReplicationJobs", "JobType", "TotalCount"},
			{"DescribeReplicationJobs", "PageSize", "TotalCount"},
			{"DescribeReplicationJobs", "PageNumber", "TotalCount"},
			{"DescribeSourceServers", "State", "TotalCount"},
			{"ListAccessTokens", "Status", "TotalCount"},
		} {
			all := c.ok(tc.action, nil)[tc.total]
			got := c.ok(tc.action, map[string]string{tc.param: ""})
			if !strings.Contains("&"+ref.lastQuery()+"&", "&"+tc.param+"=&") {
				t.Fatalf("%s: the SDK did not send %s empty: %s", tc.action, tc.param, ref.lastQuery())
			}
			if got[tc.total] != all {
				t.Errorf("%s %s=: %s %v, want %v as without the parameter", tc.action, tc.param, tc.total, got[tc.total], all)
			}
		}
	})

	t.Run("3 failover waits for the first full sync", func(t *testing.T) {
		ref := newAuditRef(t)
		hz, sh := newV1Common(t, ref.host, ebsV, "cn-hangzhou"), newV1Common(t, ref.host, ebsV, "cn-shanghai")
		pair := v1CreatePair(t, v1EBS(t, ref.host, "cn-hangzhou"), "d-bp1smcctdisk00000001", "d-uf6smcctdisk00000001", "audit-failover")
		sh.fails("a created pair", "FailoverDiskReplicaPair", map[string]string{"ReplicaPairId": pair}, "OperationDenied.InvalidStatus", 403)
		hz.ok("StartDiskReplicaPair", map[string]string{"ReplicaPairId": pair})
		ref.advance(t, "5s")
		sh.fails("a pair seconds into its first sync", "FailoverDiskReplicaPair", map[string]string{"ReplicaPairId": pair}, "OperationDenied.InvalidStatus", 403)

		member := v1CreatePair(t, v1EBS(t, ref.host, "cn-hangzhou"), "d-bp1smcctdisk00000002", "d-uf6smcctdisk00000002", "audit-member")
		group := fmt.Sprint(hz.ok("CreateDiskReplicaGroup", map[string]string{"SourceZoneId": "cn-hangzhou-h",
			"DestinationRegionId": "cn-shanghai", "DestinationZoneId": "cn-shanghai-e"})["ReplicaGroupId"])
		ref.advance(t, "10s")
		hz.ok("AddDiskReplicaPair", map[string]string{"ReplicaGroupId": group, "ReplicaPairId": member})
		hz.ok("StartDiskReplicaGroup", map[string]string{"ReplicaGroupId": group})
		ref.advance(t, "5s")
		sh.fails("a group seconds into its first sync", "FailoverDiskReplicaGroup", map[string]string{"ReplicaGroupId": group}, "OperationDenied.InvalidStatus", 403)

		ref.advance(t, "10m")
		sh.ok("FailoverDiskReplicaPair", map[string]string{"ReplicaPairId": pair})
		ref.advance(t, "20s")
		if p := v1Pair(t, v1EBS(t, ref.host, "cn-shanghai"), pair, "backup"); p.Status != "failovered" || p.LastRecoverPoint == 0 {
			t.Fatalf("after a completed sync: %s with LastRecoverPoint %d, want failovered with a recovery point", p.Status, p.LastRecoverPoint)
		}
	})

	t.Run("4 a partition without Block is block-replicated", func(t *testing.T) {
		ref := newAuditRef(t)
		c := v1SMCClient(t, ref.host)
		req := smc.CreateCreateReplicationJobRequest()
		req.SourceId, req.Name, req.TargetType, req.ImageName = v1Source, "audit-block", "Image", "audit-block-image"
		req.SystemDiskPart = &[]smc.CreateReplicationJobSystemDiskPart{{Device: "0_0", SizeBytes: "1024"}}
		req.DataDisk = &[]smc.CreateReplicationJobDataDisk{{Index: "1", Size: "100",
			Part: &[]smc.CreateReplicationJobPart{{Device: "1_0", SizeBytes: "1024"}}}}
		resp, err := c.CreateReplicationJob(req)
		v1OK(t, "CreateReplicationJob", err)
		j := v1Job(t, c, resp.JobId)
		sys, data := j.SystemDiskParts.SystemDiskPart, j.DataDisks.DataDisk
		if len(sys) != 1 || !sys[0].Block || len(data) != 1 || len(data[0].Parts.Part) != 1 || !data[0].Parts.Part[0].Block {
			t.Fatalf("partitions sent without Block came back %+v and %+v, want Block true", sys, data)
		}
	})

	t.Run("6 cut-over of a job that never ran starts when asked", func(t *testing.T) {
		ref := newAuditRef(t)
		c := newV1Common(t, ref.host, smcV, "cn-hangzhou")
		start := ref.now(t).Add(48 * time.Hour).Format("2006-01-02T15:04:05Z")
		id := fmt.Sprint(c.ok("CreateReplicationJob", map[string]string{"SourceId": v1Source, "ImageName": "audit-cut",
			"ScheduledStartTime": start})["JobId"])
		sdk := v1SMCClient(t, ref.host)
		v1WantJob(t, sdk, id, "a one-time job before its scheduled start", "Waiting", "")
		ref.advance(t, "1h")
		asked := ref.now(t).Format("2006-01-02T15:04:05Z")
		c.ok("CutOverReplicationJob", map[string]string{"JobId": id})
		if got := v1Job(t, sdk, id).StartTime; got != asked {
			t.Fatalf("StartTime %s, want the cut-over's time %s", got, asked)
		}
	})

	t.Run("7 reprotect waits until the primary disk is detached", func(t *testing.T) {
		ref := newAuditRef(t)
		hz, sh := newV1Common(t, ref.host, ebsV, "cn-hangzhou"), newV1Common(t, ref.host, ebsV, "cn-shanghai")
		pair := v1CreatePair(t, v1EBS(t, ref.host, "cn-hangzhou"), "d-bp1smcctdisk00000001", "d-uf6smcctdisk00000001", "audit-reprotect")
		hz.ok("StartDiskReplicaPair", map[string]string{"ReplicaPairId": pair})
		ref.advance(t, "10m")
		sh.ok("FailoverDiskReplicaPair", map[string]string{"ReplicaPairId": pair})
		ref.advance(t, "20s")
		ref.force(t, "d-bp1smcctdisk00000001", `{"Status":"In_use"}`)
		sh.fails("the primary disk is attached", "ReprotectDiskReplicaPair", map[string]string{"ReplicaPairId": pair}, "OperationDenied.InvalidStatus", 403)
		ref.force(t, "d-bp1smcctdisk00000001", `{"Status":"Available"}`)
		sh.ok("ReprotectDiskReplicaPair", map[string]string{"ReplicaPairId": pair})
	})

	t.Run("8 an implicit image target is an explicit one", func(t *testing.T) {
		ref := newAuditRef(t)
		c := newV1Common(t, ref.host, smcV, "cn-hangzhou")
		c.ok("CreateReplicationJob", map[string]string{"SourceId": v1Source})
		c.ok("CreateReplicationJob", map[string]string{"SourceId": "s-bp1smcctlinux0000002", "TargetType": "Image"})
	})

	t.Run("9 an EBS tag filter needs no key", func(t *testing.T) {
		ref := newAuditRef(t)
		hz := newV1Common(t, ref.host, ebsV, "cn-hangzhou")
		for _, action := range []string{"DescribeDiskReplicaGroups", "DescribeDiskReplicaPairs"} {
			hz.ok(action, map[string]string{"Tag.1.Value": "x"})
		}
	})

	t.Run("10 DescribeReplicationJobs takes an empty tag key, TagResources does not", func(t *testing.T) {
		ref := newAuditRef(t)
		c := newV1Common(t, ref.host, smcV, "cn-hangzhou")
		id := v1CreateIncremental(t, v1SMCClient(t, ref.host), v1Source, "audit-tagkey")
		c.ok("DescribeReplicationJobs", map[string]string{"Tag.1.Key": "", "Tag.1.Value": "x"})
		_, err := c.call("TagResources", map[string]string{"ResourceType": "replicationjob", "ResourceId.1": id, "Tag.1.Key": "", "Tag.1.Value": "x"})
		var se *sdkerrors.ServerError
		if !errors.As(err, &se) || se.HttpStatus() != 400 {
			t.Fatalf("TagResources with an empty key: %v, want a 400", err)
		}
	})

	t.Run("11 progress, HostId and Recommend", func(t *testing.T) {
		ref := newAuditRef(t)
		hz, sh := newV1Common(t, ref.host, ebsV, "cn-hangzhou"), newV1Common(t, ref.host, ebsV, "cn-shanghai")
		pair := v1CreatePair(t, v1EBS(t, ref.host, "cn-hangzhou"), "d-bp1smcctdisk00000001", "d-uf6smcctdisk00000001", "audit-progress")
		if body := hz.ok("DescribeDiskReplicaPairProgress", map[string]string{"ReplicaPairId": pair}); body["RecoverPoint"] != nil {
			t.Errorf("a pair never started answers RecoverPoint %v", body["RecoverPoint"])
		}
		_, err := sh.call("DeleteDiskReplicaPair", map[string]string{"ReplicaPairId": "pair-nosuchpair000000"})
		var se *sdkerrors.ServerError
		if !errors.As(err, &se) {
			t.Fatalf("an unknown pair: %v", err)
		}
		if se.HostId() != "ebs.cn-shanghai.aliyuncs.com" {
			t.Errorf("HostId %q, want the regional endpoint ebs.cn-shanghai.aliyuncs.com", se.HostId())
		}
		if rec := se.Recommend(); !strings.Contains(rec, "?q="+se.ErrorCode()+"&product=") {
			t.Errorf("Recommend %q, want q before product", rec)
		}
	})

	t.Run("12 a restart after Stop only catches up; SourceId.N takes 100", func(t *testing.T) {
		ref := newAuditRef(t)
		hz := newV1Common(t, ref.host, ebsV, "cn-hangzhou")
		ebsHz := v1EBS(t, ref.host, "cn-hangzhou")
		pair := v1CreatePair(t, ebsHz, "d-bp1smcctdisk00000001", "d-uf6smcctdisk00000001", "audit-restart")
		hz.ok("StartDiskReplicaPair", map[string]string{"ReplicaPairId": pair})
		ref.advance(t, "10m")
		hz.ok("StopDiskReplicaPair", map[string]string{"ReplicaPairId": pair})
		ref.advance(t, "10s")
		hz.ok("StartDiskReplicaPair", map[string]string{"ReplicaPairId": pair})
		if p := v1Pair(t, ebsHz, pair, "production"); p.Status != "syncing" {
			t.Errorf("a restarted pair is %s, want syncing (initial_syncing is the first replication only)", p.Status)
		}

		c := newV1Common(t, ref.host, smcV, "cn-hangzhou")
		ids := map[string]string{}
		for i := 1; i <= 100; i++ {
			ids[fmt.Sprintf("SourceId.%d", i)] = v1Source
		}
		c.ok("DescribeSourceServers", ids)
		ids["SourceId.101"] = v1Source
		c.fails("101 source IDs", "DescribeSourceServers", ids, "InvalidSourceId", 400)
	})
}

// auditRef is an sdkRef that also keeps the raw query of the last request, so a test can
// see what the SDK put on the wire.
type auditRef struct {
	sdkRef
	mu   sync.Mutex
	last string
}

func newAuditRef(t *testing.T) *auditRef {
	t.Helper()
	srv, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	ref := &auditRef{}
	ts := httptest.NewServer(v1Seen.track(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ref.mu.Lock()
		ref.last = r.URL.RawQuery
		ref.mu.Unlock()
		srv.ServeHTTP(w, r)
	})))
	t.Cleanup(func() { ts.Close(); srv.Close() })
	ref.sdkRef = sdkRef{host: strings.TrimPrefix(ts.URL, "http://"), base: ts.URL}
	return ref
}

func (r *auditRef) lastQuery() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.last
}

// now is the reference's business clock, read through the control plane.
func (r *auditRef) now(t *testing.T) time.Time {
	t.Helper()
	var clock struct {
		Now time.Time `json:"now"`
	}
	resp, err := http.Get(r.base + "/_smcct/clock")
	if err != nil {
		t.Fatal(err)
	}
	decodeJSON(t, resp, &clock)
	return clock.Now.UTC()
}

// force sets state fields of an object through the control plane, as a test harness
// attaches a disk the reference has no public action for.
func (r *auditRef) force(t *testing.T, id, fields string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPut, r.base+"/_smcct/objects/"+id+"/state", strings.NewReader(fields))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	decodeJSON(t, resp, nil)
}
