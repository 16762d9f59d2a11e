package reference

import (
	"net"
	"net/http"
	"time"

	"github.com/smcct/smcct/ram"
	"github.com/smcct/smcct/rpc"
	"github.com/smcct/smcct/spec"
)

// authorize applies RAM to a call: the account itself may do anything; a RAM user, or a
// role's session, needs policies that allow the action on every resource the request names
// (spec.Action.ResourceARNs), and no Deny that matches. A session is also bound by the
// policy its token was issued with. The refusal's code is the product's, by whether the
// action as such or only the resource was refused.
func (s *Server) authorize(p *principal, call *rpc.Call, in map[string]any, r *http.Request) *rpc.Error {
	a := call.Action
	if p.root() || a.RAM == nil {
		return nil
	}
	arns := a.ResourceARNs(call.Params.Get("RegionId"), p.acct.id, func(name string) string {
		v, _ := in[name].(string)
		return v
	})
	req := ram.Request{Action: a.RAM.Action, Resources: arns, Context: s.conditionKeys(call, r)}
	d := ram.Evaluate(s.store.ids.policiesOf(p), req)
	if p.session != nil && p.session.policy != nil {
		d = ram.Both(d, ram.Evaluate([]*ram.Policy{p.session.policy}, req))
	}
	if d.Allowed {
		return nil
	}
	code, ok := a.Denial(d.ActionLevel)
	if !ok {
		return rpc.NewError(s.catalog.Gateway.Error("InternalError"))
	}
	return rpc.NewError(code)
}

// conditionKeys are the common condition keys the reference knows of a request: the
// business time, the client's address, whether it came over TLS, and the AccessKeyId.
func (s *Server) conditionKeys(call *rpc.Call, r *http.Request) ram.Context {
	keys := ram.Context{}
	keys.Set("acs:CurrentTime", s.clock.Now().UTC().Format(time.RFC3339))
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		keys.Set("acs:SourceIp", host)
	}
	secure := "false"
	if r.TLS != nil {
		secure = "true"
	}
	keys.Set("acs:SecureTransport", secure)
	keys.Set("acs:AccessId", call.AccessKeyID)
	return keys
}

// accountConditions answers the first account condition that holds and that the action
// documents a code for (spec.AccountConditions order). A missing service-linked role is
// created on the fly for a caller allowed to create it, as the service does.
func (s *Server) accountConditions(p *principal, call *rpc.Call, r *http.Request) *rpc.Error {
	flags := p.acct.flags.Load()
	if flags == 0 {
		return nil
	}
	for i, cond := range spec.AccountConditions {
		if flags&(1<<i) == 0 {
			continue
		}
		code, ok := call.Action.AccountError(cond)
		if !ok {
			continue
		}
		if cond == spec.CondServiceLinkedRole && s.mayCreateServiceLinkedRole(p, call, r) {
			p.acct.flags.And(^uint32(1 << i))
			continue
		}
		return rpc.NewError(code)
	}
	return nil
}

// mayCreateServiceLinkedRole: the account itself may; a RAM identity needs
// ram:CreateServiceLinkedRole on the account's roles.
func (s *Server) mayCreateServiceLinkedRole(p *principal, call *rpc.Call, r *http.Request) bool {
	if p.root() {
		return true
	}
	req := ram.Request{Action: "ram:CreateServiceLinkedRole",
		Resources: []string{"acs:ram::" + p.acct.id + ":role/*"}, Context: s.conditionKeys(call, r)}
	d := ram.Evaluate(s.store.ids.policiesOf(p), req)
	if p.session != nil && p.session.policy != nil {
		d = ram.Both(d, ram.Evaluate([]*ram.Policy{p.session.policy}, req))
	}
	return d.Allowed
}
