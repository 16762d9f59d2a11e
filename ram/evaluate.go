package ram

// Request is what one call asks of RAM: an action on resources, under conditions.
type Request struct {
	// Action is the RAM name of the action, "<service>:<Action>".
	Action string
	// Resources are the ARNs the call names. An action without resource-level permissions
	// names the service-wide ARN whose last part is a literal "*" (AllResources): only a
	// policy Resource whose pattern covers that "*" matches it.
	Resources []string
	Context   Context
}

// AllResources is the ARN an action without resource-level permissions is authorized on.
func AllResources(service, region, account string) string {
	return "acs:" + service + ":" + region + ":" + account + ":*"
}

// Decision is what a set of policies says of one request.
type Decision struct {
	Allowed bool
	// ExplicitDeny: a Deny statement matched the action on a named resource.
	ExplicitDeny bool
	// ActionLevel: the refusal is about the action as such, whatever the resource: no Allow
	// statement names the action, or a Deny without conditions names it on every resource.
	ActionLevel bool
}

// Evaluate decides a request against every policy that applies to the caller. A request is
// allowed when, for each resource it names, some Allow statement matches and no Deny does.
func Evaluate(policies []*Policy, req Request) Decision {
	d := Decision{Allowed: len(req.Resources) > 0}
	for _, r := range req.Resources {
		allowed := false
		for _, p := range policies {
			for i := range p.Statement {
				st := &p.Statement[i]
				if !st.matches(req.Action, r, req.Context) {
					continue
				}
				if st.Effect == Deny {
					d.ExplicitDeny = true
				} else {
					allowed = true
				}
			}
		}
		if !allowed {
			d.Allowed = false
		}
	}
	if d.ExplicitDeny {
		d.Allowed = false
	}
	if !d.Allowed {
		d.ActionLevel = actionLevel(policies, req.Action)
	}
	return d
}

// Both combines two decisions that must both allow (a role's policies and the session policy
// of its STS token).
func Both(a, b Decision) Decision {
	return Decision{
		Allowed:      a.Allowed && b.Allowed,
		ExplicitDeny: a.ExplicitDeny || b.ExplicitDeny,
		ActionLevel:  (!a.Allowed && a.ActionLevel) || (!b.Allowed && b.ActionLevel),
	}
}

func actionLevel(policies []*Policy, action string) bool {
	named := false
	for _, p := range policies {
		for i := range p.Statement {
			st := &p.Statement[i]
			if !st.namesAction(action) {
				continue
			}
			if st.Effect == Allow {
				named = true
			} else if len(st.Condition) == 0 && contains(st.Resource, "*") {
				return true
			}
		}
	}
	return !named
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func (st *Statement) namesAction(action string) bool {
	if st.Action != nil {
		return anyMatch(st.Action, action, matchFold)
	}
	return !anyMatch(st.NotAction, action, matchFold)
}

func (st *Statement) namesResource(arn string) bool {
	if st.Resource != nil {
		return anyMatch(st.Resource, arn, match)
	}
	return !anyMatch(st.NotResource, arn, match)
}

func (st *Statement) matches(action, arn string, ctx Context) bool {
	return st.namesAction(action) && st.namesResource(arn) && st.conditionsHold(ctx)
}

func (st *Statement) conditionsHold(ctx Context) bool {
	for _, c := range st.Condition {
		if !c.holds(ctx) {
			return false
		}
	}
	return true
}

func anyMatch(patterns []string, s string, m func(p, s string) bool) bool {
	for _, p := range patterns {
		if m(p, s) {
			return true
		}
	}
	return false
}

// Trusts reports whether a trust policy lets a caller assume the role: some Allow statement
// names the action (sts:AssumeRole) and, under Principal RAM, one of the caller's names (its
// ARN, its account's root ARN, its account ID), with its conditions holding, and no Deny
// statement matches the same way.
func (p *Policy) Trusts(action string, callerNames []string, ctx Context) bool {
	allowed := false
	for i := range p.Statement {
		st := &p.Statement[i]
		if !st.namesAction(action) || !st.conditionsHold(ctx) || !st.namesPrincipal(callerNames) {
			continue
		}
		if st.Effect == Deny {
			return false
		}
		allowed = true
	}
	return allowed
}

func (st *Statement) namesPrincipal(names []string) bool {
	for _, pattern := range st.Principal["RAM"] {
		for _, n := range names {
			if matchFold(pattern, n) {
				return true
			}
		}
	}
	return false
}
