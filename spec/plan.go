package spec

import (
	"container/heap"
	"fmt"
	"sort"
	"strings"
	"time"
)

// StepKind says what one step of a path does.
type StepKind int

// The steps a path is made of.
const (
	// StepCreate makes the object with the lifecycle's create action (Params: the given
	// parameter of the initial state it starts in).
	StepCreate StepKind = iota + 1
	// StepFixture starts from an object the API cannot create, in State.
	StepFixture
	// StepCall calls Action on the object with Params (the values its conditions ask for).
	StepCall
	// StepWait lets Timer fire: Wait of business time at the least.
	StepWait
	// StepDerive brings a related object (Related) into RelatedState, which makes this one
	// show its derived State.
	StepDerive
)

// Step is one move of a path.
type Step struct {
	Kind   StepKind
	Action *Action
	Params map[string]string
	Timer  *Timer
	Wait   time.Duration
	// Related and RelatedState name the object a derive step drives and its state.
	Related      string
	RelatedState map[string]string
	// State is the object's state once the step is done.
	State map[string]string
}

// Path is the cheapest way the contract knows to bring an object into a state through the
// public API and the passing of time.
type Path struct {
	Kind  string
	Steps []Step
	// Business is the business time the waits take at the least.
	Business time.Duration
	// Calls counts the API calls.
	Calls int
	// Window is how long the final state lasts before a timer moves the object on (0: it
	// stays), at the least; Exit is that timer.
	Window time.Duration
	Exit   *Timer
	// Fire names the at-parameters (ValidTime, ScheduledStartTime) whose timers the path
	// waits for: a walker sets them as early as the contract allows. Others it sets late,
	// so that they do not end the wanted state.
	Fire map[string]bool
	// Needs are the paths of the objects the create step needs (a drill's group), by kind;
	// kinds the API cannot create are taken from fixtures and have none.
	Needs map[string]Path
}

// Total is the business time of the path and of the paths of what it needs.
func (p Path) Total() time.Duration {
	t := p.Business
	for _, n := range p.Needs {
		t += n.Total()
	}
	return t
}

// AllCalls counts the calls of the path and of the paths of what it needs.
func (p Path) AllCalls() int {
	n := p.Calls
	for _, need := range p.Needs {
		n += need.AllCalls()
	}
	return n
}

// NoPath says why no path reaches a state.
type NoPath struct {
	Kind   string
	Want   map[string]string
	Reason string
}

func (e *NoPath) Error() string {
	return fmt.Sprintf("no public API path brings a %s to %s: %s", e.Kind, stateText(e.Want), e.Reason)
}

// PlanOptions are what a planner may start from besides creating an object.
type PlanOptions struct {
	// Fixtures are the states of existing objects of the kind the walker can use (source
	// servers by state); a kind without a create action needs at least one.
	Fixtures []map[string]string
	// From starts the plan at an object already in this state, with these flags (nil: a new
	// or fixture object).
	From      map[string]string
	FromFlags map[string]string
	// Avoid are calls the path must not make, as "Action" or "Action Param=value" (a spec
	// whose call under test a similar earlier call would spoil).
	Avoid []string
	// Flags are history flags the final state must have (a call under test whose
	// preconditions read them).
	Flags map[string]string
	// Once are calls the path may make at most once, in the form of Avoid (one-shot syncs,
	// which a service refuses when they follow each other closely).
	Once []string
}

// onceMark is the pseudo flag a path carries once it made a call of Once.
func onceMark(call string) string { return "~once " + call }

func (opt PlanOptions) avoids(a *Action, params map[string]string) bool {
	for _, av := range opt.Avoid {
		name, cond, _ := strings.Cut(av, " ")
		if name != a.Name {
			continue
		}
		if cond == "" {
			return true
		}
		k, v, _ := strings.Cut(cond, "=")
		if a.ParamValue(k, Given(params)) == v {
			return true
		}
	}
	return false
}

// callCost is what one API call weighs against business time when paths are compared.
const callCost = 100 * time.Millisecond

// AtMargin is the least a walker aims an at-parameter (ScheduledStartTime, ValidTime) ahead
// of the target's business time: it knows that clock only roughly, from what objects show.
const AtMargin = time.Minute

