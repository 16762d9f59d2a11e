package spec

import (
	"fmt"

	"github.com/smcct/smcct/rpc/flat"
)

// requirementViolations enforces x-acs-requires: rules between parameters that a schema
// cannot state (NetMode 2 needs VSwitchId). Conditions compare wire text, so "2" and "true"
// are written as the SDKs send them.
func (a *Action) requirementViolations(params flat.Params) []Violation {
	if len(a.Requires) == 0 {
		return nil
	}
	var vs []Violation
	sent := a.sentLookup(params)
	for _, r := range a.Requires {
		if !r.If.Matches(a, sent) {
			continue
		}
		val := a.ParamValue(r.If.Param, sent)
		for _, need := range r.Then {
			if a.given(params, need) {
				continue
			}
			e := a.codeFor(need, RuleRequires)
			if r.Error != "" {
				if override, ok := a.errors[r.Error]; ok {
					e = override
					e.Message = e.Format(need)
				}
			}
			vs = append(vs, violation(need, RuleRequires, e, fmt.Sprintf("needed when %s is %s", r.If.Param, val)))
		}
	}
	return vs
}

// sentLookup reads the first value of a parameter the action itself declares; a common
// parameter the gateway consumes counts as absent.
func (a *Action) sentLookup(params flat.Params) Lookup {
	return func(name string) (string, bool) {
		if run := params.Run(name); len(run) > 0 && !a.isForeign(name) {
			return run[0].Value, true
		}
		return "", false
	}
}

// given reports whether a parameter was sent in any form: Name, Name.N or Name.Field.
func (a *Action) given(params flat.Params, name string) bool {
	if params.Has(name) && !a.isForeign(name) {
		return true
	}
	return params.HasPrefix(name + ".")
}
