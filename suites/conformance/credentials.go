package conformance

import (
	"context"
	"net/url"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/onsi/gomega/types"

	"github.com/smcct/smcct/suites/framework"
)

// Credentials: disabled AccessKeys, and the temporary credentials of STS. A role's session is
// what SDKs' RAM-role credential providers get from AssumeRole: an AccessKey, its secret and
// a SecurityToken that must travel with every request until it expires.

// gatewayError returns a gateway code as gateway.yaml documents it.
func beGatewayError(code string) types.GomegaMatcher {
	GinkgoHelper()
	return framework.HaveDocumentedError(framework.Catalog().Gateway.Error(code))
}

var _ = Describe("Disabled AccessKeys", Label("auth", "needs:identities"), func() {
	f := framework.New()
	It("a disabled AccessKey is refused with 400 InvalidAccessKeyId.Inactive",
		Label("action:DescribeSourceServers", "code:InvalidAccessKeyId.Inactive"), func(ctx SpecContext) {
			describe := f.NeedAction("DescribeSourceServers")
			if !f.T.Caps.Control { // a real account lends a key it disabled, through its profile
				Expect(f.CallWith(ctx, f.InactiveKey(), describe, nil)).To(beGatewayError("InvalidAccessKeyId.Inactive"))
				return
			}
			ctl := f.NeedIdentities()
			key, user := f.UserIn(ctx, "", allowEverything)
			Expect(ctl.SetKeyStatus(ctx, key.AccessKeyID, "Inactive")).To(Succeed())
			Expect(f.CallWith(ctx, user, describe, nil)).To(beGatewayError("InvalidAccessKeyId.Inactive"))
		})
	It("a disabled AccessKey works again once enabled",
		Label("action:DescribeSourceServers", "code:InvalidAccessKeyId.Inactive"), func(ctx SpecContext) {
			ctl := f.NeedIdentities()
			describe := f.NeedAction("DescribeSourceServers")
			key, user := f.UserIn(ctx, "", allowEverything)
			Expect(ctl.SetKeyStatus(ctx, key.AccessKeyID, "Inactive")).To(Succeed())
			Expect(f.CallWith(ctx, user, describe, nil)).To(beGatewayError("InvalidAccessKeyId.Inactive"))
			Expect(ctl.SetKeyStatus(ctx, key.AccessKeyID, "Active")).To(Succeed())
			Expect(f.CallWith(ctx, user, describe, nil)).To(framework.Succeed200())
		})
})

const allowEverything = `{"Version":"1","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`

// roleSetup is an account of the spec's own with a role that may read SMC and EBS, and a
// RAM user allowed to assume it.
type roleSetup struct {
	f       *framework.F
	acct    *account
	roleArn string
	assumer *framework.Client
}

func newRoleSetup(ctx context.Context, f *framework.F) *roleSetup {
	GinkgoHelper()
	f.NeedSTS()
	ctl := f.NeedIdentities()
	id := f.AccountID()
	key := framework.Credentials{AccessKeyID: f.ID("smcct-key-"), Secret: f.Token()}
	Expect(ctl.AddAccount(ctx, framework.Account{ID: id, Key: key})).To(Succeed())
	c, err := f.T.NewClient(key, framework.ClientOptions{})
	Expect(err).NotTo(HaveOccurred())
	role := f.Name("role")
	Expect(ctl.PutRole(ctx, id, framework.Role{Name: role, InlinePolicies: []framework.RawPolicy{
		`{"Version":"1","Statement":[{"Effect":"Allow","Action":["smc:Describe*","ebs:Describe*"],"Resource":"*"}]}`}})).To(Succeed())
	f.Cleanup(func(ctx context.Context) { _ = ctl.DeleteRole(ctx, id, role) })
	_, assumer := f.UserIn(ctx, id, `{"Version":"1","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}`)
	return &roleSetup{f: f, acct: &account{f: f, c: c, id: id, key: key.AccessKeyID}, roleArn: "acs:ram::" + id + ":role/" + role, assumer: assumer}
}

// assume calls AssumeRole as c and returns the answer.
func (s *roleSetup) assume(ctx context.Context, c *framework.Client, params url.Values) *framework.Result {
	GinkgoHelper()
	q := url.Values{"RoleArn": {s.roleArn}, "RoleSessionName": {"smcct-spec"}}
	for k, v := range params {
		q[k] = v
	}
	return s.f.CallWith(ctx, c, s.f.NeedSTS(), q)
}

