package conformance

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/smcct/smcct/cases"
	"github.com/smcct/smcct/spec"
	"github.com/smcct/smcct/suites/framework"
)

// A world is where one generated semantic spec makes and reads its objects. On a target with
// the control plane it is a private account seeded with source servers and disks, so that
// its lists hold exactly what the spec made; on any other target it is the default account,
// where the objects the API cannot create (source servers) are found through Describe, every
// object the spec makes is deleted at cleanup, and checks look only at the spec's own objects.
type world struct {
	f   *framework.F
	c   *framework.Client
	key string             // the private account's AccessKeyId; "" for the default account
	ctl *framework.Control // nil without a control plane
	// sources are Available source servers not yet handed out; disks pairs of disks, one in
	// the source zone and one in the destination zone.
	sources []string
	disks   [][2]string
	// held are the sources a world on an endpoint leased, in the order it leased them;
	// sourceItems the listed sources by ID; jobNeeds the job request the next source must
	// serve (its data disks).
	held        []string
	sourceItems map[string]map[string]any
	jobNeeds    url.Values
	own         bool
	// drillGroup is the synced group the world's drills run on, once one is needed;
	// drillPair the synced pair its pair drills run on.
	drillGroup, drillPair string
	// tagKey is the one tag key the world's tag bindings share.
	tagKey string
}

// worldSources and worldDisks are what a private account is seeded with: enough for the
// largest spec (paging makes three objects, a filter two plus their links).
const worldSources, worldDisks = 4, 4

func newWorld(ctx SpecContext, f *framework.F) *world {
	GinkgoHelper()
	f.NeedWrites()
	w := &world{f: f}
	if !f.T.Caps.Control {
		w.c = f.Client
		return w
	}
	w.ctl, w.own = f.T.Control(), true
	ids, srcs := sources(f, worldSources)
	var disks []map[string]any
	for i := 0; i < worldDisks; i++ {
		s, d := f.ID("d-"), f.ID("d-")
		w.disks = append(w.disks, [2]string{s, d})
		disks = append(disks,
			map[string]any{"DiskId": s, "RegionId": srcRegion, "ZoneId": srcZone, "Size": 100, "Category": "cloud_essd", "Status": "Available"},
			map[string]any{"DiskId": d, "RegionId": dstRegion, "ZoneId": dstZone, "Size": 100, "Category": "cloud_essd", "Status": "Available"})
	}
	acct := ownAccount(ctx, f, map[string][]map[string]any{"sourceServers": srcs, "disks": disks})
	w.c, w.key, w.sources = acct.c, acct.key, ids
	return w
}

// call sends an action from the world's account. Where RegionId is an optional filter
// (DescribeReplicationJobs), the client's own RegionId is left out unless q sets it: it
// would narrow the list.
func (w *world) call(ctx context.Context, name string, q url.Values) *framework.Result {
	GinkgoHelper()
	a := w.f.NeedAction(name)
	if p, ok := a.Param("RegionId"); !ok || p.Required || p.Filter == nil || q.Has("RegionId") {
		return w.f.CallWith(ctx, w.c, a, q)
	}
	req, err := w.c.RPC().NewRequest(a.Product.Version, a.Name, q)
	Expect(err).NotTo(HaveOccurred())
	req.Query.Del("RegionId")
	if req.Form != nil {
		req.Form.Del("RegionId")
	}
	Expect(w.c.RPC().Sign(req)).To(Succeed())
	return w.f.SendWith(ctx, w.c, a, req)
}

// ok sends an action that must succeed as a step towards the check.
func (w *world) ok(ctx context.Context, name string, q url.Values) *framework.Result {
	GinkgoHelper()
	r := w.call(ctx, name, q)
	Expect(r).To(framework.Succeed200(), "setup step %s", name)
	return r
}

