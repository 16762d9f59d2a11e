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
	return &g, nil
}

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
