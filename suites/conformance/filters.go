package conformance

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/smcct/smcct/cases"
	"github.com/smcct/smcct/spec"
	"github.com/smcct/smcct/suites/framework"
)

// Filters: generated from x-acs-filter. Each spec makes two objects that differ on the
// filtered field (x-acs-filter vary), reads what each shows, and checks that a value of one
// lists it and not the other, and that every listed item meets the filter; then the empty,
// "-", unknown-ID, default and AND rules the contract states.
var _ = Describe("Filters", Label("semantics", "filter"), func() {
	f := framework.New()
	for _, a := range framework.Catalog().Actions() {
		for _, c := range cases.FilterCases(a) {
			labels := c.Labels()
			if c.Check != cases.FilterUnknown || c.Expect.Code == "" || needsObjects(c.Action) {
				labels = append(labels, "needs:writes")
			}
			if c.Expect.Code != "" {
				labels = append(labels, "error", "code:"+c.Expect.Code)
			}
			It(c.Describe(), Label(labels...), func(ctx SpecContext) {
				runFilter(ctx, f, c)
			})
		}
	}
})

// needsObjects: the action's required parameters name objects a spec has to make.
func needsObjects(a *spec.Action) bool {
	for _, p := range a.Params {
		if _, ok := cases.IDKind(a, p.Name); ok && p.Required {
			return true
		}
	}
	return false
}

func runFilter(ctx SpecContext, f *framework.F, c cases.FilterCase) {
	GinkgoHelper()
	if c.Check == cases.FilterUnknown {
		unknownFilter(ctx, f, c)
		return
	}
	w := newWorld(ctx, f)
	switch c.Check {
	case cases.FilterNarrows:
		s := stageFilter(ctx, w, c)
		narrows(ctx, w, c, s.a, append([]string{s.b}, s.decoys...), s.va)
		if !emptyValue(s.vb) {
			narrows(ctx, w, c, s.b, []string{s.a}, s.vb) // an empty value selects nothing of its own
		}
	case cases.FilterEmpty:
		a, b := w.makeFor(ctx, c, nil), w.makeFor(ctx, c, nil)
		all := itemIDs(c.Action, w.list(ctx, c.Action.Name, ownerWith(c.Action)))
		q := ownerWith(c.Action)
		q.Set(c.Param.Name, "")
		got := itemIDs(c.Action, w.list(ctx, c.Action.Name, q))
		Expect(got).To(ContainElements(a, b), "an empty %s lists both objects", c.Param.Name)
		Expect(got).To(ConsistOf(all), "an empty %s lists what leaving it out lists", c.Param.Name)
	case cases.FilterNone:
		s := stageFilter(ctx, w, c)
		v := cases.FilterValue{Texts: []string{c.Filter.None}}
		narrows(ctx, w, c, s.b, []string{s.a}, v)
	case cases.FilterDefault:
		s := stageFilter(ctx, w, c)
		plain := itemIDs(c.Action, w.list(ctx, c.Action.Name, ownerWith(c.Action)))
		q := ownerWith(c.Action)
		q.Set(c.Param.Name, c.Default)
		Expect(plain).To(ConsistOf(itemIDs(c.Action, w.list(ctx, c.Action.Name, q))),
			"leaving %s out lists what %s=%s lists", c.Param.Name, c.Param.Name, c.Default)
		Expect(plain).To(Or(ContainElement(s.a), ContainElement(s.b)), "one of the two objects is on the default side")
	case cases.FilterAnd:
		andFilter(ctx, w, c)
	}
}

// narrows lists with the value of one object: it is listed, the others are not, and every
// item the filter can judge meets it.
func narrows(ctx context.Context, w *world, c cases.FilterCase, in string, out []string, v cases.FilterValue) {
	GinkgoHelper()
	q := ownerWith(c.Action)
	for k, vals := range v.Params(c.Param) {
		q[k] = vals
	}
	items := w.list(ctx, c.Action.Name, q)
	got := itemIDs(c.Action, items)
	Expect(got).To(ContainElement(in), "%s=%s lists the object it names", c.Param.Name, show(v))
	for _, o := range out {
		Expect(got).NotTo(ContainElement(o), "%s=%s leaves out an object it does not name (%s)", c.Param.Name, show(v), o)
	}
	for _, it := range items {
		if match, judged := cases.ItemMatches(c.Filter, it, v); judged {
			Expect(match).To(BeTrue(), "every item listed for %s=%s meets it, not %v", c.Param.Name, show(v), it)
		}
	}
}

func emptyValue(v cases.FilterValue) bool {
	return len(v.Tags) == 0 && (len(v.Texts) == 0 || v.Texts[0] == "")
}

