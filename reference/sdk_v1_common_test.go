package reference

import (
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"os"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/auth/credentials"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"

	"github.com/smcct/smcct/spec"
)

// The v1 SDK (alibaba-cloud-sdk-go v1.63.107) has typed requests for 32 of the contract's
// actions; the others (the drills, workgroups, access tokens and cross-zone jobs) it reaches
// through CommonRequest, its generic RPC call with the same signer, transport and error
// type. TestMain checks that the v1 SDK tests, between them, drove every action of the
// contract to a 200.

// seenActions records the actions a v1 SDK call got a 200 for, by Version and Action: the v1
// SDK sends both in the query string, which the v2 SDKs never do.
type seenActions struct {
	mu   sync.Mutex
	seen map[string]bool
}

var v1Seen = &seenActions{seen: map[string]bool{}}

func (s *seenActions) track(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		q := r.URL.Query()
		if action := q.Get("Action"); action != "" && rec.status == http.StatusOK {
			s.mu.Lock()
			s.seen[q.Get("Version")+" "+action] = true
			s.mu.Unlock()
		}
	})
}

// missing lists the contract's actions no v1 SDK call got a 200 for.
func (s *seenActions) missing() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, a := range spec.MustDefault().Actions() {
		if !s.seen[a.Product.Version+" "+a.Name] {
			out = append(out, a.Name)
		}
	}
	sort.Strings(out)
	return out
}

// TestMain runs the package's tests; when they all ran (no -run filter) and passed, it also
// requires the v1 SDK to have driven every action of the contract.
func TestMain(m *testing.M) {
	code := m.Run()
	if f := flag.Lookup("test.run"); code == 0 && f != nil && f.Value.String() == "" {
		if missing := v1Seen.missing(); len(missing) > 0 {
			fmt.Fprintf(os.Stderr, "the v1 SDK tests never got a 200 for: %s\n", strings.Join(missing, ", "))
			code = 1
		}
	}
	os.Exit(code)
}

// v1Common is a v1 SDK client for CommonRequest calls of one product from one region.
type v1Common struct {
	t       *testing.T
	c       *sdk.Client
	host    string
	version string
	region  string
}

func newV1Common(t *testing.T, host, version, region string) *v1Common {
	t.Helper()
	c, err := sdk.NewClientWithOptions(region, sdk.NewConfig(), credentials.NewAccessKeyCredential("smcct", "smcct-secret"))
	if err != nil {
		t.Fatal(err)
	}
	return &v1Common{t: t, c: c, host: host, version: version, region: region}
}

// call sends one action with CommonRequest and returns the decoded body, or the SDK error.
func (v *v1Common) call(action string, params map[string]string) (map[string]any, error) {
	req := requests.NewCommonRequest()
	req.Method, req.Scheme, req.Domain = "POST", "http", v.host
	req.Version, req.ApiName = v.version, action
	req.QueryParams["RegionId"] = v.region
	for k, val := range params {
		req.QueryParams[k] = val
	}
	resp, err := v.c.ProcessCommonRequest(req)
	if err != nil {
		return nil, err
	}
	var body map[string]any
	if err := json.Unmarshal(resp.GetHttpContentBytes(), &body); err != nil {
		return nil, fmt.Errorf("%s: undecodable body %q: %w", action, resp.GetHttpContentString(), err)
	}
	return body, nil
}

func (v *v1Common) ok(action string, params map[string]string) map[string]any {
	v.t.Helper()
	body, err := v.call(action, params)
	v1OK(v.t, action, err)
	if body["RequestId"] == "" || body["RequestId"] == nil {
		v.t.Fatalf("%s: no RequestId in %v", action, body)
	}
	return body
}

func (v *v1Common) fails(step, action string, params map[string]string, code string, status int) {
	v.t.Helper()
	_, err := v.call(action, params)
	v1WantError(v.t, step, err, code, status)
}

