package conformance

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/smcct/smcct/cases"
	"github.com/smcct/smcct/spec"
	"github.com/smcct/smcct/suites/framework"
)

// What an accepted request does, generated from the contract's semantic annotations: lists
// page as x-acs-list says, writes show what they were sent (x-acs-roundtrip), tokens make
// retries harmless (x-acs-idempotency), and flags change what they say (x-acs-flag and
// conditioned x-acs-effects). Filters are in filters.go.
var _ = Describe("Paging", Label("semantics", "paging", "needs:writes"), func() {
	f := framework.New()
	for _, a := range framework.Catalog().Actions() {
		for _, c := range cases.PagingCases(a) {
			It(c.Describe(), Label(c.Labels()...), func(ctx SpecContext) { runPaging(ctx, f, c) })
		}
	}
})

var _ = Describe("Round trips", Label("semantics", "roundtrip", "needs:writes"), func() {
	f := framework.New()
	for _, a := range framework.Catalog().Actions() {
		for _, c := range cases.RoundTripCases(a) {
			It(c.Describe(), Label(c.Labels()...), func(ctx SpecContext) { runRoundTrip(ctx, f, c) })
		}
	}
})

var _ = Describe("Idempotency", Label("semantics", "idempotency", "needs:writes"), func() {
	f := framework.New()
	for _, a := range framework.Catalog().Actions() {
		for _, c := range cases.IdempotencyCases(a) {
			It(c.Describe(), Label(c.Labels()...), func(ctx SpecContext) { runIdempotency(ctx, f, c) })
		}
	}
})

var _ = Describe("Flags", Label("semantics", "flag", "needs:writes"), func() {
	f := framework.New()
	for _, a := range framework.Catalog().Actions() {
		for _, c := range cases.FlagCases(a) {
			It(c.Describe(), Label(c.Labels()...), func(ctx SpecContext) { runFlag(ctx, f, c) })
		}
	}
})

// ---------------------------------------------------------------- paging

// pagedObjects makes n objects of the list's kind and returns them with the request that
// narrows the list to exactly them (the list's ID filter), so that counts are exact on any
// account.
func pagedObjects(ctx SpecContext, w *world, a *spec.Action, kind string, n int) ([]string, url.Values) {
	GinkgoHelper()
	made := make([]string, n)
	for i := range made {
		made[i] = w.makeFor(ctx, cases.FilterCase{Action: a, Kind: kind}, nil)
	}
	q := ownerWith(a)
	if idp := a.IDFilter(); idp != nil {
		for k, v := range (cases.FilterValue{Texts: made}).Params(idp) {
			q[k] = v
		}
	}
	return made, q
}

func runPaging(ctx SpecContext, f *framework.F, c cases.PagingCase) {
	GinkgoHelper()
	w := newWorld(ctx, f)
	a, pg := c.Action, c.Paging
	switch c.Check {
	case "defaults":
		_, q := pagedObjects(ctx, w, a, c.Kind, 1)
		r := w.ok(ctx, a.Name, merge(w.scopeOf(a), q))
		for _, e := range pg.Echo {
			p, _ := a.Param(e)
			d, _ := p.Default()
			Expect(spec.WireText(r.Response.Data[e])).To(Equal(d), "%s echoes the default %s", a.Name, e)
		}
	case "beyond":
		_, q := pagedObjects(ctx, w, a, c.Kind, 2)
		q.Set(pg.Number, "5")
		q.Set(pg.Size, "2")
		r := w.ok(ctx, a.Name, merge(w.scopeOf(a), q))
		items, _ := a.List.ItemsOf(r.Response.Data)
		Expect(items).To(BeEmpty(), "page 5 of 2 objects holds nothing")
		Expect(spec.WireText(r.Response.Data[pg.Total])).To(Equal("2"), "%s still counts every match", pg.Total)
		echoes(r, pg, q)
	case "walk":
		n := c.Items
		if a.List.Owner != nil {
			n = 3 // bindings: three objects carry them
		}
		made, q := pagedObjects(ctx, w, a, c.Kind, n)
		if a.List.Owner != nil {
			made = w.bindings(ctx, a, made, c.Items)
		}
		var seen []string
		if pg.Style == spec.PagesStyle {
			seen = walkPages(ctx, w, c, q)
		} else {
			seen = walkTokens(ctx, w, c, q)
		}
		Expect(seen).To(ConsistOf(uniq(seen)), "no item is listed twice across pages")
		Expect(uniq(seen)).To(ConsistOf(made), "the pages together list every item")
	}
}

