package reference

import (
	"errors"
	"fmt"
	"testing"

	openapi "github.com/alibabacloud-go/darabonba-openapi/v2/client"
	"github.com/alibabacloud-go/tea/dara"
	"github.com/alibabacloud-go/tea/tea"
)

// These tests drive the reference with the v2 SDK core (darabonba-openapi v2.1.13): the
// ACS3-HMAC-SHA256 signer in headers, no Action/Version in the query, and its error type.
// They call CallApi directly, as every generated v2 product SDK does underneath; the typed
// EBS v2 SDK cannot decode plain-string PairIds (api-surface.md §5.5), CallApi can.

// v2Client is a v2 core client for one region of a loopback reference.
type v2Client struct {
	t      *testing.T
	c      *openapi.Client
	region string
}

func newV2Client(t *testing.T, host, region string) *v2Client {
	t.Helper()
	c, err := openapi.NewClient(&openapi.Config{
		Endpoint: dara.String(host), Protocol: dara.String("HTTP"), RegionId: dara.String(region),
		AccessKeyId: dara.String("smcct"), AccessKeySecret: dara.String("smcct-secret"),
	})
	if err != nil {
		t.Fatal(err)
	}
	return &v2Client{t: t, c: c, region: region}
}

// call runs one RPC action with the Params of §7.1/§7.3 and returns the decoded body.
func (v *v2Client) call(version, action string, query map[string]string) (map[string]any, error) {
	params := &openapi.Params{
		Action: dara.String(action), Version: dara.String(version), Protocol: dara.String("HTTP"),
		Pathname: dara.String("/"), Method: dara.String("POST"), AuthType: dara.String("AK"),
		Style: dara.String("RPC"), ReqBodyType: dara.String("formData"), BodyType: dara.String("json"),
	}
	q := map[string]*string{"RegionId": dara.String(v.region)}
	for k, val := range query {
		q[k] = dara.String(val)
	}
	out, err := v.c.CallApi(params, &openapi.OpenApiRequest{Query: q}, &dara.RuntimeOptions{})
	if err != nil {
		return nil, err
	}
	body, ok := out["body"].(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%s: body %T, want a JSON object", action, out["body"])
	}
	return body, nil
}

func (v *v2Client) ok(version, action string, query map[string]string) map[string]any {
	v.t.Helper()
	body, err := v.call(version, action, query)
	if err != nil {
		v.t.Fatalf("%s: %v", action, err)
	}
	if body["RequestId"] == nil {
		v.t.Fatalf("%s: no RequestId in %v", action, body)
	}
	return body
}

// fails asserts the call came back as a tea.SDKError with the code and HTTP status.
func (v *v2Client) fails(step, version, action string, query map[string]string, code string, status int) {
	v.t.Helper()
	_, err := v.call(version, action, query)
	var se *tea.SDKError
	if !errors.As(err, &se) {
		v.t.Fatalf("%s: got %T %v, want *tea.SDKError %s", step, err, err, code)
	}
	if tea.StringValue(se.Code) != code || tea.IntValue(se.StatusCode) != status {
		v.t.Fatalf("%s: SDK saw %s/%d, want %s/%d", step, tea.StringValue(se.Code), tea.IntValue(se.StatusCode), code, status)
	}
}

// v2Jobs returns the jobs of a DescribeReplicationJobs body.
func v2Jobs(body map[string]any) []map[string]any {
	outer, _ := body["ReplicationJobs"].(map[string]any)
	list, _ := outer["ReplicationJob"].([]any)
	return v2Maps(list)
}

