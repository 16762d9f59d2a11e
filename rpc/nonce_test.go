package rpc

import (
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"
	"unsafe"
)

func TestNonceCache(t *testing.T) {
	c := NewNonceCache(3 * nonceEntryBytes) // room for three nonces
	exp := t0.Add(15 * time.Minute)
	steps := []struct {
		reason     string
		key, nonce string
		expires    time.Time
		now        time.Time
		want       NonceVerdict
	}{
		{"first use", "a", "n1", exp, t0, NonceFresh},
		{"same key and nonce", "a", "n1", exp, t0, NonceUsed},
		{"another key may use the same nonce", "b", "n1", exp, t0, NonceFresh},
		{"the key and nonce are not run together", "an", "1", exp, t0, NonceFresh},
		{"over the budget a fresh nonce is refused, not let through", "a", "n2", exp, t0, NonceFull},
		{"a refused nonce was not remembered", "a", "n2", exp, t0, NonceFull},
		{"a full cache still knows its replays", "a", "n1", exp, t0, NonceUsed},
		{"a nonce stays used until its window ends", "a", "n1", exp, exp.Add(-time.Second), NonceUsed},
		{"once the windows passed every nonce is forgotten", "a", "n1", exp.Add(time.Hour), exp, NonceFresh},
		{"and there is room again", "a", "n2", exp.Add(time.Hour), exp, NonceFresh},
	}
	for _, s := range steps {
		if got := c.Use(s.key, s.nonce, s.expires, s.now); got != s.want {
			t.Fatalf("%s: Use = %v, want %v", s.reason, got, s.want)
		}
	}
	if c.Len() != 2 || c.Refused() != 2 {
		t.Errorf("Len %d Refused %d, want 2 and 2", c.Len(), c.Refused())
	}
}

// TestNonceCacheIsBoundedByBudget floods the cache past its budget within one window: every
// nonce it took stays a replay, the rest are refused, and nothing is forgotten early.
func TestNonceCacheIsBoundedByBudget(t *testing.T) {
	var zero NonceCache // the zero value takes the default budget
	if n := zero.Cap(); n*nonceEntryBytes > DefaultNonceBytes || n < DefaultNonceBytes/nonceEntryBytes {
		t.Fatalf("Cap %d does not fit the default budget", n)
	}
	c := NewNonceCache(5000 * nonceEntryBytes)
	n := c.Cap()
	full := 0
	for i := range n + 100 {
		if c.Use("k", fmt.Sprint(i), t0.Add(time.Hour), t0) == NonceFull {
			full++
		}
	}
	if c.Len() != n || full != 100 {
		t.Fatalf("Len %d, refused %d: want %d and 100", c.Len(), full, n)
	}
	for _, i := range []int{0, n / 2, n - 1} {
		if got := c.Use("k", fmt.Sprint(i), t0.Add(time.Hour), t0); got != NonceUsed {
			t.Errorf("nonce %d after the flood: %v, want NonceUsed", i, got)
		}
	}
}

// TestNonceCacheKeepsNoRequestBytes checks the cache holds no string of the request: a
// nonce read from a 1 MiB body must not keep that body alive for the window.
func TestNonceCacheKeepsNoRequestBytes(t *testing.T) {
	c := NewNonceCache(0)
	body := strings.Repeat("x", 1<<20)
	freed := make(chan struct{})
	// The finalizer runs only if nothing reachable points into the body any more.
	b := []byte(body)
	runtime.SetFinalizer(&b[0], func(*byte) { close(freed) })
	nonce := unsafe.String(&b[100], 36)
	c.Use("k", nonce, t0.Add(time.Hour), t0)
	b, nonce = nil, ""
	for range 10 {
		runtime.GC()
		select {
		case <-freed:
			return
		case <-time.After(20 * time.Millisecond):
		}
	}
	t.Fatal("the request body is still reachable after its nonce was remembered")
}