// bindings tags the objects of a kindless list (tag bindings) until they carry n in all, and
// returns the keys of every binding: the world's one key on each object (makeFor) and as
// many more keys as it takes.
func (w *world) bindings(ctx context.Context, a *spec.Action, objects []string, n int) []string {
	GinkgoHelper()
	var keys []string
	for _, id := range objects {
		keys = append(keys, itemKey(id, w.tagKey))
	}
	for i := 0; len(keys) < n; i = (i + 1) % len(objects) {
		q := url.Values{"ResourceId.1": {objects[i]}}
		for k, v := range a.List.Owner.With {
			q.Set(k, v)
		}
		per := (n + len(objects) - 1) / len(objects) // spread evenly: at most 20 tags on one object
		for t := 1; t < per && len(keys) < n; t++ {
			key := w.f.Name("k")
			q.Set(fmt.Sprintf("Tag.%d.Key", t), key)
			q.Set(fmt.Sprintf("Tag.%d.Value", t), "v")
			keys = append(keys, itemKey(objects[i], key))
		}
		w.ok(ctx, "TagResources", q)
	}
	return keys
}

// itemKeys name items once each: a kind's ID, or the fields of x-acs-list key (a binding's
// resource and tag key).
func itemKeys(a *spec.Action, items []map[string]any) []string {
	if len(a.List.Key) == 0 {
		return itemIDs(a, items)
	}
	out := make([]string, 0, len(items))
	for _, it := range items {
		var parts []string
		for _, k := range a.List.Key {
			parts = append(parts, spec.WireText(it[k]))
		}
		out = append(out, itemKey(parts...))
	}
	return out
}

func itemKey(parts ...string) string { return strings.Join(parts, "/") }

func walkPages(ctx SpecContext, w *world, c cases.PagingCase, q url.Values) []string {
	GinkgoHelper()
	a, pg := c.Action, c.Paging
	var seen []string
	for page, want := range []int{2, 1, 0} {
		q.Set(pg.Number, strconv.Itoa(page+1))
		q.Set(pg.Size, strconv.Itoa(c.Size))
		r := w.ok(ctx, a.Name, merge(w.scopeOf(a), q))
		items, _ := a.List.ItemsOf(r.Response.Data)
		Expect(items).To(HaveLen(want), "page %d of 3 objects by %d", page+1, c.Size)
		Expect(spec.WireText(r.Response.Data[pg.Total])).To(Equal("3"), "%s on page %d", pg.Total, page+1)
		echoes(r, pg, q)
		seen = append(seen, itemKeys(a, items)...)
	}
	return seen
}

func walkTokens(ctx SpecContext, w *world, c cases.PagingCase, q url.Values) []string {
	GinkgoHelper()
	a, pg := c.Action, c.Paging
	if pg.Size != "" {
		q.Set(pg.Size, strconv.Itoa(c.Size))
	}
	var seen []string
	for pages := 0; pages < 6; pages++ {
		r := w.ok(ctx, a.Name, merge(w.scopeOf(a), q))
		items, _ := a.List.ItemsOf(r.Response.Data)
		if pg.Size != "" {
			Expect(len(items)).To(BeNumerically("<=", c.Size), "a page holds at most %s=%d items", pg.Size, c.Size)
		}
		seen = append(seen, itemKeys(a, items)...)
		next := spec.WireText(r.Response.Data[pg.Token])
		if next == "" && pages == 0 && pg.Fixed > 0 && len(items) > pg.Fixed {
			// Our page size is a choice, not the docs': a target may hold more on a page.
			Skip(fmt.Sprintf("the target put all %d items on one page (we chose %d), so %s was never followed", len(items), pg.Fixed, pg.Token))
		}
		if next == "" {
			return seen
		}
		Expect(len(items)).NotTo(BeZero(), "a page before the last one holds items")
		q.Set(pg.Token, next)
	}
	Fail(fmt.Sprintf("%s did not end after 6 pages of 3 objects", pg.Token))
	return nil
}

// echoes checks that each echo field repeats what the request asked.
func echoes(r *framework.Result, pg spec.Paging, q url.Values) {
	GinkgoHelper()
	for _, e := range pg.Echo {
		Expect(spec.WireText(r.Response.Data[e])).To(Equal(q.Get(e)), "%s echoes the request's %s", e, e)
	}
}

func merge(qs ...url.Values) url.Values {
	out := url.Values{}
	for _, q := range qs {
		for k, v := range q {
			out[k] = v
		}
	}
	return out
}

func uniq(list []string) []string {
	var out []string
	for _, x := range list {
		if !contains(out, x) {
			out = append(out, x)
		}
	}
	return out
}

// ---------------------------------------------------------------- round trips

