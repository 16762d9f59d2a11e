package deviation

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/smcct/smcct/reference"
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

// proxy serves a fresh reference, passing every answer through dev. Requests for the action
// swallow never reach the reference: they get a bare success and change nothing.
func proxy(t *testing.T, dev deviate, swallow string) string {
	t.Helper()
	ref, err := reference.New(reference.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ref.Close() })
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
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

var totalCount = regexp.MustCompile(`<TotalCount>[0-9]+</TotalCount>`)

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
	}
	// Without a deviation the same specs pass: a failure above is the deviation's doing.
	t.Run("no deviation", func(t *testing.T) {
		t.Parallel()
		var focus []string
		for _, c := range cases {
			focus = append(focus, c.focus)
		}
		failed, ran := runCheck(t, proxy(t, func(string, *http.Request, *answer) {}, ""), strings.Join(focus, "|"))
		if ran < len(cases) || len(failed) > 0 {
			t.Fatalf("against a faithful reference: ran %d, failed %q", ran, failed)
		}
	})
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			failed, ran := runCheck(t, proxy(t, c.dev, c.swallow), c.focus)
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