type node struct {
	state, flags map[string]string
	cost         time.Duration
	steps        []Step
}

func (n *node) key() string { return stateText(n.state) + "|" + stateText(n.flags) }

type queue []*node

func (q queue) Len() int           { return len(q) }
func (q queue) Less(i, j int) bool { return q[i].cost < q[j].cost }
func (q queue) Swap(i, j int)      { q[i], q[j] = q[j], q[i] }
func (q *queue) Push(x any)        { *q = append(*q, x.(*node)) }
func (q *queue) Pop() any {
	old := *q
	n := old[len(old)-1]
	*q = old[:len(old)-1]
	return n
}
func (q *queue) push(n *node) { heap.Push(q, n) }
func (q *queue) pop() *node   { return heap.Pop(q).(*node) }
func (q queue) empty() bool   { return len(q) == 0 }

// Plan finds the cheapest path that brings an object of kind into a state with every field
// of want: created through the API (or taken from a fixture), moved by actions whose
// preconditions admit it and by the timers of its lifecycle. A kind's actions are those
// whose x-acs-object it is; an action whose preconditions name another kind is not used.
func (p *Product) Plan(kind string, want map[string]string, opt PlanOptions) (Path, error) {
	o := p.Objects[kind]
	if o == nil {
		return Path{}, &NoPath{Kind: kind, Want: want, Reason: "the contract has no such kind"}
	}
	for f, v := range want {
		if !hasValue(o.States[f], v) {
			return Path{}, &NoPath{Kind: kind, Want: want, Reason: fmt.Sprintf("%s %q is not one of its states", f, v)}
		}
	}
	if path, ok := p.planDerived(o, want, opt); ok {
		return path, nil
	}
	q := p.startQueue(o, opt)
	if q.empty() {
		return Path{}, &NoPath{Kind: kind, Want: want, Reason: "the API cannot create one and no existing one is known"}
	}
	if n := p.search(o, q, want, false, opt); n != nil {
		path := p.finish(o, n)
		return path, p.planNeeds(o, &path, opt)
	}
	if opt.From == nil {
		if n := p.search(o, p.startQueue(o, opt), want, true, opt); n != nil {
			return Path{}, &NoPath{Kind: kind, Want: want, Reason: fmt.Sprintf(
				"only by deleting a %s (%s), which the API cannot create again", kind, p.finish(o, n))}
		}
	}
	return Path{}, &NoPath{Kind: kind, Want: want, Reason: "reachable only through the control plane"}
}

func (p *Product) startQueue(o *Object, opt PlanOptions) *queue {
	q := &queue{}
	for _, n := range p.starts(o, opt) {
		q.push(n)
	}
	return q
}

// search runs Dijkstra from the queued starts to the first node in the wanted state.
func (p *Product) search(o *Object, q *queue, want map[string]string, mayDelete bool, opt PlanOptions) *node {
	done := map[string]bool{}
	for !q.empty() {
		n := q.pop()
		if done[n.key()] {
			continue
		}
		done[n.key()] = true
		if stateHas(n.state, want) && flagsHave(n.flags, opt.Flags) {
			return n
		}
		for _, next := range p.moves(o, n, mayDelete, opt) {
			if !done[next.key()] {
				q.push(next)
			}
		}
	}
	return nil
}

// planNeeds plans the objects a created object needs; fixture kinds need none.
func (p *Product) planNeeds(o *Object, path *Path, opt PlanOptions) error {
	if opt.From != nil || len(path.Steps) == 0 || path.Steps[0].Kind != StepCreate {
		return nil
	}
	for _, kind := range sortedKinds(o.Lifecycle.Needs) {
		need := p.Objects[kind]
		if need == nil || need.Lifecycle == nil || need.Lifecycle.Create == "" {
			continue
		}
		want := map[string]string{}
		for f, vals := range o.Lifecycle.Needs[kind] {
			want[f] = vals[0]
		}
		np, err := p.Plan(kind, want, PlanOptions{})
		if err != nil {
			return &NoPath{Kind: o.Kind, Want: path.Steps[len(path.Steps)-1].State, Reason: "what it needs: " + err.Error()}
		}
		if path.Needs == nil {
			path.Needs = map[string]Path{}
		}
		path.Needs[kind] = np
	}
	return nil
}

