package rpc

import (
	"container/heap"
	"hash/maphash"
	"sync"
	"time"
)

// DefaultNonceBytes is the memory a NonceCache made with a zero budget may use: about
// 700,000 nonces, every request of a sustained 750 requests a second over a 15-minute window.
const DefaultNonceBytes = 64 << 20

// nonceEntryBytes is what one remembered nonce costs at most: its 16-byte key and expiry in
// the map and in the heap, with the map's spare slots and the heap's spare capacity.
const nonceEntryBytes = 96

// NonceVerdict is what NonceCache.Use decided.
type NonceVerdict int

// The verdicts of Use.
const (
	NonceFresh NonceVerdict = iota // never seen within its window: now remembered
	NonceUsed                      // seen within its window: a replay
	NonceFull                      // the cache is at its budget: refused, not remembered
)

// NonceCache remembers signature nonces per AccessKeyId for as long as the request that
// carried them could be replayed: until its timestamp leaves the gateway's window. After
// that the gateway rejects the request as expired anyway, so the window of the nonces is
// the window of the timestamps, and no replay inside it can succeed.
//
// Memory is bounded by bytes, not by forgetting: when remembering one more nonce would pass
// the budget, Use answers NonceFull and the gateway refuses the request (Throttling.Resource)
// instead of dropping a nonce that is still inside its window, which would let a flood
// re-enable replays. The cache keeps no byte of any request: a nonce is remembered as a
// 128-bit keyed hash of AccessKeyId and nonce, under a random seed, so a request buffer is
// never pinned and nobody can aim two nonces at one key.
type NonceCache struct {
	mu       sync.Mutex
	maxItems int
	seed     [2]maphash.Seed
	seen     map[nonceKey]struct{}
	expiry   expiryHeap
	refused  int
}

type nonceKey [2]uint64

// NewNonceCache returns a cache that uses at most budget bytes (DefaultNonceBytes if <= 0).
func NewNonceCache(budget int64) *NonceCache {
	c := &NonceCache{}
	c.init(budget)
	return c
}

func (c *NonceCache) init(budget int64) {
	if budget <= 0 {
		budget = DefaultNonceBytes
	}
	c.maxItems = int(max(budget/nonceEntryBytes, 1))
	c.seed = [2]maphash.Seed{maphash.MakeSeed(), maphash.MakeSeed()}
	c.seen = make(map[nonceKey]struct{})
}

// Use records a nonce whose request stays acceptable until expires. now drives forgetting;
// it is the same wall clock that checks timestamp skew.
func (c *NonceCache) Use(accessKeyID, nonce string, expires, now time.Time) NonceVerdict {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.seen == nil { // the zero value works too
		c.init(0)
	}
	c.forget(now)
	k := c.key(accessKeyID, nonce)
	if _, dup := c.seen[k]; dup {
		return NonceUsed
	}
	if len(c.seen) >= c.maxItems {
		c.refused++
		return NonceFull
	}
	c.seen[k] = struct{}{}
	heap.Push(&c.expiry, expiryEntry{key: k, at: expires.UnixNano()})
	return NonceFresh
}

func (c *NonceCache) key(accessKeyID, nonce string) nonceKey {
	var k nonceKey
	for i := range k {
		var h maphash.Hash
		h.SetSeed(c.seed[i])
		h.WriteString(accessKeyID)
		h.WriteByte(0) // ("ab","c") and ("a","bc") are different pairs
		h.WriteString(nonce)
		k[i] = h.Sum64()
	}
	return k
}

// Len is the number of nonces remembered.
func (c *NonceCache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.seen)
}

// Cap is the number of nonces the budget holds.
func (c *NonceCache) Cap() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.seen == nil {
		c.init(0)
	}
	return c.maxItems
}

// Refused counts requests refused because the cache was full.
func (c *NonceCache) Refused() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.refused
}

func (c *NonceCache) forget(now time.Time) {
	t := now.UnixNano()
	for len(c.expiry) > 0 && c.expiry[0].at <= t {
		old := heap.Pop(&c.expiry).(expiryEntry)
		delete(c.seen, old.key)
	}
	if len(c.expiry) == 0 && cap(c.expiry) > 1024 {
		c.expiry = nil // a burst's storage goes back once the burst has expired
		c.seen = make(map[nonceKey]struct{})
	}
}

type expiryEntry struct {
	key nonceKey
	at  int64 // Unix nanoseconds
}

// expiryHeap is a min-heap on expiry time.
type expiryHeap []expiryEntry

func (h expiryHeap) Len() int           { return len(h) }
func (h expiryHeap) Less(i, j int) bool { return h[i].at < h[j].at }
func (h expiryHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *expiryHeap) Push(x any)        { *h = append(*h, x.(expiryEntry)) }
func (h *expiryHeap) Pop() any {
	old := *h
	e := old[len(old)-1]
	*h = old[:len(old)-1]
	return e
}
