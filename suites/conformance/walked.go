package conformance

import (
	"context"
	"fmt"
	"net/url"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/smcct/smcct/cases"
	"github.com/smcct/smcct/spec"
	"github.com/smcct/smcct/suites/framework"
)

// State preconditions on a target without a control plane: the objects are walked into the
// case's states through the public API (framework.Walker), the action is called, and the
// answer and the states after it are judged with time in mind. A transitional state is
// called inside its window; when the window closed before the call could be told to have
// landed in it, the case starts over from fresh objects, a few times, then skips.

// walkAttempts bounds the fresh starts of a case whose window closed too early.
const walkAttempts = 5

// walkScene is one attempt's staged objects.
type walkScene struct {
	f     *framework.F
	w     *framework.Walker
	c     cases.StateCase
	objs  map[string]*framework.Obj
	order []string
}

func (s *walkScene) staged(o *framework.Obj) *framework.Obj {
	if _, ok := s.objs[o.Kind]; !ok {
		s.order = append(s.order, o.Kind)
	}
	s.objs[o.Kind] = o
	return o
}

// want is the state the case gives a kind, or def when it gives none.
func (s *walkScene) want(kind string, def map[string]string) map[string]string {
	if st, ok := s.c.States[kind]; ok {
		return st
	}
	return def
}

// walkBuilder plans, affords and stages what one action names and returns the request.
type walkBuilder func(ctx SpecContext, s *walkScene) url.Values

func (s *walkScene) request(o *framework.Obj) url.Values {
	q := o.Address(s.c.Action.Name)
	for k, v := range s.c.Params {
		q.Set(k, v)
	}
	return q
}

func walkOn(kind string, env func(*walkScene) *framework.Env) walkBuilder {
	return func(ctx SpecContext, s *walkScene) url.Values {
		path := s.plan(kind, s.c.States[kind])
		s.w.Afford(path)
		e := &framework.Env{}
		if env != nil {
			e = env(s)
		}
		o := s.staged(s.w.Walk(ctx, path, e))
		// Preconditions answer before handler rules, so a member changes only what an
		// allowed call does.
		if e.MemberPair != nil && e.Empty && s.c.Allowed {
			Skip(fmt.Sprintf("the group needed a member pair to start, which cannot leave it again in %s: %s refuses a group with pairs", stateText(o.State), s.c.Action.Name))
		}
		return s.request(o)
	}
}

// plan is the walk to a kind's state, avoiding what would spoil the call under test.
func (s *walkScene) plan(kind string, want map[string]string) spec.Path {
	GinkgoHelper()
	// An allowed one-shot sync under test must not follow another closely
	// (framework.OneShots); a refused one is refused by its preconditions first.
	opt := spec.PlanOptions{Once: framework.OneShots}
	if s.c.Params["OneShot"] == "true" && s.c.Allowed {
		opt.Avoid = framework.OneShots
	}
	// The cases vary state fields; the history flags the action's preconditions read are
	// met, so that an allowed case is allowed. A refused case fails on a state field before
	// any flag is read.
	a := s.c.Action
	for _, pc := range a.Applicable(spec.Given(s.c.Params)) {
		if !s.c.Allowed {
			break
		}
		if pc.Flag != "" && pc.Kind(a) == kind && len(pc.In) > 0 {
			if opt.Flags == nil {
				opt.Flags = map[string]string{}
			}
			opt.Flags[pc.Flag] = pc.In[0]
		}
	}
	path, err := s.w.TryPlan(kind, want, opt)
	switch {
	case err == nil:
		return path
	case opt.Avoid != nil:
		if _, plain := s.w.TryPlan(kind, want, spec.PlanOptions{}); plain == nil {
			Skip(fmt.Sprintf("a %s reaches %s only by a one-shot sync, and the call under test, a second one-shot sync, would then answer OperationDenied.ManualSyncLimit (one-shot syncs must be half an RPO apart)", kind, stateText(want)))
		}
	}
	Skip(err.Error())
	return spec.Path{}
}

// withMember: actions that move a group's pairs meet a member in step with the group.
func withMember(*walkScene) *framework.Env { return &framework.Env{Member: true} }

// emptied: a group to be deleted must be empty, though it needs a member to start.
func emptied(*walkScene) *framework.Env { return &framework.Env{Empty: true} }

