package cases

import (
	"fmt"
	"sort"
	"strings"

	"github.com/smcct/smcct/spec"
)

// StateCase is one generated state-precondition spec: the objects an action names put in
// given states, the action called with otherwise valid parameters, and the outcome the
// contract's x-acs-preconditions and x-acs-effects promise.
type StateCase struct {
	Action *spec.Action
	// Kind, Field and Value are the state under test; the other fields of States satisfy
	// every precondition that names them.
	Kind, Field, Value string
	// States gives, per object kind the action's preconditions name, the value of each
	// state field those preconditions check.
	States map[string]map[string]string
	// Params are request parameters the preconditions' and effects' conditions ask for
	// (OneShot=true); the scene adds the IDs and whatever else makes the call valid.
	Params map[string]string
	// Allowed: every applicable precondition holds, so the call must succeed.
	Allowed bool
	// Expect is the refusal of the first failing precondition, Message its template filled.
	Expect  spec.ErrorCode
	Message string
	// Effect is what an allowed call does to the action's object; nil: nothing.
	Effect *spec.Effect
}

// StateCases generates the state-precondition cases of one action: for each request
// variant its conditions distinguish, for each state field its applicable preconditions
// check, every value of that field's enum with the other fields satisfied. Preconditions on
// lifecycle flags are taken as met: a flag is history, which a scene establishes by walking
// the object there (the failover scenes sync first), not a value it can force.
func StateCases(a *spec.Action) []StateCase {
	var out []StateCase
	seen := map[string]bool{}
	for _, params := range variants(a) {
		pcs := fieldPreconditions(a.Applicable(spec.Given(params)))
		if len(pcs) == 0 {
			continue // no precondition applies: the state does not matter to this request
		}
		for _, c := range variantCases(a, params, pcs) {
			key := c.key()
			if !seen[key] {
				seen[key] = true
				out = append(out, c)
			}
		}
	}
	return out
}

// fieldPreconditions leaves out the preconditions on lifecycle flags.
func fieldPreconditions(pcs []spec.Precondition) []spec.Precondition {
	out := pcs[:0:0]
	for _, pc := range pcs {
		if pc.Flag == "" {
			out = append(out, pc)
		}
	}
	return out
}

type stateField struct{ kind, field string }

func variantCases(a *spec.Action, params map[string]string, pcs []spec.Precondition) []StateCase {
	var fields []stateField
	for _, pc := range pcs {
		sf := stateField{pc.Kind(a), pc.Field}
		if !containsField(fields, sf) {
			fields = append(fields, sf)
		}
	}
	satisfied := map[stateField]string{}
	for _, sf := range fields {
		v, ok := satisfying(pcs, a, sf)
		if !ok {
			return nil // the preconditions contradict each other: no state passes them all
		}
		satisfied[sf] = v
	}
	var out []StateCase
	for _, sf := range fields {
		o := a.Product.Objects[sf.kind]
		if o == nil {
			continue
		}
		for _, v := range o.States[sf.field] {
			states := map[string]map[string]string{}
			for _, other := range fields {
				val := satisfied[other]
				if other == sf {
					val = v
				}
				if states[other.kind] == nil {
					states[other.kind] = map[string]string{}
				}
				states[other.kind][other.field] = val
			}
			out = append(out, judge(a, params, pcs, sf, v, states))
		}
	}
	return out
}

// judge applies the preconditions in order, as the contract says a service does: the first
// that fails answers.
func judge(a *spec.Action, params map[string]string, pcs []spec.Precondition, sf stateField, v string, states map[string]map[string]string) StateCase {
	c := StateCase{Action: a, Kind: sf.kind, Field: sf.field, Value: v, States: states, Params: params, Allowed: true}
	i, cur, failed := spec.FirstFailing(pcs, a, func(kind, field string) (string, bool) {
		return states[kind][field], true
	})
	if failed {
		c.Allowed = false
		c.States = checkedUpTo(a, pcs[:i+1], states)
		c.Expect = a.Refusal(pcs[i], cur)
		c.Message = c.Expect.Message
		return c
	}
	c.Effect = a.EffectFor(spec.Given(params))
	return c
}

// checkedUpTo keeps the fields the preconditions up to the failing one check: the service
// answers at the first failure, so later fields are not part of the case (a Ready job has no
// business status to satisfy StopReplicationJob's second precondition with).
func checkedUpTo(a *spec.Action, pcs []spec.Precondition, states map[string]map[string]string) map[string]map[string]string {
	out := map[string]map[string]string{}
	for _, pc := range pcs {
		k := pc.Kind(a)
		if out[k] == nil {
			out[k] = map[string]string{}
		}
		out[k][pc.Field] = states[k][pc.Field]
	}
	return out
}

