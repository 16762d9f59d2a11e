package rpc

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

var nonceSeq atomic.Int64

// testClient signs with the fake key at t0 and a fresh nonce per request.
func testClient(t *testing.T, mod func(*Config)) *Client {
	t.Helper()
	cfg := Config{Endpoint: "http://127.0.0.1:9", AccessKeyID: testID, AccessKeySecret: testSecret,
		RegionID: "cn-hangzhou", Now: func() time.Time { return t0 },
		Nonce: func() string { return fmt.Sprintf("nonce-%d", nonceSeq.Add(1)) }}
	if mod != nil {
		mod(&cfg)
	}
	c, err := NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// build signs a StopReplicationJob request, lets edit change it (re-signing is edit's
// choice) and returns it as the server would receive it.
func build(t *testing.T, mod func(*Config), edit func(c *Client, r *Request)) *http.Request {
	t.Helper()
	c := testClient(t, mod)
	req, err := c.NewRequest("2019-06-01", "StopReplicationJob", url.Values{"JobId": {"j-1"}})
	if err != nil {
		t.Fatal(err)
	}
	if edit != nil {
		edit(c, req)
	}
	hr, _, err := c.httpRequest(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	return hr
}

func v3(c *Config)       { c.Signer = V3 }
func inBody(c *Config)   { c.InBody = true }
func useGET(c *Config)   { c.Method = http.MethodGet }
func otherKey(c *Config) { c.AccessKeyID = "nosuchkey" }

// resign returns an edit that changes one query parameter and signs again.
func resign(key, value string) func(*Client, *Request) {
	return func(c *Client, r *Request) { r.Query.Set(key, value); _ = c.Sign(r) }
}

func drop(key string) func(*Client, *Request) {
	return func(c *Client, r *Request) { r.Query.Del(key); _ = c.Sign(r) }
}

func header(key, value string) func(*Client, *Request) {
	return func(c *Client, r *Request) {
		if value == "" {
			r.Header.Del(key)
		} else {
			r.Header.Set(key, value)
		}
		_ = c.Sign(r)
	}
}

func TestAdmitAccepts(t *testing.T) {
	cases := []struct {
		reason string
		mod    func(*Config)
		format Format
	}{
		{"v1 POST with parameters in the query, as the v1 SDK sends", nil, JSON},
		{"v1 GET", useGET, JSON},
		{"v1 POST with a form body: body parameters are signed and merged", inBody, JSON},
		{"v3 with parameters in the query, as the v2 SDKs send", v3, JSON},
		{"v3 with a form body: the body hash is signed", func(c *Config) { v3(c); inBody(c) }, JSON},
		{"Format=XML is honoured", func(c *Config) { c.Format = XML }, XML},
	}
	for _, tc := range cases {
		g := testGateway(t, t0.Add(time.Minute))
		call, e := g.Admit(build(t, tc.mod, nil))
		if e != nil {
			t.Errorf("%s: %v", tc.reason, e)
			continue
		}
		if call.Action.Name != "StopReplicationJob" || call.Params.Get("JobId") != "j-1" || call.Format != tc.format || call.Host() != "smc.aliyuncs.com" {
			t.Errorf("%s: call %+v", tc.reason, call)
		}
	}
}

func TestAdmitRejects(t *testing.T) {
	big := strings.Repeat("x", 300<<10)
	cases := []struct {
		reason string
		req    func(t *testing.T) *http.Request
		code   string
		status int
	}{
		{"PUT is not an RPC method", func(t *testing.T) *http.Request {
			return build(t, nil, func(_ *Client, r *Request) { r.Method = http.MethodPut })
		}, "UnsupportedHTTPMethod", 400},
		{"query over the limit", func(t *testing.T) *http.Request { return build(t, nil, resign("Big", big)) }, "InvalidParameter.TooLarge", 400},
		{"body over 1 MiB", func(t *testing.T) *http.Request {
			return build(t, inBody, func(_ *Client, r *Request) { r.Form.Set("Big", strings.Repeat(big, 4)) })
		}, "InvalidParameter.TooLarge", 400},
		{"too many parameters", func(t *testing.T) *http.Request {
			return build(t, nil, func(_ *Client, r *Request) {
				for i := range 1100 {
					r.Query.Set(fmt.Sprint("P", i), "v")
				}
			})
		}, "InvalidParameter.TooLarge", 400},
		{"parameter name over 256 bytes", func(t *testing.T) *http.Request { return build(t, nil, resign(strings.Repeat("K", 300), "v")) }, "InvalidParameter.TooLarge", 400},
		{"value over 64 KiB in the body", func(t *testing.T) *http.Request {
			return build(t, inBody, func(_ *Client, r *Request) { r.Form.Set("V", big[:70<<10]) })
		}, "InvalidParameter.TooLarge", 400},
		{"malformed percent-encoding", func(t *testing.T) *http.Request {
			r := build(t, nil, nil)
			r.URL.RawQuery += "&Bad=%zz"
			return r
		}, "InvalidParameter.Format", 400},
		{"Format neither JSON nor XML", func(t *testing.T) *http.Request { return build(t, nil, resign("Format", "YAML")) }, "InvalidParameter.Format", 400},
		{"no Action", func(t *testing.T) *http.Request { return build(t, nil, drop("Action")) }, "MissingAction", 400},
		{"no Version", func(t *testing.T) *http.Request { return build(t, nil, drop("Version")) }, "MissingVersion", 400},
		{"unknown Version", func(t *testing.T) *http.Request { return build(t, nil, resign("Version", "2099-01-01")) }, "InvalidVersion", 400},
		{"unknown Action", func(t *testing.T) *http.Request { return build(t, nil, resign("Action", "StopEverything")) }, "InvalidAction.NotFound", 404},
		{"no AccessKeyId", func(t *testing.T) *http.Request { return build(t, nil, drop("AccessKeyId")) }, "MissingAccessKeyId", 400},
		{"no Signature", func(t *testing.T) *http.Request {
			return build(t, nil, func(_ *Client, r *Request) { r.Query.Del("Signature") })
		}, "MissingSignature", 400},
		{"no SignatureMethod", func(t *testing.T) *http.Request { return build(t, nil, drop("SignatureMethod")) }, "MissingSignatureMethod", 400},
		{"no Timestamp", func(t *testing.T) *http.Request { return build(t, nil, drop("Timestamp")) }, "MissingTimestamp", 400},
		{"no SignatureNonce", func(t *testing.T) *http.Request { return build(t, nil, drop("SignatureNonce")) }, "MissingSignatureNonce", 400},
		{"SignatureMethod other than HMAC-SHA1", func(t *testing.T) *http.Request { return build(t, nil, resign("SignatureMethod", "HMAC-SHA256")) }, "InvalidSignatureMethod", 400},
		{"SignatureVersion other than 1.0", func(t *testing.T) *http.Request { return build(t, nil, resign("SignatureVersion", "2.0")) }, "InvalidSignatureVersion", 400},
		{"no SignatureVersion", func(t *testing.T) *http.Request { return build(t, nil, drop("SignatureVersion")) }, "InvalidSignatureVersion", 400},
		{"Timestamp not ISO 8601 UTC", func(t *testing.T) *http.Request { return build(t, nil, resign("Timestamp", "2026-03-01 12:00:00")) }, "InvalidTimeStamp.Format", 400},
		{"Timestamp 16 minutes old", func(t *testing.T) *http.Request {
			return build(t, nil, resign("Timestamp", t0.Add(-15*time.Minute).Format("2006-01-02T15:04:05Z")))
		}, "InvalidTimeStamp.Expired", 400},
		{"Timestamp 16 minutes ahead", func(t *testing.T) *http.Request {
			return build(t, nil, resign("Timestamp", t0.Add(17*time.Minute).Format("2006-01-02T15:04:05Z")))
		}, "InvalidTimeStamp.Expired", 400},
		{"unknown AccessKeyId", func(t *testing.T) *http.Request { return build(t, otherKey, nil) }, "InvalidAccessKeyId.NotFound", 404},
		{"Signature of another request", func(t *testing.T) *http.Request {
			return build(t, nil, func(_ *Client, r *Request) { r.Query.Set("Signature", "AAAAAAAAAAAAAAAAAAAAAAAAAAA=") })
		}, "SignatureDoesNotMatch", 400},
		{"Signature not base64", func(t *testing.T) *http.Request {
			return build(t, nil, func(_ *Client, r *Request) { r.Query.Set("Signature", "!!") })
		}, "SignatureDoesNotMatch", 400},
		{"parameter changed after signing", func(t *testing.T) *http.Request {
			return build(t, nil, func(_ *Client, r *Request) { r.Query.Set("JobId", "j-2") })
		}, "SignatureDoesNotMatch", 400},
		{"unsigned parameter added in the body", func(t *testing.T) *http.Request {
			return build(t, nil, func(_ *Client, r *Request) { r.Form = url.Values{"Extra": {"1"}} })
		}, "SignatureDoesNotMatch", 400},
		{"a gzip body would be read as plain text", func(t *testing.T) *http.Request {
			r := build(t, inBody, nil)
			r.Header.Set("Content-Encoding", "gzip")
			return r
		}, "InvalidParameter.ContentEncoding", 415},
		{"a coding listed after identity still applies", func(t *testing.T) *http.Request {
			r := build(t, nil, nil)
			r.Header.Add("Content-Encoding", "identity, br")
			return r
		}, "InvalidParameter.ContentEncoding", 415},
		{"a v1 SignatureNonce over 128 bytes", func(t *testing.T) *http.Request {
			return build(t, nil, resign("SignatureNonce", strings.Repeat("n", 129)))
		}, "InvalidParameter.TooLarge", 400},
		{"a v3 x-acs-signature-nonce over 128 bytes", func(t *testing.T) *http.Request {
			return build(t, v3, header(HeaderNonce, strings.Repeat("n", 129)))
		}, "InvalidParameter.TooLarge", 400},
	}
	for _, tc := range cases {
		t.Run(tc.code, func(t *testing.T) {
			g := testGateway(t, t0.Add(time.Minute))
			_, e := g.Admit(tc.req(t))
			if e == nil || e.Code != tc.code || e.Status != tc.status {
				t.Errorf("%s: got %v, want %s %d", tc.reason, e, tc.code, tc.status)
			}
		})
	}
}

func TestAdmitAcceptsIdentityCodingAndLongestNonce(t *testing.T) {
	for _, tc := range []struct {
		reason string
		req    func(t *testing.T) *http.Request
	}{
		{"Content-Encoding identity is no coding", func(t *testing.T) *http.Request {
			r := build(t, inBody, nil)
			r.Header.Set("Content-Encoding", "identity")
			return r
		}},
		{"a nonce of exactly 128 bytes", func(t *testing.T) *http.Request {
			return build(t, nil, resign("SignatureNonce", strings.Repeat("n", 128)))
		}},
	} {
		if _, e := testGateway(t, t0).Admit(tc.req(t)); e != nil {
			t.Errorf("%s: %v", tc.reason, e)
		}
	}
}

// TestAdmitRefusesWhenNoncesAreFull: a gateway whose nonce cache is spent refuses fresh
// requests rather than admitting them unremembered, and says why.
func TestAdmitRefusesWhenNoncesAreFull(t *testing.T) {
	g := testGateway(t, t0)
	g.Nonces = NewNonceCache(1) // room for one nonce
	if _, e := g.Admit(build(t, nil, nil)); e != nil {
		t.Fatal(e)
	}
	_, e := g.Admit(build(t, nil, nil))
	if e == nil || e.Code != "Throttling.Resource" || e.Status != 503 || !strings.Contains(e.Message, "replay window") {
		t.Fatalf("got %v, want Throttling.Resource 503 naming the replay window", e)
	}
}

// Release recycles a call's parameter storage: what was decoded from the call must survive
// the next request reusing it, and a smaller request must not see the larger one's pairs.
func TestReleaseKeepsDecodedValues(t *testing.T) {
	g := testGateway(t, t0)
	admit := func(params url.Values) *Call {
		t.Helper()
		c := testClient(t, nil)
		req, err := c.NewRequest("2019-06-01", "CreateReplicationJob", params)
		if err != nil {
			t.Fatal(err)
		}
		hr, _, err := c.httpRequest(context.Background(), req)
		if err != nil {
			t.Fatal(err)
		}
		call, e := g.Admit(hr)
		if e != nil {
			t.Fatal(e)
		}
		return call
	}
	big := admit(url.Values{"SourceId": {"s-first"}, "Name": {"first job"}, "Tag.1.Key": {"k"}, "Tag.1.Value": {"v"}})
	obj, _, problems := big.Action.Unflatten(big.Params)
	if len(problems) > 0 {
		t.Fatal(problems)
	}
	bigLen := len(big.Params)
	big.Release()
	if big.Params != nil {
		t.Error("Params still set after Release")
	}
	big.Release() // a second call does nothing

	small := admit(url.Values{"SourceId": {"s-second"}})
	defer small.Release()
	if len(small.Params) != bigLen-3 {
		t.Errorf("second request has %d pairs, want %d", len(small.Params), bigLen-3)
	}
	if small.Params.Has("Name") || small.Params.Has("Tag.1.Key") {
		t.Errorf("second request sees the first one's pairs: %v", small.Params)
	}
	if obj["SourceId"] != "s-first" || obj["Name"] != "first job" {
		t.Errorf("values decoded before Release changed: %v", obj)
	}
}

// parseTimestamp's fast path must agree with time.Parse on every input.
func TestParseTimestampMatchesTimeParse(t *testing.T) {
	cases := []struct{ ts, reason string }{
		{"2026-11-23T20:26:20Z", "an ordinary timestamp"},
		{"2024-02-29T00:00:00Z", "a leap day"},
		{"2025-02-29T00:00:00Z", "no leap day that year"},
		{"2026-04-31T00:00:00Z", "a day April does not have"},
		{"2026-13-01T00:00:00Z", "month 13"},
		{"2026-00-10T00:00:00Z", "month 0"},
		{"2026-01-00T00:00:00Z", "day 0"},
		{"2026-01-01T24:00:00Z", "hour 24"},
		{"2026-01-01T23:60:00Z", "minute 60"},
		{"2026-01-01T23:59:60Z", "second 60"},
		{"2026-1-01T23:59:59Z", "a short month"},
		{"2026-01-01 23:59:59Z", "a space for T"},
		{"2026-01-01T23:59:59+08:00", "an offset"},
		{"2026-0a-01T23:59:59Z", "a letter among the digits"},
		{"+026-01-01T23:59:59Z", "a sign in the year"},
		{"0000-01-01T00:00:00Z", "year 0"},
		{"", "empty"},
	}
	for _, tc := range cases {
		checkTimestamp(t, tc.ts, tc.reason)
	}
}

func checkTimestamp(t *testing.T, ts, reason string) {
	t.Helper()
	got, gotErr := parseTimestamp(ts)
	want, wantErr := time.Parse(timestampLayout, ts)
	if (gotErr != nil) != (wantErr != nil) || !got.Equal(want) || got.Location() != want.Location() {
		t.Errorf("%s: parseTimestamp(%q) = %v, %v; time.Parse says %v, %v", reason, ts, got, gotErr, want, wantErr)
	}
}

func FuzzParseTimestamp(f *testing.F) {
	f.Add("2026-11-23T20:26:20Z")
	f.Add("2025-02-29T00:00:00Z")
	f.Fuzz(func(t *testing.T, ts string) { checkTimestamp(t, ts, "fuzz") })
}
