package deviation

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/smcct/smcct/reference"
	"github.com/smcct/smcct/rpc"
)

var (
	buildOnce sync.Once
	bin       string
	buildErr  error
)

// smcct builds the CLI once per test binary: Ginkgo allows one RunSpecs per process, so each
// deviating run is a process of its own.
func smcct(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "smcct-deviation-")
		if err != nil {
			buildErr = err
			return
		}
		bin = filepath.Join(dir, "smcct")
		if out, err := exec.Command("go", "build", "-o", bin, "github.com/smcct/smcct/cmd/smcct").CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return bin
}

// answer is what the reference said, open to change by a deviation.
type answer struct {
	status int
	header http.Header
	body   map[string]any // nil when the body is not a JSON object
	raw    []byte
}

// deviate changes one answer; action is the RPC action of the request ("" for the control plane).
type deviate func(action string, r *http.Request, a *answer)

// rewrite changes a request before the reference sees it (a parameter the target ignores);
// it reports whether it changed anything, and the proxy then signs the request again.
type rewrite func(action string, q url.Values) bool

// proxy serves a fresh reference, passing every answer through dev. Requests for the action
// swallow never reach the reference: they get a bare success and change nothing.
func proxy(t *testing.T, dev deviate, swallow string) string {
	t.Helper()
	return proxyRewriting(t, nil, dev, swallow)
}

// keyring learns the secrets of the accounts the specs add through the control plane, so
// that a rewritten request can be signed again as its sender would.
type keyring struct {
	mu      sync.Mutex
	secrets map[string]string
}

func newKeyring() *keyring {
	return &keyring{secrets: map[string]string{"smcct": "smcct-secret", "smcct-other": "smcct-other-secret"}}
}

func (k *keyring) learn(body []byte) {
	var seed struct {
		Accounts []struct {
			AccessKeys []struct{ ID, Secret string } `json:"accessKeys"`
		} `json:"accounts"`
	}
	if json.Unmarshal(body, &seed) != nil {
		return
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	for _, a := range seed.Accounts {
		for _, key := range a.AccessKeys {
			k.secrets[key.ID] = key.Secret
		}
	}
}

func (k *keyring) secret(id string) (string, bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	s, ok := k.secrets[id]
	return s, ok
}

// resign applies rw to a v1-signed request and signs it again with its key's secret.
func (k *keyring) resign(r *http.Request, rw rewrite) {
	q := r.URL.Query()
	if !rw(q.Get("Action"), q) {
		return
	}
	if secret, ok := k.secret(q.Get("AccessKeyId")); ok {
		rpc.SignV1(r.Method, q, secret)
	}
	r.URL.RawQuery = q.Encode()
	r.RequestURI = r.URL.RequestURI()
}

func proxyRewriting(t *testing.T, rw rewrite, dev deviate, swallow string) string {
	t.Helper()
	ref, err := reference.New(reference.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ref.Close() })
	keys := newKeyring()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/_smcct/seed" {
			body, _ := io.ReadAll(r.Body)
			keys.learn(body)
			r.Body = io.NopCloser(bytes.NewReader(body))
		} else if rw != nil && !strings.HasPrefix(r.URL.Path, "/_smcct/") {
			keys.resign(r, rw)
		}
		if dev == nil {
			dev = func(string, *http.Request, *answer) {}
		}
		rec := httptest.NewRecorder()
		if swallow != "" && r.URL.Query().Get("Action") == swallow {
			rec.Header().Set("Content-Type", "application/json;charset=utf-8")
			_, _ = rec.WriteString(`{"RequestId":"00000000-0000-4000-8000-000000000000"}`)
		} else {
			ref.ServeHTTP(rec, r)
		}
		a := &answer{status: rec.Code, header: rec.Header().Clone(), raw: rec.Body.Bytes()}
		_ = json.Unmarshal(a.raw, &a.body)
		action := r.URL.Query().Get("Action")
		if !strings.HasPrefix(r.URL.Path, "/_smcct/") {
			dev(action, r, a)
		}
		if a.body != nil {
			a.raw, _ = json.Marshal(a.body)
		}
		for k, v := range a.header {
			w.Header()[k] = v
		}
		w.Header().Del("Content-Length")
		w.WriteHeader(a.status)
		_, _ = w.Write(a.raw)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// runCheck runs smcct check on the focused specs and returns the texts of the failed ones.