func sortedKinds(m map[string]States) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// starts are the nodes a path may begin with: a given state, new objects, fixtures.
func (p *Product) starts(o *Object, opt PlanOptions) []*node {
	if opt.From != nil {
		return []*node{{state: CopyState(opt.From), flags: CopyState(opt.FromFlags)}}
	}
	var out []*node
	l := o.Lifecycle
	if l != nil && l.Create != "" {
		a, _ := p.Action(l.Create)
		defaults := createFacts(l, a)
		for _, in := range l.Initial {
			params := map[string]string{}
			cost := callCost
			if in.Given != "" {
				params[in.Given] = "given"
				cost++ // a plain create wins a tie
			}
			st := Step{Kind: StepCreate, Action: a, Params: params, State: CopyState(in.State)}
			out = append(out, &node{state: CopyState(in.State), flags: applied(defaults, in.Flags), cost: cost, steps: []Step{st}})
		}
	}
	for _, fx := range opt.Fixtures {
		st := Step{Kind: StepFixture, State: CopyState(fx)}
		out = append(out, &node{state: CopyState(fx), flags: map[string]string{}, steps: []Step{st}})
	}
	return out
}

// createFacts are the fields timer conditions read that a new object takes from its create
// request's defaults (RunOnce).
func createFacts(l *Lifecycle, create *Action) map[string]string {
	out := map[string]string{}
	for _, t := range l.Timers {
		if t.When == nil || t.When.Field == "" {
			continue
		}
		if prm, ok := create.Param(t.When.Field); ok {
			if d, ok := prm.Default(); ok {
				out[t.When.Field] = d
			}
		}
	}
	return out
}

// moves are the nodes one step away: an action call, or the soonest timer firing.
func (p *Product) moves(o *Object, n *node, mayDelete bool, opt PlanOptions) []*node {
	var out []*node
	for _, a := range p.Actions() {
		if a.Object != o.Kind || !a.Write || (o.Lifecycle != nil && a.Name == o.Lifecycle.Create) {
			continue // the create action makes another object, it does not move this one
		}
		for _, params := range actionVariants(a) {
			if opt.avoids(a, params) {
				continue
			}
			once := PlanOptions{Avoid: opt.Once}
			mark := ""
			if once.avoids(a, params) {
				mark = onceMark(a.Name)
				if n.flags[mark] != "" {
					continue
				}
			}
			e, ok := p.admits(o, a, params, n.state, n.flags)
			if !ok || e == nil || len(e.Set) == 0 {
				continue
			}
			if len(e.Settles) > 0 && stateHas(n.state, e.Settles) {
				continue // already where the call would settle it: a service may change nothing
			}
			if e.Deletes && !mayDelete && (o.Lifecycle == nil || o.Lifecycle.Create == "") {
				continue // a walker never deletes what the API cannot create again
			}
			next := applied(n.state, e.Set)
			st := Step{Kind: StepCall, Action: a, Params: params, State: next}
			flags := n.flags
			if mark != "" {
				flags = applied(flags, map[string]string{mark: "used"})
			}
			out = append(out, n.then(next, flags, callCost, st))
		}
	}
	if t, d, ok := soonest(o.Lifecycle, n.state, n.flags); ok && !t.Deletes {
		next := t.Next(n.state)
		flags := applied(n.flags, t.Sets)
		st := Step{Kind: StepWait, Timer: t, Wait: d, State: next}
		cost := d
		if t.After.At != "" {
			cost = max(d, AtMargin)
		}
		out = append(out, n.then(next, flags, cost, st))
	}
	return out
}

func (n *node) then(state, flags map[string]string, cost time.Duration, st Step) *node {
	steps := append(append([]Step(nil), n.steps...), st)
	return &node{state: state, flags: flags, cost: n.cost + cost, steps: steps}
}

// admits reports whether every precondition of the action that applies to the request holds
// for an object in state, and returns the effect such a call has. Preconditions on other
// kinds make the action unusable for walking one object.
func (p *Product) admits(o *Object, a *Action, params map[string]string, state, flags map[string]string) (*Effect, bool) {
	for _, pc := range a.Applicable(Given(params)) {
		cur := state[pc.Field]
		if pc.Flag != "" {
			cur = flagValue(flags, pc.Flag)
		}
		if pc.Kind(a) != o.Kind || !pc.Allows(cur) {
			return nil, false
		}
	}
	return a.EffectFor(Given(params)), true
}

