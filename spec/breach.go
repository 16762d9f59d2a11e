package spec

import (
	"encoding/json"
	"io"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/smcct/smcct/rpc/flat"
)

// Breach is one request, or one answer to it, that broke the contract, with every way it
// did: what smcct serve and smcct record keep and list at GET /_smcct/violations, in one
// shape. Everything in it is copied out of the request and cut to size (Omitted says how
// much was left out), so a hostile request costs the log a few KiB at most.
type Breach struct {
	Seq     int       `json:"seq"` // the request's 1-based number among those the server saw
	Time    time.Time `json:"time"`
	Version string    `json:"version"`
	Action  string    `json:"action"`
	// Side is "request" (the client broke the contract) or "response" (the server did).
	Side string `json:"side"`
	// Status is the HTTP status of a response-side breach.
	Status int `json:"status,omitempty"`
	// Params are the request's parameters, credentials removed, on the request side.
	Params     url.Values  `json:"params,omitempty"`
	Violations []Violation `json:"violations"`
	// Omitted counts parameters and violations left out, and values cut short.
	Omitted int `json:"omitted,omitempty"`
}

// Breach sides.
const (
	SideRequest  = "request"
	SideResponse = "response"
)

// BreachReport is the body of GET /_smcct/violations.
type BreachReport struct {
	Requests int `json:"requests"` // requests seen, with or without a breach
	Dropped  int `json:"dropped"`  // breaches no longer kept, oldest first, to stay in budget
	// Violations are the kept breaches, oldest first.
	Violations []Breach `json:"violations"`
}

// What one breach keeps at most, and what the log keeps by default.
const (
	breachMaxParams     = 32
	breachMaxViolations = 16
	breachMaxText       = 256 // bytes of one name, value, message or detail
	breachMaxItems      = 1000
	// DefaultBreachBytes is the memory budget of a BreachLog made with a zero budget.
	DefaultBreachBytes = 4 << 20
	stringOverhead     = 16 // a string header, counted with every kept string
)

// secretParams never reach the log.
var secretParams = []string{"Signature", "SecurityToken", "BearerToken"}

// BreachLog keeps the most recent breaches within a memory budget and a count. It is safe
// for concurrent use; what it hands out is never changed afterwards.
type BreachLog struct {
	requests atomic.Int64

	mu      sync.Mutex
	budget  int64
	used    int64
	items   []Breach
	sizes   []int64
	dropped int
}

// NewBreachLog returns a log that keeps at most budget bytes (DefaultBreachBytes if <= 0).
func NewBreachLog(budget int64) *BreachLog {
	if budget <= 0 {
		budget = DefaultBreachBytes
	}
	return &BreachLog{budget: budget}
}

// Seen counts one more request and returns its number.
func (l *BreachLog) Seen() int { return int(l.requests.Add(1)) }

// Add keeps a breach, cut to size, dropping the oldest ones while the log is over budget.
// params, sorted by name, may point into a request's buffers: what is kept is copied.
func (l *BreachLog) Add(b Breach, params flat.Params) {
	size := b.trim(params)
	l.mu.Lock()
	defer l.mu.Unlock()
	l.items = append(l.items, b)
	l.sizes = append(l.sizes, size)
	l.used += size
	drop := 0
	for drop < len(l.items)-1 && (l.used > l.budget || len(l.items)-drop > breachMaxItems) {
		l.used -= l.sizes[drop]
		drop++
	}
	if drop > 0 {
		l.dropped += drop
		// Copy down rather than reslice, so that dropped breaches become garbage.
		n := copy(l.items, l.items[drop:])
		clear(l.items[n:])
		l.items = l.items[:n]
		l.sizes = l.sizes[:copy(l.sizes, l.sizes[drop:])]
	}
}

// Report returns the kept breaches and the counters.
func (l *BreachLog) Report() BreachReport {
	l.mu.Lock()
	defer l.mu.Unlock()
	return BreachReport{Requests: int(l.requests.Load()), Dropped: l.dropped, Violations: slices.Clone(l.items)}
}

// WriteJSON writes the report as JSON one breach at a time, so that listing the log costs
// one breach's encoding rather than the whole log's.
func (l *BreachLog) WriteJSON(w io.Writer) error {
	r := l.Report() // a shallow copy: breaches are never changed once kept
	head, _ := json.Marshal(struct {
		Requests int `json:"requests"`
		Dropped  int `json:"dropped"`
	}{r.Requests, r.Dropped})
	if _, err := w.Write(append(head[:len(head)-1], `,"violations":[`...)); err != nil {
		return err
	}
	for i, b := range r.Violations {
		data, err := json.Marshal(b)
		if err != nil {
			return err
		}
		if i > 0 {
			data = append([]byte{','}, data...)
		}
		if _, err := w.Write(append(data, '\n')); err != nil {
			return err
		}
	}
	_, err := io.WriteString(w, "]}\n")
	return err
}

// Clear forgets every breach and resets the counters.
func (l *BreachLog) Clear() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.items, l.sizes, l.used, l.dropped = nil, nil, 0, 0
	l.requests.Store(0)
}

// trim copies params (credentials removed) and cuts the breach to size, returning the bytes
// it will hold.
func (b *Breach) trim(params flat.Params) int64 {
	size := int64(256) // the struct, its time and its slice headers
	cut := func(s string) string {
		if len(s) > breachMaxText {
			b.Omitted++
			s = s[:breachMaxText] + "..."
		}
		s = strings.Clone(s)
		size += int64(len(s)) + stringOverhead
		return s
	}
	b.Version, b.Action = cut(b.Version), cut(b.Action)
	if params != nil {
		b.Params = url.Values{}
		kept := 0
		for _, p := range params {
			switch {
			case slices.Contains(secretParams, p.Name):
			case kept == breachMaxParams:
				b.Omitted++
			default:
				kept++
				name := cut(p.Name)
				b.Params[name] = append(b.Params[name], cut(p.Value))
			}
		}
	}
	if len(b.Violations) > breachMaxViolations {
		b.Omitted += len(b.Violations) - breachMaxViolations
		b.Violations = b.Violations[:breachMaxViolations]
	}
	vs := make([]Violation, len(b.Violations))
	for i, v := range b.Violations {
		vs[i] = Violation{Param: cut(v.Param), Rule: cut(v.Rule), Code: cut(v.Code), Message: cut(v.Message),
			Status: v.Status, Warning: v.Warning, Detail: cut(v.Detail)}
		size += 32
	}
	b.Violations = vs
	return size
}
