package cases

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/smcct/smcct/spec"
)

// AuthCase is one authorization case of an action: a RAM user with these policies sends the
// action's baseline request, and RAM must refuse it with Expect, or let it through (any
// answer but a RAM refusal).
type AuthCase struct {
	Action *spec.Action
	// Kind names the situation: no-policy, allowed, explicit-deny, other-resource,
	// other-region, other-account.
	Kind     string
	Policies []string // policy documents attached to the user
	Params   url.Values
	Denied   bool
	Expect   spec.ErrorCode
}

// Describe names the case in the spec text.
func (c AuthCase) Describe() string {
	what := map[string]string{
		"no-policy":      "a RAM user without a policy for it",
		"allowed":        "a RAM user allowed it on what the request names",
		"explicit-deny":  "a RAM user whose policies allow everything but deny it",
		"other-resource": "a RAM user allowed it only on another resource",
		"other-region":   "a RAM user allowed it only in another region",
		"other-account":  "a RAM user allowed it only in another account",
	}[c.Kind]
	if !c.Denied {
		return c.Action.Name + " by " + what + " is not refused by RAM"
	}
	return c.Action.Name + " by " + what + " answers " + strconv.Itoa(c.Expect.Status) + " " + c.Expect.Code
}

// Labels are the spec's labels: auth, the action, and the code of a refusal.
func (c AuthCase) Labels() []string {
	out := []string{"auth", "action:" + c.Action.Name}
	if c.Denied {
		out = append(out, "code:"+c.Expect.Code)
	}
	return out
}

// Refusal reports whether a code is one of the action's RAM refusals: what an allowed case
// must not earn.
func (c AuthCase) Refusal(code string) bool {
	for _, level := range []bool{true, false} {
		if e, ok := c.Action.Denial(level); ok && e.Code == code {
			return true
		}
	}
	return false
}

// The elsewheres of the scoping cases: a region, an account and an ID no request names.
const (
	otherRegion  = "cn-smcct-elsewhere"
	otherAccount = "1999999999999999"
	otherID      = "smcctelsewhere00000000"
)

// Scoping reports whether a case kind is one of the region and account scopings, which
// suites run for a few representative actions only (ScopingRepresentative): they test how
// ARNs are matched, which does not change from one action to the next.
func (c AuthCase) Scoping() bool { return c.Kind == "other-region" || c.Kind == "other-account" }

// ScopingRepresentative reports whether an action stands for its product's actions in the
// region and account scoping cases: per product, the first action (by name) with resource
// types and the first without.
func ScopingRepresentative(a *spec.Action) bool {
	if a.RAM == nil {
		return false
	}
	for _, o := range a.Product.Actions() {
		if o.RAM != nil && (len(o.RAM.Resources) == 0) == (len(a.RAM.Resources) == 0) {
			return o == a
		}
	}
	return false
}

// AuthCases are the authorization cases of an action whose product models RAM. region is
// the RegionId the target's clients send when the request has none.
func AuthCases(a *spec.Action, region string) []AuthCase {
	if a.RAM == nil {
		return nil
	}
	tree, ok := Baseline(a)
	if !ok {
		return nil
	}
	params := Query(a, tree)
	if r := params.Get("RegionId"); r != "" {
		region = r
	}
	own := func(name string) string { return params.Get(name) }
	arns := func(region, account string, value func(string) string) []string {
		if len(a.RAM.Resources) == 0 {
			return []string{"acs:" + a.Product.Authorization.Service + ":" + region + ":" + account + ":*"}
		}
		return a.ResourceARNs(region, account, value)
	}
	grant := func(resources []string) string { return statement("Allow", a.RAM.Action, resources) }
	actionLevel, _ := a.Denial(true)
	resourceLevel, _ := a.Denial(false)
	mk := func(kind string, denied bool, expect spec.ErrorCode, policies ...string) AuthCase {
		return AuthCase{Action: a, Kind: kind, Policies: policies, Params: params, Denied: denied, Expect: expect}
	}
	out := []AuthCase{
		mk("no-policy", true, actionLevel),
		mk("allowed", false, spec.ErrorCode{}, grant(arns(region, "*", own))),
		mk("explicit-deny", true, actionLevel, statement("Allow", "*", []string{"*"}), statement("Deny", a.RAM.Action, []string{"*"})),
	}
	if len(a.RAM.Resources) > 0 {
		other := func(name string) string { return prefixOf(params.Get(name)) + otherID }
		out = append(out, mk("other-resource", true, resourceLevel, grant(arns(region, "*", other))))
	} else {
		out = append(out, mk("other-resource", true, resourceLevel,
			grant([]string{"acs:" + a.Product.Authorization.Service + ":*:*:smcct-kind/*"})))
	}
	if strings.Contains(templates(a), "{#regionId}") || len(a.RAM.Resources) == 0 {
		out = append(out, mk("other-region", true, resourceLevel, grant(arns(otherRegion, "*", own))))
	}
	if strings.Contains(templates(a), "{#accountId}") || len(a.RAM.Resources) == 0 {
		out = append(out, mk("other-account", true, resourceLevel, grant(arns("*", otherAccount, own))))
	}
	return out
}

func templates(a *spec.Action) string {
	var b strings.Builder
	for _, r := range a.RAM.Resources {
		b.WriteString(r.ARN)
	}
	return b.String()
}

// prefixOf keeps the kind prefix of an ID (j-, pg-, pair-cn-), so that the other ID looks
// like one of the same kind.
func prefixOf(id string) string {
	if i := strings.LastIndex(id, "-"); i >= 0 {
		return id[:i+1]
	}
	return ""
}

// statement is a policy of one statement.
func statement(effect, action string, resources []string) string {
	quoted := make([]string, len(resources))
	for i, r := range resources {
		quoted[i] = strconv.Quote(r)
	}
	return `{"Version":"1","Statement":[{"Effect":"` + effect + `","Action":` + strconv.Quote(action) +
		`,"Resource":[` + strings.Join(quoted, ",") + `]}]}`
}
