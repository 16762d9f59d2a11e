package spec

import (
	"fmt"
	"slices"

	"github.com/smcct/smcct/rpc/flat"
)

// requirementViolations enforces x-acs-requires: rules between parameters that a schema
// cannot state (NetMode 2 needs VSwitchId). Conditions compare wire text, so "2" and "true"
// are written as the SDKs send them.
func (a *Action) requirementViolations(params flat.Params) []Violation {
	var vs []Violation
	for _, r := range a.Requires {
		val := a.wireValue(params, r.If.Param)
		if !slices.Contains(r.If.In, val) {
			continue
		}
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

// wireValue is the text a condition compares: the value sent, else the schema default as
// the SDKs would send it, else "" (absent parameters have the value "" per the grammar).
func (a *Action) wireValue(params flat.Params, name string) string {
	if run := params.Run(name); len(run) > 0 && !a.isForeign(name) {
		return run[0].Value
	}
	if prm, ok := a.params[name]; ok && prm.Schema.Default != nil {
		return flat.Encode(map[string]any{name: prm.Schema.Default}).Get(name)
	}
	return ""
}

// given reports whether a parameter was sent in any form: Name, Name.N or Name.Field.
func (a *Action) given(params flat.Params, name string) bool {
	if params.Has(name) && !a.isForeign(name) {
		return true
	}
	return params.HasPrefix(name + ".")
}