func runRoundTrip(ctx SpecContext, f *framework.F, c cases.RoundTripCase) {
	GinkgoHelper()
	w := newWorld(ctx, f)
	a, p := c.Action, c.Param
	value := c.Value
	if s, ok := value.(string); ok && p.RoundTrip.Example == nil && strings.HasSuffix(p.Name, "Name") {
		value = w.f.Name("rt") // names are unique in an account: one of the spec's own
		_ = s
	}
	sent := url.Values{}
	if value != nil {
		sent = cases.Query(a, map[string]any{p.Name: value})
	}
	for k, v := range c.With {
		sent.Set(k, v)
	}
	var id string
	w.jobNeeds = sent // a job's source must have the data disks the request names
	if verbOf(a.Name) == "Create" {
		var r *framework.Result
		id, r = w.create(ctx, a, c.Kind, sent)
		if value == nil {
			value = r.Request.Query.Get(p.Name) // an ID the world chose (a disk)
		}
	} else {
		id = w.make(ctx, c.Kind, nil, false)
		w.keepFixture(ctx, c.Kind, id)
		q := merge(regionOf(a), sent)
		q.Set(a.Product.Objects[c.Kind].IDParam, id)
		w.ok(ctx, a.Name, q)
	}
	item, ok := w.item(ctx, c.Kind, id)
	Expect(ok).To(BeTrue(), "%s lists the %s %s", c.Lister.Name, c.Kind, id)
	got, _ := spec.Field(item, p.RoundTrip.Field)
	Expect(cases.Shows(value, got, p.RoundTrip.Fields)).To(BeEmpty(), "%s shows %s as it was sent", c.Lister.Name, p.RoundTrip.Field)
}

// create makes an object with a given create action: the kind's own create with the world's
// defaults, or another action's baseline request.
func (w *world) create(ctx context.Context, a *spec.Action, kind string, extra url.Values) (string, *framework.Result) {
	GinkgoHelper()
	var q url.Values
	if creator, ok := a.Product.Creator(kind); ok && creator == a {
		q = w.createParams(ctx, kind, false)
	} else {
		base, ok := cases.Baseline(a)
		Expect(ok).To(BeTrue(), "a valid %s request", a.Name)
		q = cases.Query(a, base)
	}
	q = merge(q, extra)
	r := w.ok(ctx, a.Name, q)
	w.cleanup(ctx, a, r)
	id := r.Str(a.Product.Objects[kind].IDField)
	Expect(id).NotTo(BeEmpty(), "%s answers the new %s's ID", a.Name, kind)
	return id, r
}

// keepFixture restores what a spec changes on an object it did not make (a source server
// of the default account) once it ends.
func (w *world) keepFixture(ctx context.Context, kind, id string) {
	GinkgoHelper()
	if w.own || kind != "SourceServer" {
		return
	}
	item, ok := w.item(ctx, kind, id)
	if !ok {
		return
	}
	c := w.c
	w.f.Cleanup(func(ctx context.Context) {
		q := url.Values{"SourceId": {id}, "Name": {spec.WireText(item["Name"])}, "Description": {spec.WireText(item["Description"])}}
		_, _ = c.Call(ctx, framework.MustAction("ModifySourceServerAttribute"), q)
	})
}

// ---------------------------------------------------------------- idempotency

func runIdempotency(ctx SpecContext, f *framework.F, c cases.IdempotencyCase) {
	GinkgoHelper()
	w := newWorld(ctx, f)
	a := c.Action
	token := f.Token()
	switch verb := verbOf(a.Name); {
	case verb == "Create":
		idempotentCreate(ctx, w, c, token)
	case verb == "Modify":
		id := w.make(ctx, c.Kind, nil, false)
		q := regionOf(a)
		q.Set(a.Product.Objects[c.Kind].IDParam, id)
		q.Set(c.Token.Name, token)
		first := w.f.Name("first")
		w.ok(ctx, a.Name, merge(q, url.Values{c.Changed.Name: {first}}))
		r := w.call(ctx, a.Name, merge(q, url.Values{c.Changed.Name: {w.f.Name("second")}}))
		retried(r, c)
		item, _ := w.item(ctx, c.Kind, id)
		Expect(spec.WireText(item[c.Changed.RoundTrip.Field])).To(Equal(first), "a retry with the same %s changes nothing", c.Token.Name)
	default:
		q := w.scene(ctx, a, c.Kind)
		q.Set(c.Token.Name, token)
		w.ok(ctx, a.Name, q)
		w.moveOn(ctx, a, q)
		Expect(w.call(ctx, a.Name, q)).To(framework.Succeed200(), "a retry with the same %s answers as the first call", c.Token.Name)
	}
}

