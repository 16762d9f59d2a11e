package framework

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"sync"

	. "github.com/onsi/ginkgo/v2" //nolint:revive // the DSL reads best unqualified
	"github.com/smcct/smcct/rpc"
	"github.com/smcct/smcct/spec"
)

var (
	currentMu sync.RWMutex
	current   *Target
)

// Use makes t the target of every spec. Call it before RunSpecs.
func Use(t *Target) {
	currentMu.Lock()
	defer currentMu.Unlock()
	current = t
}

// Current returns the target set with Use; nil before.
func Current() *Target {
	currentMu.RLock()
	defer currentMu.RUnlock()
	return current
}

// Catalog is the contract the specs are generated from. It never fails in a built binary:
// the documents are embedded and checked by package spec's own tests.
func Catalog() *spec.Catalog { return spec.MustDefault() }

// AuxiliaryActions are the actions of the auxiliary services (STS): not the contract under
// test, but specs may check them on targets that serve them (F.NeedSTS).
func AuxiliaryActions() []*spec.Action {
	var out []*spec.Action
	for _, p := range Catalog().Auxiliary() {
		out = append(out, p.Actions()...)
	}
	return out
}

// IsAuxiliary reports whether an action belongs to an auxiliary service.
func IsAuxiliary(a *spec.Action) bool {
	for _, p := range Catalog().Auxiliary() {
		if a.Product == p {
			return true
		}
	}
	return false
}

// MustAction returns the named action of the contract, or nil when the documents do not
// describe it (then the spec that needs it skips).
func MustAction(name string) *spec.Action {
	for _, p := range Catalog().Products() {
		if a, ok := p.Action(name); ok {
			return a
		}
	}
	return nil
}

// F is what one spec uses: the target, the default account's client and the spec's names.
// New registers a BeforeEach that makes a fresh F for every spec.
type F struct {
	T      *Target
	Client *Client
	naming *naming
	walker *Walker
}

// New returns an F for a container; its fields are filled before each spec.
func New() *F {
	f := &F{}
	BeforeEach(func() {
		t := Current()
		if t == nil {
			Fail("no target: call framework.Use before RunSpecs")
		}
		c, err := t.NewClient(t.Default, ClientOptions{})
		if err != nil {
			Fail("client: " + err.Error())
		}
		*f = F{T: t, Client: c, naming: newNaming(CurrentSpecReport().FullText())}
		t.cassettes.begin()
	})
	return f
}

// NeedControl skips the spec unless the target has a control plane.
func (f *F) NeedControl() *Control {
	GinkgoHelper()
	if !f.T.Caps.Control {
		Skip("target cannot be controlled (no /_smcct/ control plane): needed to seed or force state")
	}
	return f.T.Control()
}

// NeedVirtualClock skips the spec unless business time can be moved.
func (f *F) NeedVirtualClock() *Control {
	GinkgoHelper()
	c := f.NeedControl()
	if !f.T.Caps.VirtualClock {
		Skip("target cannot move its clock (not a virtual clock)")
	}
	return c
}

// NeedWrites skips the spec unless it may change objects on the target.
func (f *F) NeedWrites() {
	GinkgoHelper()
	if !f.T.Caps.Writes {
		Skip("target cannot be written to: pass --allow-writes to let specs create and delete objects")
	}
}

// NeedOther skips the spec unless a second account is known, and returns its client.
func (f *F) NeedOther() *Client {
	GinkgoHelper()
	if !f.T.Caps.Other {
		Skip("target cannot show isolation: no second account is known")
	}
	c, err := f.T.NewClient(f.T.Other, ClientOptions{})
	if err != nil {
		Fail("client for the second account: " + err.Error())
	}
	return c
}

// NeedAction returns the action, or skips when the contract does not describe it.
func (f *F) NeedAction(name string) *spec.Action {
	GinkgoHelper()
	a := MustAction(name)
	if a == nil {
		Skip("the contract does not describe " + name)
	}
	return a
}

// Call sends one action through the default client; a transport failure or an answer that
// breaks the contract fails the spec. The exchange is attached to the spec's report.
func (f *F) Call(ctx context.Context, name string, params url.Values) *Result {
	GinkgoHelper()
	return f.CallWith(ctx, f.Client, f.NeedAction(name), params)
}

// CallWith is Call through another client.
func (f *F) CallWith(ctx context.Context, c *Client, a *spec.Action, params url.Values) *Result {
	GinkgoHelper()
	r, err := c.Call(ctx, a, params)
	return f.settle(r, err)
}

// CallDropping is Call with some common parameters the client would add taken out again
// (and the request re-signed), for cases about their absence.
func (f *F) CallDropping(ctx context.Context, a *spec.Action, params url.Values, drop ...string) *Result {
	GinkgoHelper()
	if len(drop) == 0 {
		return f.CallWith(ctx, f.Client, a, params)
	}
	req, err := f.Client.RPC().NewRequest(a.Product.Version, a.Name, params)
	if err != nil {
		Fail("request: " + err.Error())
	}
	for _, name := range drop {
		req.Query.Del(name)
		if req.Form != nil {
			req.Form.Del(name)
		}
	}
	if err := f.Client.RPC().Sign(req); err != nil {
		Fail("signing: " + err.Error())
	}
	return f.SendWith(ctx, f.Client, a, req)
}

// SendWith sends a hand-built request and checks the answer like Call.
func (f *F) SendWith(ctx context.Context, c *Client, a *spec.Action, req *rpc.Request) *Result {
	GinkgoHelper()
	r, err := c.Send(ctx, a, req)
	return f.settle(r, err)
}

func (f *F) settle(r *Result, err error) *Result {
	GinkgoHelper()
	if r == nil {
		Fail(fmt.Sprintf("no answer: %v", err))
	}
	AddReportEntry("exchange", r.Transcript(), ReportEntryVisibilityFailureOrVerbose)
	if r.Problem != "" {
		Fail("the answer breaks the contract: " + r.Problem)
	}
	return r
}

// Cleanup registers work that undoes what the spec created.
func (f *F) Cleanup(fn func(ctx context.Context)) {
	DeferCleanup(func(ctx SpecContext) { fn(ctx) })
}

// CleanupCreated undoes a successful create: when the answer carries the ID of the action's
// object kind and the contract has a Delete action for that kind, it is called at cleanup.
// A failed delete is reported in the spec's timeline, not as a failure: the object may be in
// a state that forbids deletion, which the spec under test does not claim anything about.
func (f *F) CleanupCreated(a *spec.Action, r *Result) {
	if r == nil || !r.OK() || a.Object == "" || !a.Write {
		return
	}
	o := a.Product.Objects[a.Object]
	if o == nil || r.Str(o.IDField) == "" {
		return
	}
	id := r.Str(o.IDField)
	del := deleteAction(a.Product, a.Object)
	if del == nil || a.Name == del.Name {
		return
	}
	c := f.Client
	f.Cleanup(func(ctx context.Context) {
		if res, err := c.Call(ctx, del, url.Values{o.IDParam: {id}}); err != nil || !res.OK() {
			GinkgoWriter.Printf("cleanup: %s %s=%s did not succeed\n", del.Name, o.IDParam, id)
		}
	})
}

func deleteAction(p *spec.Product, kind string) *spec.Action {
	for _, a := range p.Actions() {
		if a.Object == kind && a.Write && strings.HasPrefix(a.Name, "Delete") {
			return a
		}
	}
	return nil
}
