package reference

import (
	"net/http"

	"golang.org/x/sync/semaphore"

	"github.com/smcct/smcct/rpc"
)

// DefaultInflightBytes is the default of Options.InflightBytes. A request of 1 MiB costs
// the server a few times its size while it is parsed, verified and validated, so 32 MiB of
// large requests in flight keeps the server's peak well under 200 MB.
const DefaultInflightBytes = 32 << 20

// smallRequest is the size under which a request needs no share of the budget: every
// request an SDK sends is far smaller, so a flood of large ones never locks them out, and
// what many stalled small ones hold is bounded by the server's read timeout.
const smallRequest = 64 << 10

// inflight bounds the bytes of large requests that are being read and handled at once.
// Without it each stalled 1 MiB body held its buffer until the client gave up: 1,500 slow
// uploads held 1.6 GB. A weighted semaphore (golang.org/x/sync) counts the declared size
// of each large request from before its body is read until its answer is written.
type inflight struct {
	sem   *semaphore.Weighted
	size  int64
	limit rpc.Limits
}

func newInflight(size int64, lim rpc.Limits) *inflight {
	if size <= 0 {
		size = DefaultInflightBytes
	}
	if lim.MaxBody <= 0 {
		lim.MaxBody = rpc.DefaultLimits.MaxBody
	}
	return &inflight{sem: semaphore.NewWeighted(size), size: size, limit: lim}
}

// admit takes the request's share of the budget, or reports that it is spent. release
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
	if n <= smallRequest {
		return func() {}, true
	}
	if !f.sem.TryAcquire(n) {
		return nil, false
	}
	return func() { f.sem.Release(n) }, true
}
