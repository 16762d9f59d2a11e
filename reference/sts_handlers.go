package reference

import (
	"strings"
	"time"

	"github.com/smcct/smcct/ram"
)

// stsHandlers is the auxiliary STS service: AssumeRole, which the SDKs' RAM-role credential
// providers call.
func stsHandlers() map[string]Handler {
	return map[string]Handler{
		"AssumeRole": assumeRole,
	}
}

type assumedRoleUser struct {
	AssumedRoleID string `json:"AssumedRoleId" xml:"AssumedRoleId"`
	Arn           string `json:"Arn" xml:"Arn"`
}

type stsCredentials struct {
	AccessKeyID     string `json:"AccessKeyId" xml:"AccessKeyId"`
	AccessKeySecret string `json:"AccessKeySecret" xml:"AccessKeySecret"`
	SecurityToken   string `json:"SecurityToken" xml:"SecurityToken"`
	Expiration      string `json:"Expiration" xml:"Expiration"`
}

type assumeRoleResult struct {
	AssumedRoleUser assumedRoleUser `json:"AssumedRoleUser" xml:"AssumedRoleUser"`
	Credentials     stsCredentials  `json:"Credentials" xml:"Credentials"`
}

// assumeRole issues a session of a role to a RAM identity the role trusts. The caller's own
// policies were already checked for sts:AssumeRole on the role's ARN (the action's RAM
// resource), like any other action's.
func assumeRole(c *Ctx) (any, error) {
	if c.Caller == nil || c.Caller.root() {
		return nil, c.Err("NoPermission")
	}
	account, name, _ := strings.Cut(strings.TrimPrefix(c.Str("RoleArn"), "acs:ram::"), ":role/")
	role, ok := c.iam.role(account, name)
	if !ok {
		return nil, c.Err("EntityNotExist.Role")
	}
	keys := ram.Context{}
	if c.Has("ExternalId") {
		keys.Set("sts:ExternalId", c.Str("ExternalId"))
	}
	keys.Set("acs:CurrentTime", c.Now.UTC().Format(time.RFC3339))
	if !role.trust.Trusts("sts:AssumeRole", c.Caller.names(), keys) {
		return nil, c.Err("NoPermission")
	}
	life := time.Duration(c.Int("DurationSeconds", 3600)) * time.Second
	if life > role.maxSession {
		return nil, c.Err("InvalidParameter.DurationSeconds")
	}
	policy := c.Str("Policy")
	if policy != "" {
		if _, err := ram.Parse([]byte(policy), ram.Identity); err != nil {
			return nil, c.Err("InvalidParameter.PolicyGrammar")
		}
	}
	session := c.Str("RoleSessionName")
	expires := c.Now.Add(life).UTC()
	keyID, secret, token := c.iam.sts.issue(c.Caller.names()[0], stsSession{
		Account: account, Role: role.fixture.Name, Name: session, Expires: expires.Unix(), Policy: policy,
	})
	return assumeRoleResult{
		AssumedRoleUser: assumedRoleUser{
			AssumedRoleID: role.id + ":" + session,
			Arn:           "acs:ram::" + account + ":role/" + strings.ToLower(role.fixture.Name) + "/" + session,
		},
		Credentials: stsCredentials{AccessKeyID: keyID, AccessKeySecret: secret, SecurityToken: token,
			Expiration: expires.Format("2006-01-02T15:04:05Z")},
	}, nil
}

// role finds a role by account and name (names compare without case).
func (ids *identities) role(account, name string) (*ramRole, bool) {
	ids.mu.RLock()
	defer ids.mu.RUnlock()
	a, ok := ids.accounts[account]
	if !ok {
		return nil, false
	}
	r, ok := a.roles[strings.ToLower(name)]
	return r, ok
}