// walkSource stages a source server; an allowed call that deletes it is not made, since
// nothing can register the source again.
func walkSource(ctx SpecContext, s *walkScene) url.Values {
	if s.c.Allowed && s.c.Effect != nil && s.c.Effect.Deletes {
		Skip("an allowed " + s.c.Action.Name + " would delete a source server of the profile, which the API cannot create again")
	}
	return walkOn("SourceServer", nil)(ctx, s)
}

func walkCreateJob(ctx SpecContext, s *walkScene) url.Values {
	q := walkOn("SourceServer", nil)(ctx, s)
	q.Set("Name", s.f.Name("job"))
	return q
}

func walkCreatePair(ctx SpecContext, s *walkScene) url.Values {
	status := s.c.States["Disk"]["Status"]
	d := s.w.Lease(status)
	s.staged(&framework.Obj{Kind: "Disk", ID: d.Src.ID, Fixture: true, State: map[string]string{"Status": d.Src.Status}})
	return url.Values{"RegionId": {d.Src.Region}, "SourceZoneId": {d.Src.Zone}, "DiskId": {d.Src.ID},
		"DestinationRegionId": {d.Dst.Region}, "DestinationZoneId": {d.Dst.Zone}, "DestinationDiskId": {d.Dst.ID},
		"PairName": {s.f.Name("pair")}}
}

// walkMembership stages a group and a pair for Add (member false) and Remove (member true).
// The kind the case varies is staged last, so that a transitional state is fresh when the
// call comes. A Remove's pair joins while its group takes pairs; when the group's state is
// one that refuses the call anyway, membership makes no difference and is skipped.
func walkMembership(member bool) walkBuilder {
	return func(ctx SpecContext, s *walkScene) url.Values {
		created := map[string]string{"Status": "created"}
		gWant, pWant := s.want("ReplicaGroup", created), s.want("ReplicaPair", created)
		gPath := s.plan("ReplicaGroup", gWant)
		pPath := s.plan("ReplicaPair", pWant)
		s.w.Afford(gPath, pPath)
		var disks *framework.DiskPair
		genv := &framework.Env{}
		if framework.Calls(gPath, "StartDiskReplicaGroup") {
			// The group needs a member of its own to start; it leaves before the pair under
			// test joins (or the call comes), and its disks replicate between the same zones.
			var own *framework.DiskPair
			own, disks = s.w.LeaseTwo()
			genv = &framework.Env{Disks: own, Empty: true}
		} else {
			disks = s.w.Lease("")
			genv.Disks = disks
		}
		takes := gWant["Status"] == "created" || gWant["Status"] == "stopped"
		var g, p *framework.Obj
		switch {
		case member && takes:
			g = s.w.Walk(ctx, gPath, genv)
			p = s.w.Walk(ctx, s.w.Plan("ReplicaPair", created, spec.PlanOptions{}), &framework.Env{Disks: disks})
			s.w.Call(ctx, g, "AddDiskReplicaPair", map[string]string{"ReplicaPairId": p.ID})
			if pWant["Status"] != "created" {
				from := s.w.Plan("ReplicaPair", pWant, spec.PlanOptions{From: p.State, FromFlags: p.Flags})
				p = s.w.Continue(ctx, p, from)
			}
		case s.c.Kind == "ReplicaGroup":
			p = s.w.Walk(ctx, pPath, &framework.Env{Disks: disks})
			g = s.w.Walk(ctx, gPath, genv)
		default:
			g = s.w.Walk(ctx, gPath, genv)
			p = s.w.Walk(ctx, pPath, &framework.Env{Disks: disks})
		}
		s.staged(g)
		s.staged(p)
		q := s.request(g)
		q.Set("ReplicaPairId", p.ID)
		return q
	}
}