// satisfying is the first value the first precondition on the field allows that every
// other precondition on it allows too: the contract's own order, so a group stands in
// "created" rather than "invalid" while its pair's state is under test.
func satisfying(pcs []spec.Precondition, a *spec.Action, sf stateField) (string, bool) {
	var on []spec.Precondition
	for _, pc := range pcs {
		if (stateField{pc.Kind(a), pc.Field}) == sf {
			on = append(on, pc)
		}
	}
	if len(on) == 0 || a.Product.Objects[sf.kind] == nil {
		return "", false
	}
	for _, v := range on[0].In {
		ok := contains(a.Product.Objects[sf.kind].States[sf.field], v)
		for _, pc := range on[1:] {
			ok = ok && contains(pc.In, v)
		}
		if ok {
			return v, true
		}
	}
	return "", false
}

func containsField(list []stateField, sf stateField) bool {
	for _, x := range list {
		if x == sf {
			return true
		}
	}
	return false
}

// variants are the requests the action's conditions tell apart: one per distinct condition,
// with its parameter at the first value it names, or a single plain request when no
// precondition or effect has a condition.
func variants(a *spec.Action) []map[string]string {
	var conds []*spec.Condition
	for _, pc := range a.Preconditions {
		if pc.When != nil {
			conds = append(conds, pc.When)
		}
	}
	for _, e := range a.Effects {
		if e.When != nil {
			conds = append(conds, e.When)
		}
	}
	if len(conds) == 0 {
		return []map[string]string{{}}
	}
	var out []map[string]string
	seen := map[string]bool{}
	for _, c := range conds {
		if len(c.In) == 0 {
			continue
		}
		key := c.Param + "=" + c.In[0]
		if !seen[key] {
			seen[key] = true
			out = append(out, map[string]string{c.Param: c.In[0]})
		}
	}
	return out
}

// key identifies a case by its request and its whole assignment, whichever field it varies.
func (c StateCase) key() string {
	var parts []string
	for k, fields := range c.States {
		for f, v := range fields {
			parts = append(parts, k+"."+f+"="+v)
		}
	}
	sort.Strings(parts)
	return fmt.Sprintf("%v|%v", sortedPairs(c.Params), parts)
}

// statesText names every assigned state, the one under test first.
func (c StateCase) statesText() string {
	parts := []string{fmt.Sprintf("the %s %s is %s", c.Kind, c.Field, c.Value)}
	kinds := make([]string, 0, len(c.States))
	for k := range c.States {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	for _, k := range kinds {
		fields := make([]string, 0, len(c.States[k]))
		for f := range c.States[k] {
			fields = append(fields, f)
		}
		sort.Strings(fields)
		for _, f := range fields {
			if k == c.Kind && f == c.Field {
				continue
			}
			parts = append(parts, fmt.Sprintf("the %s %s is %s", k, f, c.States[k][f]))
		}
	}
	return strings.Join(parts, " and ")
}

func sortedPairs(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k, v := range m {
		out = append(out, k+"="+v)
	}
	sort.Strings(out)
	return out
}

// Describe names the case in the spec text: the request, the states and the outcome.
func (c StateCase) Describe() string {
	req := c.Action.Name
	if len(c.Params) > 0 {
		req += " with " + strings.Join(sortedPairs(c.Params), ", ")
	}
	if !c.Allowed {
		return fmt.Sprintf("%s when %s returns %d %s and leaves the objects unchanged", req, c.statesText(), c.Expect.Status, c.Expect.Code)
	}
	return fmt.Sprintf("%s when %s succeeds and %s", req, c.statesText(), describeEffect(c.Effect))
}

func describeEffect(e *spec.Effect) string {
	if e == nil {
		return "leaves the state unchanged"
	}
	var parts []string
	if len(e.Set) > 0 {
		parts = append(parts, "shows "+strings.Join(sortedPairs(e.Set), ", "))
	}
	if len(e.Settles) > 0 {
		parts = append(parts, "settles to "+strings.Join(sortedPairs(e.Settles), ", "))
	}
	if e.Deletes {
		parts = append(parts, "is then gone")
	}
	return strings.Join(parts, ", ")
}

// Labels are the spec's labels: precondition, the action, the code of a refusal.
func (c StateCase) Labels() []string {
	// No needs:control: without a control plane the objects are walked into their states.
	l := []string{"precondition", "needs:writes", "action:" + c.Action.Name}
	if !c.Allowed {
		l = append(l, "code:"+c.Expect.Code)
	}
	return l
}

// StateFields lists the state fields of a kind in a stable order.
func StateFields(o *spec.Object) []string {
	out := make([]string, 0, len(o.States))
	for f := range o.States {
		out = append(out, f)
	}
	sort.Strings(out)
	return out
}
