package reference

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/smcct/smcct/rpc"
	"github.com/smcct/smcct/spec"
)

// Limit is a flow-control limit (POST /_smcct/flow-control): at most Calls calls per window
// of Per business time, counted in one account by scope (spec.FlowControlScopes): api counts
// the calls of Action, user the calls of one caller (User: "root", a RAM user's name,
// "role/<name>" for a role's sessions; "" counts each caller apart), service every call
// (of Product, when given). A call over the limit is refused with the scope's gateway code.
type Limit struct {
	ID      string   `json:"id"`
	Scope   string   `json:"scope"`
	Account string   `json:"account,omitempty"`
	Action  string   `json:"action,omitempty"`
	User    string   `json:"user,omitempty"`
	Product string   `json:"product,omitempty"`
	Calls   int      `json:"calls"`
	Per     Duration `json:"per"`
}

const (
	maxLimits   = 100
	maxCounters = 10000
)

type window struct {
	start time.Time
	n     int
}

// flowControl counts calls against the limits. With no limit set, admit costs one atomic load.
type flowControl struct {
	any      atomic.Bool
	mu       sync.Mutex
	limits   []Limit
	next     int
	counters map[string]*window // limit ID + scope key
}

func newFlowControl() *flowControl { return &flowControl{counters: map[string]*window{}} }

func (f *flowControl) add(l Limit, defaultAccount string) (Limit, error) {
	switch l.Scope {
	case spec.ScopeAPI:
		if l.Action == "" {
			return l, fmt.Errorf("an api limit names its action")
		}
	case spec.ScopeUser, spec.ScopeService:
	default:
		return l, fmt.Errorf("scope must be api, user or service, not %q", l.Scope)
	}
	if l.Calls < 0 || l.Per <= 0 {
		return l, fmt.Errorf("calls must be 0 or more and per a positive duration such as 1m")
	}
	if l.Account == "" {
		l.Account = defaultAccount
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.limits) >= maxLimits {
		return l, fmt.Errorf("at most %d limits", maxLimits)
	}
	f.next++
	l.ID = "limit-" + strconv.Itoa(f.next)
	f.limits = append(f.limits, l)
	f.any.Store(true)
	return l, nil
}

func (f *flowControl) list() []Limit {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Limit{}, f.limits...)
}

// remove drops one limit and its counts; false when there is no such limit.
func (f *flowControl) remove(id string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i, l := range f.limits {
		if l.ID == id {
			f.limits = append(f.limits[:i:i], f.limits[i+1:]...)
			for k := range f.counters {
				if strings.HasPrefix(k, id+"\x00") {
					delete(f.counters, k)
				}
			}
			f.any.Store(len(f.limits) > 0)
			return true
		}
	}
	return false
}

func (f *flowControl) clear() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.limits, f.counters = nil, map[string]*window{}
	f.any.Store(false)
}

// throttled is a refusal with the rate-limit header the v2 SDKs read their retry delay
// from: "Limit:<calls>,Remain:0,TimeLeft:<ms until the window ends>,Reset:<its Unix second>".
type throttled struct {
	err                 *rpc.Error
	header, headerValue string
}

// rateLimitHeaders name the header of each scope: a caller's limit on one API, a caller's
// limit on every API. A service-wide limit names no caller and sends neither.
var rateLimitHeaders = map[string]string{spec.ScopeAPI: "x-ratelimit-user-api", spec.ScopeUser: "x-ratelimit-user"}

// admit counts one call and returns the refusal of the first limit it exceeds.
func (f *flowControl) admit(gw *spec.Gateway, p *principal, a *spec.Action, now time.Time) *throttled {
	if !f.any.Load() {
		return nil
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	var refused *throttled
	for _, l := range f.limits {
		key, applies := l.key(p, a)
		if !applies {
			continue
		}
		per := time.Duration(l.Per)
		w := f.window(l.ID+"\x00"+key, now, per)
		w.n++
		if w.n > l.Calls && refused == nil {
			end := w.start.Add(per)
			refused = &throttled{err: rpc.NewError(gw.Throttled(l.Scope)), header: rateLimitHeaders[l.Scope],
				headerValue: fmt.Sprintf("Limit:%d,Remain:0,TimeLeft:%d,Reset:%d", l.Calls, end.Sub(now).Milliseconds(), end.Unix())}
		}
	}
	return refused
}

// key is what a limit counts a call under, and whether it counts the call at all.
func (l Limit) key(p *principal, a *spec.Action) (string, bool) {
	if p.acct.id != l.Account || (l.Action != "" && l.Action != a.Name) || (l.Product != "" && l.Product != a.Product.Name) {
		return "", false
	}
	if l.Scope != spec.ScopeUser {
		return "", true
	}
	who := p.name()
	if l.User != "" && l.User != who {
		return "", false
	}
	return who, true
}

// window returns the current window of a counter, starting a new one when the last is over.
func (f *flowControl) window(key string, now time.Time, per time.Duration) *window {
	w, ok := f.counters[key]
	if ok && now.Before(w.start.Add(per)) && !now.Before(w.start) {
		return w
	}
	if !ok && len(f.counters) >= maxCounters {
		f.counters = map[string]*window{} // a burst of callers: forget every count rather than grow
	}
	w = &window{start: now.Truncate(per)}
	f.counters[key] = w
	return w
}
