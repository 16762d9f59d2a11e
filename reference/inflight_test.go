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
	for srv.inflight.sem.TryAcquire(1 << 20) {
		srv.inflight.sem.Release(1 << 20)
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
