package conformance

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/smcct/smcct/cases"
	"github.com/smcct/smcct/spec"
	"github.com/smcct/smcct/suites/framework"
)

// notFoundCode is the code an action must answer when every object its required ID
// parameters name is absent. ok is false when those kinds answer different codes: which one
// a target checks first is not part of the contract.
func notFoundCode(a *spec.Action) (spec.ErrorCode, bool) {
	var code string
	for _, p := range a.Params {
		if !p.Required {
			continue
		}
		o, ok := cases.IDKind(a, p.Name)
		if !ok {
			continue
		}
		if code != "" && code != o.NotFound {
			return spec.ErrorCode{}, false
		}
		code = o.NotFound
	}
	if code == "" {
		return spec.ErrorCode{}, false
	}
	return a.Error(code)
}

// Unknown objects: a well-formed ID that names nothing earns the kind's not-found code.
var _ = Describe("Unknown object IDs", Label("error"), func() {
	f := framework.New()
	for _, a := range framework.Catalog().Actions() {
		e, ok := notFoundCode(a)
		if !ok {
			continue
		}
		base, ok := cases.Baseline(a)
		if !ok {
			continue
		}
		params := cases.Query(a, base)
		It(a.Name+" naming an absent object returns "+e.Code, Label("action:"+a.Name, "code:"+e.Code), func(ctx SpecContext) {
			msg := ""
			if !e.HasHoles() {
				msg = e.Message
			}
			Expect(f.Call(ctx, a.Name, params)).To(framework.HaveError(e.Code, e.Status, msg))
		})
	}
})
