package reference

import (
	"fmt"
	"strings"

	"github.com/smcct/smcct/rpc"
	"github.com/smcct/smcct/spec"
)

// checkState enforces the spec's object existence and x-acs-preconditions before a handler
// runs, so no handler can forget one: every object the action names must exist in the
// caller's account (another account's ID answers exactly like an unknown one), then each
// precondition whose condition matches must hold, in the order the spec lists them.
func checkState(c *Ctx) error {
	a := c.Action
	found := map[string]Stateful{}
	for _, kind := range involvedKinds(a) {
		obj := a.Product.Objects[kind]
		id := c.Str(obj.IDParam)
		if id == "" {
			continue // a missing required ID was already answered by parameter validation
		}
		st, ok := c.Account.domain(a.Product.Name).lookup(kind, id)
		if !ok {
			return c.NotFound(kind)
		}
		found[kind] = st
	}
	for _, pc := range a.Preconditions {
		if !c.matches(pc.When) {
			continue
		}
		st, ok := found[preconditionKind(a, pc)]
		if !ok {
			continue
		}
		cur := st.State(pc.Field)
		if contains(pc.In, cur) {
			continue
		}
		return preconditionError(c, pc, cur)
	}
	return nil
}

func preconditionError(c *Ctx, pc spec.Precondition, cur string) *rpc.Error {
	var args []string
	for _, arg := range pc.Args {
		switch arg {
		case "current":
			args = append(args, cur)
		case "allowed":
			args = append(args, strings.Join(pc.In, c.Action.Product.ListSeparator))
		default:
			args = append(args, arg)
		}
	}
	return c.Err(pc.Error, args...)
}

// involvedKinds lists the kinds an action names: its object, then its preconditions' objects.
func involvedKinds(a *spec.Action) []string {
	var kinds []string
	add := func(k string) {
		if k != "" && !contains(kinds, k) {
			kinds = append(kinds, k)
		}
	}
	add(a.Object)
	for _, pc := range a.Preconditions {
		add(preconditionKind(a, pc))
	}
	return kinds
}

func preconditionKind(a *spec.Action, pc spec.Precondition) string {
	if pc.Object != "" {
		return pc.Object
	}
	return a.Object
}

// matches evaluates a spec condition against the request, by the parameter's wire text.
func (c *Ctx) matches(cond *spec.Condition) bool {
	if cond == nil {
		return true
	}
	v := ""
	if c.Has(cond.Param) {
		v = fmt.Sprint(c.In[cond.Param])
	} else if p, ok := c.Action.Param(cond.Param); ok && p.Schema.Default != nil {
		v = fmt.Sprint(p.Schema.Default)
	}
	return contains(cond.In, v)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
