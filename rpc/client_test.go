package rpc

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"
)

func TestNewClientRefuses(t *testing.T) {
	cases := []struct {
		reason string
		cfg    Config
	}{
		{"no endpoint", Config{AccessKeyID: "a", AccessKeySecret: "b"}},
		{"endpoint without scheme", Config{Endpoint: "127.0.0.1:1", AccessKeyID: "a", AccessKeySecret: "b"}},
		{"ftp endpoint", Config{Endpoint: "ftp://127.0.0.1", AccessKeyID: "a", AccessKeySecret: "b"}},
		{"no secret", Config{Endpoint: "http://127.0.0.1:1", AccessKeyID: "a"}},
		{"unknown signer", Config{Endpoint: "http://127.0.0.1:1", AccessKeyID: "a", AccessKeySecret: "b", Signer: 9}},
	}
	for _, tc := range cases {
		if _, err := NewClient(tc.cfg); err == nil {
			t.Errorf("%s: accepted", tc.reason)
		}
	}
}

// TestClientAgainstGateway: our client and our gateway agree for both signers and formats,
// and error bodies come back as *Error.
func TestClientAgainstGateway(t *testing.T) {
	g := testGateway(t, time.Time{})
	g.Now = time.Now
	host := gatewayServer(t, g)
	for _, signer := range []Signer{V1, V3} {
		for _, format := range []Format{JSON, XML} {
			c, err := NewClient(Config{Endpoint: "http://" + host, AccessKeyID: testID, AccessKeySecret: testSecret, Signer: signer, Format: format})
			if err != nil {
				t.Fatal(err)
			}
			resp, err := c.Call(context.Background(), "2019-06-01", "StopReplicationJob", url.Values{"JobId": {"j-1"}})
			if err != nil || resp.Status != 200 || !upperUUID.MatchString(resp.RequestID) {
				t.Fatalf("%s %s: %v %+v", signer, format, err, resp)
			}
			if format == JSON && resp.Data["JobId"] != "j-1" {
				t.Errorf("%s: data %v", signer, resp.Data)
			}
			_, err = c.Call(context.Background(), "2019-06-01", "NoSuchAction", nil)
			e, ok := AsError(err)
			if !ok || e.Code != "InvalidAction.NotFound" || e.Status != 404 || e.HostID != "smc.aliyuncs.com" || !upperUUID.MatchString(e.RequestID) {
				t.Errorf("%s %s: error %#v", signer, format, err)
			}
		}
	}
}

func TestClientDecodesForeignErrors(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set(HeaderRequestID, "HDR")
		w.WriteHeader(502)
		_, _ = w.Write([]byte("bad gateway"))
	}))
	defer srv.Close()
	c, _ := NewClient(Config{Endpoint: srv.URL, AccessKeyID: "a", AccessKeySecret: "b"})
	_, err := c.Call(context.Background(), "2019-06-01", "X", nil)
	var e *Error
	if !errors.As(err, &e) || e.Status != 502 || e.Code != "" || e.Message != "bad gateway" || e.RequestID != "HDR" {
		t.Errorf("non-envelope error body: %#v", err)
	}
}
