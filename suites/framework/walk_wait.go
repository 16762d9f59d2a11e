package framework

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2" //nolint:revive // the DSL reads best unqualified

	"github.com/smcct/smcct/cases"
	"github.com/smcct/smcct/spec"
)

// Waiting: a walker never sleeps for a fixed time. It polls Describe until the state the
// contract's timers promise shows, for as long as their durations take at the target's
// pace (twice, and a few seconds more), and judges every state it sees on the way.

// Settle watches o after a call whose effect the judge knows, until it shows the settled
// state (or is gone, when the effect deletes it), as long as the contract's timers take
// here. A state the effect does not name fails the spec; a deadline passed skips it.
func (w *Walker) Settle(ctx context.Context, o *Obj, j cases.Judge) {
	GinkgoHelper()
	d := w.settleTime(o, j.Effect)
	limit := 2*w.Wall(d) + 3*time.Second
	deadline := time.Now().Add(limit)
	interval := min(max(w.Wall(d)/20, 10*time.Millisecond), time.Second)
	var seen []string
	for {
		present := w.Observe(ctx, o)
		if !present {
			if !j.Effect.Deletes {
				Fail(fmt.Sprintf("the %s disappeared, but the effect does not delete it (seen %v)", o, seen))
			}
			return
		}
		seen = appendSeen(seen, stateText(o.State))
		settled, problem := j.Along(o.State)
		if problem != "" {
			Fail(fmt.Sprintf("the %s while it settles: %s (seen %v)", o, problem, seen))
		}
		if settled && !j.Effect.Deletes {
			return
		}
		if time.Now().After(deadline) {
			what := "settle to " + stateText(j.Effect.Settles)
			if j.Effect.Deletes {
				what = "disappear"
			}
			Skip(fmt.Sprintf("the %s did not %s within %v (the contract's %v at time scale %g; seen %v)", o, what, limit, d, w.scale, seen))
		}
		sleep(ctx, interval)
	}
}

// settleTime is the contract's time for an object to settle from its state by time alone:
// the chain of its timers to the settled state, or to its disappearance, each as long as it
// takes for o.
func (w *Walker) settleTime(o *Obj, e *spec.Effect) time.Duration {
	l := lifecycleOf(o.Kind)
	cur := spec.CopyState(o.State)
	var d time.Duration
	for hop := 0; hop < 10; hop++ {
		if len(e.Settles) > 0 && includes(cur, e.Settles) {
			return d
		}
		var next *spec.Timer
		for _, t := range l.TimersFor(cur, o.Facts()) {
			if e.Deletes && t.Deletes {
				return d + w.patience(o, cur, nil, t.After.Eval(o.Values()))
			}
			if !t.Deletes && next == nil {
				next = t
			}
		}
		if next == nil {
			break
		}
		to := next.Next(cur)
		d += w.patience(o, cur, to, next.After.Eval(o.Values()))
		cur = to
	}
	return max(d, time.Minute)
}

func appendSeen(seen []string, now string) []string {
	if len(seen) == 0 || seen[len(seen)-1] != now {
		return append(seen, now)
	}
	return seen
}

// Await polls o until it shows every field of want, for as long as the contract's d of
// business time takes here (twice, and a few seconds more). Any state it passes through must
// be one the contract's timers lead to; a deadline passed skips the spec, a state the
// contract does not explain fails it.
func (w *Walker) Await(ctx context.Context, o *Obj, want map[string]string, d time.Duration) {
	GinkgoHelper()
	switch err := w.waitFor(ctx, o, want, d); {
	case err == nil:
	case err.timeout:
		Skip(err.Error())
	default:
		Fail(err.Error())
	}
}

// AwaitGone polls o until Describe no longer lists it; false when the deadline passed.
func (w *Walker) AwaitGone(ctx context.Context, o *Obj, d time.Duration) bool {
	GinkgoHelper()
	err := w.waitFor(ctx, o, nil, d)
	if err != nil && !err.timeout {
		Fail(err.Error())
	}
	return err == nil
}

// waitError is why a wait ended without its state: a deadline (timing, never the target's
// fault) or a state the contract does not explain.
type waitError struct {
	msg     string
	timeout bool
}

func (e *waitError) Error() string { return e.msg }

