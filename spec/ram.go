package spec

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// RAM is how Resource Access Management authorizes one action (x-acs-ram on the path item):
// the action name policies grant, its access level, and the resources a request names.
type RAM struct {
	// Action is what a policy's Action element names: "<ram code>:<action>".
	Action string `json:"action"`
	// Access is the access level: create, list, get, update or delete.
	Access string `json:"access"`
	// Resources are the resource types the action authorizes against. None means "All
	// Resources": only a statement whose Resource matches every resource grants the action.
	Resources []RAMResource `json:"resources"`
}

// RAMResource is one resource type of an action, with the template of its ARN.
type RAMResource struct {
	Type string `json:"type"`
	// ARN is a template: {#regionId} and {#accountId} stand for the request's region and the
	// caller's account, {#Name} for the value of the request parameter Name.
	ARN string `json:"arn"`
	// Required: the documents mark the type with an asterisk; the request names it always.
	Required bool `json:"required"`
}

// Access levels of the RAM authorization tables.
var accessLevels = map[string]bool{"create": true, "list": true, "get": true, "update": true, "delete": true}

var arnVar = regexp.MustCompile(`\{#([A-Za-z][A-Za-z0-9]*)\}`)

// Params returns the request parameters the ARN template reads, in order.
func (r RAMResource) Params() []string {
	var out []string
	for _, m := range arnVar.FindAllStringSubmatch(r.ARN, -1) {
		if m[1] != "regionId" && m[1] != "accountId" {
			out = append(out, m[1])
		}
	}
	return out
}

// Fill returns the ARN for one request: region and account fill their placeholders, param
// gives the value of a request parameter ("" when the request lacks it).
func (r RAMResource) Fill(region, account string, param func(name string) string) string {
	return arnVar.ReplaceAllStringFunc(r.ARN, func(m string) string {
		switch name := m[2 : len(m)-1]; name {
		case "regionId":
			return region
		case "accountId":
			return account
		default:
			return param(name)
		}
	})
}

// Authorization is a product's answers to RAM denials and account conditions
// (info.x-acs-authorization): which documented code each situation earns.
type Authorization struct {
	// Service is the product's RAM code, the prefix of every action's RAM name.
	Service string `json:"service"`
	// Denied names the codes of a refused request: Action when no statement grants the
	// action on any resource (or a Deny covers it on every resource), Resource when the
	// action is granted but not on the named resource or not under the request's conditions.
	Denied struct {
		Action   string `json:"action"`
		Resource string `json:"resource"`
	} `json:"denied"`
	// Account maps an account condition (AccountConditions) to the code an action answers
	// while the condition holds, for every action that documents the code.
	Account map[string]string `json:"account"`
}

// The account conditions a control plane can set and a product may answer.
const (
	// CondArrears: the account is in arrears.
	CondArrears = "arrears"
	// CondServiceLinkedRole: the product's service-linked role does not exist; a caller that
	// may create it (the account itself, or a RAM user allowed ram:CreateServiceLinkedRole)
	// creates it on the fly, anyone else is refused.
	CondServiceLinkedRole = "serviceLinkedRoleMissing"
	// CondServiceRole: the service role the product acts through has not been granted.
	CondServiceRole = "serviceRoleMissing"
	// CondRealName: the account has not passed real-name verification.
	CondRealName = "realNameUnverified"
)

// AccountConditions lists every account condition in the order they are checked.
var AccountConditions = []string{CondRealName, CondArrears, CondServiceRole, CondServiceLinkedRole}

// Denial returns the documented error of a refused call: the action-level code when
// actionLevel, else the resource-level one.
func (a *Action) Denial(actionLevel bool) (ErrorCode, bool) {
	auth := a.Product.Authorization
	if auth == nil {
		return ErrorCode{}, false
	}
	code := auth.Denied.Resource
	if actionLevel {
		code = auth.Denied.Action
	}
	return a.Error(code)
}

// AccountError returns the code an account condition earns on this action, if the action
// documents it.
func (a *Action) AccountError(condition string) (ErrorCode, bool) {
	auth := a.Product.Authorization
	if auth == nil {
		return ErrorCode{}, false
	}
	code, ok := auth.Account[condition]
	if !ok {
		return ErrorCode{}, false
	}
	return a.Error(code)
}

func (p *Product) checkAuthorization() error {
	auth := p.Authorization
	if auth == nil {
		return nil
	}
	if auth.Service == "" || auth.Denied.Action == "" || auth.Denied.Resource == "" {
		return fmt.Errorf("x-acs-authorization needs service and both denied codes")
	}
	known := map[string]bool{}
	for _, c := range AccountConditions {
		known[c] = true
	}
	for cond := range auth.Account {
		if !known[cond] {
			return fmt.Errorf("x-acs-authorization: unknown account condition %q (want one of %s)", cond, strings.Join(AccountConditions, ", "))
		}
	}
	return nil
}

// checkRAM validates an action's x-acs-ram against its product's x-acs-authorization. A
// product with authorization needs RAM data on every action, and the denial codes in
// every action's error list.
func (a *Action) checkRAM() []string {
	auth := a.Product.Authorization
	if auth == nil {
		if a.RAM != nil {
			return []string{"x-acs-ram without info.x-acs-authorization"}
		}
		return nil
	}
	var problems []string
	if a.RAM == nil {
		return []string{"no x-acs-ram: every action of a product with x-acs-authorization needs its RAM action, access level and resources"}
	}
	if a.RAM.Action != auth.Service+":"+a.Name {
		problems = append(problems, fmt.Sprintf("x-acs-ram action %q, want %q", a.RAM.Action, auth.Service+":"+a.Name))
	}
	if !accessLevels[a.RAM.Access] {
		problems = append(problems, fmt.Sprintf("x-acs-ram access %q is not create, list, get, update or delete", a.RAM.Access))
	}
	for _, r := range a.RAM.Resources {
		if r.Type == "" || r.ARN == "" {
			problems = append(problems, "x-acs-ram resource needs a type and an arn")
			continue
		}
		for _, name := range r.Params() {
			if p, ok := a.Param(name); !ok || !p.Schema.Type.Is(openapi3.TypeString) {
				problems = append(problems, fmt.Sprintf("x-acs-ram %s arn reads %s, which is not a string parameter of the action", r.Type, name))
			}
		}
	}
	for _, code := range []string{auth.Denied.Action, auth.Denied.Resource} {
		if _, ok := a.Error(code); !ok {
			problems = append(problems, "x-acs-errors lacks the denial code "+code)
		}
	}
	return problems
}

// ResourceARNs returns the ARNs a request of this action names: each resource type's
// template filled from the request, or, for an All Resources action, the service-wide ARN
// acs:<service>:<region>:<account>:* whose last part is a literal star, which only a policy
// Resource covering every resource matches.
func (a *Action) ResourceARNs(region, account string, param func(name string) string) []string {
	if a.RAM == nil {
		return nil
	}
	if len(a.RAM.Resources) == 0 {
		return []string{"acs:" + a.Product.Authorization.Service + ":" + region + ":" + account + ":*"}
	}
	out := make([]string, len(a.RAM.Resources))
	for i, r := range a.RAM.Resources {
		out[i] = r.Fill(region, account, param)
	}
	return out
}
