package reference

import (
	"github.com/smcct/smcct/spec"
)

// checkState enforces the spec's object existence and x-acs-preconditions before a handler
// runs, so no handler can forget one: every object the action names must exist in the
// caller's account (another account's ID answers exactly like an unknown one), then each
// precondition whose condition matches must hold, in the order the spec lists them. What a
// condition and a precondition mean is package spec's; this only finds the objects.
func checkState(c *Ctx) error {
	a := c.Action
	found := map[string]Stateful{}
	for _, kind := range a.Kinds() {
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
	pcs := a.Applicable(c.sent)
	i, cur, failed := spec.FirstFailing(pcs, a, func(kind, subject string) (string, bool) {
		st, ok := found[kind]
		if !ok {
			return "", false
		}
		return st.State(subject), true
	})
	if !failed {
		return nil
	}
	return c.Err(pcs[i].Error, pcs[i].MessageArgs(a.Product, cur)...)
}

// sent is the request as package spec's conditions read it: decoded values as wire text.
func (c *Ctx) sent(name string) (string, bool) {
	v, ok := c.In[name]
	if !ok {
		return "", false
	}
	return spec.WireText(v), true
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
