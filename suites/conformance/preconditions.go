package conformance

import (
	"context"
	"fmt"
	"net/url"
	"sort"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/smcct/smcct/cases"
	"github.com/smcct/smcct/spec"
	"github.com/smcct/smcct/suites/framework"
)

// State preconditions: generated from x-acs-preconditions and x-acs-effects. On a target with
// a control plane each spec owns a private account, stages the objects the action names in
// the states the case assigns (created through the public API where it can, then forced or
// seeded through the control plane), calls the action and checks the answer and the states
// afterwards. Without one, the objects are walked into their states (walked.go).

// settleSteps move business time while an object settles; they grow so that EBS transitions
// (seconds) and SMC runs (minutes) are both watched through their passing states.
var settleSteps = []time.Duration{
	5 * time.Second, 10 * time.Second, 30 * time.Second, time.Minute, 2 * time.Minute,
	5 * time.Minute, 10 * time.Minute, 30 * time.Minute, time.Hour, 6 * time.Hour,
}

var _ = Describe("State preconditions", Label("precondition", "needs:writes"), func() {
	f := framework.New()
	for _, a := range framework.Catalog().Actions() {
		stateCases := cases.StateCases(a)
		build, ok := scenes[a.Name]
		if len(stateCases) == 0 || !ok {
			continue
		}
		Describe(a.Name, func() {
			for _, c := range stateCases {
				It(c.Describe(), Label(c.Labels()...), func(ctx SpecContext) {
					f.NeedWrites()
					if !f.T.Caps.Control {
						walkStateCase(ctx, f, c)
						return
					}
					s := newScene(ctx, f, c)
					runStateCase(ctx, s, build(ctx, s))
				})
			}
		})
	}
})

// scene is one state case's private account and the objects staged in it.
type scene struct {
	*account
	ctl *framework.Control
	c   cases.StateCase
	// ids holds the staged object of each kind; order is the staging order.
	ids   map[string]string
	order []string
	// source is an Available source server seeded with the account; srcDisk and dstDisk a
	// disk pair's worth of disks (the source disk in the state the case gives Disk, if any).
	source, srcDisk, dstDisk string
	// exact: the effect's set values must show exactly right after the call (flag specs).
	exact bool
	// synced: run the EBS objects through their first full sync before forcing the case's
	// status (failover needs one, the contract's choice, whatever status shows).
	synced bool
}

func newScene(ctx SpecContext, f *framework.F, c cases.StateCase) *scene {
	GinkgoHelper()
	s := &scene{ctl: f.NeedControl(), c: c, ids: map[string]string{}}
	s.source, s.srcDisk, s.dstDisk = f.ID("s-"), f.ID("d-"), f.ID("d-")
	diskStatus := "Available"
	if v, ok := c.States["Disk"]["Status"]; ok {
		diskStatus = v
	}
	s.account = ownAccount(ctx, f, map[string][]map[string]any{
		"sourceServers": {seededSource(s.source)},
		"disks": {
			{"DiskId": s.srcDisk, "RegionId": srcRegion, "ZoneId": srcZone, "Size": 100, "Category": "cloud_essd", "Status": diskStatus},
			{"DiskId": s.dstDisk, "RegionId": dstRegion, "ZoneId": dstZone, "Size": 100, "Category": "cloud_essd", "Status": "Available"},
		},
	})
	return s
}

// state is the value the case assigns to a kind's field, or def when it assigns none.
func (s *scene) state(kind, field, def string) string {
	if v, ok := s.c.States[kind][field]; ok {
		return v
	}
	return def
}

func (s *scene) staged(kind, id string) string {
	if _, ok := s.ids[kind]; !ok {
		s.order = append(s.order, kind)
	}
	s.ids[kind] = id
	return id
}

func (s *scene) force(ctx context.Context, id string, fields map[string]string) {
	GinkgoHelper()
	Expect(s.ctl.Force(ctx, s.key, id, fields)).To(Succeed(), "forcing %s to %v", id, fields)
}