// walkScenes say, per action, how to stage the objects it names by walking.
var walkScenes = map[string]walkBuilder{
	"CreateReplicationJob":          walkCreateJob,
	"CutOverReplicationJob":         walkOn("ReplicationJob", nil),
	"DeleteReplicationJob":          walkOn("ReplicationJob", nil),
	"ModifyReplicationJobAttribute": walkOn("ReplicationJob", nil),
	"StartReplicationJob":           walkOn("ReplicationJob", nil),
	"StopReplicationJob":            walkOn("ReplicationJob", nil),
	"DeleteSourceServer":            walkSource,
	"ModifySourceServerAttribute":   walkSource,

	"AddDiskReplicaPair":        walkMembership(false),
	"RemoveDiskReplicaPair":     walkMembership(true),
	"ClearReplicaGroupDrill":    walkOn("Drill", nil),
	"ClearPairDrill":            walkOn("PairDrill", nil),
	"CreateDiskReplicaPair":     walkCreatePair,
	"DeleteDiskReplicaGroup":    walkOn("ReplicaGroup", emptied),
	"ModifyDiskReplicaGroup":    walkOn("ReplicaGroup", nil),
	"StopDiskReplicaGroup":      walkOn("ReplicaGroup", nil),
	"StartDiskReplicaGroup":     walkOn("ReplicaGroup", withMember),
	"FailoverDiskReplicaGroup":  walkOn("ReplicaGroup", withMember),
	"ReprotectDiskReplicaGroup": walkOn("ReplicaGroup", withMember),
	"DeleteDiskReplicaPair":     walkOn("ReplicaPair", nil),
	"ModifyDiskReplicaPair":     walkOn("ReplicaPair", nil),
	"StartDiskReplicaPair":      walkOn("ReplicaPair", nil),
	"StopDiskReplicaPair":       walkOn("ReplicaPair", nil),
	"FailoverDiskReplicaPair":   walkOn("ReplicaPair", nil),
	"ReprotectDiskReplicaPair":  walkOn("ReplicaPair", nil),
}

// snapshot is every staged object's state right now; a missing kind is gone.
func (s *walkScene) snapshot(ctx context.Context) map[string]map[string]string {
	GinkgoHelper()
	out := map[string]map[string]string{}
	for _, kind := range s.order {
		o := s.objs[kind]
		if s.w.Observe(ctx, o) {
			out[kind] = spec.CopyState(o.State)
		}
	}
	return out
}

// verdict is what one attempt found: passed (assertions made), or a window that closed too
// early to tell, with the reason.
type verdict struct {
	retry  bool
	reason string
}

// walkStateCase runs a state case by walking; it fails only when the target answered wrongly
// while the objects were, beyond doubt, in the case's states.
func walkStateCase(ctx SpecContext, f *framework.F, c cases.StateCase) {
	build, ok := walkScenes[c.Action.Name]
	if !ok {
		Skip("no walk stages " + c.Action.Name + "'s objects")
	}
	w := f.Walker(ctx)
	var last string
	for attempt := 1; attempt <= walkAttempts; attempt++ {
		s := &walkScene{f: f, w: w, c: c, objs: map[string]*framework.Obj{}}
		q := build(ctx, s)
		v := judgeWalked(ctx, s, q)
		if !v.retry {
			return
		}
		last = v.reason
		w.Reset(ctx)
	}
	Skip(fmt.Sprintf("%s, %d times from fresh objects: the window is too short at this target's pace (time scale %g)", last, walkAttempts, w.Scale()))
}

func judgeWalked(ctx SpecContext, s *walkScene, q url.Values) verdict {
	GinkgoHelper()
	before := s.snapshot(ctx)
	for _, kind := range s.order {
		want := s.c.States[kind]
		got, present := before[kind]
		if present && includes(got, want) {
			continue
		}
		o := s.objs[kind]
		if framework.TimeAlone(kind, o.State, o.Facts(), got) || !present {
			return verdict{retry: true, reason: fmt.Sprintf("the %s left %s before the call (seen %s)", kind, stateText(want), stateText(got))}
		}
		Fail(fmt.Sprintf("the staged %s %s shows %s, not the case's %s", kind, o.ID, stateText(got), stateText(want)))
	}
	r := s.f.CallWith(ctx, s.f.Client, s.c.Action, q)
	after := s.snapshot(ctx)
	main := s.objs[s.c.Kind]
	stayed := main == nil || stateText(after[s.c.Kind]) == stateText(before[s.c.Kind])
	if !s.c.Allowed {
		if !matchesRefusal(r, s.c) && !stayed && movedByTime(s, before, after) {
			return verdict{retry: true, reason: fmt.Sprintf("the %s moved on from %s by itself around the call (now %s)", s.c.Kind, stateText(before[s.c.Kind]), stateText(after[s.c.Kind]))}
		}
		Expect(r).To(framework.HaveError(s.c.Expect.Code, s.c.Expect.Status, s.c.Message))
		expectOnlyTime(s, before, after, "a refused "+s.c.Action.Name)
		return verdict{}
	}
	if !r.OK() && !stayed && movedByTime(s, before, after) {
		return verdict{retry: true, reason: fmt.Sprintf("the %s moved on from %s by itself around the call (now %s)", s.c.Kind, stateText(before[s.c.Kind]), stateText(after[s.c.Kind]))}
	}
	Expect(r).To(framework.Succeed200())
	adoptCreated(s, r)
	checkWalkedEffect(ctx, s, r, before, after)
	return verdict{}
}