func show(v cases.FilterValue) string {
	if len(v.Tags) > 0 {
		return fmt.Sprint(v.Tags)
	}
	return fmt.Sprint(v.Texts)
}

// ownerWith are the parameters that say what a kindless list lists (ResourceType).
func ownerWith(a *spec.Action) url.Values {
	q := url.Values{}
	_, _, with := a.List.OwnerOf()
	for k, v := range with {
		q.Set(k, v)
	}
	return q
}

// unknownFilter names an object that does not exist: the list is empty, or the documented
// code answers. Required IDs of the call name real objects, so that only the filter is
// unknown. An empty answer is judged with an object of the list's kind listed without the
// filter: a target that ignores the filter lists it.
func unknownFilter(ctx SpecContext, f *framework.F, c cases.FilterCase) {
	GinkgoHelper()
	a := c.Action
	q := regionOf(a)
	for k, v := range ownerWith(a) {
		q[k] = v
	}
	c2 := f.Client
	var w *world
	if c.Expect.Code == "" {
		w = newWorld(ctx, f)
		c2 = w.c
		made := w.makeFor(ctx, cases.FilterCase{Action: a, Kind: c.Kind}, nil)
		Expect(itemIDs(a, w.list(ctx, a.Name, ownerWith(a)))).To(ContainElement(made), "%s lists a new %s without the filter", a.Name, c.Kind)
	}
	for _, p := range a.Params {
		if o, ok := cases.IDKind(a, p.Name); ok && p.Required {
			if w == nil {
				w = newWorld(ctx, f)
				c2 = w.c
			}
			q.Set(p.Name, w.make(ctx, o.Kind, nil, false))
		}
	}
	for k, v := range (cases.FilterValue{Texts: []string{c.Absent}}).Params(c.Param) {
		q[k] = v
	}
	r := f.CallWith(ctx, c2, a, q)
	if c.Expect.Code != "" {
		msg := ""
		if !c.Expect.HasHoles() {
			msg = c.Expect.Message
		}
		Expect(r).To(framework.HaveError(c.Expect.Code, c.Expect.Status, msg))
		return
	}
	Expect(r).To(framework.Succeed200())
	items, _ := a.List.ItemsOf(r.Response.Data)
	Expect(items).To(BeEmpty(), "%s naming no %s lists nothing", c.Param.Name, c.Filter.Kind)
}

// andFilter: the ID filter naming one object and the other filter the other object's value
// lists neither; with the same object's value, that object.
func andFilter(ctx SpecContext, w *world, c cases.FilterCase) {
	GinkgoHelper()
	s := stageFilter(ctx, w, c)
	both := func(id string, v cases.FilterValue) []string {
		q := ownerWith(c.Action)
		for k, vals := range (cases.FilterValue{Texts: []string{id}}).Params(c.Other) {
			q[k] = vals
		}
		for k, vals := range v.Params(c.Param) {
			q[k] = vals
		}
		return itemIDs(c.Action, w.list(ctx, c.Action.Name, q))
	}
	Expect(both(s.a, s.vb)).NotTo(ContainElements(s.a), "%s naming one object and %s the other's value list neither", c.Other.Name, c.Param.Name)
	Expect(both(s.a, s.va)).To(ConsistOf(s.a), "%s and %s both naming one object list just it", c.Other.Name, c.Param.Name)
}

// stagedPair is two objects that differ on a filtered field, with the filter value that
// selects each. For free text, b's value extends a's and decoys hold a's value in capitals,
// so that a target matching by prefix, substring or letter case lists them for a's value.
type stagedPair struct {
	a, b   string
	va, vb cases.FilterValue
	decoys []string
}

// stageFilter makes the two objects the filter's vary describes and reads their values.
func stageFilter(ctx SpecContext, w *world, c cases.FilterCase) stagedPair {
	GinkgoHelper()
	v := varyOf(c)
	var s stagedPair
	switch {
	case v.Seed:
		s.a, s.b = w.seeded(ctx, c)
	case v.Create != "":
		vals := w.distinct(c, v)
		s.a, s.b = w.makeFor(ctx, c, vals[0]), w.makeFor(ctx, c, vals[1])
		if len(vals) > 2 {
			s.decoys = append(s.decoys, w.makeFor(ctx, c, vals[2]))
		}
	case v.Mirror:
		s.a = w.makeFor(ctx, c, nil)
		s.b = w.make(ctx, c.Kind, nil, true)
	default:
		s.a, s.b = w.makeFor(ctx, c, nil), w.makeFor(ctx, c, nil)
	}
	if v.Call != "" {
		name := w.f.Name("a")
		w.callOn(ctx, v, c, s.a, name)
		if v.Param != "" {
			w.callOn(ctx, v, c, s.b, name+"x")
		}
	}
	if v.Link != "" || c.Filter.None != "" {
		w.link(ctx, c, linkAction(c, v), s.a)
	}
	if c.Filter.Match == spec.MatchMembership {
		for val, who := range c.Filter.Members {
			t := cases.FilterValue{Texts: []string{val}}
			if who == "linked" {
				s.va = t
			} else {
				s.vb = t
			}
		}
		return s
	}
	s.va, s.vb = w.valueOf(ctx, c, s.a), w.valueOf(ctx, c, s.b)
	Expect(show(s.va)).NotTo(Equal(show(s.vb)), "the two objects differ on %s after %+v (else the target did not apply it)", c.Filter.Field, *v)
	return s
}