func listOf(body map[string]any, key string) []map[string]any {
	items, _ := body[key].([]any)
	out := make([]map[string]any, 0, len(items))
	for _, it := range items {
		if m, ok := it.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

// TestV1SDKDrills drives the group and pair drill actions, which the v1 SDK has no typed
// requests for, through CommonRequest: refusals first, then a drill of each kind.
func TestV1SDKDrills(t *testing.T) {
	const ebsV = "2021-07-30"
	ref := newSDKRef(t)
	hz := v1EBS(t, ref.host, "cn-hangzhou")
	hzC, shC := newV1Common(t, ref.host, ebsV, "cn-hangzhou"), newV1Common(t, ref.host, ebsV, "cn-shanghai")
	solo := v1CreatePair(t, hz, "d-bp1smcctdisk00000001", "d-uf6smcctdisk00000001", "v1-drill-solo")
	member := v1CreatePair(t, hz, "d-bp1smcctdisk00000002", "d-uf6smcctdisk00000002", "v1-drill-member")
	group := fmt.Sprint(hzC.ok("CreateDiskReplicaGroup", map[string]string{"SourceZoneId": "cn-hangzhou-h",
		"DestinationRegionId": "cn-shanghai", "DestinationZoneId": "cn-shanghai-e"})["ReplicaGroupId"])
	ref.advance(t, "10s")
	hzC.ok("AddDiskReplicaPair", map[string]string{"ReplicaGroupId": group, "ReplicaPairId": member})

	shC.fails("pair drill before a recovery point", "StartPairDrill", map[string]string{"PairId": solo}, "OperationDenied.RecoverPointNotFound", 403)
	shC.fails("group drill before a recovery point", "StartReplicaGroupDrill", map[string]string{"GroupId": group}, "OperationDenied.RecoverPointNotFound", 403)
	hzC.ok("StartDiskReplicaPair", map[string]string{"ReplicaPairId": solo})
	hzC.ok("StartDiskReplicaGroup", map[string]string{"ReplicaGroupId": group})
	ref.advance(t, "10m")
	hzC.fails("pair drill on the primary", "StartPairDrill", map[string]string{"PairId": solo}, "OperationDenied.StartDrillShouldOnDestRegion", 403)

	pd := fmt.Sprint(shC.ok("StartPairDrill", map[string]string{"PairId": solo, "ClientToken": "v1-pair-drill"})["DrillId"])
	gd := fmt.Sprint(shC.ok("StartReplicaGroupDrill", map[string]string{"GroupId": group})["DrillId"])
	if !strings.HasPrefix(pd, "drill-") || !strings.HasPrefix(gd, "pg-drill-") {
		t.Fatalf("drill IDs %q and %q", pd, gd)
	}
	if again := fmt.Sprint(shC.ok("StartPairDrill", map[string]string{"PairId": solo, "ClientToken": "v1-pair-drill"})["DrillId"]); again != pd {
		t.Fatalf("a retried StartPairDrill answered %s, want %s", again, pd)
	}
	shC.fails("clear a running pair drill", "ClearPairDrill", map[string]string{"PairId": solo, "DrillId": pd}, "OperationDenied.InvalidStatus", 403)
	ref.advance(t, "1m")
	drills := listOf(hzC.ok("DescribePairDrills", map[string]string{"PairId": solo}), "Drills")
	if len(drills) != 1 || drills[0]["DrillId"] != pd || drills[0]["Status"] != "executed" || drills[0]["DrillDiskStatus"] != "created" {
		t.Fatalf("DescribePairDrills: %v", drills)
	}
	groupDrills := listOf(shC.ok("DescribeReplicaGroupDrills", map[string]string{"GroupId": group}), "Drills")
	if len(groupDrills) != 1 || groupDrills[0]["DrillId"] != gd || groupDrills[0]["Status"] != "executed" {
		t.Fatalf("DescribeReplicaGroupDrills: %v", groupDrills)
	}
	shC.fails("a group drill's ID on a pair", "ClearPairDrill", map[string]string{"PairId": solo, "DrillId": gd}, "NoSuchResource", 404)
	shC.ok("ClearPairDrill", map[string]string{"PairId": solo, "DrillId": pd})
	shC.ok("ClearReplicaGroupDrill", map[string]string{"GroupId": group, "DrillId": gd})
	ref.advance(t, "1m")
	if left := listOf(shC.ok("DescribePairDrills", map[string]string{"PairId": solo}), "Drills"); len(left) != 0 {
		t.Fatalf("drills left after clearing: %v", left)
	}
}

// TestV1SDKWorkgroupsTokensAndCrossZone drives the SMC actions newer than the v1 SDK's typed
// requests through CommonRequest: workgroups with their sources, activation codes, and a
// cross-zone migration job.
func TestV1SDKWorkgroupsTokensAndCrossZone(t *testing.T) {
	ref := newSDKRef(t)
	c := newV1Common(t, ref.host, "2019-06-01", "cn-hangzhou")
	wg := fmt.Sprint(c.ok("CreateWorkgroup", map[string]string{"Name": "v1-wave", "Description": "first wave"})["WorkgroupId"])
	c.ok("AssociateSourceServers", map[string]string{"WorkgroupId": wg, "SourceId.1": v1Source})
	c.ok("ModifyWorkgroupAttribute", map[string]string{"WorkgroupId": wg, "Name": "v1-wave-renamed"})
	groups := c.ok("DescribeWorkgroups", map[string]string{"WorkgroupId.1": wg})
	list, _ := groups["Workgroups"].(map[string]any)
	if items := listOf(list, "Workgroup"); len(items) != 1 || items[0]["Name"] != "v1-wave-renamed" {
		t.Fatalf("DescribeWorkgroups: %v", groups)
	}
	c.ok("DisassociateSourceServers", map[string]string{"WorkgroupId": wg, "SourceId.1": v1Source})
	c.fails("a source outside the workgroup", "DisassociateSourceServers", map[string]string{"WorkgroupId": wg, "SourceId.1": v1Source},
		"SourceServer.NotInWorkgroup", 400)
	c.ok("DeleteWorkgroup", map[string]string{"WorkgroupId": wg})
	c.fails("a deleted workgroup", "DeleteWorkgroup", map[string]string{"WorkgroupId": wg}, "InvalidWorkgroupId.NotFound", 404)

	token := c.ok("CreateAccessToken", map[string]string{"Name": "v1-agents", "Count": "5", "TimeToLiveInDays": "7"})
	id := fmt.Sprint(token["AccessTokenId"])
	if code, _ := token["AccessTokenCode"].(string); code == "" {
		t.Fatalf("CreateAccessToken answered no code: %v", token)
	}
	c.ok("DisableAccessToken", map[string]string{"AccessTokenId": id})
	tokens, _ := c.ok("ListAccessTokens", map[string]string{"AccessTokenId.1": id})["AccessTokens"].(map[string]any)
	if items := listOf(tokens, "AccessToken"); len(items) != 1 || items[0]["Status"] != "expired" {
		t.Fatalf("ListAccessTokens after DisableAccessToken: %v", tokens)
	}
	c.ok("DeleteAccessToken", map[string]string{"AccessTokenId": id})

	job := fmt.Sprint(c.ok("CreateCrossZoneMigrationJob", map[string]string{"InstanceId": "i-bp1v1sdkcrosszone001", "TargetZoneId": "cn-hangzhou-i"})["JobId"])
	if j := v1Job(t, v1SMCClient(t, ref.host), job); j.TargetType != "TargetInstance" || j.InstanceId != "i-bp1v1sdkcrosszone001" {
		t.Fatalf("the cross-zone job as the typed v1 SDK reads it: %+v", j)
	}
}