// sourceIn stages a source server in a state: seeded for the states an agent reports, with a
// running job for InUse (the state derives from it), deleted through the API for Deleting.
func (s *scene) sourceIn(ctx SpecContext, state string) string {
	GinkgoHelper()
	id := s.f.ID("s-")
	seed := seededSource(id)
	if state == "Unavailable" {
		seed["State"] = state
	}
	Expect(s.ctl.Seed(ctx, s.key, map[string][]map[string]any{"sourceServers": {seed}})).To(Succeed())
	switch state {
	case "InUse":
		job := s.ok(ctx, "CreateReplicationJob", jobParams(id, s.f.Name("job"))).Str("JobId")
		s.ok(ctx, "StartReplicationJob", url.Values{"JobId": {job}})
	case "Deleting":
		s.ok(ctx, "DeleteSourceServer", url.Values{"SourceId": {id}})
	}
	return s.staged("SourceServer", id)
}

// jobIn creates an incremental job on the scene's source and forces its status (and, for a
// Running job, its phase).
func (s *scene) jobIn(ctx SpecContext) string {
	GinkgoHelper()
	q := jobParams(s.source, s.f.Name("job"), "RunOnce", "false", "Frequency", "12", "MaxNumberOfImageToKeep", "2")
	id := s.ok(ctx, "CreateReplicationJob", q).Str("JobId")
	status := s.state("ReplicationJob", "Status", "Ready")
	if status != "Ready" {
		s.force(ctx, id, map[string]string{"Status": status})
	}
	if status == "Running" {
		s.force(ctx, id, map[string]string{"BusinessStatus": s.state("ReplicationJob", "BusinessStatus", "Syncing")})
	}
	return s.staged("ReplicationJob", id)
}

func ebsPairParams(src, dst string) url.Values {
	q := groupParams("")
	q.Set("DiskId", src)
	q.Set("DestinationDiskId", dst)
	return q
}

// groupIn creates a replica group and forces the case's status on it.
func (s *scene) groupIn(ctx SpecContext) string {
	GinkgoHelper()
	id := s.ok(ctx, "CreateDiskReplicaGroup", groupParams("")).Str("ReplicaGroupId")
	s.force(ctx, id, map[string]string{"Status": s.state("ReplicaGroup", "Status", "created")})
	return s.staged("ReplicaGroup", id)
}

// pairIn creates a replica pair on the scene's disks and forces the case's status on it.
func (s *scene) pairIn(ctx SpecContext) string {
	GinkgoHelper()
	id := s.ok(ctx, "CreateDiskReplicaPair", ebsPairParams(s.srcDisk, s.dstDisk)).Str("ReplicaPairId")
	s.firstSync(ctx, "StartDiskReplicaPair", url.Values{"ReplicaPairId": {id}})
	if st := s.state("ReplicaPair", "Status", "created"); st != "created" || s.synced {
		s.force(ctx, id, map[string]string{"Status": st})
	}
	return s.staged("ReplicaPair", id)
}

// groupWithMember stages a group with one member pair in the same status, so that actions
// moving a group's pairs find them in step.
func (s *scene) groupWithMember(ctx SpecContext) string {
	GinkgoHelper()
	g := s.ok(ctx, "CreateDiskReplicaGroup", groupParams("")).Str("ReplicaGroupId")
	s.force(ctx, g, map[string]string{"Status": "created"})
	p := s.ok(ctx, "CreateDiskReplicaPair", ebsPairParams(s.srcDisk, s.dstDisk)).Str("ReplicaPairId")
	s.ok(ctx, "AddDiskReplicaPair", url.Values{"RegionId": {srcRegion}, "ReplicaGroupId": {g}, "ReplicaPairId": {p}})
	s.firstSync(ctx, "StartDiskReplicaGroup", url.Values{"ReplicaGroupId": {g}})
	st := s.state("ReplicaGroup", "Status", "created")
	s.force(ctx, g, map[string]string{"Status": st})
	s.force(ctx, p, map[string]string{"Status": st})
	return s.staged("ReplicaGroup", g)
}