func TestV2CoreSMCCalls(t *testing.T) {
	const smcV = "2019-06-01"
	ref := newSDKRef(t)
	c := newV2Client(t, ref.host, "cn-hangzhou")
	created := c.ok(smcV, "CreateReplicationJob", map[string]string{
		"SourceId": "s-bp1smcctlinux0000002", "Name": "v2-job", "Tag.1.Key": "via", "Tag.1.Value": "v3-signature"})
	id := fmt.Sprint(created["JobId"])
	c.fails("stop a Ready job", smcV, "StopReplicationJob", map[string]string{"JobId": id}, "ReplicationJob.InvalidStatus", 400)
	c.fails("unknown job", smcV, "StartReplicationJob", map[string]string{"JobId": "j-nosuchjob000000000000"}, "InvalidJobId.NotFound", 404)
	c.fails("missing SourceId", smcV, "CreateReplicationJob", nil, "MissingSourceId", 400)
	c.ok(smcV, "StartReplicationJob", map[string]string{"JobId": id})
	ref.advance(t, "3m")
	jobs := v2Jobs(c.ok(smcV, "DescribeReplicationJobs", map[string]string{"JobId.1": id}))
	if len(jobs) != 1 || jobs[0]["Status"] != "Running" || jobs[0]["BusinessStatus"] != "Syncing" {
		t.Fatalf("DescribeReplicationJobs: %v, want one Running/Syncing job", jobs)
	}
	c.ok(smcV, "StopReplicationJob", map[string]string{"JobId": id})
	tags := c.ok(smcV, "ListTagResources", map[string]string{"ResourceType": "replicationjob", "ResourceId.1": id})
	if s := fmt.Sprint(tags["TagResources"]); s != fmt.Sprint(map[string]any{"TagResource": []any{map[string]any{
		"ResourceId": id, "ResourceType": "replicationjob", "TagKey": "via", "TagValue": "v3-signature"}}}) {
		t.Fatalf("ListTagResources: %s", s)
	}
	c.ok(smcV, "DeleteReplicationJob", map[string]string{"JobId": id})
}

func TestV2CoreEBSCalls(t *testing.T) {
	const ebsV = "2021-07-30"
	ref := newSDKRef(t)
	hz, sh := newV2Client(t, ref.host, "cn-hangzhou"), newV2Client(t, ref.host, "cn-shanghai")
	pair := fmt.Sprint(hz.ok(ebsV, "CreateDiskReplicaPair", map[string]string{
		"DiskId": "d-bp1smcctdisk00000004", "SourceZoneId": "cn-hangzhou-h", "DestinationRegionId": "cn-shanghai",
		"DestinationZoneId": "cn-shanghai-e", "DestinationDiskId": "d-uf6smcctdisk00000004"})["ReplicaPairId"])
	group := fmt.Sprint(hz.ok(ebsV, "CreateDiskReplicaGroup", map[string]string{
		"SourceZoneId": "cn-hangzhou-h", "DestinationRegionId": "cn-shanghai", "DestinationZoneId": "cn-shanghai-e",
		"GroupName": "v2-group"})["ReplicaGroupId"])
	ref.advance(t, "10s")
	hz.ok(ebsV, "AddDiskReplicaPair", map[string]string{"ReplicaGroupId": group, "ReplicaPairId": pair})
	hz.fails("stop an idle pair", ebsV, "StopDiskReplicaPair", map[string]string{"ReplicaPairId": pair}, "OperationDenied.InvalidStatus", 403)
	hz.fails("unknown group", ebsV, "StopDiskReplicaGroup", map[string]string{"ReplicaGroupId": "pg-nosuchgroup"}, "NoSuchResource", 404)
	hz.fails("missing group ID", ebsV, "StartDiskReplicaGroup", nil, "MissingParameter", 400)
	hz.ok(ebsV, "StartDiskReplicaGroup", map[string]string{"ReplicaGroupId": group})

	body := sh.ok(ebsV, "DescribeDiskReplicaGroups", map[string]string{"GroupIds": group, "Site": "backup"})
	groups, _ := body["ReplicaGroups"].([]any)
	var g map[string]any
	if ms := v2Maps(groups); len(ms) == 1 {
		g = ms[0]
	}
	if g == nil || g["Status"] != "syncing" || fmt.Sprint(g["PairIds"]) != fmt.Sprint([]any{pair}) {
		t.Fatalf("DescribeDiskReplicaGroups from the backup site: %v, want one syncing group holding %s as a plain string", groups, pair)
	}
	sh.fails("reprotect before failover", ebsV, "ReprotectDiskReplicaGroup", map[string]string{"ReplicaGroupId": group},
		"OperationDenied.InvalidStatus", 403)
	sh.fails("failover during the first full sync", ebsV, "FailoverDiskReplicaGroup", map[string]string{"ReplicaGroupId": group},
		"OperationDenied.InvalidStatus", 403)
	ref.advance(t, "10m")
	sh.ok(ebsV, "FailoverDiskReplicaGroup", map[string]string{"ReplicaGroupId": group})
}

func v2Maps(list []any) []map[string]any {
	var out []map[string]any
	for _, it := range list {
		if m, ok := it.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}
