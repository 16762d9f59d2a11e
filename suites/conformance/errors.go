package conformance

import (
	"context"
	"net/url"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/smcct/smcct/cases"
	"github.com/smcct/smcct/spec"
	"github.com/smcct/smcct/suites/framework"
)

// Business error specs provoke the documented codes that no schema rule, precondition or
// unknown ID produces: quotas, uniqueness, relations between objects, idempotency, sites.
// Their files are errors_smc.go and errors_ebs.go; the helpers and the fault-only codes
// live here. Codes no spec can provoke are listed, with the reason, in
// suites/testdata/unprovokable.yaml.

// account is a private account of one spec. Quotas and unique names count account-wide, so
// a spec that tests them must own everything the count sees.
type account struct {
	f   *framework.F
	c   *framework.Client
	id  string
	key string
}

// ownAccount creates an account named after the spec and seeds it. Its key and secret derive
// from the spec text, so a re-run sends the same requests.
func ownAccount(ctx context.Context, f *framework.F, state map[string][]map[string]any) *account {
	GinkgoHelper()
	ctl := f.NeedControl()
	id := f.ID("acct-")
	key := framework.Credentials{AccessKeyID: f.ID("smcct-key-"), Secret: f.Token()}
	Expect(ctl.AddAccount(ctx, framework.Account{ID: id, Key: key, State: state})).To(Succeed())
	c, err := f.T.NewClient(key, framework.ClientOptions{})
	Expect(err).NotTo(HaveOccurred())
	return &account{f: f, c: c, id: id, key: key.AccessKeyID}
}

// call sends an action from the private account; the answer is checked like any other.
func (a *account) call(ctx context.Context, name string, params url.Values) *framework.Result {
	GinkgoHelper()
	return a.f.CallWith(ctx, a.c, a.f.NeedAction(name), params)
}

// ok sends an action that must succeed, as a step towards the case under test.
func (a *account) ok(ctx context.Context, name string, params url.Values) *framework.Result {
	GinkgoHelper()
	r := a.call(ctx, name, params)
	Expect(r).To(framework.Succeed200(), "setup step %s", name)
	return r
}

// documented returns the action's documented error, failing the spec when the contract
// does not list it (the spec is then wrong, not the target).
func documented(action, code string) spec.ErrorCode {
	GinkgoHelper()
	a := framework.MustAction(action)
	Expect(a).NotTo(BeNil(), "the contract describes %s", action)
	e, ok := a.Error(code)
	Expect(ok).To(BeTrue(), "%s documents %s", action, code)
	return e
}

// errorLabels are the labels of a spec provoking one code of one action.
func errorLabels(action, code string, more ...string) Labels {
	return append(Label("error", "action:"+action, "code:"+code), more...)
}

// expectError checks code, status and the message template filled with args.
func expectError(r *framework.Result, action, code string, args ...string) {
	GinkgoHelper()
	Expect(r).To(framework.HaveDocumentedError(documented(action, code), args...))
}

// faultOnly are documented codes the service answers for conditions no public request can
// set up (capacity and quotas the contract gives no number for, transient states it does not
// expose). The reference answers them only when the control plane injects them; the specs
// check that such an answer keeps the documented status, message and envelope.
var faultOnly = []struct{ action, code string }{
	{"AddDiskReplicaPair", "OperationDenied"},
	{"AddDiskReplicaPair", "OperationDenied.QuotaExceed"},
	{"AddDiskReplicaPair", "OperationDenied.GroupTotalDiskCapacityLimit"},
	{"AddDiskReplicaPair", "OperationDenied.PairInitializing"},
	{"CreateDiskReplicaGroup", "OperationDenied.QuotaExceed"},
	{"CreateDiskReplicaGroup", "OperationDenied.TooMuchEmptyGroup"},
	{"CreateDiskReplicaPair", "OperationDenied.QuotaExceed"},
}

var _ = Describe("Injected business errors", Label("needs:control"), func() {
	f := framework.New()
	for _, c := range faultOnly {
		a := framework.MustAction(c.action)
		if a == nil {
			continue
		}
		base, ok := cases.Baseline(a)
		if !ok {
			continue
		}
		params := cases.Query(a, base)
		It(c.action+" answers an injected "+c.code+" with its documented status and message", errorLabels(c.action, c.code), func(ctx SpecContext) {
			ctl := f.NeedControl()
			e := documented(c.action, c.code)
			_, err := ctl.AddFault(ctx, framework.Fault{Action: c.action, Code: e.Code, Status: e.Status, Message: e.Message, Count: 1})
			Expect(err).NotTo(HaveOccurred())
			DeferCleanup(func(ctx SpecContext) { Expect(ctl.ClearFaults(ctx)).To(Succeed()) })
			expectError(f.Call(ctx, c.action, params), c.action, c.code)
		})
	}
})
