package rpc

import (
	"container/heap"
	"sync"
	"time"
)

// DefaultNonceCapacity bounds a NonceCache made with a zero capacity.
const DefaultNonceCapacity = 1 << 16

// NonceCache remembers signature nonces per AccessKeyId until the timestamp window of
// their request has passed: after that the gateway rejects the request as expired anyway,
// so keeping the nonce longer buys nothing. Memory is bounded by a cap on entries; when
// it is full, the entry closest to expiry is dropped first. That trades a narrow replay
// window under a flood for never refusing fresh traffic, the right trade for a test double.
type NonceCache struct {
	mu      sync.Mutex
	cap     int
	seen    map[nonceKey]time.Time
	expiry  expiryHeap
	evicted int
}

type nonceKey struct{ accessKeyID, nonce string }

// NewNonceCache returns a cache holding at most capacity nonces (DefaultNonceCapacity if <= 0).
func NewNonceCache(capacity int) *NonceCache {
	if capacity <= 0 {
		capacity = DefaultNonceCapacity
	}
	return &NonceCache{cap: capacity, seen: make(map[nonceKey]time.Time)}
}

// Use records a nonce whose request stays acceptable until expires and reports whether it
// was fresh. now drives forgetting; it is the same wall clock that checks timestamp skew.
func (c *NonceCache) Use(accessKeyID, nonce string, expires, now time.Time) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.seen == nil { // the zero value works too
		c.seen = make(map[nonceKey]time.Time)
	}
	if c.cap <= 0 {
		c.cap = DefaultNonceCapacity
	}
	c.forget(now)
	k := nonceKey{accessKeyID, nonce}
	if _, dup := c.seen[k]; dup {
		return false
	}
	for len(c.seen) >= c.cap {
		old := heap.Pop(&c.expiry).(expiryEntry)
		delete(c.seen, old.key)
		c.evicted++
	}
	c.seen[k] = expires
	heap.Push(&c.expiry, expiryEntry{key: k, at: expires})
	return true
}

// Len is the number of nonces remembered.
func (c *NonceCache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.seen)
}

// Evicted counts nonces dropped before expiry because the cache was full.
func (c *NonceCache) Evicted() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.evicted
}

func (c *NonceCache) forget(now time.Time) {
	for len(c.expiry) > 0 && !c.expiry[0].at.After(now) {
		old := heap.Pop(&c.expiry).(expiryEntry)
		delete(c.seen, old.key)
	}
}

type expiryEntry struct {
	key nonceKey
	at  time.Time
}

// expiryHeap is a min-heap on expiry time.
type expiryHeap []expiryEntry

func (h expiryHeap) Len() int           { return len(h) }
func (h expiryHeap) Less(i, j int) bool { return h[i].at.Before(h[j].at) }
func (h expiryHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *expiryHeap) Push(x any)        { *h = append(*h, x.(expiryEntry)) }
func (h *expiryHeap) Pop() any {
	old := *h
	e := old[len(old)-1]
	*h = old[:len(old)-1]
	return e
}
