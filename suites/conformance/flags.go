package conformance

import (
	"context"
	"encoding/json"
	"net/url"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/smcct/smcct/cases"
	"github.com/smcct/smcct/spec"
	"github.com/smcct/smcct/suites/framework"
)

// Flags: two objects in the same state, the call made with the flag's two values, and what
// each value promises checked on its object (x-acs-flag), or the effect each value selects
// (x-acs-effects with a condition on the flag) checked as the precondition specs check one.

func runFlag(ctx SpecContext, f *framework.F, c cases.FlagCase) {
	GinkgoHelper()
	for _, v := range []string{"true", "false"} {
		switch {
		case c.Flag == nil:
			effectFlag(ctx, f, c, v)
		case c.Given == "tagged":
			taggedFlag(ctx, f, c, v)
		case c.Given == "related":
			relatedFlag(ctx, f, c, v)
		default:
			stateFlag(ctx, f, c, v)
		}
	}
}

// effectFlag stages the action's objects in the case's state and runs it like a state case
// whose request carries the flag's value.
func effectFlag(ctx SpecContext, f *framework.F, c cases.FlagCase, v string) {
	GinkgoHelper()
	sc := cases.StateCase{Action: c.Action, States: c.States, Params: map[string]string{c.Param.Name: v},
		Allowed: true, Effect: c.Effects[v]}
	build, ok := scenes[c.Action.Name]
	if !ok {
		Skip("no way to stage the objects of " + c.Action.Name)
	}
	s := newScene(ctx, f, sc)
	s.exact = true
	runStateCase(ctx, s, build(ctx, s))
}

// stateFlag stages the object in the given state, calls with the value and checks its outcome
// on what the object's list shows before and after.
func stateFlag(ctx SpecContext, f *framework.F, c cases.FlagCase, v string) {
	GinkgoHelper()
	build, ok := scenes[c.Action.Name]
	if !ok {
		Skip("no way to stage the objects of " + c.Action.Name)
	}
	sc := cases.StateCase{Action: c.Action, States: map[string]map[string]string{c.Kind: {"Status": c.Given}}, Allowed: true}
	s := newScene(ctx, f, sc)
	q := build(ctx, s)
	q.Set(c.Param.Name, v)
	id := s.ids[c.Kind]
	read := func() (map[string]any, bool) { return sceneItem(ctx, s, c.Kind, id) }
	before, ok := read()
	Expect(ok).To(BeTrue(), "the staged %s %s is listed", c.Kind, id)
	outcome(read, before, s.call(ctx, c.Action.Name, q), c.Flag.When[v], c)
}

// sceneItem reads an object of a scene's account through its kind's list, from either side.
func sceneItem(ctx context.Context, s *scene, kind, id string) (map[string]any, bool) {
	GinkgoHelper()
	w := &world{f: s.f, c: s.account.c, own: true}
	return w.item(ctx, kind, id)
}

// taggedFlag: an object with two tags, the call with the value and no keys.
func taggedFlag(ctx SpecContext, f *framework.F, c cases.FlagCase, v string) {
	GinkgoHelper()
	w := newWorld(ctx, f)
	ob := c.Flag.Object
	id := w.make(ctx, ob.Kind, nil, false)
	q := url.Values{ob.Param + ".1": {id}}
	for k, val := range ob.With {
		q.Set(k, val)
	}
	tags := merge(q, url.Values{"Tag.1.Key": {w.f.Name("k")}, "Tag.1.Value": {"a"}, "Tag.2.Key": {w.f.Name("k")}, "Tag.2.Value": {"b"}})
	w.ok(ctx, "TagResources", tags)
	read := func() (map[string]any, bool) { return w.item(ctx, ob.Kind, id) }
	before, _ := read()
	q.Set(c.Param.Name, v)
	outcome(read, before, w.call(ctx, c.Action.Name, q), c.Flag.When[v], c)
}

// relatedFlag: a source server with a job, deleted with the value. Only a seeded source
// can be deleted: a target's own would be gone for good.
func relatedFlag(ctx SpecContext, f *framework.F, c cases.FlagCase, v string) {
	GinkgoHelper()
	w := newWorld(ctx, f)
	if !w.own {
		Skip("deletes a source server, which only the control plane can put back")
	}
	id := w.make(ctx, c.Kind, nil, false)
	w.ok(ctx, "CreateReplicationJob", jobParams(id, w.f.Name("job")))
	read := func() (map[string]any, bool) { return w.item(ctx, c.Kind, id) }
	before, _ := read()
	q := url.Values{c.Action.Product.Objects[c.Kind].IDParam: {id}, c.Param.Name: {v}}
	outcome(read, before, w.call(ctx, c.Action.Name, q), c.Flag.When[v], c)
}

// outcome checks what one flag value promised, on the answer and on the object.
func outcome(read func() (map[string]any, bool), before map[string]any, r *framework.Result, o spec.Outcome, c cases.FlagCase) {
	GinkgoHelper()
	val := c.Param.Name
	if o.Error != "" {
		e, _ := c.Action.Error(o.Error)
		Expect(r).To(framework.HaveCode(e.Code, e.Status), "%s refuses as the flag's value says", c.Action.Name)
		return
	}
	Expect(r).To(framework.Succeed200(), "%s with this %s succeeds", c.Action.Name, val)
	after, ok := read()
	switch {
	case o.Deletes:
		if ok {
			Expect(deleting(after)).To(BeTrue(), "the %s is deleting or gone, not %v", c.Kind, after)
		}
		return
	case !ok:
		Fail("the " + c.Kind + " is gone after " + c.Action.Name)
	}
	if len(o.Swaps) == 2 {
		a, b := o.Swaps[0], o.Swaps[1]
		Expect(text(after, a)).To(Equal(text(before, b)), "%s takes the old %s", a, b)
		Expect(text(after, b)).To(Equal(text(before, a)), "%s takes the old %s", b, a)
	}
	for _, k := range o.Keeps {
		Expect(text(after, k)).To(Equal(text(before, k)), "%s stays as it was", k)
	}
	if o.Clears != "" {
		got, _ := spec.Field(after, o.Clears)
		Expect(got).To(BeEmpty(), "%s is emptied", o.Clears)
	}
}

func deleting(item map[string]any) bool {
	for _, f := range []string{"Status", "State"} {
		if s := spec.WireText(item[f]); s == "Deleting" || s == "deleting" {
			return true
		}
	}
	return false
}

// text renders a field for comparison: scalars as wire text, anything else as JSON.
func text(item map[string]any, path string) string {
	v, _ := spec.Field(item, path)
	switch v.(type) {
	case map[string]any, []any:
		b, _ := json.Marshal(v)
		return string(b)
	}
	return spec.WireText(v)
}
