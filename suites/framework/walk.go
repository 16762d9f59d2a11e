package framework

import (
	"context"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2" //nolint:revive // the DSL reads best unqualified

	"github.com/smcct/smcct/spec"
)

// Walker brings objects into the states a spec needs on a target without a control plane:
// it plans the cheapest path with the contract's state machine (spec.Product.Plan), makes
// the calls, and polls Describe until each timer has fired, with deadlines from the
// contract's durations and the target's time scale. What it creates carries the run tag and
// is removed, waiting for deletion to settle, when the spec ends. Paths longer than the
// spec budget, and states no public path reaches, skip the spec with the reason.
type Walker struct {
	f       *F
	c       *Client
	scale   float64
	budget  time.Duration
	created []*Obj
	leased  []string
	made    int
}

// Walker returns the spec's walker; the first call measures the target's pace if needed and
// registers the cleanup of everything the walker creates.
func (f *F) Walker(ctx context.Context) *Walker {
	GinkgoHelper()
	if f.walker != nil {
		return f.walker
	}
	f.NeedWrites()
	scale, err := f.T.Pace.Scale(ctx, f.Client, f.T.ProbeName())
	if err != nil {
		Skip("cannot learn the target's pace: " + err.Error())
	}
	w := &Walker{f: f, c: f.Client, scale: scale, budget: f.T.Profile.Budget()}
	f.walker = w
	DeferCleanup(func(ctx SpecContext) { w.cleanup(ctx) })
	return w
}

// Scale is the target's time scale the walker assumes.
func (w *Walker) Scale() float64 { return w.scale }

// Wall is the wall time business time d takes on the target.
func (w *Walker) Wall(d time.Duration) time.Duration { return Wall(d, w.scale) }

// callCost is what the budget counts for one call: a real endpoint answers in tens of
// milliseconds, a loaded one in hundreds.
const callCost = 150 * time.Millisecond

// Plan is the cheapest path of an object of kind to state; it skips the spec when no public
// path leads there.
func (w *Walker) Plan(kind string, state map[string]string, opt spec.PlanOptions) spec.Path {
	GinkgoHelper()
	path, err := w.TryPlan(kind, state, opt)
	if err != nil {
		Skip(err.Error())
	}
	return path
}

// TryPlan is Plan that returns why no path exists instead of skipping.
func (w *Walker) TryPlan(kind string, state map[string]string, opt spec.PlanOptions) (spec.Path, error) {
	p := productOf(kind)
	if p == nil {
		return spec.Path{}, fmt.Errorf("the contract has no kind %s", kind)
	}
	if opt.Fixtures == nil {
		opt.Fixtures = w.fixtureStates(kind)
	}
	if opt.Once == nil {
		opt.Once = OneShots
	}
	return p.Plan(kind, state, opt)
}

// fixtureStates are the states the profile offers objects of a kind in.
func (w *Walker) fixtureStates(kind string) []map[string]string {
	if kind != "SourceServer" {
		return nil
	}
	var out []map[string]string
	for _, st := range sortedStates(w.f.T.Profile.SourceServers) {
		out = append(out, map[string]string{"State": st})
	}
	return out
}

