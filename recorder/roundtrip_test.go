package recorder

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/smcct/smcct/rpc"
	"github.com/smcct/smcct/spec"
)

// session is what a client does during a recording: a polling loop of identical calls,
// then one other call.
var session = []url.Values{
	{"PageSize": {"10"}}, {"PageSize": {"10"}}, {"PageSize": {"10"}}, {"PageSize": {"20"}},
}

func TestRecordThenReplay(t *testing.T) {
	cases := []struct {
		name   string
		cfg    rpc.Config
		reason string
	}{
		{"v1-post-query", rpc.Config{}, "the v1 SDK's shape: POST with everything in the query"},
		{"v1-get", rpc.Config{Method: http.MethodGet}, "GET is equally valid RPC"},
		{"v1-form-body", rpc.Config{InBody: true}, "parameters in a form body must be re-signed in place"},
		{"v3", rpc.Config{Signer: rpc.V3}, "the v2 SDKs sign v3 in headers"},
		{"v1-xml", rpc.Config{Format: rpc.XML}, "XML answers record and replay like JSON"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := tempCassette(t)
			up := newFakeUpstream(t)
			proxy, _, rec := startProxy(t, up.URL, path)
			cl := client(t, proxy.URL, tc.cfg)
			var recorded [][]byte
			for _, params := range session {
				resp := call(t, cl, "DescribeSourceServers", params)
				if resp.Status != http.StatusOK {
					t.Fatalf("through the proxy: HTTP %d %s (%s)", resp.Status, resp.Body, tc.reason)
				}
				recorded = append(recorded, resp.Body)
			}
			if err := rec.Stop(); err != nil {
				t.Fatal(err)
			}
			assertClean(t, path)

			replay, rrec := startReplay(t, path)
			other := tc.cfg
			other.AccessKeyID, other.AccessKeySecret = "someone-else", "whatever"
			rcl := client(t, replay.URL, other)
			for i, params := range session {
				resp := call(t, rcl, "DescribeSourceServers", params)
				if string(resp.Body) != string(recorded[i]) {
					t.Errorf("call %d replayed %s, recorded %s (%s)", i, resp.Body, recorded[i], tc.reason)
				}
			}
			if err := rrec.Stop(); err != nil {
				t.Errorf("every recording was replayed, Stop says %v", err)
			}
		})
	}
}

// assertClean fails if a recorded cassette holds any credential of the session.
func assertClean(t *testing.T, path string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{upID, upSecret, clientID, clientSecret} {
		if strings.Contains(string(data), bad) {
			t.Errorf("cassette %s contains %q", path, bad)
		}
	}
	if !strings.HasPrefix(string(data), "---\nversion: 2\n") {
		t.Errorf("cassette is not go-vcr format v2:\n%.200s", data)
	}
}

