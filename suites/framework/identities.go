package framework

import (
	"context"
	"net/http"
	"net/url"

	. "github.com/onsi/ginkgo/v2" //nolint:revive // the DSL reads best unqualified
	. "github.com/onsi/gomega"    //nolint:revive

	"github.com/smcct/smcct/spec"
)

// RAM identities, account conditions and flow-control limits, for the authorization specs.
// A target with a control plane makes them on demand. A real account cannot, but its target
// profile (--target-config, ram:) can lend the two identities that need no policy of the
// suite's choosing: an unprivileged RAM user and a disabled AccessKey.

// noIdentities is why an identity spec skips on a target without a control plane.
const noIdentities = "target cannot make RAM users with given policies, roles, account conditions or flow-control limits: " +
	"it has no /_smcct/ control plane (a target profile lends only ram.unprivileged and ram.inactive)"

// NeedIdentities skips the spec unless the target can make RAM users, roles, disabled keys,
// account conditions and limits on demand.
func (f *F) NeedIdentities() *Control {
	GinkgoHelper()
	if !f.T.Caps.Control {
		Skip(noIdentities)
	}
	return f.T.Control()
}

// Unprivileged returns a client signing as a RAM user with no policy: one the control plane
// makes, or else the profile's ram.unprivileged.
func (f *F) Unprivileged(ctx context.Context) *Client {
	GinkgoHelper()
	if f.T.Caps.Control {
		return f.User(ctx)
	}
	id := f.T.Profile.RAM.Unprivileged
	if !id.Given() {
		Skip("target has no control plane to make a RAM user, and its target profile names no ram.unprivileged user")
	}
	c, err := f.T.NewClient(id.Credentials(), ClientOptions{})
	Expect(err).NotTo(HaveOccurred())
	return c
}

// InactiveKey returns a client signing with the profile's disabled AccessKey
// (ram.inactive), and skips the spec when the profile names none.
func (f *F) InactiveKey() *Client {
	GinkgoHelper()
	id := f.T.Profile.RAM.Inactive
	if !id.Given() {
		Skip("target has no control plane to disable a key, and its target profile names no ram.inactive AccessKey")
	}
	c, err := f.T.NewClient(id.Credentials(), ClientOptions{})
	Expect(err).NotTo(HaveOccurred())
	return c
}

// User is a RAM user for Control.PutUser: its keys and the policies attached to it.
type User struct {
	Name           string      `json:"name"`
	AccessKeys     []UserKey   `json:"accessKeys,omitempty"`
	Policies       []string    `json:"policies,omitempty"`
	InlinePolicies []RawPolicy `json:"inlinePolicies,omitempty"`
}

// UserKey is one AccessKey of a RAM user.
type UserKey struct {
	ID     string `json:"id"`
	Secret string `json:"secret"`
	Status string `json:"status,omitempty"`
}

// RawPolicy is a policy document as JSON text, sent as it is.
type RawPolicy string

// MarshalJSON embeds the document as JSON, not as a string.
func (p RawPolicy) MarshalJSON() ([]byte, error) { return []byte(p), nil }

// Role is a RAM role for Control.PutRole. Trust is its trust policy (JSON text); empty
// trusts every identity of the role's own account.
type Role struct {
	Name               string      `json:"name"`
	Trust              string      `json:"trust,omitempty"`
	Policies           []string    `json:"policies,omitempty"`
	InlinePolicies     []RawPolicy `json:"inlinePolicies,omitempty"`
	MaxSessionDuration int         `json:"maxSessionDuration,omitempty"`
}

// Limit is a flow-control limit (see the reference's docs): Calls calls per Per ("1h").
type Limit struct {
	ID      string `json:"id,omitempty"`
	Scope   string `json:"scope"`
	Account string `json:"account,omitempty"`
	Action  string `json:"action,omitempty"`
	User    string `json:"user,omitempty"`
	Product string `json:"product,omitempty"`
	Calls   int    `json:"calls"`
	Per     string `json:"per"`
}