func sortedStates(m map[string][]string) []string {
	out := make([]string, 0, len(m))
	for k, ids := range m {
		if len(ids) > 0 {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// Afford skips the spec when the paths take longer than the spec budget at the target's
// pace, or create more objects than the profile allows; the reason gives the estimate.
func (w *Walker) Afford(paths ...spec.Path) {
	GinkgoHelper()
	var business time.Duration
	calls, creates := 0, 0
	for _, p := range paths {
		business += p.Total()
		calls += p.AllCalls()
		creates += countCreates(p)
	}
	est := w.Wall(business) + time.Duration(calls)*callCost
	if est > w.budget {
		Skip(fmt.Sprintf("the states this spec needs take about %v on this target (%v of the contract's time at time scale %g), over the spec budget of %v",
			est.Round(time.Second), business, w.scale, w.budget))
	}
	if limit := w.f.T.Profile.Objects(); creates+w.made > limit {
		Skip(fmt.Sprintf("the states this spec needs create %d objects, over the object budget of %d", creates+w.made, limit))
	}
}

// AffordTime skips the spec when business time d takes longer than the spec budget here.
func (w *Walker) AffordTime(d time.Duration) {
	GinkgoHelper()
	w.Afford(spec.Path{Business: d})
}

func countCreates(p spec.Path) int {
	n := 0
	for _, st := range p.Steps {
		if st.Kind == spec.StepCreate {
			n++
		}
	}
	for _, need := range p.Needs {
		n += countCreates(need)
	}
	return n
}

// Env is what a walk may use besides the plan: a job's source server, a pair's disks, and
// whether a replica group gets a member pair while it is created.
type Env struct {
	Source *Obj
	Disks  *DiskPair
	Member bool
	// Empty: the group must end the walk without its member, which it needed to start.
	Empty bool
	// Detached: the source disk must not be attached to an instance (a reprotect needs it).
	Detached bool
	// MemberPair is set once the member exists.
	MemberPair *Obj
	left       bool
}

// Walk runs a path and returns the object, confirmed in the path's final state. A call the
// target refuses, or a state no step of the contract explains, fails the spec: the target
// answered wrongly. A timer that does not fire within its deadline skips it.
func (w *Walker) Walk(ctx context.Context, path spec.Path, env *Env) *Obj {
	GinkgoHelper()
	return w.run(ctx, path, env, nil)
}

// Continue runs a path planned from o's present state (spec.PlanOptions.From).
func (w *Walker) Continue(ctx context.Context, o *Obj, path spec.Path) *Obj {
	GinkgoHelper()
	return w.run(ctx, path, nil, o)
}

func (w *Walker) run(ctx context.Context, path spec.Path, env *Env, o *Obj) *Obj {
	GinkgoHelper()
	if env == nil {
		env = &Env{}
	}
	// A service starts (fails over, reprotects) only a group that holds a pair
	// (OperationDenied.NoPairInGroup), and reprotects only while the primary disk is not
	// attached to an instance.
	env.Member = env.Member || (path.Kind == "ReplicaGroup" && movesPairs(path.Steps))
	env.Detached = env.Detached || callsIn(path.Steps, "ReprotectDiskReplicaGroup") || callsIn(path.Steps, "ReprotectDiskReplicaPair")
	for i, st := range path.Steps {
		switch st.Kind {
		case spec.StepFixture:
			o = w.fixture(ctx, path.Kind, st.State)
		case spec.StepCreate:
			o = w.create(ctx, path, st, env)
		case spec.StepCall:
			if st.Action.Name == "DeleteDiskReplicaGroup" && env.MemberPair != nil {
				w.leave(ctx, o, env)
			}
			w.Call(ctx, o, st.Action.Name, st.Params)
			o.State = st.State
		case spec.StepWait:
			w.Await(ctx, o, st.State, w.patience(o, o.State, st.State, max(st.Wait, st.Timer.After.Eval(o.Values()))))
		case spec.StepDerive:
			rel := w.Plan(st.Related, st.RelatedState, spec.PlanOptions{})
			w.Walk(ctx, rel, &Env{Source: o})
			o.State = st.State
		}
		w.member(ctx, o, env, path.Steps[i+1:])
	}
	if last := len(path.Steps) - 1; last >= 0 && path.Steps[last].Kind == spec.StepCall && strings.HasPrefix(path.Steps[last].Action.Name, "Reprotect") {
		w.Observe(ctx, o) // a reprotect turns the object round: learn its ends
	}
	return o
}

// Adopt takes charge of an object the call under test created (its request names where it
// lives): it is removed with the rest when the spec ends.
func (w *Walker) Adopt(kind, id string, req url.Values) *Obj {
	o := &Obj{Kind: kind, ID: id}
	o.Src = Site{Region: req.Get("RegionId"), Zone: req.Get("SourceZoneId")}
	o.Dst = Site{Region: req.Get("DestinationRegionId"), Zone: req.Get("DestinationZoneId")}
	if param, ok := drillParent[kind]; ok {
		// A drill is started in its parent's destination region and named through it.
		parent := map[string]string{"Drill": "ReplicaGroup", "PairDrill": "ReplicaPair"}[kind]
		o.Parent = &Obj{Kind: parent, ID: req.Get(param), Dst: Site{Region: req.Get("RegionId")}}
	}
	w.created = append(w.created, o)
	w.made++
	return o
}

// AdoptCreated takes charge of whatever a successful call created: an object of a kind whose
// lifecycle names the action as its create, found by the ID the answer carries.
func (w *Walker) AdoptCreated(r *Result) *Obj {
	if r == nil || !r.OK() || r.Action == nil || r.Request == nil {
		return nil
	}
	p := r.Action.Product
	for _, kind := range p.Kinds() {
		o := p.Objects[kind]
		if o.Lifecycle == nil || o.Lifecycle.Create != r.Action.Name {
			continue
		}
		if id := r.Str(o.IDField); id != "" {
			return w.Adopt(kind, id, r.Request.Query)
		}
	}
	return nil
}

// Calls reports whether a path calls the action.
func Calls(path spec.Path, action string) bool { return callsIn(path.Steps, action) }

// member adds a replica group's member pair at the first moment the group takes one, and,
// when the walk must end with an empty group (Env.Empty), takes it out again at the last
// moment the group lets it go after the last start.
func (w *Walker) member(ctx context.Context, o *Obj, env *Env, rest []spec.Step) {
	GinkgoHelper()
	if o == nil || o.Kind != "ReplicaGroup" {
		return
	}
	if env.Member && env.MemberPair == nil && !env.left && o.State["Status"] == "created" {
		pair := w.Plan("ReplicaPair", map[string]string{"Status": "created"}, spec.PlanOptions{})
		env.MemberPair = w.Walk(ctx, pair, &Env{Disks: env.Disks, Detached: env.Detached})
		add := url.Values{"RegionId": {o.Src.Region}, "ReplicaGroupId": {o.ID}, "ReplicaPairId": {env.MemberPair.ID}}
		w.call(ctx, "AddDiskReplicaPair", add, true)
		o.DiskSize = max(o.DiskSize, env.MemberPair.DiskSize)
	}
	if env.Empty && env.MemberPair != nil && !movesPairs(rest) {
		switch {
		case lets(o, "RemoveDiskReplicaPair"):
			w.leave(ctx, o, env)
		case len(rest) == 0:
			w.dropMember(ctx, env) // the group's state keeps its pair: the pair itself goes
		}
	}
}

// dropMember deletes a group's member pair, which takes it out of the group, when the group
// is in a state that lets no pair leave (failovered); it skips the spec when the pair's own
// state admits no delete.
func (w *Walker) dropMember(ctx context.Context, env *Env) {
	GinkgoHelper()
	p := env.MemberPair
	w.Observe(ctx, p)
	if !lets(p, "DeleteDiskReplicaPair") {
		return // the scene skips: the group stays with its pair
	}
	w.Call(ctx, p, "DeleteDiskReplicaPair", nil)
	if e := MustAction("DeleteDiskReplicaPair").EffectFor(nil); e != nil {
		p.State = spec.CopyState(e.Set)
	}
	if !w.AwaitGone(ctx, p, w.patience(p, p.State, nil, 0)) {
		Skip(fmt.Sprintf("the group's member pair %s did not go after DeleteDiskReplicaPair", p.ID))
	}
	env.MemberPair, env.left = nil, true
}

// OneShots are the one-shot syncs a path makes at most once: a service refuses one-shot
// syncs less than half an RPO apart (OperationDenied.ManualSyncLimit).
var OneShots = []string{"StartDiskReplicaGroup OneShot=true", "StartDiskReplicaPair OneShot=true"}

// groupMoves are the group actions a service refuses for a group without pairs
// (OperationDenied.NoPairInGroup): a member stays until the last of them.
var groupMoves = []string{"StartDiskReplicaGroup", "StopDiskReplicaGroup", "FailoverDiskReplicaGroup", "ReprotectDiskReplicaGroup"}

func movesPairs(rest []spec.Step) bool {
	for _, a := range groupMoves {
		if callsIn(rest, a) {
			return true
		}
	}
	return false
}

// lets reports whether the action's preconditions on o's kind admit o's state.
func lets(o *Obj, action string) bool {
	a := MustAction(action)
	if a == nil {
		return false
	}
	for _, pc := range a.Preconditions {
		cur := o.State[pc.Field]
		if pc.Flag != "" {
			cur = "false"
			if v := o.Flags[pc.Flag]; v != "" {
				cur = v
			}
		}
		if pc.Kind(a) == o.Kind && !pc.Allows(cur) {
			return false
		}
	}
	return true
}

func callsIn(steps []spec.Step, action string) bool {
	for _, st := range steps {
		if st.Kind == spec.StepCall && st.Action.Name == action {
			return true
		}
	}
	return false
}

// leave takes a group's member out before the group is deleted: a service deletes only an
// empty group (OperationDenied.GroupHasPair).
func (w *Walker) leave(ctx context.Context, g *Obj, env *Env) {
	GinkgoHelper()
	q := url.Values{"RegionId": {g.Src.Region}, "ReplicaGroupId": {g.ID}, "ReplicaPairId": {env.MemberPair.ID}}
	if r := w.call(ctx, "RemoveDiskReplicaPair", q, false); !r.OK() {
		Skip(fmt.Sprintf("the group's member pair cannot leave it before the delete (%s)", errText(r, nil)))
	}
	env.MemberPair, env.left = nil, true
}

// Call calls an action on o, which must succeed: a step towards a state.
func (w *Walker) Call(ctx context.Context, o *Obj, action string, params map[string]string) *Result {
	GinkgoHelper()
	q := o.Address(action)
	for k, v := range params {
		q.Set(k, v)
	}
	return w.call(ctx, action, q, true)
}

func (w *Walker) call(ctx context.Context, action string, q url.Values, must bool) *Result {
	GinkgoHelper()
	r := w.f.CallWith(ctx, w.c, w.f.NeedAction(action), q)
	if must && !r.OK() {
		Fail(fmt.Sprintf("setup step %s was refused (%s), though the contract's state machine admits it here", action, errText(r, nil)))
	}
	return r
}

// Observe reads o; a read the target refuses fails the spec.
func (w *Walker) Observe(ctx context.Context, o *Obj) bool {
	GinkgoHelper()
	present, err := w.c.Observe(ctx, o)
	if err != nil {
		Fail(fmt.Sprintf("reading %s: %v", o, err))
	}
	return present
}