// source hands out an Available source server: a seeded one, or one the default account
// lists as Available.
func (w *world) source(ctx context.Context) string {
	GinkgoHelper()
	if w.own {
		Expect(w.sources).NotTo(BeEmpty(), "the world ran out of seeded source servers")
		id := w.sources[0]
		w.sources = w.sources[1:]
		return id
	}
	if w.sources == nil {
		w.sources, w.sourceItems = []string{}, map[string]map[string]any{}
		for _, it := range w.list(ctx, "DescribeSourceServers", url.Values{"State": {"Available"}}) {
			id := spec.WireText(it["SourceId"])
			w.sources, w.sourceItems[id] = append(w.sources, id), it
		}
		slices.Sort(w.sources)
	}
	// Other specs, in this process or another, use the same sources: a leased one is ours
	// until the spec's objects on it are gone. A world leases in ascending ID order, so two
	// specs that each need more sources than they hold never wait for each other.
	for {
		var after []string
		for _, id := range w.sources {
			if (len(w.held) == 0 || id > w.held[len(w.held)-1]) && servesDataDisks(w.sourceItems[id], w.jobNeeds) {
				after = append(after, id)
			}
		}
		if len(after) == 0 {
			Skip(fmt.Sprintf("needs more Available source servers with no replication job (and the data disks the request names) than the target has free at once: it lists %d, this spec holds %d", len(w.sources), len(w.held)))
		}
		// While holding none, wait as long as a walk holds a source; while holding some,
		// only briefly, since others may wait for ours.
		wait := time.Duration(0)
		if len(w.held) > 0 {
			wait = heldSourceWait
		}
		id := w.f.Walker(ctx).LeaseAmong("Available source server", after, wait)
		w.held = append(w.held, id)
		// A job on a leased source is no spec's of this run: its holder removed its own
		// before giving it back. The source stays leased, so nobody else meets that job.
		if it, ok := w.item(ctx, "SourceServer", id); ok && spec.WireText(it["State"]) == "Available" && !w.hasJobs(ctx, id) {
			return id
		}
	}
}

// servesDataDisks reports whether a source has every data disk a job request names by index
// (DataDisk.n.Index): a job may only copy disks its source has.
func servesDataDisks(src map[string]any, q url.Values) bool {
	have := map[string]bool{}
	disks, _ := spec.Field(src, "DataDisks.DataDisk")
	list, _ := disks.([]any)
	for _, d := range list {
		if m, ok := d.(map[string]any); ok {
			have[spec.WireText(m["Index"])] = true
		}
	}
	for k, v := range q {
		if strings.HasPrefix(k, "DataDisk.") && strings.HasSuffix(k, ".Index") && len(v) > 0 && !have[v[0]] {
			return false
		}
	}
	return true
}

// hasJobs reports whether the account lists a replication job, in any status, on a source.
// The jobs are asked rather than the source's JobId, which may name a job long gone.
func (w *world) hasJobs(ctx context.Context, src string) bool {
	GinkgoHelper()
	a := w.f.NeedAction("DescribeReplicationJobs")
	p, ok := a.Param("SourceId")
	Expect(ok).To(BeTrue(), "DescribeReplicationJobs filters by SourceId")
	for _, it := range w.list(ctx, a.Name, cases.FilterValue{Texts: []string{src}}.Params(p)) {
		if spec.WireText(it["SourceId"]) == src {
			return true
		}
	}
	return false
}

// heldSourceWait is how long a spec that already holds sources waits for one more.
const heldSourceWait = 30 * time.Second

// diskPair hands out two disks, one in the source zone and one in the destination zone.
func (w *world) diskPair() [2]string {
	GinkgoHelper()
	if !w.own {
		Skip("needs disks for a replica pair: the contract has no action that lists disks, and the target has no control plane to seed them")
	}
	Expect(w.disks).NotTo(BeEmpty(), "the world ran out of seeded disks")
	d := w.disks[0]
	w.disks = w.disks[1:]
	return d
}

// make creates one object of a kind through the public API and returns its ID. extra
// parameters override the defaults; mirror creates an EBS object in the opposite direction.
func (w *world) make(ctx context.Context, kind string, extra url.Values, mirror bool) string {
	GinkgoHelper()
	switch kind {
	case "SourceServer":
		return w.source(ctx)
	case "Drill":
		return w.drill(ctx)
	case "PairDrill":
		return w.pairDrill(ctx)
	}
	q := merge(w.createParams(ctx, kind, mirror), extra)
	a := w.f.NeedAction(creatorName(kind))
	r := w.ok(ctx, a.Name, q)
	w.cleanup(ctx, a, r)
	id := r.Str(a.Product.Objects[kind].IDField)
	Expect(id).NotTo(BeEmpty(), "%s answers the new %s's ID", a.Name, kind)
	if kind == "ReplicaGroup" {
		w.settle(ctx, kind, id, "Status", "created")
	}
	return id
}

