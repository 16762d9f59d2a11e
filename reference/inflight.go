package reference

import (
	"net/http"

	"golang.org/x/sync/semaphore"

	"github.com/smcct/smcct/rpc"
)

// DefaultInflightBytes is the default of Options.InflightBytes. A request costs the server
// a few times its size while it is parsed, verified and validated (the string to sign alone
// is as long as the request), so 16 MiB of large requests in flight keeps the server's
// peak well under 200 MB.
const DefaultInflightBytes = 16 << 20

// Requests up to tinyRequest need no share of a budget: every SDK request is smaller, so a
// flood of larger ones never locks them out, and what many of them hold is bounded by the
// server's read timeout. Those up to largeRequest share a quarter of the budget of their
// own, so that a flood of them cannot starve large requests nor the other way round.
const (
	tinyRequest  = 8 << 10
	largeRequest = 64 << 10
)

// inflight bounds the bytes of requests that are being read and handled at once. Without it
// each stalled 1 MiB body held its buffer until the client gave up: 1,500 slow uploads held
// 1.6 GB. A weighted semaphore (golang.org/x/sync) counts the declared size of a request
// from before its body is read until its answer is written; one that finds its pool spent
// is refused at once rather than queued, so nothing waits on a stalled client.
type inflight struct {
	large, medium *semaphore.Weighted
	size          int64 // bytes of the large pool; the medium one has a quarter
	limit         rpc.Limits
}

func newInflight(size int64, lim rpc.Limits) *inflight {
	if size <= 0 {
		size = DefaultInflightBytes
	}
	if lim.MaxBody <= 0 {
		lim.MaxBody = rpc.DefaultLimits.MaxBody
	}
	return &inflight{large: semaphore.NewWeighted(size), medium: semaphore.NewWeighted(max(size/4, largeRequest)),
		size: size, limit: lim}
}

// admit takes the request's share of its pool, or reports that the pool is spent. release
// gives the share back; it must be called once the answer is written.
func (f *inflight) admit(r *http.Request) (release func(), ok bool) {
	n := r.ContentLength
	switch {
	case r.Body == nil || r.Body == http.NoBody:
		n = 0
	case n < 0: // chunked: as large as the gateway will read
		n = f.limit.MaxBody
	case n > f.limit.MaxBody: // the gateway refuses it by its length without reading it
		n = 0
	}
	n = min(n+int64(len(r.URL.RawQuery)), f.size)
	pool := f.large
	switch {
	case n <= tinyRequest:
		return func() {}, true
	case n <= largeRequest:
		pool = f.medium
	}
	if !pool.TryAcquire(n) {
		return nil, false
	}
	return func() { pool.Release(n) }, true
}