// waitFor polls until o shows want (nil: until it is gone).
func (w *Walker) waitFor(ctx context.Context, o *Obj, want map[string]string, d time.Duration) *waitError {
	limit := 2*w.Wall(d) + 3*time.Second
	deadline := time.Now().Add(limit)
	from := spec.CopyState(o.State)
	ok := successors(o.Kind, from, o.Facts())
	interval := min(max(w.Wall(d)/20, 10*time.Millisecond), time.Second)
	target := "gone"
	if want != nil {
		target = stateText(want)
	}
	var seen []string
	for {
		present, err := w.c.Observe(ctx, o)
		if err != nil {
			return &waitError{msg: fmt.Sprintf("reading %s: %v", o, err)}
		}
		now := "gone"
		if present {
			now = stateText(o.State)
		}
		if len(seen) == 0 || seen[len(seen)-1] != now {
			seen = append(seen, now)
		}
		switch {
		case want == nil && !present:
			return nil
		case want != nil && present && includes(o.State, want):
			w.flagsAfter(o, from)
			return nil
		case !present:
			return &waitError{msg: fmt.Sprintf("the %s disappeared while it should go from %s to %s (seen %v)", o, stateText(from), target, seen)}
		case !ok(o.State):
			return &waitError{msg: fmt.Sprintf("the %s went from %s to %s, which no timer of the contract leads to (seen %v)", o, stateText(from), now, seen)}
		case time.Now().After(deadline) || ctx.Err() != nil:
			return &waitError{timeout: true, msg: fmt.Sprintf("the %s did not go from %s to %s within %v (the contract's %v at time scale %g; seen %v)",
				o, stateText(from), target, limit, d, w.scale, seen)}
		}
		sleep(ctx, interval)
	}
}

// flagsAfter keeps the history flags the timers that fired set.
func (w *Walker) flagsAfter(o *Obj, from map[string]string) {
	l := lifecycleOf(o.Kind)
	for _, t := range l.TimersFor(from, o.Facts()) {
		if !t.Deletes && includes(o.State, t.To) {
			if o.Flags == nil {
				o.Flags = map[string]string{}
			}
			for k, v := range t.Sets {
				o.Flags[k] = v
			}
		}
	}
}

func lifecycleOf(kind string) *spec.Lifecycle {
	if o := objectOf(kind); o != nil {
		return o.Lifecycle
	}
	return nil
}

// successors reports whether a state is one time alone can bring an object to from a state:
// the state itself or any that a chain of the contract's timers reaches.
func successors(kind string, from, facts map[string]string) func(map[string]string) bool {
	l := lifecycleOf(kind)
	reach := []map[string]string{from}
	seen := map[string]bool{stateText(from): true}
	for i := 0; i < len(reach); i++ {
		for _, t := range l.TimersFor(reach[i], facts) {
			if t.Deletes {
				continue
			}
			next := t.Next(reach[i])
			if k := stateText(next); !seen[k] {
				seen[k] = true
				reach = append(reach, next)
			}
		}
	}
	// A field the object no longer shows (a job's BusinessStatus once it stops running) is
	// not a change of state: only the fields it shows must agree.
	return func(st map[string]string) bool {
		for _, r := range reach {
			if includes(r, dropEmpty(st)) && includes(st, onlyShown(dropEmpty(r), st)) {
				return true
			}
		}
		return false
	}
}

// TimeAlone reports whether time alone can take an object of kind from one state to another.
func TimeAlone(kind string, from, facts, to map[string]string) bool {
	return successors(kind, from, facts)(to)
}

// onlyShown keeps the fields of m that st shows.
func onlyShown(m, st map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range m {
		if _, ok := st[k]; ok {
			out[k] = v
		}
	}
	return out
}

func dropEmpty(m map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range m {
		if v != "" {
			out[k] = v
		}
	}
	return out
}

// includes reports whether state shows every field of want ("" wants the field absent).
func includes(state, want map[string]string) bool {
	for k, v := range want {
		if state[k] != v {
			return false
		}
	}
	return true
}

func stateText(m map[string]string) string {
	parts := make([]string, 0, len(m))
	for k, v := range m {
		parts = append(parts, k+"="+v)
	}
	sort.Strings(parts)
	return strings.Join(parts, ",")
}

func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

// patience is how long to wait for o to go from one state to another (nil: to disappear):
// the longest any of the contract's timers between them takes for o, whatever its history,
// since a walker knows an object's history flags only as far as it saw them. Timers that
// fire at a time a request named are left out: the walker aimed those itself.
func (w *Walker) patience(o *Obj, from, to map[string]string, planned time.Duration) time.Duration {
	d := planned
	l := lifecycleOf(o.Kind)
	if l == nil {
		return d
	}
	for i := range l.Timers {
		t := &l.Timers[i]
		if t.After.At != "" || !t.From.Match(from) {
			continue
		}
		if (to == nil && t.Deletes) || (to != nil && !t.Deletes && includes(t.Next(from), dropEmpty(to))) {
			d = max(d, t.After.Eval(o.Values()))
		}
	}
	return d
}
