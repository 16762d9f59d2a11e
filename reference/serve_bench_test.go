package reference

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
)

// inProcess hands requests straight to a handler, so a benchmark measures the server's
// own CPU and allocations without sockets or the scheduler noise of a loaded machine.
type inProcess struct{ h http.Handler }

func (t inProcess) RoundTrip(r *http.Request) (*http.Response, error) {
	rec := httptest.NewRecorder()
	t.h.ServeHTTP(rec, r)
	return rec.Result(), nil
}

// BenchmarkServeDescribe100 is the server share of BenchmarkLoad/describe100: one signed
// DescribeReplicationJobs (default paging) on an account of 100 jobs, per op; the client's
// signing is included and is the same for every version of the server.
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