// adoptCreated takes charge of what an allowed call created (a job of CreateReplicationJob,
// whose contract names no object), so that it is removed with the rest.
func adoptCreated(s *walkScene, r *framework.Result) {
	if s.c.Action.Object != "" {
		return // the action's own object is adopted by the effect check
	}
	if o := s.w.AdoptCreated(r); o != nil {
		s.staged(o)
	}
}

func matchesRefusal(r *framework.Result, c cases.StateCase) bool {
	return r.Err != nil && r.Err.Code == c.Expect.Code && r.Response != nil && r.Response.Status == c.Expect.Status
}

// movedByTime reports whether every staged object shows a state time alone explains.
func movedByTime(s *walkScene, before, after map[string]map[string]string) bool {
	for _, kind := range s.order {
		o := s.objs[kind]
		if _, present := after[kind]; !present {
			return false
		}
		if !framework.TimeAlone(kind, before[kind], o.Facts(), after[kind]) {
			return false
		}
	}
	return true
}

// expectOnlyTime checks that the staged objects changed no more than time changes them.
func expectOnlyTime(s *walkScene, before, after map[string]map[string]string, what string) {
	GinkgoHelper()
	for _, kind := range s.order {
		o := s.objs[kind]
		got, present := after[kind]
		Expect(present).To(BeTrue(), "%s leaves the %s %s in place", what, kind, o.ID)
		Expect(framework.TimeAlone(kind, before[kind], o.Facts(), got)).To(BeTrue(),
			"%s leaves the %s as it was, but for what time does: it went from %s to %s", what, kind, stateText(before[kind]), stateText(got))
	}
}

// checkWalkedEffect checks an allowed call: the action's object (a created one found by the
// ID the answer carries) shows what the effect sets or passes through, settles or disappears
// as the effect says while the target's clock runs, and the other objects change only as
// time changes them.
func checkWalkedEffect(ctx SpecContext, s *walkScene, r *framework.Result, before, after map[string]map[string]string) {
	GinkgoHelper()
	a := s.c.Action
	target := a.Object
	o, staged := s.objs[target]
	if !staged && target != "" {
		id := r.Str(a.Product.Objects[target].IDField)
		if id == "" {
			target = ""
		} else {
			o = s.staged(s.w.Adopt(target, id, r.Request.Query))
			Expect(s.w.Observe(ctx, o)).To(BeTrue(), "Describe lists the %s %s that %s created", target, id, a.Name)
			after[target] = spec.CopyState(o.State)
		}
	}
	for _, kind := range s.order {
		if kind == target && s.c.Effect != nil {
			continue
		}
		if b, ok := before[kind]; ok {
			Expect(framework.TimeAlone(kind, b, s.objs[kind].Facts(), after[kind])).To(BeTrue(),
				"%s leaves the %s's state as it was, but for what time does (the contract states no effect on it): %s, then %s", a.Name, kind, stateText(b), stateText(after[kind]))
		}
	}
	if target == "" || s.c.Effect == nil {
		return
	}
	e := s.c.Effect
	j := cases.Judge{Object: a.Product.Objects[target], Effect: e, Before: before[target]}
	now, present := after[target]
	if !present {
		Expect(e.Deletes).To(BeTrue(), "the %s is gone right after %s, but the effect does not delete it", target, a.Name)
		return
	}
	if _, problem := j.Along(now); problem != "" {
		Expect(j.RightAfter(now)).To(BeEmpty(), "the %s right after %s", target, a.Name)
	}
	if len(e.Settles) > 0 || e.Deletes {
		s.w.Settle(ctx, o, j)
	}
}

func includes(state, want map[string]string) bool {
	for k, v := range want {
		if state[k] != v {
			return false
		}
	}
	return true
}

func stateText(m map[string]string) string {
	if m == nil {
		return "gone"
	}
	return fmt.Sprint(sortedValues(m))
}