// firstSync starts a group or pair in the source region and lets its first full sync end,
// when the scene asks for it.
func (s *scene) firstSync(ctx SpecContext, action string, q url.Values) {
	GinkgoHelper()
	if !s.synced {
		return
	}
	q.Set("RegionId", srcRegion)
	s.ok(ctx, action, q)
	_, err := s.f.NeedVirtualClock().Advance(ctx, 10*time.Minute)
	Expect(err).NotTo(HaveOccurred())
}

// afterFirstSync stages the objects of build after their first full sync.
func afterFirstSync(build sceneBuilder) sceneBuilder {
	return func(ctx SpecContext, s *scene) url.Values {
		s.synced = true
		return build(ctx, s)
	}
}

// drillIn runs a group to a recovery point, starts a drill on it and forces the drill's
// status.
func (s *scene) drillIn(ctx SpecContext) (drill, group string) {
	GinkgoHelper()
	group = s.ok(ctx, "CreateDiskReplicaGroup", groupParams("")).Str("ReplicaGroupId")
	s.force(ctx, group, map[string]string{"Status": "created"})
	p := s.ok(ctx, "CreateDiskReplicaPair", ebsPairParams(s.srcDisk, s.dstDisk)).Str("ReplicaPairId")
	s.ok(ctx, "AddDiskReplicaPair", url.Values{"RegionId": {srcRegion}, "ReplicaGroupId": {group}, "ReplicaPairId": {p}})
	s.ok(ctx, "StartDiskReplicaGroup", url.Values{"RegionId": {srcRegion}, "ReplicaGroupId": {group}})
	_, err := s.f.NeedVirtualClock().Advance(ctx, 10*time.Minute)
	Expect(err).NotTo(HaveOccurred())
	drill = s.ok(ctx, "StartReplicaGroupDrill", url.Values{"RegionId": {dstRegion}, "GroupId": {group}}).Str("DrillId")
	s.force(ctx, drill, map[string]string{"Status": s.state("Drill", "Status", "executed")})
	return s.staged("Drill", drill), group
}

// pairDrillIn runs a pair to a recovery point, starts a drill on it and forces the drill's
// status.
func (s *scene) pairDrillIn(ctx SpecContext) (drill, pair string) {
	GinkgoHelper()
	pair = s.ok(ctx, "CreateDiskReplicaPair", ebsPairParams(s.srcDisk, s.dstDisk)).Str("ReplicaPairId")
	s.ok(ctx, "StartDiskReplicaPair", url.Values{"RegionId": {srcRegion}, "ReplicaPairId": {pair}})
	_, err := s.f.NeedVirtualClock().Advance(ctx, 10*time.Minute)
	Expect(err).NotTo(HaveOccurred())
	drill = s.ok(ctx, "StartPairDrill", url.Values{"RegionId": {dstRegion}, "PairId": {pair}}).Str("DrillId")
	s.force(ctx, drill, map[string]string{"Status": s.state("PairDrill", "Status", "executed")})
	return s.staged("PairDrill", drill), pair
}

// sceneBuilder stages what one action names and returns the request's own parameters.
type sceneBuilder func(ctx SpecContext, s *scene) url.Values

func withCase(s *scene, q url.Values) url.Values {
	for k, v := range s.c.Params {
		q.Set(k, v)
	}
	return q
}

func onJob(ctx SpecContext, s *scene) url.Values {
	return withCase(s, url.Values{"JobId": {s.jobIn(ctx)}})
}

func onSource(ctx SpecContext, s *scene) url.Values {
	id := s.sourceIn(ctx, s.state("SourceServer", "State", "Available"))
	return withCase(s, url.Values{"SourceId": {id}})
}

func onGroup(region string, member bool) sceneBuilder {
	return func(ctx SpecContext, s *scene) url.Values {
		g := ""
		if member {
			g = s.groupWithMember(ctx)
		} else {
			g = s.groupIn(ctx)
		}
		return withCase(s, url.Values{"RegionId": {region}, "ReplicaGroupId": {g}})
	}
}

