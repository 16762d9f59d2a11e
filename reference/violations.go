package reference

import (
	"net/url"
	"sync"
	"time"

	"github.com/smcct/smcct/rpc"
	"github.com/smcct/smcct/spec"
)

// Violation is one request that broke the contract, kept for GET /_smcct/violations: what an
// SDK author needs to see what their SDK sent wrong.
type Violation struct {
	Time       time.Time        `json:"time"`
	Version    string           `json:"version"`
	Action     string           `json:"action"`
	Params     url.Values       `json:"params"`
	Violations []spec.Violation `json:"violations"`
}

// violationLog keeps the most recent violations in a ring, so it cannot grow without bound.
type violationLog struct {
	mu    sync.Mutex
	items []Violation
	next  int
	full  bool
}

const violationCap = 1000

// secretParams never reach the violation log.
var secretParams = []string{"Signature", "SecurityToken", "BearerToken"}

func (l *violationLog) add(call *rpc.Call, vs []spec.Violation) {
	params := call.Params.Values() // a copy: the log outlives the request
	for _, k := range secretParams {
		params.Del(k)
	}
	v := Violation{Time: time.Now().UTC(), Action: call.Action.Name, Version: call.Product.Version, Params: params, Violations: vs}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.items == nil {
		l.items = make([]Violation, violationCap)
	}
	l.items[l.next] = v
	l.next = (l.next + 1) % violationCap
	if l.next == 0 {
		l.full = true
	}
}

// list returns the kept violations, oldest first.
func (l *violationLog) list() []Violation {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.full {
		return append([]Violation{}, l.items[:l.next]...)
	}
	return append(append([]Violation{}, l.items[l.next:]...), l.items[:l.next]...)
}

func (l *violationLog) clear() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.items, l.next, l.full = nil, 0, false
}
