package rpc

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/smcct/smcct/rpc/flat"
)

// seedVectors adds the golden requests to a fuzz corpus through add.
func seedVectors(f *testing.F, add func(v vector)) {
	t := &testing.T{}
	for _, v := range loadVectors(t) {
		add(v)
	}
}

func FuzzVerifyV1(f *testing.F) {
	seedVectors(f, func(v vector) { f.Add(v.Method, strings.TrimPrefix(v.URI, "/?"), testSecret) })
	f.Add("GET", "A=%zz&Signature=", "")
	f.Fuzz(func(t *testing.T, method, rawQuery, secret string) {
		q, err := url.ParseQuery(rawQuery)
		if err != nil {
			return
		}
		sts, ok := VerifyV1(method, q, secret)
		if !strings.HasPrefix(sts, method+"&%2F&") {
			t.Fatalf("string to sign %q lacks its prefix", sts)
		}
		if ok && q.Get("Signature") != SignatureV1(secret, sts) {
			t.Fatal("verified a signature SignatureV1 would not produce")
		}
		SignV1(method, q, secret)
		if _, ok := VerifyV1(method, q, secret); !ok {
			t.Fatal("SignV1 output does not verify")
		}
	})
}

func FuzzVerifyV3(f *testing.F) {
	seedVectors(f, func(v vector) {
		if v.Signer == "v3" {
			f.Add(strings.TrimPrefix(v.URI, "/?"), v.Header["Authorization"][0], v.Header["X-Acs-Date"][0], v.Body)
		}
	})
	f.Add("a=b", "ACS3-HMAC-SHA256 Credential=x,SignedHeaders=host;x-acs-date,Signature=00", "", "body")
	f.Fuzz(func(t *testing.T, rawQuery, authorization, date, body string) {
		r, err := http.NewRequest(http.MethodPost, "http://127.0.0.1:1/", nil)
		if err != nil {
			t.Fatal(err)
		}
		r.URL.RawQuery = rawQuery
		r.Header.Set(HeaderDate, date)
		q, err := url.ParseQuery(rawQuery)
		if err != nil {
			return
		}
		if auth, err := ParseAuthorization(authorization); err == nil {
			VerifyV3(r, q, []byte(body), auth, testSecret)
		}
		SignV3(r, []byte(body), testID, testSecret)
		auth, err := ParseAuthorization(r.Header.Get("Authorization"))
		if err != nil {
			t.Fatalf("our own Authorization does not parse: %v", err)
		}
		if _, ok := VerifyV3(r, q, []byte(body), auth, testSecret); !ok {
			t.Fatal("SignV3 output does not verify")
		}
	})
}

// FuzzAdmit throws arbitrary requests at the gateway: it must answer every one with a
// gateway error of a 4xx status or admit it, and never read past its limits.
func FuzzAdmit(f *testing.F) {
	seedVectors(f, func(v vector) {
		f.Add(v.Method, strings.TrimPrefix(v.URI, "/?"), strings.Join(v.Header["Authorization"], ""), "", v.Body)
	})
	f.Add("POST", "Action=X", "", "application/x-www-form-urlencoded", "A=1&B=%zz")
	f.Add("PUT", "", "ACS3", "text/plain", "")
	g := testGateway(f, t0)
	g.Limits = Limits{MaxBody: 4096}
	f.Fuzz(func(t *testing.T, method, rawQuery, authorization, contentType, body string) {
		r, err := http.NewRequest(method, "http://127.0.0.1:1/", nil)
		if err != nil {
			return
		}
		r.URL.RawQuery = rawQuery
		r.Header.Set("Authorization", authorization)
		r.Header.Set("Content-Type", contentType)
		counted := &countingReader{r: strings.NewReader(body)}
		r.Body = io.NopCloser(counted)
		call, e := g.Admit(r)
		if call == nil {
			t.Fatal("nil Call")
		}
		if counted.n > 4097 {
			t.Fatalf("read %d body bytes past a 4096 limit", counted.n)
		}
		if e != nil && (e.Status < 400 || e.Status > 499 || e.Code == "") {
			t.Fatalf("error %v is not a client error", e)
		}
		if !slices.IsSortedFunc(call.Params, func(a, b flat.Pair) int { return strings.Compare(a.Name, b.Name) }) {
			t.Fatalf("Params not sorted by name: %v", call.Params)
		}
		rec := httptest.NewRecorder()
		WriteError(rec, call.Format, call.Host(), e)
		call.Release() // the next input reuses the storage, as the reference's next request does
	})
}

type countingReader struct {
	r io.Reader
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

// FuzzEnvelope renders arbitrary JSON objects and error texts: JSON output must parse with
// RequestId first, XML output must be well formed.
func FuzzEnvelope(f *testing.F) {
	f.Add(`{"Jobs":{"Job":[{"Id":"j-1","N":1.5e3}]},"Flat":[1,[2,3],null,true]}`, "Code", "a < b ]]> & c")
	f.Add(`{"a:b":1}`, "", "\x00\xff")
	f.Fuzz(func(t *testing.T, obj, code, message string) {
		var v any
		if json.Unmarshal([]byte(obj), &v) == nil {
			for _, format := range []Format{JSON, XML} {
				body, err := ResultBody(format, "Do", "R", v)
				if err == nil {
					checkBody(t, format, body)
				}
			}
		}
		e := &Error{Status: 400, Code: code, Message: message, Recommend: message}
		for _, format := range []Format{JSON, XML} {
			checkBody(t, format, ErrorBody(format, "smc.aliyuncs.com", e))
		}
	})
}

func checkBody(t *testing.T, format Format, body []byte) {
	t.Helper()
	if format == JSON {
		if !json.Valid(body) || !bytes.HasPrefix(body, []byte(`{"RequestId":`)) {
			t.Fatalf("bad JSON body %s", body)
		}
		return
	}
	dec := xml.NewDecoder(bytes.NewReader(body))
	for {
		_, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			t.Fatalf("XML body %q: %v", body, err)
		}
	}
}