func onPair(region string) sceneBuilder {
	return func(ctx SpecContext, s *scene) url.Values {
		return withCase(s, url.Values{"RegionId": {region}, "ReplicaPairId": {s.pairIn(ctx)}})
	}
}

// membership stages a group and a pair for Add and Remove: for Remove the pair is a member
// first (added while both are created), then both are forced.
func membership(member bool) sceneBuilder {
	return func(ctx SpecContext, s *scene) url.Values {
		g := s.ok(ctx, "CreateDiskReplicaGroup", groupParams("")).Str("ReplicaGroupId")
		s.force(ctx, g, map[string]string{"Status": "created"})
		p := s.ok(ctx, "CreateDiskReplicaPair", ebsPairParams(s.srcDisk, s.dstDisk)).Str("ReplicaPairId")
		q := url.Values{"RegionId": {srcRegion}, "ReplicaGroupId": {g}, "ReplicaPairId": {p}}
		if member {
			s.ok(ctx, "AddDiskReplicaPair", q)
		}
		s.force(ctx, g, map[string]string{"Status": s.state("ReplicaGroup", "Status", "created")})
		s.force(ctx, p, map[string]string{"Status": s.state("ReplicaPair", "Status", "created")})
		s.staged("ReplicaGroup", g)
		s.staged("ReplicaPair", p)
		return withCase(s, q)
	}
}

// scenes say, per action, how to stage the objects it names. Failover, reprotect and drills
// run in the secondary region, pair deletion in the primary (docs/reference-ebs.md, sites);
// actions that move a group's pairs need a member in step with the group.
var scenes = map[string]sceneBuilder{
	"CreateReplicationJob": func(ctx SpecContext, s *scene) url.Values {
		id := s.sourceIn(ctx, s.state("SourceServer", "State", "Available"))
		return withCase(s, url.Values{"SourceId": {id}, "Name": {s.f.Name("job")}})
	},
	"CutOverReplicationJob":         onJob,
	"DeleteReplicationJob":          onJob,
	"ModifyReplicationJobAttribute": onJob,
	"StartReplicationJob":           onJob,
	"StopReplicationJob":            onJob,
	"DeleteSourceServer":            onSource,
	"ModifySourceServerAttribute":   onSource,

	"AddDiskReplicaPair":    membership(false),
	"RemoveDiskReplicaPair": membership(true),
	"ClearReplicaGroupDrill": func(ctx SpecContext, s *scene) url.Values {
		drill, group := s.drillIn(ctx)
		return withCase(s, url.Values{"RegionId": {dstRegion}, "GroupId": {group}, "DrillId": {drill}})
	},
	"ClearPairDrill": func(ctx SpecContext, s *scene) url.Values {
		drill, pair := s.pairDrillIn(ctx)
		return withCase(s, url.Values{"RegionId": {dstRegion}, "PairId": {pair}, "DrillId": {drill}})
	},
	"CreateDiskReplicaPair": func(ctx SpecContext, s *scene) url.Values {
		s.staged("Disk", s.srcDisk)
		return withCase(s, ebsPairParams(s.srcDisk, s.dstDisk))
	},
	"DeleteDiskReplicaGroup":    onGroup(srcRegion, false),
	"ModifyDiskReplicaGroup":    onGroup(srcRegion, false),
	"StopDiskReplicaGroup":      onGroup(srcRegion, false),
	"StartDiskReplicaGroup":     onGroup(srcRegion, true),
	"FailoverDiskReplicaGroup":  afterFirstSync(onGroup(dstRegion, true)),
	"ReprotectDiskReplicaGroup": onGroup(dstRegion, true),
	"DeleteDiskReplicaPair":     onPair(srcRegion),
	"ModifyDiskReplicaPair":     onPair(srcRegion),
	"StartDiskReplicaPair":      onPair(srcRegion),
	"StopDiskReplicaPair":       onPair(srcRegion),
	"FailoverDiskReplicaPair":   afterFirstSync(onPair(dstRegion)),
	"ReprotectDiskReplicaPair":  onPair(dstRegion),
}

