package conformance

import (
	"context"
	"fmt"
	"net/url"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/smcct/smcct/suites/framework"
)

// Access tokens and workgroups have no state preconditions in the contract, so the generated
// precondition specs do not reach them; these specs check what their effects promise. Each
// runs in an account of its own, so its lists hold only what it created.

// listed returns the items of an SMC wrapped list (AccessTokens.AccessToken) in a response.
func listed(r *framework.Result, outer, inner string) []map[string]any {
	GinkgoHelper()
	Expect(r).To(framework.Succeed200())
	wrap, _ := r.Response.Data[outer].(map[string]any)
	items, _ := wrap[inner].([]any)
	out := make([]map[string]any, 0, len(items))
	for _, it := range items {
		if m, ok := it.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

func field(r *framework.Result, name string) string {
	GinkgoHelper()
	Expect(r).To(framework.Succeed200())
	v := fmt.Sprint(r.Response.Data[name])
	Expect(v).NotTo(BeEmpty(), "%s in the answer", name)
	return v
}

func tokens(ctx context.Context, a *account, q url.Values) []map[string]any {
	GinkgoHelper()
	return listed(a.call(ctx, "ListAccessTokens", q), "AccessTokens", "AccessToken")
}

var _ = Describe("Access tokens", Label("needs:control", "needs:writes", "action:CreateAccessToken", "action:ListAccessTokens"), func() {
	f := framework.New()

	create := func(ctx context.Context, a *account, name string, extra ...string) string {
		q := url.Values{"Name": {name}}
		for i := 0; i+1 < len(extra); i += 2 {
			q.Set(extra[i], extra[i+1])
		}
		r := a.ok(ctx, "CreateAccessToken", q)
		Expect(field(r, "AccessTokenCode")).NotTo(BeEmpty())
		return field(r, "AccessTokenId")
	}

	It("lists a new token as unactivated with the count and lifetime it was given", func(ctx SpecContext) {
		a := ownAccount(ctx, f, nil)
		id := create(ctx, a, f.Name("token"), "Count", "7", "TimeToLiveInDays", "3")
		got := tokens(ctx, a, url.Values{"AccessTokenId": {id}})
		Expect(got).To(HaveLen(1))
		Expect(got[0]).To(HaveKeyWithValue("Status", "unactivated"))
		Expect(got[0]).To(HaveKeyWithValue("Count", "7"))
		Expect(got[0]).To(HaveKeyWithValue("TimeToLiveInDays", "3"))
	})
	It("filters ListAccessTokens by Name and by Status", func(ctx SpecContext) {
		a := ownAccount(ctx, f, nil)
		keep, other := f.Name("token"), f.Name("token")
		id := create(ctx, a, keep)
		create(ctx, a, other)
		Expect(tokens(ctx, a, url.Values{"Name": {keep}})).To(ConsistOf(HaveKeyWithValue("AccessTokenId", id)))
		Expect(tokens(ctx, a, url.Values{"Status": {"expired"}})).To(BeEmpty())
		Expect(tokens(ctx, a, url.Values{"Status": {"unactivated"}})).To(HaveLen(2))
	})
	It("shows a token expired once DisableAccessToken is called", Label("action:DisableAccessToken"), func(ctx SpecContext) {
		a := ownAccount(ctx, f, nil)
		id := create(ctx, a, f.Name("token"))
		a.ok(ctx, "DisableAccessToken", url.Values{"AccessTokenId": {id}})
		Expect(tokens(ctx, a, url.Values{"AccessTokenId": {id}})).To(ConsistOf(HaveKeyWithValue("Status", "expired")))
	})
	It("shows a token expired once its TimeToLiveInDays has passed", func(ctx SpecContext) {
		a := ownAccount(ctx, f, nil)
		ctl := f.NeedVirtualClock()
		id := create(ctx, a, f.Name("token"), "TimeToLiveInDays", "1")
		Expect(tokens(ctx, a, url.Values{"AccessTokenId": {id}})).To(ConsistOf(HaveKeyWithValue("Status", "unactivated")))
		_, err := ctl.Advance(ctx, 25*time.Hour)
		Expect(err).NotTo(HaveOccurred())
		Expect(tokens(ctx, a, url.Values{"AccessTokenId": {id}})).To(ConsistOf(HaveKeyWithValue("Status", "expired")))
	})
	It("removes a token with DeleteAccessToken, and a second delete returns InvalidAccessTokenId.NotFound", Label("action:DeleteAccessToken"), func(ctx SpecContext) {
		a := ownAccount(ctx, f, nil)
		id := create(ctx, a, f.Name("token"))
		a.ok(ctx, "DeleteAccessToken", url.Values{"AccessTokenId": {id}})
		Expect(tokens(ctx, a, nil)).To(BeEmpty())
		expectError(a.call(ctx, "DeleteAccessToken", url.Values{"AccessTokenId": {id}}), "DeleteAccessToken", "InvalidAccessTokenId.NotFound")
	})
})

var _ = Describe("Workgroups", Label("needs:control", "needs:writes", "action:CreateWorkgroup", "action:DescribeWorkgroups"), func() {
	f := framework.New()

	setup := func(ctx context.Context, n int) (*account, string, []string) {
		ids, objs := sources(f, n)
		a := ownAccount(ctx, f, map[string][]map[string]any{"sourceServers": objs})
		r := a.ok(ctx, "CreateWorkgroup", url.Values{"Name": {f.Name("wave")}, "Description": {"first wave"}})
		return a, field(r, "WorkgroupId"), ids
	}
	groups := func(ctx context.Context, a *account, q url.Values) []map[string]any {
		return listed(a.call(ctx, "DescribeWorkgroups", q), "Workgroups", "Workgroup")
	}
	memberOf := func(ctx context.Context, a *account, source string) any {
		got := listed(a.call(ctx, "DescribeSourceServers", url.Values{"SourceId.1": {source}}), "SourceServers", "SourceServer")
		Expect(got).To(HaveLen(1))
		return got[0]["WorkgroupId"]
	}

	It("lists a new workgroup as NotStarted with its name and description", func(ctx SpecContext) {
		a, wg, _ := setup(ctx, 0)
		got := groups(ctx, a, url.Values{"WorkgroupId.1": {wg}})
		Expect(got).To(HaveLen(1))
		Expect(got[0]).To(HaveKeyWithValue("Status", "NotStarted"))
		Expect(got[0]).To(HaveKeyWithValue("Description", "first wave"))
	})
	It("renames a workgroup with ModifyWorkgroupAttribute", Label("action:ModifyWorkgroupAttribute"), func(ctx SpecContext) {
		a, wg, _ := setup(ctx, 0)
		name := f.Name("renamed")
		a.ok(ctx, "ModifyWorkgroupAttribute", url.Values{"WorkgroupId": {wg}, "Name": {name}, "Description": {"second wave"}})
		got := groups(ctx, a, url.Values{"Name": {name}})
		Expect(got).To(ConsistOf(And(HaveKeyWithValue("WorkgroupId", wg), HaveKeyWithValue("Description", "second wave"))))
	})
	It("puts associated sources in the workgroup and takes disassociated ones out", Label("action:AssociateSourceServers", "action:DisassociateSourceServers", "action:DescribeSourceServers"), func(ctx SpecContext) {
		a, wg, src := setup(ctx, 2)
		a.ok(ctx, "AssociateSourceServers", url.Values{"WorkgroupId": {wg}, "SourceId.1": {src[0]}, "SourceId.2": {src[1]}})
		Expect(memberOf(ctx, a, src[0])).To(Equal(wg))
		Expect(listed(a.call(ctx, "DescribeSourceServers", url.Values{"WorkgroupId": {wg}}), "SourceServers", "SourceServer")).To(HaveLen(2))
		a.ok(ctx, "DisassociateSourceServers", url.Values{"WorkgroupId": {wg}, "SourceId.1": {src[0]}})
		Expect(memberOf(ctx, a, src[0])).To(BeEmpty())
		Expect(memberOf(ctx, a, src[1])).To(Equal(wg))
	})
	It("returns SourceServer.NotInWorkgroup for a source that is not a member, and changes nothing", errorLabels("DisassociateSourceServers", "SourceServer.NotInWorkgroup"), func(ctx SpecContext) {
		a, wg, src := setup(ctx, 2)
		a.ok(ctx, "AssociateSourceServers", url.Values{"WorkgroupId": {wg}, "SourceId.1": {src[0]}})
		r := a.call(ctx, "DisassociateSourceServers", url.Values{"WorkgroupId": {wg}, "SourceId.1": {src[0]}, "SourceId.2": {src[1]}})
		expectError(r, "DisassociateSourceServers", "SourceServer.NotInWorkgroup")
		Expect(memberOf(ctx, a, src[0])).To(Equal(wg))
	})
	It("shows a workgroup InProgress while a member's job runs", Label("action:CreateReplicationJob", "action:StartReplicationJob"), func(ctx SpecContext) {
		a, wg, src := setup(ctx, 1)
		a.ok(ctx, "AssociateSourceServers", url.Values{"WorkgroupId": {wg}, "SourceId.1": {src[0]}})
		job := field(a.ok(ctx, "CreateReplicationJob", jobParams(src[0], f.Name("job"))), "JobId")
		a.ok(ctx, "StartReplicationJob", url.Values{"JobId": {job}})
		Expect(groups(ctx, a, url.Values{"WorkgroupId.1": {wg}})).To(ConsistOf(HaveKeyWithValue("Status", "InProgress")))
	})
	It("removes a workgroup with DeleteWorkgroup and frees its sources", Label("action:DeleteWorkgroup"), func(ctx SpecContext) {
		a, wg, src := setup(ctx, 1)
		a.ok(ctx, "AssociateSourceServers", url.Values{"WorkgroupId": {wg}, "SourceId.1": {src[0]}})
		a.ok(ctx, "DeleteWorkgroup", url.Values{"WorkgroupId": {wg}})
		Expect(groups(ctx, a, nil)).To(BeEmpty())
		Expect(memberOf(ctx, a, src[0])).To(BeEmpty())
		expectError(a.call(ctx, "DeleteWorkgroup", url.Values{"WorkgroupId": {wg}}), "DeleteWorkgroup", "InvalidWorkgroupId.NotFound")
	})
})
