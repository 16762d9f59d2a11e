package recorder

import (
	"net/http"
	"net/url"
	"testing"

	"gopkg.in/dnaeon/go-vcr.v3/cassette"
)

// checkKey compares the key builder with the general path on one recorded request.
func checkKey(t *testing.T, kb *keyBuilder, rq *cassette.Request) (fast bool) {
	t.Helper()
	want, werr := canonOfRecorded(rq)
	got, version, action, err := kb.key(rq)
	if (err == nil) != (werr == nil) {
		t.Fatalf("%q: key builder error %v, general path %v", rq.URL, err, werr)
	}
	if err != nil {
		return false
	}
	if got != want.Key() || version != want.Version || action != want.Action {
		t.Fatalf("%q body %q:\n key builder %q (%s %s)\n canon       %q (%s %s)", rq.URL, rq.Body, got, version, action, want.Key(), want.Version, want.Action)
	}
	_, _, _, fast = kb.fast(rq)
	return fast
}

// TestRecordedKeyMatchesCanon: for every committed recording the key builder finds the key
// the general path finds, and takes its fast path doing so.
func TestRecordedKeyMatchesCanon(t *testing.T) {
	var kb keyBuilder
	for _, in := range realInteractions(t, 6000) {
		if !checkKey(t, &kb, &in.Request) {
			t.Errorf("%q took the general path", in.Request.URL)
		}
	}
}

func TestRecordedKeyCases(t *testing.T) {
	form := http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}
	cases := []struct {
		name string
		rq   cassette.Request
	}{
		{"query only", cassette.Request{Method: "POST", URL: "http://h/?Action=A&Version=1&b=2&a=1&a=0&Format=xml"}},
		{"escapes and plus", cassette.Request{URL: "https://h:8080/?Action=A&Version=1&Name=a+b%2Fc&Tag.1.Key=%E4%B8%AD"}},
		{"form body merged after the query", cassette.Request{Method: "POST", URL: "http://h/?Action=A&x=q", Headers: form, Body: "Version=2&x=f&Format=json"}},
		{"recorded Form without a form body", cassette.Request{URL: "http://h/?Action=A", Form: url.Values{"Version": {"3"}, "z": {"1", "2"}}}},
		{"v3 headers", cassette.Request{URL: "http://h/?Param=1", Headers: http.Header{"X-Acs-Action": {"A"}, "X-Acs-Version": {"4"}}}},
		{"control plane", cassette.Request{Method: "PUT", URL: "http://h/_smcct/objects/x/state?account=a", Body: `{"Status":"Ready"}`}},
		{"control plane with a form", cassette.Request{Method: "POST", URL: "http://h/_smcct/seed", Headers: form, Body: "a=1"}},
		{"volatile parameters dropped", cassette.Request{URL: "http://h/?Action=A&Version=1&Signature=s&SignatureNonce=n&Timestamp=t&AccessKeyId=k&SecurityToken=x"}},
		{"empty segments", cassette.Request{URL: "http://h/?&&Action=A&&Version=1&=v&k="}},
		{"no query", cassette.Request{URL: "http://h"}},
		{"escaped path", cassette.Request{URL: "http://h/a%20b?Action=A&Version=1"}},
		{"fragment", cassette.Request{URL: "http://h/?Action=A#frag"}},
		{"semicolon", cassette.Request{URL: "http://h/?Action=A;Version=1"}},
		{"bad escape", cassette.Request{URL: "http://h/?Action=%zz"}},
		{"user info", cassette.Request{URL: "http://u:p@h/?Action=A"}},
		{"IPv6 host", cassette.Request{URL: "http://[::1]:80/?Action=A&Version=1"}},
		{"relative URL", cassette.Request{URL: "/?Action=A&Version=1"}},
		{"form with parameters", cassette.Request{URL: "http://h/?Action=A", Headers: http.Header{"Content-Type": {"application/x-www-form-urlencoded; charset=utf-8"}}, Body: "Version=1"}},
		{"json body", cassette.Request{URL: "http://h/?Action=A", Headers: http.Header{"Content-Type": {"application/json"}}, Body: "Version=1"}},
		{"control byte", cassette.Request{URL: "http://h/?Action=A\x01"}},
	}
	var kb keyBuilder
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { checkKey(t, &kb, &tc.rq) })
	}
}

func FuzzRecordedKey(f *testing.F) {
	f.Add("http://h/?Action=A&Version=1&b=%20", "", "a=1&Version=2", "POST", true)
	f.Add("https://h:1/x/y?Format=xml&Format=JSON", "k", "", "GET", false)
	f.Fuzz(func(t *testing.T, u, formKey, body, method string, isForm bool) {
		rq := cassette.Request{URL: u, Body: body, Method: method}
		if isForm {
			rq.Headers = http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}
		} else if formKey != "" {
			rq.Form = url.Values{formKey: {body, u}}
		}
		var kb keyBuilder
		checkKey(t, &kb, &rq)
	})
}
