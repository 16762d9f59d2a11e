package rpc

import (
	"net/url"
	"strings"
	"testing"
)

func TestPercentEncode(t *testing.T) {
	cases := []struct{ in, want, reason string }{
		{"AZaz09-_.~", "AZaz09-_.~", "unreserved bytes stay"},
		{"a b", "a%20b", "space is %20, not +"},
		{"a*b", "a%2Ab", "'*' is escaped, unlike url.QueryEscape"},
		{"/=&+", "%2F%3D%26%2B", "reserved bytes escape in upper-case hex"},
		{"é", "%C3%A9", "UTF-8 bytes one by one"},
		{"", "", "empty"},
	}
	for _, tc := range cases {
		if got := PercentEncode(tc.in); got != tc.want {
			t.Errorf("%s: PercentEncode(%q) = %q, want %q", tc.reason, tc.in, got, tc.want)
		}
	}
}

func TestStringToSignV1(t *testing.T) {
	p := url.Values{"B": {"x y"}, "A": {"1"}, "SignatureType": {""}, "Signature": {"ignored"}, "C": {"2", "1"}}
	want := "GET&%2F&A%3D1%26B%3Dx%2520y%26C%3D1%26C%3D2%26SignatureType%3D"
	if got := StringToSignV1("GET", p); got != want {
		t.Errorf("got %s\nwant %s (sorted, empty value kept, Signature left out, repeated values sorted)", got, want)
	}
	SignV1("GET", p, "s")
	if _, ok := VerifyV1("GET", p, "s"); !ok {
		t.Error("VerifyV1 rejects what SignV1 signed")
	}
	if _, ok := VerifyV1("POST", p, "s"); ok {
		t.Error("the method is part of the signature")
	}
	p["Signature"] = append(p["Signature"], "x")
	if _, ok := VerifyV1("GET", p, "s"); ok {
		t.Error("two Signature values must not verify")
	}
}

func TestParseAuthorization(t *testing.T) {
	good := "ACS3-HMAC-SHA256 Credential=id,SignedHeaders=host;x-acs-date,Signature=ab"
	a, err := ParseAuthorization(good)
	if err != nil || a.Credential != "id" || a.Signature != "ab" || len(a.SignedHeaders) != 2 || a.String() != good {
		t.Fatalf("%+v %v", a, err)
	}
	bad := []struct{ in, reason string }{
		{"", "empty"},
		{"ACS3-HMAC-SHA256", "no fields"},
		{"ACS3-HMAC-SHA256 Credential=id,Signature=ab", "no SignedHeaders"},
		{"ACS3-HMAC-SHA256 Credential=,SignedHeaders=host,Signature=ab", "empty credential"},
		{"ACS3-HMAC-SHA256 Credential=id,SignedHeaders=host,Signature=ab,Extra=1", "unknown field"},
		{"ACS3-HMAC-SHA256 Credential=id,SignedHeaders=x-acs-date;host,Signature=ab", "unsorted headers"},
		{"ACS3-HMAC-SHA256 Credential=id,SignedHeaders=host;host,Signature=ab", "repeated header"},
		{"ACS3-HMAC-SHA256 Credential=id,SignedHeaders=Host,Signature=ab", "upper-case header"},
		{"ACS3-HMAC-SHA256 Credential=id,SignedHeaders=host;;x,Signature=ab", "empty header name"},
	}
	for _, tc := range bad {
		if _, err := ParseAuthorization(tc.in); err == nil {
			t.Errorf("%s: %q parsed", tc.reason, tc.in)
		}
	}
}

func TestCanonicalRequestV3(t *testing.T) {
	h := map[string][]string{"X-Acs-Date": {" 2026-03-01T12:00:00Z "}, "X-Acs-Multi": {"b", "a"}}
	got := CanonicalRequestV3("POST", "", url.Values{"Name": {"my job"}, "Empty": {""}}, h, "127.0.0.1:1",
		[]string{"host", "x-acs-date", "x-acs-multi"}, PayloadHashV3(nil))
	want := strings.Join([]string{"POST", "/", "Empty=&Name=my%20job",
		"host:127.0.0.1:1", "x-acs-date:2026-03-01T12:00:00Z", "x-acs-multi:a,b", "",
		"host;x-acs-date;x-acs-multi", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"}, "\n")
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}