// snapshot reads every staged object of the scene from the control plane.
func (s *scene) snapshot(ctx context.Context) map[string]map[string]any {
	GinkgoHelper()
	st, err := s.ctl.State(ctx, s.key)
	Expect(err).NotTo(HaveOccurred())
	out := map[string]map[string]any{}
	for _, kind := range s.order {
		if obj, ok := framework.FindObject(st, s.object(kind), s.ids[kind]); ok {
			out[kind] = obj
		}
	}
	return out
}

func (s *scene) object(kind string) *spec.Object { return s.c.Action.Product.Objects[kind] }

func runStateCase(ctx SpecContext, s *scene, q url.Values) {
	GinkgoHelper()
	before := s.snapshot(ctx)
	for _, kind := range s.order {
		Expect(before).To(HaveKey(kind), "the staged %s %s is in the account's state", kind, s.ids[kind])
		Expect(framework.StateOf(s.object(kind), before[kind])).To(includeStates(s.c.States[kind]),
			"the staged %s %s is in the case's state", kind, s.ids[kind])
	}
	r := s.call(ctx, s.c.Action.Name, q)
	if !s.c.Allowed {
		Expect(r).To(framework.HaveError(s.c.Expect.Code, s.c.Expect.Status, s.c.Message))
		after := s.snapshot(ctx)
		for _, kind := range s.order {
			Expect(after[kind]).To(Equal(before[kind]), "a refused %s leaves the %s unchanged", s.c.Action.Name, kind)
		}
		return
	}
	Expect(r).To(framework.Succeed200())
	checkEffect(ctx, s, r, before)
}

// includeStates matches a state map holding at least the wanted fields and values.
func includeStates(want map[string]string) OmegaMatcher {
	keys := make([]OmegaMatcher, 0, len(want))
	for k, v := range want {
		keys = append(keys, HaveKeyWithValue(k, v))
	}
	return SatisfyAll(keys...)
}

// checkEffect checks an allowed call: the action's object shows what the effect sets (a
// created object is found by the ID the answer carries), settles and disappears as the
// effect says while the clock moves, and every other staged object keeps its state.
func checkEffect(ctx SpecContext, s *scene, r *framework.Result, before map[string]map[string]any) {
	GinkgoHelper()
	a := s.c.Action
	target := a.Object
	if _, ok := s.ids[target]; !ok && target != "" {
		if id := r.Str(s.object(target).IDField); id != "" {
			s.staged(target, id)
		} else {
			target = ""
		}
	}
	after := s.snapshot(ctx)
	for _, kind := range s.order {
		o := s.object(kind)
		if kind != target || s.c.Effect == nil {
			if b, ok := before[kind]; ok {
				Expect(framework.StateOf(o, after[kind])).To(Equal(framework.StateOf(o, b)),
					"%s leaves the %s's state unchanged (the contract states no effect on it)", a.Name, kind)
			}
			continue
		}
		j := cases.Judge{Object: o, Effect: s.c.Effect, Before: framework.StateOf(o, before[kind]), Exact: s.exact && s.f.T.Caps.VirtualClock}
		Expect(after).To(HaveKey(kind), "the %s %s still exists right after %s", kind, s.ids[kind], a.Name)
		Expect(j.RightAfter(framework.StateOf(o, after[kind]))).To(BeEmpty(), "the %s right after %s", kind, a.Name)
		if len(s.c.Effect.Settles) > 0 || s.c.Effect.Deletes {
			settle(ctx, s, kind, j)
		}
	}
}

