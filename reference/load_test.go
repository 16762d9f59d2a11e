package reference

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/smcct/smcct/rpc"
)

// Load benchmarks: 64 clients with keep-alive connections send v1-signed requests over
// loopback. The baseline is a bare handler answering a fixed 1.5 KB JSON body to requests
// signed by the same client, so the ratios isolate the reference's own cost. The client
// reads but does not decode success bodies (rpc.Config.NoDecode): client and server share the
// machine's two cores, and decoding a 10-job page would otherwise be charged to the server.
// Run: go test -run '^$' -bench BenchmarkLoad -benchtime 20000x ./reference
// Each reports req/s and p99-µs; ns/op is per request.

const loadClients = 64

// loadTransport keeps one connection per client alive.
func loadTransport() *http.Client {
	return &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
		MaxIdleConns: 2 * loadClients, MaxIdleConnsPerHost: 2 * loadClients, IdleConnTimeout: time.Minute}}
}

func loadClient(b *testing.B, base string, hc *http.Client) *rpc.Client {
	b.Helper()
	c, err := rpc.NewClient(rpc.Config{Endpoint: base, AccessKeyID: "smcct", AccessKeySecret: "smcct-secret",
		RegionID: "cn-hangzhou", HTTPClient: hc, NoDecode: true})
	if err != nil {
		b.Fatal(err)
	}
	return c
}

// loadRun runs b.N requests from loadClients workers. step performs one unit of work for
// worker w and returns how many requests it sent; rec records each request's latency.
func loadRun(b *testing.B, step func(ctx context.Context, w int, rec func(time.Duration)) (int, error)) {
	b.Helper()
	var next atomic.Int64
	lat := make([][]time.Duration, loadClients)
	var failed atomic.Value
	var wg sync.WaitGroup
	ctx := context.Background()
	b.ResetTimer()
	start := time.Now()
	for w := range loadClients {
		wg.Go(func() {
			rec := func(d time.Duration) { lat[w] = append(lat[w], d) }
			for next.Load() < int64(b.N) {
				n, err := step(ctx, w, rec)
				if err != nil {
					failed.CompareAndSwap(nil, err)
					return
				}
				next.Add(int64(n))
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	if err, _ := failed.Load().(error); err != nil {
		b.Fatal(err)
	}
	all := slices.Concat(lat...)
	slices.Sort(all)
	if len(all) == 0 {
		return
	}
	b.ReportMetric(float64(len(all))/elapsed.Seconds(), "req/s")
	b.ReportMetric(float64(all[len(all)*99/100].Microseconds()), "p99-µs")
}

// timed sends one call and records its latency.
func timed(ctx context.Context, c *rpc.Client, rec func(time.Duration), version, action string, q url.Values) (*rpc.Response, error) {
	t0 := time.Now()
	resp, err := c.Call(ctx, version, action, q)
	rec(time.Since(t0))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", action, err)
	}
	return resp, nil
}

// loadBare is the baseline: no signature check, no state, a fixed JSON body of 1.5 KB.
func loadBare() *httptest.Server {
	body := []byte(`{"RequestId":"6A5B5F46-7A53-4A1F-8C43-0E0DF1F2C2A9","TotalCount":1,"PageNumber":1,"PageSize":10,` +
		`"ReplicationJobs":{"ReplicationJob":[{"JobId":"j-bp1smcctbaseline0001","Pad":"` + strings.Repeat("x", 1330) + `"}]}}`)
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json;charset=utf-8")
		_, _ = w.Write(body)
	}))
}

// loadReference starts a reference whose default account has the fixture sources plus n
// more, so that writers never compete for one source.
func loadReference(b *testing.B, n int) (*Server, *httptest.Server) {
	b.Helper()
	srv, err := New(Options{Fixtures: durFixturesYAML(b, n)})
	if err != nil {
		b.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	b.Cleanup(func() { ts.Close(); srv.Close() })
	return srv, ts
}

func BenchmarkLoad(b *testing.B) {
	b.Run("bare", benchBare)
	b.Run("describe100", benchDescribe100)
	b.Run("mix", benchMix)
}

func benchBare(b *testing.B) {
	ts := loadBare()
	defer ts.Close()
	c := loadClient(b, ts.URL, loadTransport())
	loadRun(b, func(ctx context.Context, _ int, rec func(time.Duration)) (int, error) {
		_, err := timed(ctx, c, rec, "2019-06-01", "DescribeReplicationJobs", nil)
		return 1, err
	})
}

// benchDescribe100: DescribeReplicationJobs with the SDK's default paging on an account
// holding 100 jobs, created beforehand through the API.
func benchDescribe100(b *testing.B) {
	_, ts := loadReference(b, 100)
	c := loadClient(b, ts.URL, loadTransport())
	for i := range 100 {
		if _, err := c.Call(context.Background(), "2019-06-01", "CreateReplicationJob", url.Values{
			"SourceId": {durableSource(i)}, "Name": {fmt.Sprintf("load-%03d", i)}}); err != nil {
			b.Fatal(err)
		}
	}
	loadRun(b, func(ctx context.Context, _ int, rec func(time.Duration)) (int, error) {
		resp, err := timed(ctx, c, rec, "2019-06-01", "DescribeReplicationJobs", nil)
		if err == nil && !bytes.Contains(resp.Body, []byte(`"TotalCount":100`)) {
			err = fmt.Errorf("want TotalCount 100 in %.200s", resp.Body)
		}
		return 1, err
	})
}

// benchMix: each worker owns a source and loops create, start, describe, delete (four
// requests). Between start and delete the worker moves the virtual clock past a whole run
// in process, so the job is Finished and deletable, and deleted jobs leave the account.
func benchMix(b *testing.B) {
	srv, ts := loadReference(b, loadClients)
	c := loadClient(b, ts.URL, loadTransport())
	loadRun(b, func(ctx context.Context, w int, rec func(time.Duration)) (int, error) {
		resp, err := timed(ctx, c, rec, "2019-06-01", "CreateReplicationJob", url.Values{"SourceId": {durableSource(w)}})
		if err != nil {
			return 0, err
		}
		var created struct{ JobId string }
		if err := json.Unmarshal(resp.Body, &created); err != nil || created.JobId == "" {
			return 0, fmt.Errorf("create answered %.200s", resp.Body)
		}
		job := url.Values{"JobId": {created.JobId}}
		if _, err := timed(ctx, c, rec, "2019-06-01", "StartReplicationJob", job); err != nil {
			return 0, err
		}
		if _, err := timed(ctx, c, rec, "2019-06-01", "DescribeReplicationJobs", url.Values{"JobId.1": job["JobId"]}); err != nil {
			return 0, err
		}
		srv.Clock().Advance(runDuration() + deletingDuration)
		if _, err := timed(ctx, c, rec, "2019-06-01", "DeleteReplicationJob", job); err != nil {
			return 0, err
		}
		return 4, nil
	})
}