// PutUser creates or replaces a RAM user of an account.
func (c *Control) PutUser(ctx context.Context, account string, u User) error {
	return c.do(ctx, http.MethodPost, "/iam/users", accountQuery(account), u, nil)
}

// DeleteUser removes a RAM user and its keys.
func (c *Control) DeleteUser(ctx context.Context, account, name string) error {
	return c.do(ctx, http.MethodDelete, "/iam/users/"+url.PathEscape(name), accountQuery(account), nil, nil)
}

// PutRole creates or replaces a RAM role of an account.
func (c *Control) PutRole(ctx context.Context, account string, r Role) error {
	return c.do(ctx, http.MethodPost, "/iam/roles", accountQuery(account), r, nil)
}

// DeleteRole removes a RAM role.
func (c *Control) DeleteRole(ctx context.Context, account, name string) error {
	return c.do(ctx, http.MethodDelete, "/iam/roles/"+url.PathEscape(name), accountQuery(account), nil, nil)
}

// SetKeyStatus enables (Active) or disables (Inactive) an AccessKey.
func (c *Control) SetKeyStatus(ctx context.Context, keyID, status string) error {
	return c.do(ctx, http.MethodPut, "/iam/keys/"+url.PathEscape(keyID), nil, map[string]string{"status": status}, nil)
}

// SetFlags sets or clears account conditions (spec.AccountConditions) of an account.
func (c *Control) SetFlags(ctx context.Context, account string, flags map[string]bool) error {
	return c.do(ctx, http.MethodPut, "/iam/flags", accountQuery(account), flags, nil)
}

// AddLimit installs a flow-control limit and returns it with its ID.
func (c *Control) AddLimit(ctx context.Context, l Limit) (Limit, error) {
	var out Limit
	err := c.do(ctx, http.MethodPost, "/flow-control", nil, l, &out)
	return out, err
}

// DeleteLimit removes one flow-control limit.
func (c *Control) DeleteLimit(ctx context.Context, id string) error {
	return c.do(ctx, http.MethodDelete, "/flow-control/"+url.PathEscape(id), nil, nil, nil)
}

// UserIn makes a RAM user of an account ("" the default one) with these policy documents,
// deletes it at cleanup, and returns its key and a client signing with it. Names and keys
// derive from the spec's text, so a re-run sends the same requests.
func (f *F) UserIn(ctx context.Context, account string, policies ...string) (Credentials, *Client) {
	GinkgoHelper()
	ctl := f.NeedIdentities()
	name := f.Name("ram")
	key := Credentials{AccessKeyID: f.ID("smcct-ram-"), Secret: f.Token()}
	u := User{Name: name, AccessKeys: []UserKey{{ID: key.AccessKeyID, Secret: key.Secret}}}
	for _, p := range policies {
		u.InlinePolicies = append(u.InlinePolicies, RawPolicy(p))
	}
	Expect(ctl.PutUser(ctx, account, u)).To(Succeed(), "setup: a RAM user")
	f.Cleanup(func(ctx context.Context) { _ = ctl.DeleteUser(ctx, account, name) })
	c, err := f.T.NewClient(key, ClientOptions{})
	Expect(err).NotTo(HaveOccurred())
	return key, c
}

// User is UserIn for the default account.
func (f *F) User(ctx context.Context, policies ...string) *Client {
	GinkgoHelper()
	_, c := f.UserIn(ctx, "", policies...)
	return c
}

// NeedSTS returns STS's AssumeRole and skips the spec unless the target serves STS: a
// reference does, beside the products. The real STS is another host, which target profiles
// do not name.
func (f *F) NeedSTS() *spec.Action {
	GinkgoHelper()
	if !f.T.Caps.Control {
		Skip("target serves no known STS: a reference serves it beside the products; the real STS is another host, which target profiles do not name")
	}
	a, ok := Catalog().Lookup("2015-04-01", "AssumeRole")
	if !ok {
		Skip("the contract does not describe STS AssumeRole")
	}
	return a
}