// settle moves the clock until the object reaches the effect's settled state, or is gone when
// the effect deletes it, checking every state it shows on the way.
func settle(ctx SpecContext, s *scene, kind string, j cases.Judge) {
	GinkgoHelper()
	ctl := s.f.NeedVirtualClock()
	var seen []string
	for _, step := range settleSteps {
		_, err := ctl.Advance(ctx, step)
		Expect(err).NotTo(HaveOccurred())
		obj, ok := s.snapshot(ctx)[kind]
		if !ok {
			Expect(j.Effect.Deletes).To(BeTrue(), "the %s disappeared, but the effect does not delete it (seen %v)", kind, seen)
			return
		}
		now := framework.StateOf(j.Object, obj)
		seen = append(seen, fmt.Sprint(sortedValues(now)))
		settled, problem := j.Along(now)
		Expect(problem).To(BeEmpty(), "the %s while it settles (seen %v)", kind, seen)
		if settled && !j.Effect.Deletes {
			return
		}
	}
	what := fmt.Sprintf("reach %v", j.Effect.Settles)
	if j.Effect.Deletes {
		what = "disappear"
	}
	Fail(fmt.Sprintf("the %s did not %s within %v of business time (seen %v)", kind, what, total(settleSteps), seen))
}

func sortedValues(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = k + "=" + m[k]
	}
	return out
}

func total(ds []time.Duration) time.Duration {
	var t time.Duration
	for _, d := range ds {
		t += d
	}
	return t
}

// Related-object rules the contract documents with a precondition's code but no
// x-acs-preconditions entry, because the state belongs to an object the request does not
// name: a job's source, a disk already replicating.
var _ = Describe("State of related objects", Label("precondition", "needs:writes"), func() {
	f := framework.New()
	for _, c := range []struct{ action, sync string }{{"StartReplicationJob", ""}, {"CutOverReplicationJob", "true"}} {
		It(c.action+" on a job whose source server became Unavailable returns 400 SourceServerState.Invalid", errorLabels(c.action, "SourceServerState.Invalid", "precondition", "needs:control"), func(ctx SpecContext) {
			ids, objs := sources(f, 1)
			acct := ownAccount(ctx, f, map[string][]map[string]any{"sourceServers": objs})
			job := acct.ok(ctx, "CreateReplicationJob", jobParams(ids[0], f.Name("job"), "RunOnce", "false", "Frequency", "12", "MaxNumberOfImageToKeep", "2")).Str("JobId")
			q := url.Values{"JobId": {job}}
			if c.sync != "" {
				Expect(f.NeedControl().Force(ctx, acct.key, job, map[string]string{"Status": "Waiting"})).To(Succeed())
				q.Set("SyncData", c.sync)
			}
			Expect(f.NeedControl().Force(ctx, acct.key, ids[0], map[string]string{"State": "Unavailable"})).To(Succeed())
			expectError(acct.call(ctx, c.action, q), c.action, "SourceServerState.Invalid", "Unavailable", "Available, InUse")
		})
	}
	It("CreateDiskReplicaPair with a disk that already replicates returns 403 OperationDenied.InvalidStatus", errorLabels("CreateDiskReplicaPair", "OperationDenied.InvalidStatus", "precondition"), func(ctx SpecContext) {
		if !f.T.Caps.Control {
			w := f.Walker(ctx)
			d := w.Lease("")
			pair := w.Walk(ctx, w.Plan("ReplicaPair", map[string]string{"Status": "created"}, spec.PlanOptions{}), &framework.Env{Disks: d})
			q := pair.Address("CreateDiskReplicaPair")
			q.Del("ReplicaPairId")
			for k, v := range map[string]string{"SourceZoneId": d.Src.Zone, "DiskId": d.Src.ID, "DestinationRegionId": d.Dst.Region,
				"DestinationZoneId": d.Dst.Zone, "DestinationDiskId": d.Dst.ID, "PairName": f.Name("pair")} {
				q.Set(k, v)
			}
			r := f.Call(ctx, "CreateDiskReplicaPair", q)
			w.AdoptCreated(r) // a target that wrongly accepts still gets its second pair removed
			expectError(r, "CreateDiskReplicaPair", "OperationDenied.InvalidStatus")
			return
		}
		e := newEBSAccount(ctx, f, 1, "Available")
		e.pair(ctx, 0)
		expectError(e.call(ctx, "CreateDiskReplicaPair", e.pairParams(0)), "CreateDiskReplicaPair", "OperationDenied.InvalidStatus")
	})
})
