package spec

import (
	"fmt"
	"time"

	"gopkg.in/yaml.v3"
)

// Gateway is what the API gateway in front of every product checks and answers
// (spec/gateway.yaml): the common parameters and the gateway's own error codes.
type Gateway struct {
	CommonParameters []string      `yaml:"commonParameters"`
	TimestampSkew    time.Duration `yaml:"timestampSkew"`
	Errors           []ErrorCode   `yaml:"errors"`
	// FlowControl maps a flow-control scope (api, user, service) to the code a request over
	// that scope's limit earns.
	FlowControl map[string]string `yaml:"flowControl"`
	// Choices records decisions taken where the sources disagree or are silent.
	Choices []Choice `yaml:"choices"`

	common map[string]bool
	errors map[string]ErrorCode
}

func loadGateway() (*Gateway, error) {
	data, err := files.ReadFile("gateway.yaml")
	if err != nil {
		return nil, err
	}
	var g Gateway
	if err := yaml.Unmarshal(data, &g); err != nil {
		return nil, fmt.Errorf("gateway.yaml: %w", err)
	}
	g.common = map[string]bool{}
	for _, n := range g.CommonParameters {
		g.common[n] = true
	}
	g.errors = map[string]ErrorCode{}
	for _, e := range g.Errors {
		g.errors[e.Code] = e
	}
	for _, scope := range FlowControlScopes {
		code, ok := g.FlowControl[scope]
		if _, known := g.errors[code]; !ok || !known {
			return nil, fmt.Errorf("gateway.yaml: flowControl.%s must name a gateway error", scope)
		}
	}
	return &g, nil
}

// The flow-control scopes: one action's calls in an account, one caller's calls, and every
// call to the product.
const (
	ScopeAPI     = "api"
	ScopeUser    = "user"
	ScopeService = "service"
)

// FlowControlScopes lists the scopes gateway.yaml must give a code for.
var FlowControlScopes = []string{ScopeAPI, ScopeUser, ScopeService}

// Throttled returns the error of a request over the limit of a flow-control scope.
func (g *Gateway) Throttled(scope string) ErrorCode { return g.Error(g.FlowControl[scope]) }

// IsCommon reports whether a parameter is a common RPC parameter rather than an action's own.
func (g *Gateway) IsCommon(name string) bool { return g.common[name] }

// Error returns a gateway error by code. Asking for an unknown code is a programming error.
func (g *Gateway) Error(code string) ErrorCode {
	e, ok := g.errors[code]
	if !ok {
		panic("spec: gateway error " + code + " is not in gateway.yaml")
	}
	return e
}
