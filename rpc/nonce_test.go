package rpc

import (
	"fmt"
	"testing"
	"time"
)

func TestNonceCache(t *testing.T) {
	c := NewNonceCache(3)
	exp := t0.Add(15 * time.Minute)
	steps := []struct {
		reason     string
		key, nonce string
		expires    time.Time
		now        time.Time
		fresh      bool
	}{
		{"first use", "a", "n1", exp, t0, true},
		{"same key and nonce", "a", "n1", exp, t0, false},
		{"another key may use the same nonce", "b", "n1", exp, t0, true},
		{"fills the cache", "a", "n2", exp.Add(time.Minute), t0, true},
		{"over the cap evicts the entry closest to expiry (a/n1)", "a", "n3", exp.Add(2 * time.Minute), t0, true},
		{"the evicted nonce is fresh again", "a", "n1", exp, t0, true},
		{"after every window passed all are forgotten", "a", "n3", exp.Add(3 * time.Minute), exp.Add(2 * time.Minute), true},
	}
	for _, s := range steps {
		if got := c.Use(s.key, s.nonce, s.expires, s.now); got != s.fresh {
			t.Fatalf("%s: Use = %v, want %v", s.reason, got, s.fresh)
		}
	}
	if c.Len() != 1 || c.Evicted() < 1 {
		t.Errorf("Len %d Evicted %d, want 1 and at least 1", c.Len(), c.Evicted())
	}
}

func TestNonceCacheBounded(t *testing.T) {
	var c NonceCache // the zero value takes the default capacity
	for i := range DefaultNonceCapacity + 100 {
		c.Use("k", fmt.Sprint(i), t0.Add(time.Hour), t0)
	}
	if c.Len() != DefaultNonceCapacity {
		t.Errorf("Len = %d, want the cap %d", c.Len(), DefaultNonceCapacity)
	}
}
