package reference

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/smcct/smcct/rpc"
)

// loadClient signs v1 requests for the fixture key and leaves success bodies undecoded.
func loadClient(b *testing.B, base string, hc *http.Client) *rpc.Client {
	b.Helper()
	c, err := rpc.NewClient(rpc.Config{Endpoint: base, AccessKeyID: "smcct", AccessKeySecret: "smcct-secret",
		RegionID: "cn-hangzhou", HTTPClient: hc, NoDecode: true})
	if err != nil {
		b.Fatal(err)
	}
	return c
}

// inProcess hands requests straight to a handler, so a benchmark measures the server's
// own CPU and allocations without sockets or the scheduler noise of a loaded machine.
type inProcess struct{ h http.Handler }

func (t inProcess) RoundTrip(r *http.Request) (*http.Response, error) {
	rec := httptest.NewRecorder()
	t.h.ServeHTTP(rec, r)
	return rec.Result(), nil
}

// BenchmarkServeDescribe100 is one signed DescribeReplicationJobs (default paging) on an
// account of 100 jobs, per op, handed to the server without a socket; the client's signing
// is included and is the same for every version of the server. Load figures come from
// `smcct bench` (make loadbench), which keeps signing out of the timed loop.
func BenchmarkServeDescribe100(b *testing.B) {
	srv, err := New(Options{Fixtures: durFixturesYAML(b, 100)})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = srv.Close() })
	c := loadClient(b, "http://127.0.0.1", &http.Client{Transport: inProcess{srv}})
	ctx := context.Background()
	for i := range 100 {
		if _, err := c.Call(ctx, "2019-06-01", "CreateReplicationJob", url.Values{
			"SourceId": {durableSource(i)}, "Name": {fmt.Sprintf("load-%03d", i)}}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		resp, err := c.Call(ctx, "2019-06-01", "DescribeReplicationJobs", nil)
		if err != nil {
			b.Fatal(err)
		}
		if !bytes.Contains(resp.Body, []byte(`"TotalCount":100`)) {
			b.Fatalf("want TotalCount 100 in %.200s", resp.Body)
		}
	}
}