// session assumes the role and returns the session's credentials.
func (s *roleSetup) session(ctx context.Context, name string, params url.Values) framework.Credentials {
	GinkgoHelper()
	q := url.Values{"RoleSessionName": {name}}
	for k, v := range params {
		q[k] = v
	}
	r := s.assume(ctx, s.assumer, q)
	Expect(r).To(framework.Succeed200(), "AssumeRole")
	creds, _ := r.Response.Data["Credentials"].(map[string]any)
	str := func(k string) string { v, _ := creds[k].(string); return v }
	Expect(str("AccessKeyId")).To(HavePrefix("STS."), "a temporary AccessKeyId")
	return framework.Credentials{AccessKeyID: str("AccessKeyId"), Secret: str("AccessKeySecret"), Token: str("SecurityToken")}
}

func (s *roleSetup) client(c framework.Credentials) *framework.Client {
	GinkgoHelper()
	cl, err := s.f.T.NewClient(c, framework.ClientOptions{})
	Expect(err).NotTo(HaveOccurred())
	return cl
}

var _ = Describe("STS temporary credentials", Label("sts", "needs:identities"), func() {
	f := framework.New()
	describe := func() (string, url.Values) { return "DescribeSourceServers", nil }

	It("AssumeRole issues a session with which SMC and EBS calls succeed within the role's policies",
		Label("action:AssumeRole", "action:DescribeSourceServers", "action:DescribeDiskReplicaGroups"), func(ctx SpecContext) {
			s := newRoleSetup(ctx, f)
			sess := s.client(s.session(ctx, "reader", nil))
			name, q := describe()
			Expect(f.CallWith(ctx, sess, f.NeedAction(name), q)).To(framework.Succeed200())
			Expect(f.CallWith(ctx, sess, f.NeedAction("DescribeDiskReplicaGroups"), url.Values{"RegionId": {srcRegion}})).To(framework.Succeed200())
			stop := f.NeedAction("StopReplicationJob")
			e, _ := stop.Denial(true)
			Expect(f.CallWith(ctx, sess, stop, url.Values{"JobId": {"j-smcctabsent000000000"}})).To(framework.HaveDocumentedError(e),
				"the role's policies allow reads only")
		})

	It("a session's key without its SecurityToken answers 400 MissingSecurityToken",
		Label("action:DescribeSourceServers", "code:MissingSecurityToken"), func(ctx SpecContext) {
			s := newRoleSetup(ctx, f)
			c := s.session(ctx, "tokenless", nil)
			c.Token = ""
			name, q := describe()
			Expect(f.CallWith(ctx, s.client(c), f.NeedAction(name), q)).To(beGatewayError("MissingSecurityToken"))
		})

	It("a session's key with a damaged SecurityToken answers 400 InvalidSecurityToken.Malformed",
		Label("action:DescribeSourceServers", "code:InvalidSecurityToken.Malformed"), func(ctx SpecContext) {
			s := newRoleSetup(ctx, f)
			c := s.session(ctx, "damaged", nil)
			c.Token = c.Token[:len(c.Token)/2] + flip(c.Token[len(c.Token)/2:len(c.Token)/2+1]) + c.Token[len(c.Token)/2+1:]
			name, q := describe()
			Expect(f.CallWith(ctx, s.client(c), f.NeedAction(name), q)).To(beGatewayError("InvalidSecurityToken.Malformed"))
		})

	It("a session's key with another session's SecurityToken answers 400 InvalidSecurityToken.MismatchWithAccessKey",
		Label("action:DescribeSourceServers", "code:InvalidSecurityToken.MismatchWithAccessKey"), func(ctx SpecContext) {
			s := newRoleSetup(ctx, f)
			one, two := s.session(ctx, "one", nil), s.session(ctx, "two", nil)
			Expect(one.AccessKeyID).NotTo(Equal(two.AccessKeyID), "two sessions have two keys")
			one.Token = two.Token
			name, q := describe()
			Expect(f.CallWith(ctx, s.client(one), f.NeedAction(name), q)).To(beGatewayError("InvalidSecurityToken.MismatchWithAccessKey"))
		})

	It("a session's credentials answer 400 InvalidSecurityToken.Expired once DurationSeconds have passed",
		Label("action:DescribeSourceServers", "code:InvalidSecurityToken.Expired", "needs:control"), func(ctx SpecContext) {
			ctl := f.NeedVirtualClock()
			s := newRoleSetup(ctx, f)
			sess := s.client(s.session(ctx, "short", url.Values{"DurationSeconds": {"900"}}))
			name, q := describe()
			Expect(f.CallWith(ctx, sess, f.NeedAction(name), q)).To(framework.Succeed200(), "within its lifetime")
			_, err := ctl.Advance(ctx, 15*time.Minute)
			Expect(err).NotTo(HaveOccurred())
			Expect(f.CallWith(ctx, sess, f.NeedAction(name), q)).To(beGatewayError("InvalidSecurityToken.Expired"))
		})

	It("a session policy narrows what the session may do below the role's policies",
		Label("action:AssumeRole", "action:DescribeReplicationJobs", "action:DescribeSourceServers"), func(ctx SpecContext) {
			s := newRoleSetup(ctx, f)
			narrow := url.Values{"Policy": {`{"Version":"1","Statement":[{"Effect":"Allow","Action":"smc:DescribeReplicationJobs","Resource":"*"}]}`}}
			sess := s.client(s.session(ctx, "narrow", narrow))
			Expect(f.CallWith(ctx, sess, f.NeedAction("DescribeReplicationJobs"), nil)).To(framework.Succeed200())
			src := f.NeedAction("DescribeSourceServers")
			e, _ := src.Denial(false)
			Expect(f.CallWith(ctx, sess, src, nil)).To(framework.HaveDocumentedError(e))
		})

	assumeRefusals := []struct {
		text, code string
		prepare    func(ctx SpecContext, s *roleSetup) (*framework.Client, url.Values)
	}{
		{"by the account itself answers 403 NoPermission", "NoPermission",
			func(ctx SpecContext, s *roleSetup) (*framework.Client, url.Values) { return s.acct.c, nil }},
		{"by a RAM user without sts:AssumeRole answers 403 NoPermission", "NoPermission",
			func(ctx SpecContext, s *roleSetup) (*framework.Client, url.Values) {
				_, u := f.UserIn(ctx, s.acct.id, `{"Version":"1","Statement":[{"Effect":"Allow","Action":"smc:*","Resource":"*"}]}`)
				return u, nil
			}},
		{"by a RAM user of an account the role does not trust answers 403 NoPermission", "NoPermission",
			func(ctx SpecContext, s *roleSetup) (*framework.Client, url.Values) {
				_, u := f.UserIn(ctx, "", `{"Version":"1","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}`)
				return u, nil
			}},
		{"of a role that does not exist answers 404 EntityNotExist.Role", "EntityNotExist.Role",
			func(ctx SpecContext, s *roleSetup) (*framework.Client, url.Values) {
				return s.assumer, url.Values{"RoleArn": {s.roleArn + "-gone"}}
			}},
		{"for longer than the role's maximum session answers 400 InvalidParameter.DurationSeconds", "InvalidParameter.DurationSeconds",
			func(ctx SpecContext, s *roleSetup) (*framework.Client, url.Values) {
				return s.assumer, url.Values{"DurationSeconds": {"7200"}}
			}},
		{"with a session policy that breaks the grammar answers 400 InvalidParameter.PolicyGrammar", "InvalidParameter.PolicyGrammar",
			func(ctx SpecContext, s *roleSetup) (*framework.Client, url.Values) {
				return s.assumer, url.Values{"Policy": {`{"Version":"1","Statement":[{"Effect":"Perhaps"}]}`}}
			}},
	}
	for _, c := range assumeRefusals {
		It("AssumeRole "+c.text, Label("action:AssumeRole", "code:"+c.code), func(ctx SpecContext) {
			s := newRoleSetup(ctx, f)
			caller, params := c.prepare(ctx, s)
			e, ok := f.NeedSTS().Error(c.code)
			Expect(ok).To(BeTrue(), "AssumeRole documents %s", c.code)
			Expect(s.assume(ctx, caller, params)).To(framework.HaveDocumentedError(e))
		})
	}
})

// flip changes one character of a token to another of the same alphabet.
func flip(s string) string {
	if strings.ContainsAny(s, "A") {
		return "B"
	}
	return "A"
}
