package framework

import (
	"context"
	"fmt"
	"net/url"
	"sort"
	"time"

	. "github.com/onsi/ginkgo/v2" //nolint:revive // the DSL reads best unqualified

	"github.com/smcct/smcct/spec"
)

// How far ahead a walker aims a ScheduledStartTime that must not arrive during the spec,
// and how far past the earliest allowed ValidTime it aims one that should.
const (
	scheduleLate = 24 * time.Hour
	atSlack      = 10 * time.Minute
)

// create makes a new object of the path's kind with what it needs, named with the run tag,
// and registers its removal.
func (w *Walker) create(ctx context.Context, path spec.Path, st spec.Step, env *Env) *Obj {
	GinkgoHelper()
	o := &Obj{Kind: path.Kind, State: spec.CopyState(st.State), Flags: initialFlags(path.Kind, st)}
	q := url.Values{}
	switch path.Kind {
	case "ReplicationJob":
		src := env.Source
		if src == nil {
			src = w.LeaseSource(ctx, "Available")
		}
		q.Set("SourceId", src.ID)
		q.Set("Name", w.f.Name("job"))
		w.aim(ctx, q, path, st)
	case "AccessToken":
		q.Set("Name", w.f.Name("token"))
	case "Workgroup":
		q.Set("Name", w.f.Name("wave"))
	case "ReplicaGroup":
		o.Src, o.Dst = w.sites(env)
		q = url.Values{"RegionId": {o.Src.Region}, "SourceZoneId": {o.Src.Zone},
			"DestinationRegionId": {o.Dst.Region}, "DestinationZoneId": {o.Dst.Zone}, "GroupName": {w.f.Name("group")}}
	case "ReplicaPair":
		if env.Disks == nil {
			env.Disks = w.Lease(env.sourceStatus())
		}
		d := env.Disks
		o.DiskSize = d.Src.Size
		o.Src, o.Dst = Site{Region: d.Src.Region, Zone: d.Src.Zone}, Site{Region: d.Dst.Region, Zone: d.Dst.Zone}
		q = url.Values{"RegionId": {o.Src.Region}, "SourceZoneId": {o.Src.Zone}, "DiskId": {d.Src.ID},
			"DestinationRegionId": {o.Dst.Region}, "DestinationZoneId": {o.Dst.Zone}, "DestinationDiskId": {d.Dst.ID},
			"PairName": {w.f.Name("pair")}}
	case "Drill", "PairDrill":
		parent := map[string]string{"Drill": "ReplicaGroup", "PairDrill": "ReplicaPair"}[path.Kind]
		need, ok := path.Needs[parent]
		if !ok {
			Fail("the contract's path of a " + path.Kind + " names no " + parent)
		}
		o.Parent = w.Walk(ctx, need, &Env{Member: true, Disks: env.Disks})
		q = url.Values{"RegionId": {o.Parent.Dst.Region}, drillParent[path.Kind]: {o.Parent.ID}}
	default:
		Skip("the walker cannot create a " + path.Kind)
	}
	r := w.call(ctx, st.Action.Name, q, path.Kind != "ReplicationJob" && path.Kind != "ReplicaPair")
	if !r.OK() {
		// These creates name objects of the profile, which someone else may be using.
		Skip(fmt.Sprintf("%s with the profile's objects was refused (%s): are they in use outside this run?", st.Action.Name, errText(r, nil)))
	}
	o.ID = r.Str(objectOf(path.Kind).IDField)
	if o.ID == "" {
		Fail(fmt.Sprintf("%s answered no %s", st.Action.Name, objectOf(path.Kind).IDField))
	}
	w.created = append(w.created, o)
	w.made++
	return o
}

// aim sets the at-parameters of a job: those the path waits for as early as the contract
// allows, a schedule the path only needs pending far enough ahead that it does not fire.
func (w *Walker) aim(ctx context.Context, q url.Values, path spec.Path, st spec.Step) {
	GinkgoHelper()
	_, scheduled := st.Params["ScheduledStartTime"]
	fire := path.Fire["ValidTime"] || path.Fire["ScheduledStartTime"]
	if !scheduled && !fire {
		return
	}
	now, err := w.f.T.Pace.Now(ctx, w.c, w.f.T.ProbeName())
	if err != nil {
		Skip("cannot learn the target's clock to aim a job's times: " + err.Error())
	}
	if scheduled {
		at := now.Add(scheduleLate)
		if path.Fire["ScheduledStartTime"] {
			at = now.Add(spec.AtMargin + atSlack)
		}
		q.Set("ScheduledStartTime", at.UTC().Format(time.RFC3339))
	}
	if path.Fire["ValidTime"] {
		if t := timerAt("ReplicationJob", "ValidTime"); t != nil {
			q.Set("ValidTime", now.Add(t.After.Min+atSlack).UTC().Format(time.RFC3339))
		}
	}
}

func timerAt(kind, param string) *spec.Timer {
	l := lifecycleOf(kind)
	for i := range l.Timers {
		if l.Timers[i].After.At == param {
			return &l.Timers[i]
		}
	}
	return nil
}

