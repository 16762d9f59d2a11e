package framework

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/smcct/smcct/reference"
	"github.com/smcct/smcct/rpc"
)

// Fixture credentials of the reference (fixtures/default.yaml).
var (
	FixtureDefault = Credentials{AccessKeyID: "smcct", Secret: "smcct-secret"}
	FixtureOther   = fixtureOther
)

// NewInProcess starts a fresh reference on a virtual clock behind a loopback listener and
// returns it as a target with every capability. This is the one place the suites touch the
// reference package; specs still reach it only over HTTP.
func NewInProcess(signer rpc.Signer) (*Target, error) {
	srv, err := reference.New(reference.Options{})
	if err != nil {
		return nil, fmt.Errorf("reference: %w", err)
	}
	h, ok := any(srv).(http.Handler)
	if !ok {
		_ = srv.Close()
		return nil, fmt.Errorf("reference: this build's Server does not serve HTTP yet")
	}
	ts := httptest.NewServer(h) // binds 127.0.0.1 only
	t, err := NewEndpoint(context.Background(), EndpointConfig{
		URL: ts.URL, Signer: signer, Default: FixtureDefault, Other: FixtureOther,
		HTTP: ts.Client(),
	})
	if err != nil {
		ts.Close()
		_ = srv.Close()
		return nil, err
	}
	t.Name = "reference (in-process)"
	t.OnClose(srv.Close)
	t.OnClose(func() error { ts.Close(); return nil })
	if !t.Caps.Control {
		_ = t.Close()
		return nil, fmt.Errorf("reference: the control plane did not answer")
	}
	return t, nil
}
