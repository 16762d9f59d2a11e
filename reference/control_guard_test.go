package reference

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/smcct/smcct/guard"
)

// TestControlPlaneAnswersOnlyTheLocalUser drives the attacks a web page can make on a
// control plane on loopback (cross-origin simple requests, DNS rebinding, a YAML body
// labelled text/plain) and checks each is refused and changed nothing, while the local
// client still works.
func TestControlPlaneAnswersOnlyTheLocalUser(t *testing.T) {
	srv, ts, _ := newHTTPServer(t, Options{})
	local := ts.Listener.Addr().String()
	attacker := "accounts:\n- id: '1'\n  accessKeys: [{id: smcct, secret: attacker}]\n"
	cases := []struct {
		reason, method, path, host, ctype, origin, body string
		want                                            int
	}{
		{"a cross-origin form POST must not reset", "POST", "/_smcct/reset", local, "text/plain", "http://evil.example", "", 403},
		{"a cross-origin POST with the right type must not inject faults", "POST", "/_smcct/faults", local, "application/json", "http://evil.example", `{"action":"*","code":"InternalError"}`, 403},
		{"text/plain; x=yaml must not rebind the fixture key", "POST", "/_smcct/seed", local, "text/plain; x=yaml", "", attacker, 415},
		{"a YAML body must not pass as JSON on a JSON route", "POST", "/_smcct/faults", local, "application/yaml", "", "action: '*'\ncode: InternalError\n", 415},
		{"a rebound name must not read state", "GET", "/_smcct/state", "evil.example:80", "", "", "", 403},
		{"a rebound name must not reset", "POST", "/_smcct/reset", "evil.example", "", "", "", 403},
		{"a route the mux does not know is guarded too", "GET", "/_smcct/no-such-route", "evil.example", "", "", "", 403},
	}
	for _, tc := range cases {
		t.Run(tc.reason, func(t *testing.T) {
			req, _ := http.NewRequest(tc.method, ts.URL+tc.path, strings.NewReader(tc.body))
			req.Host = tc.host
			if tc.ctype != "" {
				req.Header.Set("Content-Type", tc.ctype)
			}
			if tc.origin != "" {
				req.Header.Set("Origin", tc.origin)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tc.want {
				t.Fatalf("status %d, want %d", resp.StatusCode, tc.want)
			}
		})
	}
	if n := len(srv.faults.list()); n != 0 {
		t.Errorf("%d faults installed by refused requests", n)
	}
	if secret, _ := srv.store.ids.credentials("smcct", "", srv.clock.Now()); secret != "smcct-secret" {
		t.Errorf("fixture key rebound to %q", secret)
	}
	// The local client, as the suites and curl send it, still drives everything.
	for _, path := range []string{"/_smcct/clock", "/_smcct/state", "/_smcct/violations"} {
		var out any
		getJSON(t, ts.URL+path, &out)
	}
	req, _ := http.NewRequest("POST", ts.URL+"/_smcct/faults", strings.NewReader(`{"action":"DescribeSourceServers","latency":"1ms"}`))
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("local fault: %v %v", resp, err)
	}
	resp.Body.Close()
}

func TestControlTokenIsRequiredWhenSet(t *testing.T) {
	_, ts, _ := newHTTPServer(t, Options{ControlToken: "s3cret"})
	for _, tc := range []struct {
		token  string
		want   int
		reason string
	}{
		{"", 401, "no token"},
		{"s3cre", 401, "a prefix of the token"},
		{"s3cret", 200, "the token"},
	} {
		req, _ := http.NewRequestWithContext(context.Background(), "POST", ts.URL+"/_smcct/reset", nil)
		if tc.token != "" {
			req.Header.Set(guard.TokenHeader, tc.token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.want {
			t.Errorf("%s: status %d, want %d", tc.reason, resp.StatusCode, tc.want)
		}
	}
}
