package recorder

import (
	"net/url"
	"strings"
	"testing"
)

func TestRedactText(t *testing.T) {
	cases := []struct {
		name, in string
		keep     []string
		reason   string
	}{
		{"query", "request: POST /?AccessKeyId=" + testKeyID + "&Action=X&Signature=c2ln%3D&SignatureNonce=n-1",
			[]string{"Action=X", "SignatureNonce=n-1", "AccessKeyId=" + RedactedKeyID, "Signature=" + RedactedSignature},
			"a transcript's query line: the nonce and method are not secret"},
		{"form", "  form: Action=X&SecurityToken=" + testToken + "&Name=a",
			[]string{"Name=a", "SecurityToken=" + RedactedToken}, "a form body line"},
		{"json", `{"AccessKeyId": "` + testKeyID + `", "Signature":"c2ln", "Code":"X"}`,
			[]string{`"Code":"X"`, `"AccessKeyId": "` + RedactedKeyID + `"`}, "an echoed JSON body"},
		{"headers", "  Authorization: ACS3-HMAC-SHA256 Credential=" + testKeyID + ",SignedHeaders=host,Signature=abcdef0123\n  x-acs-security-token: " + testToken + "\n  x-acs-action: X",
			[]string{"x-acs-action: X", "SignedHeaders=host", "x-acs-security-token: " + RedactedToken},
			"v3 header lines keep their scheme and signed list"},
		{"prefix", "XAccessKeyId=keep-me&SignatureMethod=HMAC-SHA1",
			[]string{"XAccessKeyId=keep-me", "SignatureMethod=HMAC-SHA1"},
			"only whole parameter names are credentials"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out := RedactText(tc.in)
			for _, bad := range []string{testKeyID, testToken, "c2ln", "abcdef0123"} {
				if strings.Contains(out, bad) {
					t.Errorf("%q survived (%s):\n%s", bad, tc.reason, out)
				}
			}
			for _, good := range tc.keep {
				if !strings.Contains(out, good) {
					t.Errorf("%q lost (%s):\n%s", good, tc.reason, out)
				}
			}
			if again := RedactText(out); again != out {
				t.Errorf("not idempotent:\n%s\n%s", out, again)
			}
		})
	}
}

func TestRedactValuesCopies(t *testing.T) {
	v := url.Values{"AccessKeyId": {testKeyID}, "Action": {"X"}}
	out := RedactValues(v)
	if out.Get("AccessKeyId") != RedactedKeyID || out.Get("Action") != "X" {
		t.Errorf("redacted: %v", out)
	}
	if v.Get("AccessKeyId") != testKeyID {
		t.Error("the caller's values were changed")
	}
}