func flagsHave(flags, want map[string]string) bool {
	for k, v := range want {
		if flagValue(flags, k) != v {
			return false
		}
	}
	return true
}

// flagValue is a history flag as preconditions read it: absent is false.
func flagValue(flags map[string]string, name string) string {
	if v, ok := flags[name]; ok && v != "" {
		return v
	}
	return "false"
}

// soonest is the timer that fires first for an object in state: the least shortest delay,
// a tie going to the one written first.
func soonest(l *Lifecycle, state, flags map[string]string) (*Timer, time.Duration, bool) {
	var best *Timer
	var bestD time.Duration
	for _, t := range l.TimersFor(state, flags) {
		d := t.After.Shortest()
		if t.After.At != "" {
			d = max(d, AtMargin)
		}
		if best == nil || d < bestD {
			best, bestD = t, d
		}
	}
	return best, bestD, best != nil
}

// finish turns the node that reached the wanted state into a path.
func (p *Product) finish(o *Object, n *node) Path {
	path := Path{Kind: o.Kind, Steps: n.steps, Fire: map[string]bool{}}
	for _, st := range n.steps {
		switch st.Kind {
		case StepWait:
			path.Business += st.Wait
			if st.Timer.After.At != "" {
				path.Fire[st.Timer.After.At] = true
			}
		case StepCreate, StepCall:
			path.Calls++
		}
	}
	// The window: the soonest timer that would end the state, its at-parameters set late.
	for _, t := range o.Lifecycle.TimersFor(n.state, n.flags) {
		d := t.After.Shortest()
		if t.After.At != "" && !path.Fire[t.After.At] {
			d = max(t.After.Default, t.After.Max)
		}
		if path.Exit == nil || d < path.Window {
			path.Exit, path.Window = t, d
		}
	}
	return path
}

// planDerived plans a state the object shows because of a related object: the object from
// its fixtures or a create, then the related object driven into the state that derives it.
func (p *Product) planDerived(o *Object, want map[string]string, opt PlanOptions) (Path, bool) {
	if o.Lifecycle == nil {
		return Path{}, false
	}
	for _, d := range o.Lifecycle.Derived {
		if !stateHas(d.State, want) {
			continue
		}
		for kind, st := range d.While {
			rel := p.Objects[kind]
			if rel == nil || rel.Lifecycle == nil {
				continue
			}
			need := rel.Lifecycle.Needs[o.Kind]
			base := firstMatching(p.starts(o, opt), need)
			if base == nil {
				continue
			}
			relWant := map[string]string{}
			for f, vals := range st {
				relWant[f] = vals[0]
			}
			relPath, err := p.Plan(kind, relWant, PlanOptions{})
			if err != nil {
				continue
			}
			step := Step{Kind: StepDerive, Related: kind, RelatedState: relWant, State: applied(base.state, d.State)}
			path := Path{Kind: o.Kind, Steps: append(base.steps, step), Fire: relPath.Fire,
				Business: relPath.Business, Calls: relPath.Calls, Window: relPath.Window, Exit: relPath.Exit}
			return path, true
		}
	}
	return Path{}, false
}

func firstMatching(nodes []*node, need States) *node {
	for _, n := range nodes {
		if need.Match(n.state) {
			return n
		}
	}
	return nil
}

// actionVariants are the requests an action's conditions tell apart: a plain request, and one
// per value each condition names.
func actionVariants(a *Action) []map[string]string {
	seen := map[string]bool{"": true}
	out := []map[string]string{{}}
	add := func(c *Condition) {
		if c == nil {
			return
		}
		for _, v := range c.In {
			if v == "" {
				continue
			}
			if k := c.Param + "=" + v; !seen[k] {
				seen[k] = true
				out = append(out, map[string]string{c.Param: v})
			}
		}
	}
	for _, pc := range a.Preconditions {
		add(pc.When)
	}
	for _, e := range a.Effects {
		add(e.When)
	}
	return out
}

