package framework

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"gopkg.in/dnaeon/go-vcr.v3/cassette"

	"github.com/smcct/smcct/recorder"
	"github.com/smcct/smcct/rpc"
)

// v1Request builds a v1-signed request the way the suites' client sends it.
func v1Request(t *testing.T, key, secret string, extra url.Values) *http.Request {
	t.Helper()
	q := url.Values{"Action": {"DescribeSourceServers"}, "Version": {"2019-06-01"}, "AccessKeyId": {key},
		"SignatureMethod": {"HMAC-SHA1"}, "SignatureVersion": {"1.0"}, "SignatureNonce": {"n-1"},
		"Timestamp": {time.Now().UTC().Format(wireTime)}, "Format": {"JSON"}}
	for k, v := range extra {
		q[k] = v
	}
	if secret != "" {
		rpc.SignV1(http.MethodPost, q, secret)
	}
	return httptest.NewRequest(http.MethodPost, "http://127.0.0.1:9/?"+q.Encode(), nil)
}

func TestSignatureVerdict(t *testing.T) {
	c := newCassettes(t.TempDir(), "s", recorder.Record)
	c.keys["k1"] = "secret-one"
	v3 := httptest.NewRequest(http.MethodPost, "http://127.0.0.1:9/?RegionId=cn-hangzhou", nil)
	v3.Header.Set(rpc.HeaderAction, "DescribeSourceServers")
	v3.Header.Set(rpc.HeaderVersion, "2019-06-01")
	v3.Header.Set(rpc.HeaderDate, time.Now().UTC().Format(wireTime))
	v3.Header.Set(rpc.HeaderNonce, "n-2")
	rpc.SignV3(v3, nil, "k1", "secret-one")
	bad3 := v3.Clone(v3.Context())
	bad3.Header.Set("Authorization", "ACS3-HMAC-SHA256 nonsense")
	cases := []struct {
		name        string
		req         *http.Request
		key, signed string
		reason      string
	}{
		{"v1-valid", v1Request(t, "k1", "secret-one", nil), "k1", "valid", "signed with the key's own secret"},
		{"v1-forged", v1Request(t, "k1", "wrong", nil), "k1", "invalid", "a spec forging a signature must be replayed forged"},
		{"v1-unknown", v1Request(t, "nobody", "x", nil), "nobody", "unknown-key", "a key no fixture or seed made"},
		{"v1-unsigned", v1Request(t, "k1", "", nil), "k1", "unsigned", "a spec leaving Signature out"},
		{"v3-valid", v3, "k1", "valid", "ACS3 signature over the x-acs headers"},
		{"v3-malformed", bad3, "", "malformed", "an Authorization that does not parse"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			key, signed := c.signature(tc.req, nil)
			if key != tc.key || signed != tc.signed {
				t.Fatalf("got (%q, %q), want (%q, %q): %s", key, signed, tc.key, tc.signed, tc.reason)
			}
		})
	}
}

// TestReplayerResigns records a signed request the way the cassettes do (redacted, then
// annotated) and checks the replayer makes a request the gateway would accept, or reject,
// as the original.
func TestReplayerResigns(t *testing.T) {
	rt := RecordedTarget{DefaultKey: FixtureDefault.AccessKeyID, RecordedAt: time.Now().Add(-time.Hour).UTC().Truncate(time.Second)}
	cases := []struct {
		name   string
		secret string
		valid  bool
		reason string
	}{
		{"valid", FixtureDefault.Secret, true, "a good signature is made again with the fixture secret"},
		{"forged", "not-the-secret", false, "a forged signature is forged again"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := newCassettes(t.TempDir(), "s", recorder.Record)
			c.annotate, c.keys[FixtureDefault.AccessKeyID] = true, FixtureDefault.Secret
			req := v1Request(t, FixtureDefault.AccessKeyID, tc.secret, url.Values{"Timestamp": {rt.RecordedAt.Format(wireTime)}})
			in := &cassette.Interaction{Request: cassette.Request{Method: req.Method, URL: req.URL.String(), Headers: http.Header{}},
				Response: cassette.Response{Headers: http.Header{}}}
			recorder.Redact(in)
			c.edit(req, in)
			if strings.Contains(in.Request.URL, FixtureDefault.AccessKeyID+"&") || in.Request.Headers.Get(HeaderSeq) != "1" {
				t.Fatalf("recording not redacted or not numbered: %s %v", in.Request.URL, in.Request.Headers)
			}
			rp := newReplayer("http://127.0.0.1:9", rt, time.Now())
			l, err := rp.build(&in.Request)
			if err != nil {
				t.Fatal(err)
			}
			q, _ := url.ParseQuery(l.u.RawQuery)
			if _, ok := rpc.VerifyV1(l.method, q, FixtureDefault.Secret); ok != tc.valid {
				t.Fatalf("replayed signature valid=%v, want %v: %s", ok, tc.valid, tc.reason)
			}
			if ts, _ := time.Parse(wireTime, q.Get("Timestamp")); time.Since(ts) > time.Minute {
				t.Fatalf("timestamp %s was not moved to now", q.Get("Timestamp"))
			}
			if q.Get("SignatureNonce") == "n-1" || rp.nonce(l, "n-1") != q.Get("SignatureNonce") {
				t.Fatal("a recorded nonce must map to one fresh nonce, the same every time it recurs")
			}
		})
	}
}

func TestCompareResponses(t *testing.T) {
	js := http.Header{"Content-Type": {"application/json"}}
	resp := func(code int, h http.Header, body string) *cassette.Response {
		return &cassette.Response{Code: code, Headers: h, Body: body}
	}
	cases := []struct {
		name      string
		want, got *cassette.Response
		same      bool
		reason    string
	}{
		{"request-id", resp(200, js, `{"RequestId":"A","Recommend":"x?requestId=A","N":1}`), resp(200, js, `{"RequestId":"B","Recommend":"x?requestId=B","N":1}`), true,
			"RequestId is new on every call, also inside the Recommend link"},
		{"key-order", resp(200, js, `{"a":1,"b":2}`), resp(200, js, `{"b":2,"a":1}`), true, "JSON is compared as values"},
		{"value", resp(200, js, `{"JobId":"j-1"}`), resp(200, js, `{"JobId":"j-2"}`), false, "a generated ID that moved is a difference"},
		{"status", resp(200, js, `{}`), resp(400, js, `{}`), false, "the status is part of the answer"},
		{"content-type", resp(200, js, `{}`), resp(200, http.Header{"Content-Type": {"text/xml"}}, `{}`), false, "XML for JSON is a difference"},
		{"xml-request-id", resp(200, nil, `<R><RequestId>A</RequestId></R>`), resp(200, nil, `<R><RequestId>B</RequestId></R>`), true, "XML answers carry RequestId too"},
		{"list-length", resp(200, js, `{"L":[1,2]}`), resp(200, js, `{"L":[1]}`), false, "a missing list item is a difference"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := compareResponses(tc.want, tc.got)
			if (d == "") != tc.same {
				t.Fatalf("diff %q, want same=%v: %s", d, tc.same, tc.reason)
			}
		})
	}
}
