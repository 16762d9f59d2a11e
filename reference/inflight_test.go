package reference

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/smcct/smcct/rpc"
)

// stallBody opens a connection that declares a body of size bytes, sends sent of them and
// then sends nothing more until closed.
func stallBody(t *testing.T, addr string, size, sent int) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(c, "POST / HTTP/1.1\r\nHost: %s\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\n\r\n%s",
		addr, size, strings.Repeat("a", sent))
	return c
}

// TestInflightBudgetRefusesLargeRequestsNotSmallOnes: while stalled uploads hold the
// budget, a further large request is refused at once with Throttling.Resource, before its
// body is read, and a normal signed request is still answered; once the uploads go, large
// requests are admitted again.
func TestInflightBudgetRefusesLargeRequestsNotSmallOnes(t *testing.T) {
	srv, ts, c := newHTTPServer(t, Options{InflightBytes: 2 << 20})
	addr := ts.Listener.Addr().String()
	var stalled []net.Conn
	for range 2 {
		stalled = append(stalled, stallBody(t, addr, 1<<20, 4096))
	}
	// The stalled requests reach the handler asynchronously: wait until they hold the budget.
	deadline := time.Now().Add(5 * time.Second)
	for srv.inflight.large.TryAcquire(1 << 20) {
		srv.inflight.large.Release(1 << 20)
		if time.Now().After(deadline) {
			t.Fatal("the stalled uploads never took the budget")
		}
		time.Sleep(5 * time.Millisecond)
	}

	probe := stallBody(t, addr, 1<<20, 0)
	defer probe.Close()
	_ = probe.SetReadDeadline(time.Now().Add(5 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(probe), nil)
	if err != nil {
		t.Fatalf("a large request over the budget was not answered at once: %v", err)
	}
	body := make([]byte, 4096)
	n, _ := resp.Body.Read(body)
	if resp.StatusCode != 503 || !strings.Contains(string(body[:n]), "Throttling.Resource") {
		t.Fatalf("over the budget: %d %s, want 503 Throttling.Resource", resp.StatusCode, body[:n])
	}

	if _, err := c.Call(context.Background(), "2019-06-01", "DescribeSourceServers", nil); err != nil {
		t.Fatalf("a normal signed request while the budget is spent: %v", err)
	}
	for _, s := range stalled {
		s.Close()
	}
	big := url.Values{"Description": {strings.Repeat("d", 60<<10)}, "Other": {strings.Repeat("o", 60<<10)}}
	for try := 0; ; try++ {
		_, err := c.Call(context.Background(), "2019-06-01", "DescribeSourceServers", big)
		e, _ := rpc.AsError(err)
		if err == nil || e != nil && e.Code != "Throttling.Resource" {
			break // admitted (an unknown parameter is only a warning)
		}
		if try == 100 {
			t.Fatalf("large requests still refused after the stalled ones went: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestInflightPools: which pool a request draws on, by its declared size and query, and
// that a spent pool refuses only requests of its own size class.
func TestInflightPools(t *testing.T) {
	f := newInflight(1<<20, rpc.Limits{})
	req := func(body int64, query int) *http.Request {
		r, _ := http.NewRequest("POST", "/?"+strings.Repeat("q", query), strings.NewReader(strings.Repeat("b", int(max(body, 1)))))
		r.ContentLength = body
		return r
	}
	var held []func()
	take := func(r *http.Request) bool {
		release, ok := f.admit(r)
		if ok {
			held = append(held, release)
		}
		return ok
	}
	// Spend the large pool (1 MiB) with one request of 1 MiB declared.
	if !take(req(1<<20, 0)) {
		t.Fatal("the first large request was refused")
	}
	cases := []struct {
		reason string
		r      *http.Request
		ok     bool
	}{
		{"another large body finds the large pool spent", req(100<<10, 0), false},
		{"a chunked body counts as the largest body", req(-1, 0), false},
		{"a large query counts like a body", req(0, 100<<10), false},
		{"a body over the limit is refused by its length, unread, so it takes nothing", req(2<<20, 0), true},
		{"an SDK-sized request takes nothing", req(2<<10, 2<<10), true},
		{"a medium request has a pool of its own", req(30<<10, 0), true},
	}
	for _, tc := range cases {
		if got := take(tc.r); got != tc.ok {
			t.Errorf("%s: admitted %v, want %v", tc.reason, got, tc.ok)
		}
	}
	for _, release := range held {
		release()
	}
	if !take(req(1<<20, 0)) {
		t.Error("released shares did not come back")
	}
}