// cleanup removes an object the world made in the default account when the spec ends. On a
// target without a control plane the walker removes it, first bringing it into a state a
// delete admits and then waiting until it is gone, so that the next spec finds its source
// free; its leases end only then.
func (w *world) cleanup(ctx context.Context, a *spec.Action, r *framework.Result) {
	GinkgoHelper()
	switch {
	case w.own:
	case w.f.T.Caps.Control:
		w.f.CleanupCreated(a, r)
	case w.f.Walker(ctx).AdoptCreated(r) == nil:
		w.f.CleanupCreated(a, r)
	}
}

// createParams is a valid create request for a kind, with the world's sources and disks.
func (w *world) createParams(ctx context.Context, kind string, mirror bool) url.Values {
	GinkgoHelper()
	switch kind {
	case "ReplicationJob":
		return jobParams(w.source(ctx), w.f.Name("job"))
	case "Workgroup":
		return url.Values{"Name": {w.f.Name("wg")}}
	case "AccessToken":
		return url.Values{"Name": {w.f.Name("token")}}
	case "ReplicaGroup":
		if mirror {
			return url.Values{"RegionId": {dstRegion}, "SourceZoneId": {dstZone}, "DestinationRegionId": {srcRegion}, "DestinationZoneId": {srcZone}}
		}
		return groupParams("")
	case "ReplicaPair":
		d := w.diskPair()
		if mirror {
			return url.Values{"RegionId": {dstRegion}, "SourceZoneId": {dstZone}, "DiskId": {d[1]},
				"DestinationRegionId": {srcRegion}, "DestinationZoneId": {srcZone}, "DestinationDiskId": {d[0]}}
		}
		return ebsPairParams(d[0], d[1])
	}
	Skip("no way to make a " + kind + " through the public API")
	return nil
}

func creatorName(kind string) string {
	for _, p := range framework.Catalog().Products() {
		if a, ok := p.Creator(kind); ok {
			return a.Name
		}
	}
	return "Create" + kind
}

// settle waits until an object shows a state: by moving a virtual clock, else by polling
// for a bounded time.
func (w *world) settle(ctx context.Context, kind, id, field, want string) {
	GinkgoHelper()
	var seen string
	for i := 0; i < 40; i++ {
		item, ok := w.item(ctx, kind, id)
		if ok {
			seen = spec.WireText(item[field])
			if seen == want {
				return
			}
		}
		if w.f.T.Caps.VirtualClock {
			_, err := w.ctl.Advance(ctx, 5*time.Second)
			Expect(err).NotTo(HaveOccurred())
			continue
		}
		time.Sleep(500 * time.Millisecond)
	}
	Fail(fmt.Sprintf("the %s %s did not reach %s %s (last seen %q)", kind, id, field, want, seen))
}

// drill starts a drill on the world's synced group (made on first use: a group with one
// member pair, started and run to its first recovery point on a virtual clock).
func (w *world) drill(ctx context.Context) string {
	GinkgoHelper()
	if w.drillGroup == "" {
		if !w.f.T.Caps.VirtualClock {
			Skip("a drill needs a group with a recovery point: minutes of syncing without a virtual clock")
		}
		g := w.make(ctx, "ReplicaGroup", nil, false)
		p := w.make(ctx, "ReplicaPair", nil, false)
		q := url.Values{"RegionId": {srcRegion}, "ReplicaGroupId": {g}}
		w.ok(ctx, "AddDiskReplicaPair", merge(q, url.Values{"ReplicaPairId": {p}}))
		w.ok(ctx, "StartDiskReplicaGroup", q)
		_, err := w.ctl.Advance(ctx, 10*time.Minute)
		Expect(err).NotTo(HaveOccurred())
		w.drillGroup = g
	}
	r := w.ok(ctx, "StartReplicaGroupDrill", url.Values{"RegionId": {dstRegion}, "GroupId": {w.drillGroup}})
	return r.Str("DrillId")
}

// pairDrill starts a drill on the world's synced pair, which it makes once.
func (w *world) pairDrill(ctx context.Context) string {
	GinkgoHelper()
	if w.drillPair == "" {
		if !w.f.T.Caps.VirtualClock {
			Skip("a drill needs a pair with a recovery point: minutes of syncing without a virtual clock")
		}
		p := w.make(ctx, "ReplicaPair", nil, false)
		w.ok(ctx, "StartDiskReplicaPair", url.Values{"RegionId": {srcRegion}, "ReplicaPairId": {p}})
		_, err := w.ctl.Advance(ctx, 10*time.Minute)
		Expect(err).NotTo(HaveOccurred())
		w.drillPair = p
	}
	r := w.ok(ctx, "StartPairDrill", url.Values{"RegionId": {dstRegion}, "PairId": {w.drillPair}})
	return r.Str("DrillId")
}

