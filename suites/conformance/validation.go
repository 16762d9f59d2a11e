package conformance

import (
	"fmt"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/smcct/smcct/cases"
	"github.com/smcct/smcct/suites/framework"
)

// Parameter validation: one spec per rule of every constrained parameter of every action,
// generated from the contract at tree construction; STS's AssumeRole too, on targets that
// serve STS.
var _ = Describe("Parameter validation", Label("validation"), func() {
	f := framework.New()
	for _, a := range append(framework.Catalog().Actions(), framework.AuxiliaryActions()...) {
		generated := cases.ValidationCases(a)
		if len(generated) == 0 {
			continue
		}
		Describe(a.Name, func() {
			for _, c := range generated {
				labels := Label("action:"+a.Name, "param:"+c.Param.Name)
				if !c.Pass {
					labels = Label("action:"+a.Name, "param:"+c.Param.Name, "error", "code:"+c.Expect.Code)
				}
				if a.Write && c.Pass {
					labels = append(labels, "needs:writes")
				}
				It(c.Describe(), labels, func(ctx SpecContext) {
					if framework.IsAuxiliary(a) {
						f.NeedSTS()
					}
					if a.Write && c.Pass {
						f.NeedWrites()
					}
					r := f.CallDropping(ctx, a, c.Params, c.Drop...)
					if c.Pass {
						f.CleanupCreated(a, r)
						if r.Err != nil && c.Refused(r.Err.Code, r.Err.Message) {
							Fail(fmt.Sprintf("a value on the %s boundary of %s was refused: %d %s %q", c.Rule, c.Wire, r.Err.Status, r.Err.Code, r.Err.Message))
						}
						return
					}
					f.CleanupCreated(a, r)
					msg := ""
					if c.CheckMessage {
						msg = c.Expect.Message
					}
					Expect(r).To(framework.HaveError(c.Expect.Code, c.Expect.Status, msg))
				})
			}
		})
	}
})
