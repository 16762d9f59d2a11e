package reference

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/smcct/smcct/rpc"
	"github.com/smcct/smcct/spec"
)

// newHTTPServer starts a reference on a loopback listener and returns a v1 client for the
// default account.
func newHTTPServer(t *testing.T, opts Options) (*Server, *httptest.Server, *rpc.Client) {
	t.Helper()
	srv, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(func() { ts.Close(); srv.Close() })
	c, err := rpc.NewClient(rpc.Config{Endpoint: ts.URL, AccessKeyID: "smcct", AccessKeySecret: "smcct-secret", RegionID: "cn-hangzhou"})
	if err != nil {
		t.Fatal(err)
	}
	return srv, ts, c
}

func TestPipelineAnswersInTheServiceEnvelope(t *testing.T) {
	_, _, c := newHTTPServer(t, Options{})
	cases := []struct {
		name    string
		version string
		action  string
		params  url.Values
		code    string
		status  int
		reason  string
	}{
		{"unknown job", "2019-06-01", "StopReplicationJob", url.Values{"JobId": {"j-doesnotexist"}}, "InvalidJobId.NotFound", 404,
			"an unknown object ID answers the kind's notFound code before any precondition"},
		{"missing required", "2019-06-01", "StopReplicationJob", nil, "MissingJobId", 400,
			"SMC's gateway family names the missing parameter in the code"},
		{"unknown group", "2021-07-30", "StopDiskReplicaGroup", url.Values{"ReplicaGroupId": {"pg-nope"}}, "NoSuchResource", 404,
			"EBS answers NoSuchResource for unknown IDs"},
		{"ebs missing", "2021-07-30", "StopDiskReplicaGroup", nil, "MissingParameter", 400,
			"EBS's gateway family is MissingParameter"},
		{"unknown action", "2019-06-01", "NoSuchAction", nil, "InvalidAction.NotFound", 404,
			"the gateway routes before the product sees the call"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.Call(context.Background(), tc.version, tc.action, tc.params)
			e, ok := rpc.AsError(err)
			if !ok {
				t.Fatalf("want %s, got %v (%s)", tc.code, err, tc.reason)
			}
			if e.Code != tc.code || e.Status != tc.status || e.RequestID == "" {
				t.Fatalf("got %s/%d (request %q), want %s/%d: %s", e.Code, e.Status, e.RequestID, tc.code, tc.status, tc.reason)
			}
		})
	}
}

func TestUnknownParametersAreRecordedAndStrictRejectsThem(t *testing.T) {
	for _, strict := range []bool{false, true} {
		_, ts, c := newHTTPServer(t, Options{Strict: strict})
		_, err := c.Call(context.Background(), "2019-06-01", "DescribeSourceServers", url.Values{"Bogus": {"1"}})
		if strict != (err != nil) {
			t.Fatalf("strict=%v: err=%v; unknown parameters fail only in strict mode", strict, err)
		}
		var got spec.BreachReport
		getJSON(t, ts.URL+"/_smcct/violations", &got)
		if len(got.Violations) != 1 || got.Requests != 1 {
			t.Fatalf("strict=%v: report %+v: want one request and one breach", strict, got)
		}
		b := got.Violations[0]
		if b.Action != "DescribeSourceServers" || b.Side != spec.SideRequest || b.Seq != 1 ||
			b.Params.Get("Bogus") != "1" || b.Params.Has("Signature") || b.Violations[0].Param != "Bogus" {
			t.Fatalf("strict=%v: breach %+v: want Bogus named, without the signature", strict, b)
		}
	}
}

func TestFaultsFireForTheirCountThenStop(t *testing.T) {
	_, ts, c := newHTTPServer(t, Options{})
	body := `{"action":"DescribeSourceServers","code":"InternalError","status":500,"count":1}`
	resp, err := http.Post(ts.URL+"/_smcct/faults", "application/json", strings.NewReader(body))
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("add fault: %v %v", err, resp)
	}
	_, err = c.Call(context.Background(), "2019-06-01", "DescribeSourceServers", nil)
	if e, ok := rpc.AsError(err); !ok || e.Code != "InternalError" || e.Status != 500 {
		t.Fatalf("first call: %v, want the injected InternalError", err)
	}
	if _, err := c.Call(context.Background(), "2019-06-01", "DescribeSourceServers", nil); err != nil {
		t.Fatalf("second call: %v, the fault had count 1", err)
	}
}

