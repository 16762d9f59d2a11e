package conformance

import (
	"context"
	"strconv"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/smcct/smcct/cases"
	"github.com/smcct/smcct/spec"
	"github.com/smcct/smcct/suites/framework"
)

// Account conditions: an account without real-name verification, in arrears, without the
// product's service role or its service-linked role. Each action that documents the
// condition's code (info.x-acs-authorization.account) gets a spec on an account of its own,
// since a condition holds account-wide.

// conditionWords names each condition in spec texts.
var conditionWords = map[string]string{
	spec.CondRealName:          "has not passed real-name verification",
	spec.CondArrears:           "is in arrears",
	spec.CondServiceRole:       "lacks the product's service role",
	spec.CondServiceLinkedRole: "lacks the service-linked role and the RAM user may not create it",
}

// flaggedAccount is an account of the spec's own with one condition set.
func flaggedAccount(ctx context.Context, f *framework.F, cond string) *account {
	GinkgoHelper()
	ctl := f.NeedIdentities()
	acct := ownAccount(ctx, f, nil)
	Expect(ctl.SetFlags(ctx, acct.id, map[string]bool{cond: true})).To(Succeed(), "setup: the account condition")
	return acct
}

var _ = Describe("Account conditions", Label("account", "needs:identities"), func() {
	f := framework.New()
	for _, a := range framework.Catalog().Actions() {
		for _, cond := range spec.AccountConditions {
			e, ok := a.AccountError(cond)
			if !ok {
				continue
			}
			tree, ok := cases.Baseline(a)
			if !ok {
				continue
			}
			params := cases.Query(a, tree)
			labels := Label("action:"+a.Name, "code:"+e.Code)
			if a.Write {
				labels = append(labels, "needs:writes")
			}
			It(a.Name+" while the account "+conditionWords[cond]+" answers "+strconv.Itoa(e.Status)+" "+e.Code, labels, func(ctx SpecContext) {
				if a.Write {
					f.NeedWrites()
				}
				acct := flaggedAccount(ctx, f, cond)
				c := acct.c
				if cond == spec.CondServiceLinkedRole {
					// The account itself would create the role on the fly: a RAM user allowed
					// the action but not ram:CreateServiceLinkedRole meets the refusal.
					_, c = f.UserIn(ctx, acct.id, allowAll(a))
				}
				r := f.CallWith(ctx, c, a, params)
				f.CleanupCreated(a, r)
				Expect(r).To(framework.HaveDocumentedError(e))
			})
			if cond != spec.CondServiceLinkedRole {
				continue
			}
			It(a.Name+" by the account itself creates a missing service-linked role, and its RAM users pass afterwards", Label("action:"+a.Name), func(ctx SpecContext) {
				if a.Write {
					f.NeedWrites()
				}
				acct := flaggedAccount(ctx, f, cond)
				_, user := f.UserIn(ctx, acct.id, allowAll(a))
				r := f.CallWith(ctx, acct.c, a, params)
				if r.Err != nil {
					Expect(r.Err.Code).NotTo(Equal(e.Code), "the account itself may create the role")
				}
				f.CleanupCreated(a, r)
				again := f.CallWith(ctx, user, a, params)
				f.CleanupCreated(a, again)
				if again.Err != nil {
					Expect(again.Err.Code).NotTo(Equal(e.Code), "the role exists now")
				}
			})
		}
	}
})

// allowAll is a policy allowing the action on every resource.
func allowAll(a *spec.Action) string {
	return `{"Version":"1","Statement":[{"Effect":"Allow","Action":"` + a.RAM.Action + `","Resource":"*"}]}`
}