func TestReplayMisses(t *testing.T) {
	path := tempCassette(t)
	up := newFakeUpstream(t)
	proxy, _, rec := startProxy(t, up.URL, path)
	cl := client(t, proxy.URL, rpc.Config{})
	call(t, cl, "DescribeSourceServers", url.Values{"PageSize": {"10"}, "SourceId": {"s-1"}})
	if err := rec.Stop(); err != nil {
		t.Fatal(err)
	}
	replay, rrec := startReplay(t, path)
	rcl := client(t, replay.URL, rpc.Config{})
	call(t, rcl, "DescribeSourceServers", url.Values{"PageSize": {"10"}, "SourceId": {"s-1"}})

	cases := []struct {
		name   string
		action string
		params url.Values
		want   []string
		reason string
	}{
		{"exhausted", "DescribeSourceServers", url.Values{"PageSize": {"10"}, "SourceId": {"s-1"}},
			[]string{"already replayed"}, "a polling loop that runs longer than recorded must say so"},
		{"value-differs", "DescribeSourceServers", url.Values{"PageSize": {"20"}, "SourceId": {"s-1"}},
			[]string{"closest recorded", `PageSize: sent "20", recorded "10"`}, "the differing parameter is named"},
		{"param-missing", "DescribeSourceServers", url.Values{"PageSize": {"10"}},
			[]string{`SourceId: not sent, recorded "s-1"`}, "a parameter the recording had is named"},
		{"other-action", "DescribeReplicationJobs", url.Values{},
			[]string{"DescribeReplicationJobs", `Action: sent "DescribeReplicationJobs", recorded "DescribeSourceServers"`},
			"with no recording of the action, the nearest of any action is shown"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp := call(t, rcl, tc.action, tc.params)
			var e rpc.Error
			if err := json.Unmarshal(resp.Body, &e); err != nil {
				t.Fatalf("miss is not a JSON envelope: %s", resp.Body)
			}
			if resp.Status != StatusNotRecorded || e.Code != CodeNotRecorded || e.RequestID == "" {
				t.Fatalf("HTTP %d %+v, want %d %s with a RequestId", resp.Status, e, StatusNotRecorded, CodeNotRecorded)
			}
			for _, w := range tc.want {
				if !strings.Contains(e.Message, w) {
					t.Errorf("message %q lacks %q (%s)", e.Message, w, tc.reason)
				}
			}
		})
	}
	// A request that is no API call is named once, by method and path, with nothing it did
	// not send, and never compared with the API calls of the cassette.
	for _, path := range []string{"/favicon.ico", "/_smcct/state?account=x"} {
		resp, err := http.Get(replay.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		var e rpc.Error
		_ = json.NewDecoder(resp.Body).Decode(&e)
		resp.Body.Close()
		u, _ := url.Parse(path)
		want := "no recorded interaction for GET " + u.Path + " {" + strings.ReplaceAll(u.RawQuery, "&", " ") + "}: it is not an API call"
		if resp.StatusCode != StatusNotRecorded || !strings.Contains(e.Message, want) ||
			strings.Contains(e.Message, "GET GET") || strings.Contains(e.Message, "Format") || strings.Contains(e.Message, "DescribeSourceServers") {
			t.Errorf("GET %s: %d %q, want %q and nothing about Format or the cassette's API calls", path, resp.StatusCode, e.Message, want)
		}
	}
	xml := client(t, replay.URL, rpc.Config{Format: rpc.XML})
	resp := call(t, xml, "DescribeSourceServers", url.Values{"PageSize": {"99"}})
	if !strings.Contains(string(resp.Body), "<Code>"+CodeNotRecorded+"</Code>") {
		t.Errorf("Format=XML miss should be an XML envelope, got %s", resp.Body)
	}
	if err := rrec.Stop(); err != nil {
		t.Errorf("misses consume nothing; Stop says %v", err)
	}
}

func TestStopReportsUnused(t *testing.T) {
	path := tempCassette(t)
	up := newFakeUpstream(t)
	proxy, _, rec := startProxy(t, up.URL, path)
	cl := client(t, proxy.URL, rpc.Config{})
	call(t, cl, "DescribeSourceServers", nil)
	call(t, cl, "DescribeReplicationJobs", nil)
	if err := rec.Stop(); err != nil {
		t.Fatal(err)
	}
	replay, rrec := startReplay(t, path)
	call(t, client(t, replay.URL, rpc.Config{}), "DescribeSourceServers", nil)
	err := rrec.Stop()
	ue, ok := err.(*UnusedError)
	if !ok || len(ue.Unused) != 1 || !strings.Contains(ue.Error(), "DescribeReplicationJobs") {
		t.Fatalf("Stop = %v, want the one unused DescribeReplicationJobs", err)
	}
}

func TestProxyReportsViolations(t *testing.T) {
	up := newFakeUpstream(t)
	proxy, _, rec := startProxy(t, up.URL, tempCassette(t))
	defer rec.Stop()
	cl := client(t, proxy.URL, rpc.Config{})
	call(t, cl, "DescribeSourceServers", url.Values{"PageSize": {"not-a-number"}})
	resp, err := http.Get(proxy.URL + ViolationsPath)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var rep spec.BreachReport
	if err := json.NewDecoder(resp.Body).Decode(&rep); err != nil {
		t.Fatal(err)
	}
	var req, res bool
	for _, b := range rep.Violations {
		req = req || b.Side == "request" && b.Violations[0].Param == "PageSize" && b.Params.Get("PageSize") == "not-a-number"
		res = res || b.Side == "response" && b.Status == 200
	}
	if rep.Requests != 1 || !req || !res {
		t.Fatalf("report %+v: want 1 request, a PageSize request violation and a response violation (the fake's body is not the contract's)", rep)
	}
}

