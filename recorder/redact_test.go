package recorder

import (
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"

	"gopkg.in/dnaeon/go-vcr.v3/cassette"
)

const (
	testKeyID  = "LTAI5tQwErTyUiOpAsDf"
	testSecret = "s3cr3tS3cr3tS3cr3tS3cr3t"
	testToken  = "CAISzAJ1q6Ft5B2yfSjIr5bSBI3wq7lnhpWaaR7mnmoQdO8Zl"
)

func TestRedact(t *testing.T) {
	v3auth := "ACS3-HMAC-SHA256 Credential=" + testKeyID + ",SignedHeaders=host;x-acs-action,Signature=abcdef0123"
	cases := []struct {
		name   string
		in     cassette.Interaction
		keep   []string // must survive
		reason string
	}{
		{"v1-query", cassette.Interaction{Request: cassette.Request{
			URL:        "https://smc.aliyuncs.com/?Action=X&AccessKeyId=" + testKeyID + "&Signature=c2ln&SecurityToken=" + testToken + "&SignatureNonce=n-1",
			RequestURI: "/?Action=X&AccessKeyId=" + testKeyID + "&Signature=c2ln",
		}}, []string{"Action=X", "SignatureNonce=n-1", RedactedKeyID, RedactedSignature},
			"v1 puts credentials in the query; the nonce is not secret and stays"},
		{"v1-form", cassette.Interaction{Request: cassette.Request{
			URL:     "https://smc.aliyuncs.com/",
			Body:    "Action=X&AccessKeyId=" + testKeyID + "&Signature=c2ln",
			Form:    url.Values{"AccessKeyId": {testKeyID}, "Signature": {"c2ln"}, "Action": {"X"}},
			Headers: http.Header{"Content-Type": {"application/x-www-form-urlencoded"}},
		}}, []string{"Action=X"}, "a hand-made POST may carry credentials in the body and go-vcr's form field"},
		{"v3-headers", cassette.Interaction{Request: cassette.Request{
			URL: "https://smc.aliyuncs.com/",
			Headers: http.Header{"Authorization": {v3auth}, "X-Acs-Security-Token": {testToken},
				"X-Acs-Action": {"X"}},
		}}, []string{"ACS3-HMAC-SHA256 Credential=" + RedactedKeyID + ",SignedHeaders=host;x-acs-action,Signature=" + RedactedSignature},
			"v3 puts credential and signature in Authorization; the scheme and signed list stay readable"},
		{"literal-secret", cassette.Interaction{Request: cassette.Request{
			URL: "https://smc.aliyuncs.com/?Note=" + testSecret,
		}, Response: cassette.Response{Body: `{"echo":"` + testSecret + `"}`}}, []string{RedactedSecret},
			"a named secret is scrubbed wherever it shows up, response included"},
		{"odd-authorization", cassette.Interaction{Request: cassette.Request{
			Headers: http.Header{"Authorization": {"Bearer " + testToken}},
		}}, []string{"Bearer " + RedactedSecret}, "an unknown scheme keeps only its name"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.in
			Redact(&in, testKeyID, testSecret)
			text := dump(t, &in)
			for _, bad := range []string{testKeyID, testSecret, testToken, "c2ln", "abcdef0123"} {
				if strings.Contains(text, bad) {
					t.Errorf("%q survived redaction (%s):\n%s", bad, tc.reason, text)
				}
			}
			for _, good := range tc.keep {
				if !strings.Contains(text, good) {
					t.Errorf("%q lost (%s):\n%s", good, tc.reason, text)
				}
			}
			again := in
			Redact(&again, testKeyID, testSecret)
			if dump(t, &again) != text {
				t.Errorf("redaction is not idempotent: a BeforeSaveHook rerun would change the cassette")
			}
		})
	}
}

func TestRedactLeavesLiveRequestAlone(t *testing.T) {
	h := http.Header{"Authorization": {"ACS3-HMAC-SHA256 Credential=id,SignedHeaders=host,Signature=ff"}}
	form := url.Values{"Signature": {"sig"}}
	in := cassette.Interaction{Request: cassette.Request{Headers: h, Form: form}}
	Redact(&in)
	if h.Get("Authorization") != "ACS3-HMAC-SHA256 Credential=id,SignedHeaders=host,Signature=ff" || form.Get("Signature") != "sig" {
		t.Fatal("redaction wrote through to maps the caller still uses")
	}
}

// dump renders every text field of an interaction, the way a cassette would hold it.
func dump(t *testing.T, in *cassette.Interaction) string {
	t.Helper()
	var b strings.Builder
	rq, rs := in.Request, in.Response
	for _, s := range []string{rq.URL, rq.RequestURI, rq.Body, rq.Host, rq.Form.Encode(), rs.Body} {
		b.WriteString(s + "\n")
	}
	for _, h := range []http.Header{rq.Headers, rs.Headers} {
		keys := make([]string, 0, len(h))
		for k := range h {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			b.WriteString(k + ": " + strings.Join(h[k], ",") + "\n")
		}
	}
	return b.String()
}

func TestScrubSparesShortValues(t *testing.T) {
	in := cassette.Interaction{Response: cassette.Response{Body: `{"SourceId":"s-bp1smcctlinux01"}`}}
	Redact(&in, "smcct")
	if in.Response.Body != `{"SourceId":"s-bp1smcctlinux01"}` {
		t.Fatalf("a 5-character test key was scrubbed out of a resource ID: %s", in.Response.Body)
	}
}
