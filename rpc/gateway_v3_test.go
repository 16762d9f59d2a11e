package rpc

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestAdmitRejectsV3(t *testing.T) {
	authEdit := func(f func(a Authorization) string) func(*Client, *Request) {
		return func(_ *Client, r *Request) {
			a, _ := ParseAuthorization(r.Header.Get("Authorization"))
			r.Header.Set("Authorization", f(a))
		}
	}
	cases := []struct {
		reason string
		edit   func(*Client, *Request)
		code   string
		status int
	}{
		{"no x-acs-action", header(HeaderAction, ""), "MissingAction", 400},
		{"no x-acs-version", header(HeaderVersion, ""), "MissingVersion", 400},
		{"unknown x-acs-version", header(HeaderVersion, "1999-01-01"), "InvalidVersion", 400},
		{"unknown x-acs-action", header(HeaderAction, "Nope"), "InvalidAction.NotFound", 404},
		{"Authorization without its fields", func(_ *Client, r *Request) { r.Header.Set("Authorization", "ACS3-HMAC-SHA256 junk") }, "IncompleteSignature", 400},
		{"SignedHeaders out of order", authEdit(func(a Authorization) string {
			a.SignedHeaders[0], a.SignedHeaders[1] = a.SignedHeaders[1], a.SignedHeaders[0]
			return a.String()
		}), "IncompleteSignature", 400},
		{"another algorithm", authEdit(func(a Authorization) string { a.Algorithm = "ACS3-HMAC-SM3"; return a.String() }), "InvalidSignatureMethod", 400},
		{"the nonce header left unsigned", authEdit(func(a Authorization) string {
			var keep []string
			for _, h := range a.SignedHeaders {
				if h != HeaderNonce {
					keep = append(keep, h)
				}
			}
			a.SignedHeaders = keep
			return a.String()
		}), "IncompleteSignature", 400},
		{"no x-acs-date", header(HeaderDate, ""), "MissingTimestamp", 400},
		{"no x-acs-signature-nonce", header(HeaderNonce, ""), "MissingSignatureNonce", 400},
		{"x-acs-date not ISO 8601", header(HeaderDate, "Sun, 01 Mar 2026 12:00:00 GMT"), "InvalidTimeStamp.Format", 400},
		{"x-acs-date an hour old", header(HeaderDate, t0.Add(-time.Hour).Format("2006-01-02T15:04:05Z")), "InvalidTimeStamp.Expired", 400},
		{"unknown Credential", authEdit(func(a Authorization) string { a.Credential = "nosuchkey"; return a.String() }), "InvalidAccessKeyId.NotFound", 404},
		{"Signature not hex", authEdit(func(a Authorization) string { a.Signature = "zz"; return a.String() }), "SignatureDoesNotMatch", 400},
		{"query changed after signing", func(_ *Client, r *Request) { r.Query.Set("JobId", "j-2") }, "SignatureDoesNotMatch", 400},
		{"body added after signing", func(_ *Client, r *Request) { r.Body = []byte("x=1") }, "SignatureDoesNotMatch", 400},
		{"x-acs-action changed after signing", func(_ *Client, r *Request) { r.Header.Set(HeaderAction, "CreateReplicationJob") }, "SignatureDoesNotMatch", 400},
	}
	for _, tc := range cases {
		t.Run(tc.code, func(t *testing.T) {
			g := testGateway(t, t0.Add(time.Minute))
			_, e := g.Admit(build(t, v3, tc.edit))
			if e == nil || e.Code != tc.code || e.Status != tc.status {
				t.Errorf("%s: got %v, want %s %d", tc.reason, e, tc.code, tc.status)
			}
		})
	}
}

func TestSignatureMismatchCarriesStringToSign(t *testing.T) {
	g := testGateway(t, t0)
	r := build(t, nil, nil)
	g.Secrets = func(string) (string, bool) { return "other", true }
	_, e := g.Admit(r)
	want := StringToSignV1(http.MethodPost, r.URL.Query())
	if e == nil || !strings.HasSuffix(e.Message, "server string to sign is:"+want) {
		t.Fatalf("got %v, want message ending with the string to sign %q", e, want)
	}
}

func TestNonceReuse(t *testing.T) {
	for _, mod := range []func(*Config){nil, v3} {
		g := testGateway(t, t0)
		fixed := func(c *Config) {
			if mod != nil {
				mod(c)
			}
			c.Nonce = func() string { return "same" }
		}
		if _, e := g.Admit(build(t, fixed, func(_ *Client, r *Request) { r.Query.Set("JobId", "forged") })); e == nil || e.Code != "SignatureDoesNotMatch" {
			t.Fatalf("forged request: got %v", e)
		}
		if _, e := g.Admit(build(t, fixed, nil)); e != nil {
			t.Fatalf("a forged request must not burn the nonce: %v", e)
		}
		_, e := g.Admit(build(t, fixed, nil))
		if e == nil || e.Code != "SignatureNonceUsed" || e.Status != 400 {
			t.Errorf("reuse: got %v, want SignatureNonceUsed 400", e)
		}
		later := t0.Add(16 * time.Minute)
		g.Now = func() time.Time { return later }
		if _, e := g.Admit(build(t, func(c *Config) { fixed(c); c.Now = g.Now; c.Nonce = func() string { return "new" } }, nil)); e != nil {
			t.Fatalf("request after the window: %v", e)
		}
		if n := g.Nonces.Len(); n != 1 {
			t.Errorf("nonce kept after its window passed: %d entries, want only the new one", n)
		}
	}
}