func stateHas(state, want map[string]string) bool {
	for f, v := range want {
		if state[f] != v {
			return false
		}
	}
	return true
}

func applied(state, set map[string]string) map[string]string {
	out := CopyState(state)
	for k, v := range set {
		out[k] = v
	}
	return out
}

// CopyState copies a state or flag map; unlike maps.Clone it never returns nil, so the
// copy can always be written to.
func CopyState(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// stateText renders a state as "Status=Running, BusinessStatus=Syncing", sorted.
func stateText(m map[string]string) string {
	parts := make([]string, 0, len(m))
	for k, v := range m {
		parts = append(parts, k+"="+v)
	}
	sort.Strings(parts)
	return strings.Join(parts, ", ")
}

// String renders a path as its steps, for reports.
func (p Path) String() string {
	var parts []string
	for _, st := range p.Steps {
		switch st.Kind {
		case StepCreate:
			parts = append(parts, st.Action.Name+paramText(st.Params))
		case StepFixture:
			parts = append(parts, "an existing "+p.Kind+" ("+stateText(st.State)+")")
		case StepCall:
			parts = append(parts, st.Action.Name+paramText(st.Params))
		case StepWait:
			parts = append(parts, fmt.Sprintf("wait %v", st.Wait))
		case StepDerive:
			parts = append(parts, fmt.Sprintf("a %s in %s", st.Related, stateText(st.RelatedState)))
		}
	}
	for _, kind := range sortedPathKinds(p.Needs) {
		parts = append(parts, fmt.Sprintf("(needs a %s: %s)", kind, p.Needs[kind]))
	}
	return strings.Join(parts, ", ")
}

func paramText(params map[string]string) string {
	if len(params) == 0 {
		return ""
	}
	return " (" + stateText(params) + ")"
}

func sortedPathKinds(m map[string]Path) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// PlanRemoval finds the cheapest way to delete an object the API created, from its current
// state: actions and waits until a delete action admits it, that call, and the wait until
// it is gone. A kind without a create action is never removed.
func (p *Product) PlanRemoval(kind string, from, flags map[string]string) (Path, error) {
	o := p.Objects[kind]
	gone := map[string]string{"(removed from)": stateText(from)}
	if o == nil || o.Lifecycle == nil || o.Lifecycle.Create == "" {
		return Path{}, &NoPath{Kind: kind, Want: gone, Reason: "the API cannot create one again, so it is never removed"}
	}
	q := &queue{}
	q.push(&node{state: CopyState(from), flags: CopyState(flags)})
	done := map[string]bool{}
	for !q.empty() {
		n := q.pop()
		if done[n.key()] {
			continue
		}
		done[n.key()] = true
		if t, d, ok := soonest(o.Lifecycle, n.state, n.flags); ok && t.Deletes {
			steps := append(append([]Step(nil), n.steps...), Step{Kind: StepWait, Timer: t, Wait: d})
			return p.finish(o, &node{state: n.state, flags: n.flags, steps: steps}), nil
		}
		if del, params, e := p.deleter(o, n.state, n.flags); del != nil {
			next := applied(n.state, e.Set)
			steps := append(append([]Step(nil), n.steps...), Step{Kind: StepCall, Action: del, Params: params, State: next})
			if t, d, ok := soonest(o.Lifecycle, next, n.flags); ok && t.Deletes {
				steps = append(steps, Step{Kind: StepWait, Timer: t, Wait: d})
			}
			return p.finish(o, &node{state: next, flags: n.flags, steps: steps}), nil
		}
		for _, next := range p.moves(o, n, false, PlanOptions{}) {
			if !done[next.key()] {
				q.push(next)
			}
		}
	}
	return Path{}, &NoPath{Kind: kind, Want: gone, Reason: "no delete action admits any state it can reach"}
}

// deleter is an action of the kind whose effect deletes and whose preconditions admit state.
func (p *Product) deleter(o *Object, state, flags map[string]string) (*Action, map[string]string, *Effect) {
	for _, a := range p.Actions() {
		if a.Object != o.Kind || !a.Write {
			continue
		}
		for _, params := range actionVariants(a) {
			if e, ok := p.admits(o, a, params, state, flags); ok && e != nil && e.Deletes {
				return a, params, e
			}
		}
	}
	return nil, nil, nil
}
