package conformance

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/smcct/smcct/cases"
	"github.com/smcct/smcct/spec"
	"github.com/smcct/smcct/suites/framework"
)

// Authorization: every action, sent by RAM users whose policies allow it, say nothing of it,
// deny it, or allow it only on another resource; and, for a representative action of each
// product with and without resource types, only in another region or account. The refusal must be the
// product's documented code for the level at which RAM refused (cases.AuthCases); a user
// the policies allow must get whatever the service answers, but not a RAM refusal. The
// account's own keys, which every other spec uses, are never refused.

// authRegion is the region the cases are named with; the spec body rebuilds its case for
// the target's own region.
const authRegion = "cn-hangzhou"

var _ = Describe("Authorization", Label("auth", "needs:identities"), func() {
	f := framework.New()
	for _, a := range framework.Catalog().Actions() {
		for _, c := range cases.AuthCases(a, authRegion) {
			if c.Scoping() && !cases.ScopingRepresentative(a) {
				continue
			}
			labels := Label(c.Labels()...)
			if a.Write {
				labels = append(labels, "needs:writes")
			}
			It(c.Describe(), labels, func(ctx SpecContext) {
				if a.Write {
					f.NeedWrites()
				}
				c := authCase(a, c.Kind, f.T.Region)
				var user *framework.Client
				if len(c.Policies) == 0 {
					user = f.Unprivileged(ctx) // a real account can lend one through its profile
				} else {
					user = f.User(ctx, c.Policies...)
				}
				r := f.CallWith(ctx, user, a, c.Params)
				f.CleanupCreated(a, r) // a target that lets a refused create through still cleans up
				if c.Denied {
					Expect(r).To(framework.HaveDocumentedError(c.Expect))
					return
				}
				if r.Err != nil {
					Expect(c.Refusal(r.Err.Code)).To(BeFalse(), "RAM refused a caller its policies allow: %s", r.GomegaString())
				}
			})
		}
	}
})

// authCase rebuilds one case for the region the target's clients send.
func authCase(a *spec.Action, kind, region string) cases.AuthCase {
	GinkgoHelper()
	for _, c := range cases.AuthCases(a, region) {
		if c.Kind == kind {
			return c
		}
	}
	Fail("no " + kind + " authorization case for " + a.Name + " in " + region)
	return cases.AuthCase{}
}