// scopeOf is what a list needs besides its filters: a region, and the group or pair of
// drills.
func (w *world) scopeOf(a *spec.Action) url.Values {
	q := regionOf(a)
	if p, ok := a.Param("GroupId"); ok && p.Required && w.drillGroup != "" {
		q.Set("GroupId", w.drillGroup)
	}
	if p, ok := a.Param("PairId"); ok && p.Required && w.drillPair != "" {
		q.Set("PairId", w.drillPair)
	}
	return q
}

// regionOf is the RegionId an EBS list needs; SMC lists take none.
func regionOf(a *spec.Action) url.Values {
	if p, ok := a.Param("RegionId"); ok && p.Required {
		return url.Values{"RegionId": {srcRegion}}
	}
	return url.Values{}
}

// list reads a whole list: the largest page the contract allows, every page followed.
func (w *world) list(ctx context.Context, action string, q url.Values) []map[string]any {
	GinkgoHelper()
	a := w.f.NeedAction(action)
	all := w.scopeOf(a)
	for k, v := range q {
		all[k] = v
	}
	var out []map[string]any
	pg, paged := pagesOf(a)
	if paged {
		all.Set(pg.Size, strconv.Itoa(maxOf(a, pg.Size)))
	}
	for page := 1; page <= 20; page++ {
		if paged {
			all.Set(pg.Number, strconv.Itoa(page))
		}
		r := w.call(ctx, action, all)
		Expect(r).To(framework.Succeed200(), "listing with %s", action)
		items, ok := a.List.ItemsOf(r.Response.Data)
		Expect(ok).To(BeTrue(), "%s answers %s", action, a.List.Items)
		out = append(out, items...)
		if !paged || len(items) < maxOf(a, pg.Size) {
			return out
		}
	}
	return out
}

// pagesOf is the list's numbered paging, if it has one.
func pagesOf(a *spec.Action) (spec.Paging, bool) {
	for _, pg := range a.List.Paging {
		if pg.Style == spec.PagesStyle {
			return pg, true
		}
	}
	return spec.Paging{}, false
}

// maxOf is a size parameter's maximum, 50 when the contract gives none.
func maxOf(a *spec.Action, name string) int {
	if p, ok := a.Param(name); ok && p.Schema.Max != nil {
		return int(*p.Schema.Max)
	}
	return 50
}

// item reads one object back through the list that can be narrowed to its ID; an EBS object
// that is not on the production side of the region is looked for on the backup side.
func (w *world) item(ctx context.Context, kind, id string) (map[string]any, bool) {
	GinkgoHelper()
	lister, idp, ok := framework.Catalog().Products()[productIndex(kind)].Lister(kind)
	if !ok {
		Skip("the contract has no list that finds a " + kind + " by ID")
	}
	q := cases.FilterValue{Texts: []string{id}}.Params(idp)
	for _, site := range []string{"", "backup"} {
		if site != "" {
			if _, has := lister.Param("Site"); !has {
				break
			}
			q.Set("Site", site)
		}
		o := lister.Product.Objects[kind]
		for _, it := range w.list(ctx, lister.Name, q) {
			if spec.WireText(it[o.IDField]) == id {
				return it, true
			}
		}
	}
	return nil, false
}

func productIndex(kind string) int {
	for i, p := range framework.Catalog().Products() {
		if _, ok := p.Objects[kind]; ok {
			return i
		}
	}
	return 0
}

// itemIDs lists the object IDs of items: their kind's ID field, or the owner's field.
func itemIDs(a *spec.Action, items []map[string]any) []string {
	kind, field, _ := a.List.OwnerOf()
	if field == "" {
		field = a.Product.Objects[kind].IDField
	}
	out := make([]string, 0, len(items))
	for _, it := range items {
		out = append(out, spec.WireText(it[field]))
	}
	return out
}

// without is the request with some parameters left out.
func without(q url.Values, names ...string) url.Values {
	out := url.Values{}
	for k, v := range q {
		if !contains(names, k) {
			out[k] = v
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func joinIDs(list []string) string { return strings.Join(list, ",") }