func TestControlPlaneClockAndReset(t *testing.T) {
	srv, ts, _ := newHTTPServer(t, Options{})
	before := srv.Clock().Now()
	var got struct{ Now string }
	postJSON(t, ts.URL+"/_smcct/clock/advance?by=90m", &got)
	if got.Now != before.Add(90*60e9).Format("2006-01-02T15:04:05Z") {
		t.Fatalf("advance answered %s, want 90m after %s", got.Now, before)
	}
	resp, _ := http.Post(ts.URL+"/_smcct/clock/advance?by=-1h", "", nil)
	if resp.StatusCode != 400 {
		t.Fatalf("negative advance answered %d, want 400", resp.StatusCode)
	}
	resp, _ = http.Post(ts.URL+"/_smcct/seed", "application/json", strings.NewReader(`{"noSuchKind":[]}`))
	if resp.StatusCode != 400 {
		t.Fatalf("seeding an unknown kind answered %d, want 400", resp.StatusCode)
	}
	var reset struct{ Now string }
	postJSON(t, ts.URL+"/_smcct/reset", &reset)
	if reset.Now != before.Format("2006-01-02T15:04:05Z") || !srv.Clock().Now().Equal(before) {
		t.Fatalf("after reset the clock is at %s (answered %s), want its start %s", srv.Clock().Now(), reset.Now, before)
	}
}

func TestControlPlaneOffAnswers404(t *testing.T) {
	_, ts, _ := newHTTPServer(t, Options{NoControl: true})
	resp, err := http.Get(ts.URL + "/_smcct/clock")
	if err != nil || resp.StatusCode != 404 {
		t.Fatalf("control plane off: %v %v, want 404", err, resp)
	}
}

func getJSON(t *testing.T, u string, out any) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	decodeJSON(t, resp, out)
}

func postJSON(t *testing.T, u string, out any) {
	t.Helper()
	resp, err := http.Post(u, "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	decodeJSON(t, resp, out)
}

func decodeJSON(t *testing.T, resp *http.Response, out any) {
	t.Helper()
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("%s: %d %s", resp.Request.URL, resp.StatusCode, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s: %v", b, err)
		}
	}
}

// Forcing a group must answer with the group, not with a pair or drill that refers to it.
func TestForceAnswersTheForcedObject(t *testing.T) {
	for _, tc := range []struct{ kind, id, field string }{
		{"replicaGroups", "pg-1", "ReplicaGroupId"},
		{"replicaPairs", "pair-1", "ReplicaPairId"},
		{"replicationJobs", "j-1", "JobId"},
	} {
		dump := map[string]any{
			"replicaPairs":    []any{map[string]any{"ReplicaPairId": "pair-1", "ReplicaGroupId": "pg-1"}},
			"drills":          []any{map[string]any{"DrillId": "drill-1", "GroupId": "pg-1"}},
			"replicaGroups":   []any{map[string]any{"ReplicaGroupId": "pg-1"}},
			"sourceServers":   []any{map[string]any{"SourceId": "s-1", "JobId": "j-1"}},
			"replicationJobs": []any{map[string]any{"JobId": "j-1", "SourceId": "s-1"}},
		}
		got := findObject(dump, tc.kind, tc.id)
		if got[tc.field] != tc.id || len(got) != len(dump[tc.kind].([]any)[0].(map[string]any)) {
			t.Errorf("force %s %s answered %v", tc.kind, tc.id, got)
		}
	}
}

// TestStateListsEveryKindAsAList: GET /_smcct/state answers every kind as a JSON array,
// [] when the account has none of it, so clients can iterate without a null check. The
// second fixture account has disks but no replica groups, pairs or drills.
func TestStateListsEveryKindAsAList(t *testing.T) {
	_, ts, _ := newHTTPServer(t, Options{})
	for _, account := range []string{"smcct", "smcct-other"} {
		var got map[string]any
		getJSON(t, ts.URL+"/_smcct/state?account="+account, &got)
		empty := 0
		for kind, v := range got {
			list, ok := v.([]any)
			if !ok {
				t.Errorf("%s: %s is %T (%v), want a list", account, kind, v, v)
			}
			if ok && len(list) == 0 {
				empty++
			}
		}
		if account == "smcct-other" && empty == 0 {
			t.Errorf("%s: no empty kind, so the test shows nothing: %v", account, got)
		}
	}
}