// varyOf is the filter's vary, or the default: objects differ by ID, a create parameter of
// the filter's name sets the field, else only seeding does.
func varyOf(c cases.FilterCase) *spec.Vary {
	if c.Filter.Vary != nil {
		return c.Filter.Vary
	}
	kind, _, _ := c.Action.List.OwnerOf()
	o := c.Action.Product.Objects[kind]
	if o != nil && c.Filter.Field == o.IDField || c.Action.List.Owner != nil && c.Filter.Field == c.Action.List.Owner.Field {
		return &spec.Vary{Natural: true}
	}
	if creator, ok := c.Action.Product.Creator(kind); ok {
		if _, has := creator.Param(c.Param.Name); has {
			return &spec.Vary{Create: c.Param.Name}
		}
	}
	if c.Action.List.Owner != nil && c.Filter.Match == spec.MatchTags {
		return &spec.Vary{Natural: true} // every owned object carries a tag of its own
	}
	return &spec.Vary{Seed: true}
}

func linkAction(c cases.FilterCase, v *spec.Vary) string {
	if v.Link != "" {
		return v.Link
	}
	return c.Filter.Vary.Link
}

// makeFor makes one object of the list's kind with extra create parameters; a kindless
// list's object also gets a tag of its own, so that it shows in the list.
func (w *world) makeFor(ctx context.Context, c cases.FilterCase, extra url.Values) string {
	GinkgoHelper()
	id := w.make(ctx, c.Kind, extra, false)
	if ow := c.Action.List.Owner; ow != nil {
		if w.tagKey == "" {
			w.tagKey = w.f.Name("k") // one key, a value per object: matching keys alone is wrong
		}
		q := url.Values{"ResourceId.1": {id}, "Tag.1.Key": {w.tagKey}, "Tag.1.Value": {w.f.Name("v")}}
		for k, v := range ow.With {
			q.Set(k, v)
		}
		w.ok(ctx, "TagResources", q)
	}
	return id
}

// distinct gives the objects' create parameters for a create vary: two that differ, and
// for free text a third, the first value in capitals, when the schema allows it. Tags share
// their key and differ in value, so that a target matching keys alone is caught.
func (w *world) distinct(c cases.FilterCase, v *spec.Vary) []url.Values {
	GinkgoHelper()
	creator, _ := c.Action.Product.Creator(c.Kind)
	p, _ := creator.Param(v.Create)
	out := make([]url.Values, 2)
	vals := v.Values
	switch {
	case len(vals) >= 2:
	case p.Schema.Type.Is(openapi3.TypeArray):
		key := w.f.Name("k")
		for i := range out {
			out[i] = url.Values{v.Create + ".1.Key": {key}, v.Create + ".1.Value": {w.f.Name("v")}}
		}
	case p.Schema.Type.Is(openapi3.TypeString) && len(p.Schema.Enum) == 0:
		a := w.f.Name("a")
		vals = []string{a, a + "x"}
		if up := strings.ToUpper(a); cases.Valid(p.Schema, up) {
			vals = append(vals, up)
			out = append(out, nil)
		}
	default:
		vals = cases.ValidValues(p.Schema, 2)
	}
	for i := range out {
		if out[i] == nil {
			Expect(len(vals)).To(BeNumerically(">=", 2), "two values of %s", v.Create)
			out[i] = url.Values{v.Create: {vals[i]}}
		}
		for k, val := range v.With {
			out[i].Set(k, val)
		}
	}
	return out
}

// callOn calls the vary's action on one object, with the vary's parameter set to value.
func (w *world) callOn(ctx context.Context, v *spec.Vary, c cases.FilterCase, id, value string) {
	GinkgoHelper()
	a := w.f.NeedAction(v.Call)
	o := a.Product.Objects[c.Kind]
	q := regionOf(a)
	q.Set(o.IDParam, id)
	if v.Param != "" {
		q.Set(v.Param, value)
	}
	w.ok(ctx, v.Call, q)
}

