package recorder

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// req builds a live request; body non-empty means a form POST.
func req(t *testing.T, method, target, body string, header map[string]string) *http.Request {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	r := httptest.NewRequest(method, target, rd)
	if body != "" {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range header {
		r.Header.Set(k, v)
	}
	return r
}

// jsonReq builds a control-plane style request with a JSON body.
func jsonReq(t *testing.T, method, target, body string) *http.Request {
	t.Helper()
	r := httptest.NewRequest(method, target, strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	return r
}

func TestCanonKeyEquivalence(t *testing.T) {
	base := "/?Action=DescribeSourceServers&Version=2019-06-01&RegionId=cn-hangzhou&PageSize=10"
	cases := []struct {
		name   string
		a, b   *http.Request
		same   bool
		reason string
	}{
		{"get-vs-post-query", req(t, "GET", base, "", nil), req(t, "POST", base, "", nil), true,
			"the v1 SDK POSTs with everything in the query; GET is the same call"},
		{"query-vs-body", req(t, "GET", base, "", nil),
			req(t, "POST", "/?Action=DescribeSourceServers", "Version=2019-06-01&RegionId=cn-hangzhou&PageSize=10", nil), true,
			"parameters in the form body are the same as in the query"},
		{"order", req(t, "GET", base, "", nil),
			req(t, "GET", "/?PageSize=10&RegionId=cn-hangzhou&Version=2019-06-01&Action=DescribeSourceServers", "", nil), true,
			"parameter order is not meaningful"},
		{"volatile", req(t, "GET", base, "", nil),
			req(t, "GET", base+"&Signature=abc&SignatureNonce=n1&Timestamp=2024-01-01T00:00:00Z&AccessKeyId=id&SecurityToken=tok&SignatureMethod=HMAC-SHA1&SignatureVersion=1.0&SignatureType=", "", nil), true,
			"signature, nonce, time and credentials change every call"},
		{"headers", req(t, "GET", base, "", map[string]string{"User-Agent": "a", "Authorization": "x"}),
			req(t, "GET", base, "", map[string]string{"User-Agent": "b", "x-acs-date": "d", "x-acs-signature-nonce": "n"}), true,
			"no header other than x-acs-action/version takes part"},
		{"v3-headers", req(t, "GET", base, "", nil),
			req(t, "POST", "/?RegionId=cn-hangzhou&PageSize=10", "", map[string]string{"x-acs-action": "DescribeSourceServers", "x-acs-version": "2019-06-01"}), true,
			"v3 carries Action and Version in headers"},
		{"format-default", req(t, "GET", base, "", nil), req(t, "GET", base+"&Format=json", "", nil), true,
			"an absent Format means JSON, and case does not matter"},
		{"format-xml", req(t, "GET", base, "", nil), req(t, "GET", base+"&Format=XML", "", nil), false,
			"an XML answer is a different recording"},
		{"business-value", req(t, "GET", base, "", nil), req(t, "GET", strings.Replace(base, "PageSize=10", "PageSize=20", 1), "", nil), false,
			"a business parameter's value identifies the call"},
		{"action", req(t, "GET", base, "", nil), req(t, "GET", strings.Replace(base, "DescribeSourceServers", "DescribeReplicationJobs", 1), "", nil), false,
			"another Action is another call"},
		{"version", req(t, "GET", base, "", nil), req(t, "GET", strings.Replace(base, "2019-06-01", "2021-07-30", 1), "", nil), false,
			"Version selects the product"},
		{"list-order", req(t, "GET", base+"&InstanceId.1=a&InstanceId.2=b", "", nil), req(t, "GET", base+"&InstanceId.1=b&InstanceId.2=a", "", nil), false,
			"Name.N numbering carries list order"},
		{"extra-param", req(t, "GET", base, "", nil), req(t, "GET", base+"&Name=x", "", nil), false,
			"an extra business parameter is a different call"},
		{"path", req(t, "GET", base, "", nil), req(t, "GET", "/other"+base[1:], "", nil), false,
			"another path is not the RPC endpoint"},
		{"control-same", jsonReq(t, "POST", "/_smcct/seed?account=a", `{"x":1}`), jsonReq(t, "POST", "/_smcct/seed?account=a", `{"x":1}`), true,
			"a control call repeated verbatim is the same call"},
		{"control-method", req(t, "GET", "/_smcct/faults", "", nil), req(t, "DELETE", "/_smcct/faults", "", nil), false,
			"for a control call the method is the operation: GET lists, DELETE clears"},
		{"control-body", jsonReq(t, "POST", "/_smcct/seed", `{"x":1}`), jsonReq(t, "POST", "/_smcct/seed", `{"x":2}`), false,
			"a control call's JSON body is what it does"},
		{"control-query", req(t, "GET", "/_smcct/state?account=a", "", nil), req(t, "GET", "/_smcct/state?account=b", "", nil), false,
			"the account of a state dump matters"},
		{"rpc-method", req(t, "GET", base, "", nil), req(t, "DELETE", base, "", nil), true,
			"an RPC call stays keyed by Action, whatever the method"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ca, err := CanonOf(tc.a)
			if err != nil {
				t.Fatal(err)
			}
			cb, err := CanonOf(tc.b)
			if err != nil {
				t.Fatal(err)
			}
			if got := ca.Key() == cb.Key(); got != tc.same {
				t.Errorf("same=%v, want %v (%s)\n a: %s\n b: %s\n diff: %v", got, tc.same, tc.reason, ca, cb, Diff(ca, cb))
			}
			if tc.same != (len(Diff(ca, cb)) == 0) {
				t.Errorf("Diff disagrees with Key: %v (%s)", Diff(ca, cb), tc.reason)
			}
		})
	}
}

func TestCanonRestoresBody(t *testing.T) {
	r := req(t, "POST", "/", "Action=A&Version=2019-06-01&X=1", nil)
	if _, err := CanonOf(r); err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(r.Body)
	if string(got) != "Action=A&Version=2019-06-01&X=1" {
		t.Fatalf("body after matching = %q: the next reader would see nothing", got)
	}
}

func TestCanonRejectsBadInput(t *testing.T) {
	cases := []struct {
		name   string
		r      *http.Request
		reason string
	}{
		{"bad-form", req(t, "POST", "/", "a=%zz", nil), "an undecodable form body must not match anything"},
		{"huge-body", req(t, "POST", "/", "a="+strings.Repeat("x", maxBody), nil), "the matcher bounds what it reads"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := CanonOf(tc.r); err == nil {
				t.Fatalf("no error: %s", tc.reason)
			}
		})
	}
	r := req(t, "GET", "/", "", nil)
	r.URL.RawQuery = "a=%zz"
	if _, err := CanonOf(r); err == nil {
		t.Fatal("an undecodable query must be an error, not an empty key")
	}
}