func idempotentCreate(ctx SpecContext, w *world, c cases.IdempotencyCase, token string) {
	GinkgoHelper()
	a := c.Action
	kind := c.Kind
	lister, _, _ := a.Product.Lister(kind)
	before := len(w.list(ctx, lister.Name, nil))
	q := w.createParamsFor(ctx, a, kind)
	q.Set(c.Token.Name, token)
	if c.Changed != nil {
		q.Set(c.Changed.Name, w.f.Name("first"))
	}
	idField := a.Product.Objects[kind].IDField
	first := w.ok(ctx, a.Name, q)
	w.cleanup(ctx, a, first)
	id := first.Str(idField)
	if c.Check == "changed" {
		q.Set(c.Changed.Name, w.f.Name("second"))
	}
	r := w.call(ctx, a.Name, q)
	if c.Check == "changed" {
		retried(r, c)
		item, _ := w.item(ctx, kind, id)
		Expect(spec.WireText(item[c.Changed.RoundTrip.Field])).To(Equal(first.Request.Query.Get(c.Changed.Name)), "the first %s stays", c.Changed.Name)
	} else {
		Expect(r).To(framework.Succeed200(), "a retry with the same %s answers as the first call", c.Token.Name)
	}
	if r.OK() {
		Expect(r.Str(idField)).To(Equal(id), "the retry answers the first call's %s", idField)
	}
	Expect(w.list(ctx, lister.Name, nil)).To(HaveLen(before+1), "the retry made no second %s", kind)
}

// retried checks a changed retry: the documented mismatch, else the first answer.
func retried(r *framework.Result, c cases.IdempotencyCase) {
	GinkgoHelper()
	if c.Mismatch.Code != "" {
		Expect(r).To(framework.HaveDocumentedError(c.Mismatch))
		return
	}
	Expect(r).To(framework.Succeed200(), "a retry with the same %s answers as the first call", c.Token.Name)
}

func verbOf(action string) string {
	for i := 1; i < len(action); i++ {
		if action[i] >= 'A' && action[i] <= 'Z' {
			return action[:i]
		}
	}
	return action
}

// createParamsFor is a create request for a kind through a given action.
func (w *world) createParamsFor(ctx context.Context, a *spec.Action, kind string) url.Values {
	GinkgoHelper()
	if creator, ok := a.Product.Creator(kind); ok && creator == a {
		return w.createParams(ctx, kind, false)
	}
	base, ok := cases.Baseline(a)
	Expect(ok).To(BeTrue(), "a valid %s request", a.Name)
	return cases.Query(a, base)
}

// scene stages what a delete, add or remove names and returns its request: a new object
// to delete, a group and a pair to join, a group with a member to part.
func (w *world) scene(ctx context.Context, a *spec.Action, kind string) url.Values {
	GinkgoHelper()
	q := regionOf(a)
	switch verbOf(a.Name) {
	case "Delete":
		id := w.make(ctx, kind, nil, false)
		q.Set(a.Product.Objects[kind].IDParam, id)
		w.allow(ctx, a, kind, id)
	case "Add", "Remove":
		g := w.make(ctx, "ReplicaGroup", nil, false)
		p := w.make(ctx, "ReplicaPair", nil, false)
		q.Set("ReplicaGroupId", g)
		q.Set("ReplicaPairId", p)
		if verbOf(a.Name) == "Remove" {
			w.ok(ctx, "AddDiskReplicaPair", q)
		}
	default:
		Skip("no scene for " + a.Name)
	}
	return q
}

// allow puts a new object in a state the action's preconditions accept, when it is not in
// one already: only the control plane can force it.
func (w *world) allow(ctx context.Context, a *spec.Action, kind, id string) {
	GinkgoHelper()
	item, _ := w.item(ctx, kind, id)
	for _, pc := range a.Applicable(nil) {
		if pc.Kind(a) != kind || pc.Allows(spec.WireText(item[pc.Field])) {
			continue
		}
		if !w.own {
			Skip(fmt.Sprintf("%s needs the %s in %v, which only the control plane reaches quickly", a.Name, kind, pc.In))
		}
		Expect(w.ctl.Force(ctx, w.key, id, map[string]string{pc.Field: pc.In[0]})).To(Succeed())
	}
}

// moveOn changes the world after a first call so that the same call made afresh would be
// refused: only a target that remembers the token can answer the retry as it answered the
// first. A deleted object is let go (the clock moves on); a group a pair joined starts
// syncing, which takes no more pairs. A removed pair is already out of its group.
func (w *world) moveOn(ctx context.Context, a *spec.Action, q url.Values) {
	GinkgoHelper()
	switch verbOf(a.Name) {
	case "Delete":
		if !w.f.T.Caps.VirtualClock {
			Skip("a deleted object takes time to go; without a virtual clock a retry cannot be told from a fresh call")
		}
		_, err := w.ctl.Advance(ctx, time.Hour)
		Expect(err).NotTo(HaveOccurred())
	case "Add":
		w.ok(ctx, "StartDiskReplicaGroup", url.Values{"RegionId": {q.Get("RegionId")}, "ReplicaGroupId": {q.Get("ReplicaGroupId")}})
	}
}
