package reference

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/smcct/smcct/rpc"
)

// BenchmarkServeCaller is the server's cost of one DescribeSourceServers by who signs it:
// the account itself (no RAM), a RAM user (policies evaluated), a role's STS session (token
// verified and decoded, the role's and the session's policies evaluated). Each request is
// signed once, outside the timed loop, and served in process; the nonce cache is off so the
// same request can be admitted again. Compare the sub-benchmarks within one run.
func BenchmarkServeCaller(b *testing.B) {
	signedAt := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	srv, err := New(Options{Wall: func() time.Time { return signedAt }})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = srv.Close() })
	srv.gateway.Nonces = nil
	ts := httptest.NewServer(srv)
	b.Cleanup(ts.Close)
	user := rpc.Config{AccessKeyID: "smcct-reader", AccessKeySecret: "smcct-reader-secret"}
	sts, err := rpc.NewClient(rpc.Config{Endpoint: ts.URL, AccessKeyID: "smcct-ram-user", AccessKeySecret: "smcct-ram-user-secret",
		RegionID: "cn-hangzhou", Now: func() time.Time { return signedAt }})
	if err != nil {
		b.Fatal(err)
	}
	resp, err := sts.Call(context.Background(), "2015-04-01", "AssumeRole", url.Values{
		"RoleArn": {"acs:ram::1000000000000001:role/smcct-migrator"}, "RoleSessionName": {"bench"}})
	if err != nil {
		b.Fatal(err)
	}
	creds := resp.Data["Credentials"].(map[string]any)
	session := rpc.Config{AccessKeyID: creds["AccessKeyId"].(string), AccessKeySecret: creds["AccessKeySecret"].(string),
		SecurityToken: creds["SecurityToken"].(string)}
	for _, tc := range []struct {
		name string
		cfg  rpc.Config
	}{
		{"root", rpc.Config{AccessKeyID: "smcct", AccessKeySecret: "smcct-secret"}},
		{"ram-user", user},
		{"sts-session", session},
	} {
		b.Run(tc.name, func(b *testing.B) {
			cfg := tc.cfg
			cfg.Endpoint, cfg.RegionID, cfg.Now = "http://127.0.0.1", "cn-hangzhou", func() time.Time { return signedAt }
			c, err := rpc.NewClient(cfg)
			if err != nil {
				b.Fatal(err)
			}
			req, err := c.NewRequest("2019-06-01", "DescribeSourceServers", nil)
			if err != nil {
				b.Fatal(err)
			}
			hr, err := http.NewRequest(http.MethodPost, "http://127.0.0.1/?"+req.Query.Encode(), nil)
			if err != nil {
				b.Fatal(err)
			}
			rec := httptest.NewRecorder()
			srv.ServeHTTP(rec, hr)
			if rec.Code != 200 {
				b.Fatalf("%s: %d %s", tc.name, rec.Code, rec.Body)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				rec := httptest.NewRecorder()
				srv.ServeHTTP(rec, hr)
				if rec.Code != 200 {
					b.Fatalf("%d", rec.Code)
				}
			}
		})
	}
}