func runCheck(t *testing.T, endpoint, focus string) (failed []string, ran int) {
	t.Helper()
	report := filepath.Join(t.TempDir(), "report.json")
	cmd := exec.Command(smcct(t), "check", "--endpoint", endpoint, "--focus", focus, "--json-report", report)
	cmd.Env = append(os.Environ(), "ALIBABA_CLOUD_ACCESS_KEY_ID=smcct", "ALIBABA_CLOUD_ACCESS_KEY_SECRET=smcct-secret")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	_ = cmd.Run() // the exit status is checked against the report below
	data, err := os.ReadFile(report)
	if err != nil {
		t.Fatalf("no JSON report: %v\n%s", err, out.String())
	}
	var reports []types.Report
	if err := json.Unmarshal(data, &reports); err != nil {
		t.Fatal(err)
	}
	for _, r := range reports {
		for _, s := range r.SpecReports {
			if s.LeafNodeType != types.NodeTypeIt || s.State.Is(types.SpecStateSkipped) {
				continue
			}
			ran++
			if s.State.Is(types.SpecStateFailureStates) {
				failed = append(failed, s.FullText())
			}
		}
	}
	if len(failed) > 0 && cmd.ProcessState.ExitCode() == 0 {
		t.Errorf("smcct check exited 0 with %d failed specs", len(failed))
	}
	return failed, ran
}

var (
	totalCount = regexp.MustCompile(`<TotalCount>[0-9]+</TotalCount>`)
	secondPart = regexp.MustCompile(`^DataDisk\.[0-9]+\.Part\.2\.`)
	recommend  = regexp.MustCompile(`(?s)<Recommend>.*?</Recommend>`)
)

func errorCode(a *answer) string {
	c, _ := a.body["Code"].(string)
	return c
}

// ok turns an answer into a bare success, as a target that skipped a check would send.
func ok(a *answer) {
	a.status = http.StatusOK
	a.body = map[string]any{"RequestId": "00000000-0000-4000-8000-000000000000"}
}

