package conformance

import (
	"context"
	"strconv"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/smcct/smcct/spec"
	"github.com/smcct/smcct/suites/framework"
)

// Flow control: a call over a limit is refused with the gateway's code for the limit's
// scope (gateway.yaml flowControl), in the service's envelope, so that an SDK's retry logic
// can be tested against it. Each spec limits an account of its own.

// limitFor installs a limit on an account and removes it at cleanup.
func limitFor(ctx context.Context, f *framework.F, l framework.Limit) {
	GinkgoHelper()
	ctl := f.NeedIdentities()
	added, err := ctl.AddLimit(ctx, l)
	Expect(err).NotTo(HaveOccurred(), "setup: the limit")
	f.Cleanup(func(ctx context.Context) { _ = ctl.DeleteLimit(ctx, added.ID) })
}

var _ = Describe("Flow control", Label("flow-control", "needs:identities"), func() {
	f := framework.New()
	scopes := []struct {
		scope, text string
		limit       func(acct string) framework.Limit
	}{
		{spec.ScopeAPI, "the action's limit in the account",
			func(acct string) framework.Limit {
				return framework.Limit{Scope: spec.ScopeAPI, Account: acct, Action: "DescribeSourceServers", Calls: 1, Per: "1h"}
			}},
		{spec.ScopeUser, "the caller's limit",
			func(acct string) framework.Limit {
				return framework.Limit{Scope: spec.ScopeUser, Account: acct, User: "root", Calls: 1, Per: "1h"}
			}},
		{spec.ScopeService, "the product's limit in the account",
			func(acct string) framework.Limit {
				return framework.Limit{Scope: spec.ScopeService, Account: acct, Product: "smc", Calls: 1, Per: "1h"}
			}},
	}
	for _, s := range scopes {
		e := framework.Catalog().Gateway.Throttled(s.scope)
		It("a call over "+s.text+" answers "+strconv.Itoa(e.Status)+" "+e.Code, Label("action:DescribeSourceServers", "code:"+e.Code), func(ctx SpecContext) {
			acct := ownAccount(ctx, f, nil)
			limitFor(ctx, f, s.limit(acct.id))
			Expect(acct.call(ctx, "DescribeSourceServers", nil)).To(framework.Succeed200(), "the first call is within the limit")
			Expect(acct.call(ctx, "DescribeSourceServers", nil)).To(framework.HaveDocumentedError(e))
		})
	}

	It("a refused caller passes again once the limit's window has passed", Label("action:DescribeSourceServers", "needs:control"), func(ctx SpecContext) {
		ctl := f.NeedVirtualClock()
		acct := ownAccount(ctx, f, nil)
		limitFor(ctx, f, framework.Limit{Scope: spec.ScopeAPI, Account: acct.id, Action: "DescribeSourceServers", Calls: 1, Per: "1h"})
		acct.ok(ctx, "DescribeSourceServers", nil)
		Expect(acct.call(ctx, "DescribeSourceServers", nil)).To(framework.HaveDocumentedError(framework.Catalog().Gateway.Throttled(spec.ScopeAPI)))
		_, err := ctl.Advance(ctx, time.Hour)
		Expect(err).NotTo(HaveOccurred())
		Expect(acct.call(ctx, "DescribeSourceServers", nil)).To(framework.Succeed200())
	})

	It("a limit on one action leaves the others alone", Label("action:DescribeReplicationJobs"), func(ctx SpecContext) {
		acct := ownAccount(ctx, f, nil)
		limitFor(ctx, f, framework.Limit{Scope: spec.ScopeAPI, Account: acct.id, Action: "DescribeSourceServers", Calls: 0, Per: "1h"})
		Expect(acct.call(ctx, "DescribeReplicationJobs", nil)).To(framework.Succeed200())
	})
})