// initialFlags are the history flags the contract gives a new object in the step's state.
func initialFlags(kind string, st spec.Step) map[string]string {
	out := map[string]string{}
	for _, in := range lifecycleOf(kind).Initial {
		_, given := st.Params[in.Given]
		if (in.Given == "" || given) && includes(st.State, in.State) {
			for k, v := range in.Flags {
				out[k] = v
			}
			break
		}
	}
	return out
}

// sites are a new group's ends: the member's disks' zones, else the profile's replication,
// else the zones of the first disk pair the profile's disks make.
func (w *Walker) sites(env *Env) (Site, Site) {
	GinkgoHelper()
	if env.Member && env.Disks == nil {
		env.Disks = w.Lease(env.sourceStatus())
	}
	if d := env.Disks; d != nil {
		return Site{Region: d.Src.Region, Zone: d.Src.Zone}, Site{Region: d.Dst.Region, Zone: d.Dst.Zone}
	}
	if r := w.f.T.Profile.Replication; r.Source.Zone != "" && r.Destination.Zone != "" {
		return r.Source, r.Destination
	}
	if pairs := DiskPairs(w.f.T.Profile.Disks, "", w.f.T.Profile.Replication); len(pairs) > 0 {
		d := pairs[0]
		return Site{Region: d.Src.Region, Zone: d.Src.Zone}, Site{Region: d.Dst.Region, Zone: d.Dst.Zone}
	}
	Skip("the profile names no replication sites and no disks to take them from")
	return Site{}, Site{}
}

// cleanup removes what the walker created, newest first, each brought by the cheapest path
// into a state a delete admits, then waited for until Describe no longer lists it; then it
// gives its leases back. A removal that fails is reported, not failed: the spec under test
// claims nothing about it, and `smcct sweep` finds what is left by its run tag.
func (w *Walker) cleanup(ctx context.Context) {
	left := 0
	for _, o := range removalOrder(w.created) {
		if err := w.remove(ctx, o); err != nil {
			left++
			AddReportEntry("cleanup", fmt.Sprintf("%s was not removed: %v (smcct sweep removes it by its run tag)", o, err))
		}
	}
	// What is left may still hold the leased disks or sources: they stay leased, so that no
	// later spec of this process meets them in use.
	if left == 0 {
		for _, id := range w.leased {
			w.f.T.Leases.Release(id)
		}
	}
	w.created, w.leased = nil, nil
}

// removalRank orders removals: what lives in another object goes first (a drill before its
// group, a pair before the group it may have joined), newest first within a rank.
var removalRank = map[string]int{"Drill": 0, "PairDrill": 0, "ReplicaGroup": 2}

func removalOrder(created []*Obj) []*Obj {
	out := make([]*Obj, 0, len(created))
	for i := len(created) - 1; i >= 0; i-- {
		out = append(out, created[i])
	}
	rank := func(o *Obj) int {
		if r, ok := removalRank[o.Kind]; ok {
			return r
		}
		return 1
	}
	sort.SliceStable(out, func(i, j int) bool { return rank(out[i]) < rank(out[j]) })
	return out
}

// Remove removes one object now (and forgets it), as a fresh attempt needs.
func (w *Walker) Remove(ctx context.Context, o *Obj) error {
	for i, c := range w.created {
		if c == o {
			w.created = append(w.created[:i], w.created[i+1:]...)
			break
		}
	}
	return w.remove(ctx, o)
}

// Reset removes everything the walker created so far and gives its leases back: a spec that
// retries from fresh objects starts over.
func (w *Walker) Reset(ctx context.Context) { w.cleanup(ctx) }

func (w *Walker) remove(ctx context.Context, o *Obj) error {
	if o.Fixture {
		return nil
	}
	if present, err := w.c.Observe(ctx, o); err != nil || !present {
		return err
	}
	path, err := productOf(o.Kind).PlanRemoval(o.Kind, o.State, o.Facts())
	if err != nil {
		return err
	}
	for _, st := range path.Steps {
		switch st.Kind {
		case spec.StepCall:
			q := o.Address(st.Action.Name)
			for k, v := range st.Params {
				q.Set(k, v)
			}
			r, err := w.c.Call(ctx, st.Action, q)
			if err != nil || !r.OK() {
				return fmt.Errorf("%s: %s", st.Action.Name, errText(r, err))
			}
			o.State = st.State
		case spec.StepWait:
			var want map[string]string
			if !st.Timer.Deletes {
				want = st.State
			}
			if err := w.waitFor(ctx, o, want, w.patience(o, o.State, want, st.Wait)); err != nil {
				return err
			}
		}
	}
	if present, err := w.c.Observe(ctx, o); err != nil || present {
		return fmt.Errorf("still listed after %s (%v)", path, err)
	}
	return nil
}

// sourceStatus is the Status a leased source disk must have: Available when the walk
// reprotects, any otherwise.
func (e *Env) sourceStatus() string {
	if e.Detached {
		return "Available"
	}
	return ""
}