// A read-only proxy answers write actions itself and never forwards them; reads pass.
func TestProxyReadOnly(t *testing.T) {
	cases := []struct {
		action   string
		readOnly bool
		refused  bool
		reason   string
	}{
		{"StopReplicationJob", true, true, "the contract marks it a write"},
		{"DescribeSourceServers", true, false, "the contract marks it a read"},
		{"DeleteEverything", true, true, "unknown to the contract and not named like a read"},
		{"DescribeEverything", true, false, "unknown to the contract but named like a read"},
		{"StopReplicationJob", false, false, "writes pass when the proxy is not read-only"},
	}
	for _, tc := range cases {
		up := newFakeUpstream(t)
		proxy, p, rec := startProxy(t, up.URL, tempCassette(t))
		p.ReadOnly = tc.readOnly
		cl := client(t, proxy.URL, rpc.Config{})
		_, err := cl.Call(context.Background(), "2019-06-01", tc.action, url.Values{"JobId": {"j-1"}})
		ae, isAPI := rpc.AsError(err)
		refused := isAPI && ae.Code == CodeWriteRefused
		if refused != tc.refused {
			t.Errorf("%s (read-only %v): refused %v, err %v: %s", tc.action, tc.readOnly, refused, err, tc.reason)
		}
		if refused && (ae.Status != http.StatusForbidden || rec.Len() != 0) {
			t.Errorf("%s: status %d and %d recorded interactions, want 403 and none: a refused write must not reach the upstream", tc.action, ae.Status, rec.Len())
		}
		if !refused && rec.Len() != 1 {
			t.Errorf("%s (read-only %v): %d recorded interactions, want the one forwarded", tc.action, tc.readOnly, rec.Len())
		}
		_ = rec.Stop()
	}
}

func TestIsWrite(t *testing.T) {
	cat := spec.MustDefault()
	cases := []struct {
		version, action string
		want            bool
		reason          string
	}{
		{"2019-06-01", "CreateReplicationJob", true, "x-acs-operation: write"},
		{"2019-06-01", "DescribeReplicationJobs", false, "x-acs-operation: read"},
		{"2021-07-30", "StopDiskReplicaGroup", true, "an EBS write"},
		{"2019-06-01", "ListTagResources", false, "a read the contract knows, named List"},
		{"2019-06-01", "GetSomething", false, "unknown, named like a read"},
		{"1999-01-01", "QueryThings", false, "an unknown version, named like a read"},
		{"2019-06-01", "ModifySomething", true, "unknown and not named like a read"},
		{"", "", true, "no action at all is not known to be harmless"},
	}
	for _, tc := range cases {
		if got := IsWrite(cat, tc.version, tc.action); got != tc.want {
			t.Errorf("IsWrite(%s, %s) = %v: %s", tc.version, tc.action, got, tc.reason)
		}
	}
}

// XML answers are checked too: the fake's body is no DescribeSourceServers result in
// either format.
func TestProxyChecksXMLResponses(t *testing.T) {
	up := newFakeUpstream(t)
	proxy, p, rec := startProxy(t, up.URL, tempCassette(t))
	defer rec.Stop()
	cl := client(t, proxy.URL, rpc.Config{Format: rpc.XML})
	resp := call(t, cl, "DescribeSourceServers", nil)
	if !strings.HasPrefix(string(resp.Body), "<?xml") {
		t.Fatalf("the upstream answered %q, not XML", resp.Body)
	}
	var found bool
	for _, b := range p.Report().Violations {
		found = found || b.Side == "response" && strings.Contains(b.Violations[0].Detail, `"TotalCount" is missing`)
	}
	if !found {
		t.Fatalf("no response violation for an XML body that is not the contract's: %+v", p.Report())
	}
}
