package rpc

import (
	"testing"
)

// With Keys set, the gateway asks it for the secret with the request's SecurityToken and
// answers the code it refuses a key with, before the signature is checked.
func TestAdmitAsksKeys(t *testing.T) {
	cases := []struct {
		reason  string
		mod     func(*Config)
		refusal string
		want    string // "" accepted
	}{
		{"an active key signs", nil, "", ""},
		{"a disabled key is refused before its signature is checked", nil, "InvalidAccessKeyId.Inactive", "InvalidAccessKeyId.Inactive"},
		{"an expired token is refused", func(c *Config) { c.SecurityToken = "CAIS-old" }, "InvalidSecurityToken.Expired", "InvalidSecurityToken.Expired"},
		{"v3 carries the token in a header", func(c *Config) { c.Signer = V3; c.SecurityToken = "CAIS-v3" }, "", ""},
	}
	for _, c := range cases {
		g := testGateway(t, t0)
		var gotToken string
		g.Keys = func(id, token string) (string, string) {
			gotToken = token
			if c.refusal != "" {
				return "", c.refusal
			}
			return testSecret, ""
		}
		g.Secrets = nil
		call, e := g.Admit(build(t, c.mod, nil))
		switch {
		case c.want == "" && e != nil:
			t.Errorf("%s: refused with %v", c.reason, e)
		case c.want != "" && (e == nil || e.Code != c.want):
			t.Errorf("%s: got %v, want %s", c.reason, e, c.want)
		}
		if call.SecurityToken != gotToken {
			t.Errorf("%s: Keys saw token %q, the call carries %q", c.reason, gotToken, call.SecurityToken)
		}
		if c.mod != nil && gotToken == "" && c.refusal == "" {
			t.Errorf("%s: the token did not reach Keys", c.reason)
		}
	}
}
