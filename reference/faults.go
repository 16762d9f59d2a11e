package reference

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand"
	"net/http"
	"sync"
	"time"

	"github.com/smcct/smcct/rpc"
	"github.com/smcct/smcct/spec"
)

// Fault is an injected failure or delay for matching requests (POST /_smcct/faults).
type Fault struct {
	ID          string   `json:"id"`
	Action      string   `json:"action"` // "" or "*" matches every action
	Code        string   `json:"code,omitempty"`
	Status      int      `json:"status,omitempty"`
	Message     string   `json:"message,omitempty"`
	Latency     Duration `json:"latency,omitempty"`
	Probability float64  `json:"probability,omitempty"` // 0 means always
	Count       int      `json:"count,omitempty"`       // how many times; 0 means until cleared
	used        int
}

// Duration is a time.Duration written as Go duration text ("150ms") in JSON.
type Duration time.Duration

// MarshalJSON renders the duration as text.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

// UnmarshalJSON accepts Go duration text or a number of nanoseconds.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		v, err := time.ParseDuration(s)
		*d = Duration(v)
		return err
	}
	var n int64
	if err := json.Unmarshal(b, &n); err != nil {
		return fmt.Errorf("duration must be text like \"150ms\" or nanoseconds")
	}
	*d = Duration(n)
	return nil
}

type faultSet struct {
	mu     sync.Mutex
	faults []*Fault
	next   int
	rnd    *rand.Rand // seeded: a run with the same faults fails the same requests
}

func newFaultSet() *faultSet { return &faultSet{rnd: rand.New(rand.NewSource(1))} }

func (f *faultSet) add(flt Fault) (Fault, error) {
	if flt.Code == "" && flt.Latency == 0 {
		return Fault{}, fmt.Errorf("a fault needs a code or a latency")
	}
	if flt.Code != "" && (flt.Status < 400 || flt.Status > 599) {
		return Fault{}, fmt.Errorf("status must be 400-599 with a code")
	}
	if flt.Probability < 0 || flt.Probability > 1 || flt.Count < 0 || flt.Latency < 0 || time.Duration(flt.Latency) > time.Minute {
		return Fault{}, fmt.Errorf("probability must be 0-1, count >= 0, latency 0-1m")
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.next++
	flt.ID = fmt.Sprintf("fault-%d", f.next)
	f.faults = append(f.faults, &flt)
	return flt, nil
}

func (f *faultSet) list() []Fault {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]Fault, 0, len(f.faults))
	for _, flt := range f.faults {
		out = append(out, *flt)
	}
	return out
}

func (f *faultSet) clear() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.faults = nil
}

// pick returns the first fault that fires for an action, consuming one of its uses.
func (f *faultSet) pick(action string) *Fault {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, flt := range f.faults {
		if flt.Action != "" && flt.Action != "*" && flt.Action != action {
			continue
		}
		if flt.Count > 0 && flt.used >= flt.Count {
			continue
		}
		if flt.Probability > 0 && f.rnd.Float64() >= flt.Probability {
			continue
		}
		flt.used++
		c := *flt
		return &c
	}
	return nil
}

// inject delays and/or fails a request as a matching fault says.
func (f *faultSet) inject(ctx context.Context, a *spec.Action) *rpc.Error {
	flt := f.pick(a.Name)
	if flt == nil {
		return nil
	}
	if flt.Latency > 0 {
		t := time.NewTimer(time.Duration(flt.Latency))
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
		}
	}
	if flt.Code == "" {
		return nil
	}
	msg := flt.Message
	if msg == "" {
		if e, ok := a.Error(flt.Code); ok {
			msg = e.Message
		} else {
			msg = http.StatusText(flt.Status)
		}
	}
	return &rpc.Error{Status: flt.Status, Code: flt.Code, Message: msg}
}
