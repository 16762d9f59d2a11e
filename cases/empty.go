package cases

import (
	"net/url"

	"github.com/smcct/smcct/spec"
)

// EmptyValueCase is one generated check of x-acs-ignore-empty: the action sent Base, and
// Base with Param="" , must answer alike.
type EmptyValueCase struct {
	Action *spec.Action
	Param  string
	Base   url.Values
}

// EmptyValueCases lists, for an action whose contract ignores empty values, each parameter
// it ignores with a request that is valid without it.
func EmptyValueCases(a *spec.Action) []EmptyValueCase {
	if !a.IgnoreEmpty {
		return nil
	}
	tree, ok := Baseline(a)
	if !ok {
		return nil
	}
	base := encode(a, tree)
	var out []EmptyValueCase
	for _, p := range a.Params {
		if a.EmptyIgnored(p.Name) {
			out = append(out, EmptyValueCase{Action: a, Param: p.Name, Base: base})
		}
	}
	return out
}

// WithEmpty is Base with the parameter sent empty.
func (c EmptyValueCase) WithEmpty() url.Values {
	q := url.Values{}
	for k, v := range c.Base {
		q[k] = append([]string(nil), v...)
	}
	q.Set(c.Param, "")
	return q
}