// link relates an object to a new object through an action: a create that names it
// (CreateReplicationJob for a source), or an action on another kind that names both
// (AssociateSourceServers, AddDiskReplicaPair).
func (w *world) link(ctx context.Context, c cases.FilterCase, action, id string) {
	GinkgoHelper()
	a := w.f.NeedAction(action)
	naming := ""
	for _, p := range a.Params {
		if o, ok := cases.IDKind(a, p.Name); ok && o.Kind == c.Kind {
			naming = p.Name
			if p.Schema.Type.Is(openapi3.TypeArray) {
				naming += ".1"
			}
		}
	}
	Expect(naming).NotTo(BeEmpty(), "%s names a %s", action, c.Kind)
	if kind := a.ObjectKind(); a.Object == "" && kind != "" {
		q := url.Values{naming: {id}}
		if kind == "ReplicationJob" {
			q = jobParams(id, w.f.Name("job"))
		}
		r := w.ok(ctx, action, q)
		w.cleanup(ctx, a, r)
		return
	}
	other := w.make(ctx, a.Object, nil, false)
	q := regionOf(a)
	q.Set(a.Product.Objects[a.Object].IDParam, other)
	q.Set(naming, id)
	w.ok(ctx, action, q)
}

// valueOf reads the filter value that selects an object from what the list shows of it.
func (w *world) valueOf(ctx context.Context, c cases.FilterCase, id string) cases.FilterValue {
	GinkgoHelper()
	if c.Filter.Match == spec.MatchAnyOf || c.Filter.Match == spec.MatchCSV {
		if kind, field, _ := c.Action.List.OwnerOf(); field != "" || c.Filter.Field == c.Action.Product.Objects[kind].IDField {
			return cases.FilterValue{Texts: []string{id}}
		}
	}
	item := w.owned(ctx, c, id)
	v, ok := cases.ValueOf(c.Filter, item)
	Expect(ok).To(BeTrue(), "the %s %s shows %s", c.Kind, id, c.Filter.Field)
	return v
}

// owned is an object's item in the case's own list: the object itself, or (for a kindless
// list) its first item.
func (w *world) owned(ctx context.Context, c cases.FilterCase, id string) map[string]any {
	GinkgoHelper()
	ow := c.Action.List.Owner
	if ow == nil {
		it, ok := w.item(ctx, c.Kind, id)
		Expect(ok).To(BeTrue(), "the %s %s is listed", c.Kind, id)
		return it
	}
	q := ownerWith(c.Action)
	for k, v := range (cases.FilterValue{Texts: []string{id}}).Params(c.Action.IDFilter()) {
		q[k] = v
	}
	items := w.list(ctx, c.Action.Name, q)
	Expect(items).NotTo(BeEmpty(), "%s lists the %s %s", c.Action.Name, c.Kind, id)
	return items[0]
}

// seeded makes two objects that differ on a field only seeding sets (a source server's
// State, resource group or tags); a workgroup's Status is reached through its members.
func (w *world) seeded(ctx SpecContext, c cases.FilterCase) (string, string) {
	GinkgoHelper()
	if c.Kind == "Workgroup" && c.Filter.Field == "Status" {
		return w.busyWorkgroup(ctx), w.make(ctx, "Workgroup", nil, false)
	}
	if !w.own || c.Kind != "SourceServer" {
		Skip(fmt.Sprintf("only seeding sets a %s's %s: needs the control plane", c.Kind, c.Filter.Field))
	}
	vals := cases.ValidValues(c.Param.Schema, 2)
	key := w.f.Name("k")
	var out [2]string
	for i := range out {
		id := w.f.ID("s-")
		obj := seededSource(id)
		switch {
		case c.Filter.Match == spec.MatchTags:
			obj["Tags"] = map[string]any{"Tag": []any{map[string]any{"Key": key, "Value": w.f.Name("v")}}}
		case len(c.Param.Schema.Enum) > 0:
			obj[c.Filter.Field] = vals[i]
		default:
			obj[c.Filter.Field] = w.f.Name("rg")
		}
		Expect(w.ctl.Seed(ctx, w.key, map[string][]map[string]any{"sourceServers": {obj}})).To(Succeed())
		out[i] = id
	}
	return out[0], out[1]
}

// busyWorkgroup is a workgroup whose member's job runs: it shows InProgress.
func (w *world) busyWorkgroup(ctx context.Context) string {
	GinkgoHelper()
	wg := w.make(ctx, "Workgroup", nil, false)
	src := w.source(ctx)
	w.ok(ctx, "AssociateSourceServers", url.Values{"WorkgroupId": {wg}, "SourceId.1": {src}})
	r := w.ok(ctx, "CreateReplicationJob", jobParams(src, w.f.Name("job")))
	w.cleanup(ctx, r.Action, r)
	w.ok(ctx, "StartReplicationJob", url.Values{"JobId": {r.Str("JobId")}})
	return wg
}