// TestSuitesCatchDeviations: each deviation must fail the spec that checks that part of the
// contract. A deviation the suites miss is a bug in the suites.
func TestSuitesCatchDeviations(t *testing.T) {
	cases := []struct {
		name, focus, mustFail string
		dev                   deviate
		swallow               string
		rw                    rewrite
	}{
		{
			name:  "wrong error code",
			focus: "ReplicationJobName.Duplicate for a name another job has", mustFail: "CreateReplicationJob returns ReplicationJobName.Duplicate",
			dev: func(action string, _ *http.Request, a *answer) {
				if errorCode(a) == "ReplicationJobName.Duplicate" {
					a.body["Code"] = "InvalidName.Duplicate"
				}
			},
		},
		{
			name:  "wrong HTTP status",
			focus: "StopReplicationJob naming an absent object", mustFail: "StopReplicationJob naming an absent object returns InvalidJobId.NotFound",
			dev: func(action string, _ *http.Request, a *answer) {
				if errorCode(a) == "InvalidJobId.NotFound" {
					a.status = http.StatusBadRequest
				}
			},
		},
		{
			name:  "missing response field",
			focus: "with signature v1 answers a correctly signed request", mustFail: "answers a correctly signed request with 200",
			dev: func(action string, _ *http.Request, a *answer) {
				if action == "DescribeSourceServers" && a.status == http.StatusOK {
					delete(a.body, "RequestId")
				}
			},
		},
		{
			name:  "accepted invalid parameter",
			focus: `PageSize=.51. breaking maximum`, mustFail: `DescribeSourceServers PageSize="51" breaking maximum returns 400 InvalidPageSize`,
			dev: func(action string, _ *http.Request, a *answer) {
				if errorCode(a) == "InvalidPageSize" {
					ok(a)
				}
			},
		},
		{
			name:  "ignored precondition",
			focus: "WithRunningReplicationJob even with Force", mustFail: "returns SourceServer.WithRunningReplicationJob even with Force",
			dev: func(action string, _ *http.Request, a *answer) {
				if errorCode(a) == "SourceServer.WithRunningReplicationJob" {
					ok(a)
				}
			},
		},
		{
			// StartReplicationJob says yes and the job stays Ready, so deleting its source is
			// refused for a related job, not a running one.
			name:  "wrong state after an action",
			focus: "WithRunningReplicationJob even with Force", mustFail: "returns SourceServer.WithRunningReplicationJob even with Force",
			dev:     func(string, *http.Request, *answer) {},
			swallow: "StartReplicationJob",
		},
		{
			name:  "broken signature check",
			focus: "with signature v1 returns SignatureDoesNotMatch", mustFail: "v1 returns SignatureDoesNotMatch for a wrong secret",
			dev: func(action string, _ *http.Request, a *answer) {
				if errorCode(a) == "SignatureDoesNotMatch" {
					ok(a)
				}
			},
		},
		{
			name:  "XML where JSON was asked",
			focus: "with signature v1 answers a correctly signed request", mustFail: "answers a correctly signed request with 200",
			dev: func(action string, r *http.Request, a *answer) {
				if action == "DescribeSourceServers" && r.URL.Query().Get("Format") != "XML" {
					a.header.Set("Content-Type", "text/xml;charset=utf-8")
					a.body, a.raw = nil, []byte("<DescribeSourceServersResponse><RequestId>x</RequestId></DescribeSourceServersResponse>")
				}
			},
		},
		{
			name:  "wrong type in an XML body",
			focus: "DescribeSourceServers answers <DescribeSourceServersResponse>", mustFail: "DescribeSourceServers answers <DescribeSourceServersResponse> with RequestId first",
			dev: func(action string, r *http.Request, a *answer) {
				if action == "DescribeSourceServers" && r.URL.Query().Get("Format") == "XML" {
					a.raw = totalCount.ReplaceAll(a.raw, []byte("<TotalCount>many</TotalCount>"))
				}
			},
		},
		// What an accepted request does (issue #11): one deviation per kind of semantic spec.
		{
			name:  "ignored filter",
			focus: "DescribeReplicationJobs Status lists exactly", mustFail: "DescribeReplicationJobs Status lists exactly the objects whose Status equals it",
			rw: dropParam("DescribeReplicationJobs", "Status"),
		},
		{
			name:  "ignored EBS filter",
			focus: "DescribeDiskReplicaPairs ReplicaGroupId lists exactly", mustFail: "DescribeDiskReplicaPairs ReplicaGroupId lists exactly the objects whose ReplicaGroupId equals it",
			rw: dropParam("DescribeDiskReplicaPairs", "ReplicaGroupId"),
		},
		{
			name:  "wrong PageNumber echo",
			focus: "DescribeDiskReplicaGroups pages with PageSize", mustFail: "DescribeDiskReplicaGroups pages with PageSize=2 through every object once",
			dev: func(action string, _ *http.Request, a *answer) {
				if action == "DescribeDiskReplicaGroups" && a.status == http.StatusOK {
					a.body["PageNumber"] = 1
				}
			},
		},
		{
			name:  "lost idempotency",
			focus: "CreateDiskReplicaGroup retried with the same ClientToken answers", mustFail: "CreateDiskReplicaGroup retried with the same ClientToken answers as the first call and does it once",
			rw: dropParam("CreateDiskReplicaGroup", "ClientToken"),
		},
		{
			// The default is true: a target that drops false reverses anyway.
			name:  "ignored ReverseReplicate=false",
			focus: "ReprotectDiskReplicaGroup with ReverseReplicate", mustFail: "ReprotectDiskReplicaGroup with ReverseReplicate=true swaps",
			rw: dropValue("ReprotectDiskReplicaGroup", "ReverseReplicate", "false"),
		},
		{
			name:  "ignored All=true",
			focus: "UntagResources with All", mustFail: "UntagResources with All=true clears",
			rw: dropValue("UntagResources", "All", "true"),
		},
		{
			name:  "enum in any letter case",
			focus: `DescribeReplicationJobs Status=.running. breaking enum`, mustFail: `DescribeReplicationJobs Status="running" breaking enum returns 400 InvalidStatus`,
			rw: func(action string, q url.Values) bool {
				if action != "DescribeReplicationJobs" || q.Get("Status") != "running" {
					return false
				}
				q.Set("Status", "Running")
				return true
			},
		},
		{
			name:  "wrong HostId",
			focus: "smc answers an unknown object with a JSON error envelope", mustFail: "smc answers an unknown object with a JSON error envelope",
			dev: func(action string, _ *http.Request, a *answer) {
				if a.status >= 400 && a.body != nil {
					a.body["HostId"] = "smcct.example.test"
				}
			},
		},
		{
			name:  "unknown optional ID answered 200",
			focus: "DescribeReplicaGroupDrills with DrillId naming no Drill", mustFail: "DescribeReplicaGroupDrills with DrillId naming no Drill returns 404 NoSuchResource",
			dev: func(action string, r *http.Request, a *answer) {
				if action == "DescribeReplicaGroupDrills" && errorCode(a) == "NoSuchResource" && r.URL.Query().Get("DrillId") != "" {
					a.status = http.StatusOK
					a.body = map[string]any{"RequestId": "00000000-0000-4000-8000-000000000000", "Drills": []any{}, "TotalCount": 0}
				}
			},
		},
		{
			name:  "name filter matching a prefix",
			focus: "DescribeWorkgroups Name lists exactly", mustFail: "DescribeWorkgroups Name lists exactly the objects whose Name equals it",
			rw: func(action string, q url.Values) bool {
				if action != "DescribeWorkgroups" || q.Get("Name") == "" {
					return false
				}
				q.Set("SmcctPrefix", q.Get("Name")) // an unknown parameter the reference ignores
				q.Del("Name")
				return true
			},
			dev: func(action string, r *http.Request, a *answer) {
				prefix := r.URL.Query().Get("SmcctPrefix")
				if action != "DescribeWorkgroups" || prefix == "" || a.body == nil {
					return
				}
				wrap, _ := a.body["Workgroups"].(map[string]any)
				items, _ := wrap["Workgroup"].([]any)
				var kept []any
				for _, it := range items {
					if name, _ := it.(map[string]any)["Name"].(string); strings.HasPrefix(name, prefix) {
						kept = append(kept, it)
					}
				}
				wrap["Workgroup"], a.body["TotalCount"] = kept, len(kept)
			},
		},
		{
			name:  "tag filter matching keys alone",
			focus: "DescribeReplicationJobs Tag lists exactly", mustFail: "DescribeReplicationJobs Tag lists exactly the objects carrying every given tag",
			rw: func(action string, q url.Values) bool {
				if action != "DescribeReplicationJobs" || !q.Has("Tag.1.Value") {
					return false
				}
				q.Del("Tag.1.Value")
				return true
			},
		},
		{
			name:  "TotalCount of one page",
			focus: "DescribeSourceServers pages with PageSize", mustFail: "DescribeSourceServers pages with PageSize=2 through every object once",
			dev: func(action string, _ *http.Request, a *answer) {
				if action == "DescribeSourceServers" && a.status == http.StatusOK {
					wrap, _ := a.body["SourceServers"].(map[string]any)
					items, _ := wrap["SourceServer"].([]any)
					a.body["TotalCount"] = len(items)
				}
			},
		},
		{
			name:  "PageSize echoed as the default",
			focus: "DescribeReplicationJobs pages with PageSize", mustFail: "DescribeReplicationJobs pages with PageSize=2 through every object once",
			dev: func(action string, _ *http.Request, a *answer) {
				if action == "DescribeReplicationJobs" && a.status == http.StatusOK {
					a.body["PageSize"] = 10
				}
			},
		},
		{
			name:  "NextToken that never ends",
			focus: "DescribeDiskReplicaPairs follows NextToken", mustFail: "DescribeDiskReplicaPairs follows NextToken with MaxResults=2 through every object once",
			dev: func(action string, r *http.Request, a *answer) {
				if action == "DescribeDiskReplicaPairs" && a.status == http.StatusOK && a.body["NextToken"] == "" {
					a.body["NextToken"] = r.URL.Query().Get("NextToken") // the last page points at itself
				}
			},
		},
		{
			name:  "changed retry answered as the first",
			focus: "CreateDiskReplicaGroup retried with the same ClientToken and another", mustFail: "CreateDiskReplicaGroup retried with the same ClientToken and another GroupName returns 400 IdempotentParameterMismatch",
			dev: func(action string, _ *http.Request, a *answer) {
				if errorCode(a) == "IdempotentParameterMismatch" {
					ok(a)
				}
			},
		},
		{
			name:  "nested list cut to its first item",
			focus: "CreateReplicationJob DataDisk=", mustFail: "CreateReplicationJob DataDisk=",
			rw: func(action string, q url.Values) bool {
				if action != "CreateReplicationJob" {
					return false
				}
				dropped := false
				for k := range q {
					if secondPart.MatchString(k) {
						q.Del(k)
						dropped = true
					}
				}
				return dropped
			},
		},
		{
			name:  "wrong EBS HostId",
			focus: "ebs answers an unknown object with a JSON error envelope", mustFail: "ebs answers an unknown object with a JSON error envelope",
			dev: func(action string, _ *http.Request, a *answer) {
				if a.status >= 400 && a.body != nil {
					a.body["HostId"] = "smc.aliyuncs.com"
				}
			},
		},
		{
			name:  "error without Recommend",
			focus: "smc answers a missing parameter with a XML error envelope", mustFail: "smc answers a missing parameter with a XML error envelope",
			dev: func(action string, _ *http.Request, a *answer) {
				if a.status >= 400 && a.body == nil {
					a.raw = recommend.ReplaceAll(a.raw, nil)
				}
			},
		},
		{
			name:  "write parameter not kept",
			focus: "CreateWorkgroup Description=", mustFail: "CreateWorkgroup Description=",
			rw: dropParam("CreateWorkgroup", "Description"),
		},
		{
			name:  "RAM not enforced",
			focus: "StopDiskReplicaGroup by a RAM user without a policy for it", mustFail: "StopDiskReplicaGroup by a RAM user without a policy for it answers 403 Forbidden.Action",
			dev: func(action string, _ *http.Request, a *answer) {
				if c := errorCode(a); c == "Forbidden.Action" || c == "Forbidden" {
					a.status, a.body["Code"] = http.StatusNotFound, "NoSuchResource"
				}
			},
		},
		{
			name:  "RAM refusing an allowed user",
			focus: "StopDiskReplicaGroup by a RAM user allowed it on what", mustFail: "StopDiskReplicaGroup by a RAM user allowed it on what the request names is not refused by RAM",
			dev: func(action string, r *http.Request, a *answer) {
				if strings.HasPrefix(r.URL.Query().Get("AccessKeyId"), "smcct-ram-") && errorCode(a) == "NoSuchResource" {
					a.status, a.body["Code"] = http.StatusForbidden, "Forbidden.Action"
				}
			},
		},
		{
			name:  "expired STS token accepted",
			focus: "InvalidSecurityToken.Expired once DurationSeconds", mustFail: "answer 400 InvalidSecurityToken.Expired once DurationSeconds have passed",
			dev: func(action string, _ *http.Request, a *answer) {
				if errorCode(a) == "InvalidSecurityToken.Expired" {
					ok(a)
				}
			},
		},
		{
			name:  "flow control ignored",
			focus: "a call over the action's limit", mustFail: "a call over the action's limit in the account answers 400 Throttling.Api",
			dev: func(action string, _ *http.Request, a *answer) {
				if errorCode(a) == "Throttling.Api" {
					ok(a)
				}
			},
		},
		{
			name:  "account in arrears served",
			focus: "CreateDiskReplicaPair while the account is in arrears", mustFail: "CreateDiskReplicaPair while the account is in arrears answers 403 InvalidAccountStatus.NotEnoughBalance",
			dev: func(action string, _ *http.Request, a *answer) {
				if errorCode(a) == "InvalidAccountStatus.NotEnoughBalance" {
					a.status, a.body["Code"] = http.StatusNotFound, "NoSuchResource"
				}
			},
		},
	}
	// Without a deviation the same specs pass: a failure above is the deviation's doing.
	t.Run("no deviation", func(t *testing.T) {
		t.Parallel()
		var focus []string
		for _, c := range cases {
			focus = append(focus, c.focus)
		}
		failed, ran := runCheck(t, proxy(t, nil, ""), strings.Join(focus, "|"))
		if ran < len(cases) || len(failed) > 0 {
			t.Fatalf("against a faithful reference: ran %d, failed %q", ran, failed)
		}
	})
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			failed, ran := runCheck(t, proxyRewriting(t, c.rw, c.dev, c.swallow), c.focus)
			if ran == 0 {
				t.Fatalf("focus %q ran no spec", c.focus)
			}
			for _, f := range failed {
				if strings.Contains(f, c.mustFail) {
					return
				}
			}
			t.Errorf("the suites missed the deviation: no failed spec contains %q (ran %d, failed %q)", c.mustFail, ran, failed)
		})
	}
}

// dropParam is a target that ignores one parameter of one action, in every wire form
// (Name, Name.N, Name.N.Field).
func dropParam(action, name string) rewrite {
	return func(a string, q url.Values) bool {
		if a != action {
			return false
		}
		dropped := false
		for k := range q {
			if k == name || strings.HasPrefix(k, name+".") {
				q.Del(k)
				dropped = true
			}
		}
		return dropped
	}
}

// dropValue is a target that ignores one value of one parameter of one action.
func dropValue(action, name, value string) rewrite {
	return func(a string, q url.Values) bool {
		if a != action || !q.Has(name) || q.Get(name) != value {
			return false
		}
		q.Del(name)
		return true
	}
}
