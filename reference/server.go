package reference

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/smcct/smcct/fixtures"
	"github.com/smcct/smcct/guard"
	"github.com/smcct/smcct/rpc"
	"github.com/smcct/smcct/spec"
)

// Options configure a reference Server. The zero value is a fresh in-memory reference on a
// virtual clock, seeded with fixtures/default.yaml, with the control plane on.
type Options struct {
	Catalog   *spec.Catalog // default spec.Default()
	Clock     *Clock        // default: virtual, starting at DefaultStart
	Fixtures  []byte        // fixtures YAML; default fixtures.Default
	StatePath string        // bbolt file for durable state; "" keeps state in memory
	Strict    bool          // reject requests that only earned warnings (unknown parameters)
	NoControl bool          // turn the /_smcct/ control plane off
	Logger    *slog.Logger  // default: discard
	// Wall is the clock for the gateway's timestamp window. It stays on wall time even when
	// business time is virtual, because SDKs stamp requests with their own wall clock.
	Wall func() time.Time
	// RequestID names each answer (the RequestId of its body); nil means a random UUID, as
	// the service sends. A recording made against the reference sets one derived from
	// the request, so that recording the same run twice gives the same cassettes. call
	// holds what the gateway learned, which may be nothing.
	RequestID func(r *http.Request, call *rpc.Call) string
	// InflightBytes bounds the requests over 64 KiB being read and handled at once, by
	// their declared size (those over 8 KiB share a quarter of it of their own); one that
	// would pass it is refused before its body is read. 0 means DefaultInflightBytes.
	InflightBytes int64
	// NonceBytes is the memory budget of the signature-nonce cache (rpc.NonceCache); 0
	// means rpc.DefaultNonceBytes.
	NonceBytes int64
	// ControlHosts are Host names the control plane answers besides the loopback ones
	// (localhost, 127.0.0.1, [::1]); ControlToken, if set, must come in guard.TokenHeader.
	// See package guard for everything else a control request must satisfy.
	ControlHosts []string
	ControlToken string
	// TokenKey signs the SecurityTokens AssumeRole issues; nil derives one from the
	// fixtures, so that references on the same fixtures accept each other's tokens.
	TokenKey []byte
}

// DefaultStart is where a virtual clock starts: a fixed instant makes runs repeatable.
var DefaultStart = time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)

// Server is the reference implementation.
type Server struct {
	opts     Options
	catalog  *spec.Catalog
	clock    *Clock
	store    *Store
	fixtures *Fixtures
	handlers map[string]map[string]Handler
	log      *slog.Logger

	gateway    *rpc.Gateway
	flow       *flowControl
	faults     *faultSet
	violations *spec.BreachLog
	control    http.Handler
	guard      *guard.Guard
	inflight   *inflight
	tokenKey   []byte
}

// New builds a Server: loads the contract and fixtures, and restores durable state if any.
func New(opts Options) (*Server, error) {
	s := &Server{opts: opts, catalog: opts.Catalog, clock: opts.Clock, log: opts.Logger, handlers: handlers()}
	if s.catalog == nil {
		c, err := spec.Default()
		if err != nil {
			return nil, err
		}
		s.catalog = c
	}
	if s.clock == nil {
		s.clock = NewVirtualClock(DefaultStart)
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	data := opts.Fixtures
	if data == nil {
		data = fixtures.Default
	}
	f, err := ParseFixtures(data)
	if err != nil {
		return nil, err
	}
	s.fixtures = f
	s.tokenKey = opts.TokenKey
	if s.tokenKey == nil {
		s.tokenKey = defaultTokenKey(data)
	}
	if s.store, err = s.freshStore(); err != nil {
		return nil, err
	}
	if opts.StatePath != "" {
		if err := s.openState(opts.StatePath); err != nil {
			return nil, err
		}
	}
	s.gateway = &rpc.Gateway{Catalog: s.catalog, Keys: s.credentials, Now: opts.Wall, Nonces: rpc.NewNonceCache(opts.NonceBytes)}
	s.inflight = newInflight(opts.InflightBytes, s.gateway.Limits)
	s.faults, s.violations, s.flow = newFaultSet(), spec.NewBreachLog(0), newFlowControl()
	s.control = s.newControl()
	s.guard = guard.New(opts.ControlHosts, opts.ControlToken)
	return s, nil
}

// Close releases the durable state file, if any.
func (s *Server) Close() error {
	if s.store.persist != nil {
		return s.store.persist.close()
	}
	return nil
}

// Clock returns the business clock.
func (s *Server) Clock() *Clock { return s.clock }

// credentials answers the gateway's question about a key (rpc.Gateway.Keys); temporary keys
// expire on the business clock, on which AssumeRole dated them.
func (s *Server) credentials(id, token string) (string, string) {
	return s.store.ids.credentials(id, token, s.clock.Now())
}

// freshStore is a store holding the fixtures and nothing else.
func (s *Server) freshStore() (*Store, error) {
	ids, err := newIdentities(s.fixtures.SystemPolicies, s.tokenKey)
	if err != nil {
		return nil, fmt.Errorf("fixtures: %w", err)
	}
	st := newStore(ids)
	return st, s.applyFixtures(st)
}

// applyFixtures creates the fixture accounts, keys, identities and objects in st.
func (s *Server) applyFixtures(st *Store) error {
	now := s.clock.Now()
	for _, af := range s.fixtures.Accounts {
		a := newAccount(af.ID, af.Name)
		kinds, err := rawKinds(af.State)
		if err != nil {
			return fmt.Errorf("account %s: %w", af.ID, err)
		}
		for _, d := range a.domains() {
			if err := d.seed(kinds, now); err != nil {
				return fmt.Errorf("account %s: %w", af.ID, err)
			}
		}
		st.accounts[a.ID] = a
		if st.defaultID == "" {
			st.defaultID = a.ID
		}
		if err := st.ids.addAccount(af); err != nil {
			return fmt.Errorf("account %s: %w", af.ID, err)
		}
	}
	return nil
}

// openState replaces fixture accounts with the saved ones and keeps saving from now on.
func (s *Server) openState(path string) error {
	p, err := openPersister(path)
	if err != nil {
		return err
	}
	saved, err := p.load()
	if err != nil {
		p.close()
		return err
	}
	for id, sv := range saved {
		a := sv.account
		if fa, ok := s.store.accounts[id]; ok {
			a.Name = fa.Name
		}
		if err := s.replay(a, sv.journal); err != nil {
			p.close()
			return fmt.Errorf("state %s: %w", path, err)
		}
		s.store.accounts[id] = a
	}
	if t, ok := p.loadClock(); ok {
		s.clock.restore(t)
	}
	s.store.persist = p
	return nil
}

// invoke runs one admitted, validated call for an account (call) under the account's lock;
// with durable state, a write returns once it is on disk.
func (s *Server) invoke(accountID string, a *spec.Action, in map[string]any) (result any, err error) {
	return s.invokeAs(accountID, nil, a, in)
}

// invokeAs is invoke on behalf of a caller, whom handlers see as Ctx.Caller.
func (s *Server) invokeAs(accountID string, caller *principal, a *spec.Action, in map[string]any) (result any, err error) {
	now := s.clock.Now()
	var w *change
	if a.Write {
		w = &change{Now: now, Version: a.Product.Version, Action: a.Name, In: in}
	}
	err = s.store.with(accountID, now, w, func(acct *Account) (err error) {
		result, err = s.call(acct, now, caller, a, in)
		return err
	})
	if err != nil {
		if _, ok := rpc.AsError(err); !ok {
			return nil, s.internal(a, err)
		}
		return nil, err
	}
	return result, nil
}

// call runs one action on a locked account: ClientToken replay, the spec's state
// preconditions, then the handler. A panic in a handler becomes InternalError and is
// logged; it never reaches the client as a crash.
func (s *Server) call(acct *Account, now time.Time, caller *principal, a *spec.Action, in map[string]any) (result any, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = s.internal(a, fmt.Errorf("panic: %v\n%s", r, debug.Stack()))
		}
	}()
	h, ok := s.handlers[a.Product.Name][a.Name]
	if !ok {
		return nil, s.internal(a, fmt.Errorf("no handler for %s", a.Name))
	}
	c := &Ctx{Action: a, In: in, Account: acct, Now: now, Regions: s.fixtures.Regions, Caller: caller, iam: s.store.ids}
	if replay, done, err := idempotentReplay(c); done || err != nil {
		return replay, err
	}
	if err := checkState(c); err != nil {
		return nil, err
	}
	if result, err = h(c); err != nil {
		return nil, err
	}
	return result, rememberToken(c, result)
}

// internal logs an unexpected failure and returns the product's InternalError.
func (s *Server) internal(a *spec.Action, cause error) *rpc.Error {
	var e *rpc.Error
	if errors.As(cause, &e) {
		return e
	}
	if a == nil { // before routing: the gateway's own InternalError
		s.log.Error("internal error", "err", cause)
		return rpc.NewError(s.catalog.Gateway.Error("InternalError"))
	}
	s.log.Error("internal error", "action", a.Name, "err", cause)
	if code, ok := a.Error("InternalError"); ok {
		return rpc.NewError(code)
	}
	return rpc.NewError(s.catalog.Gateway.Error("InternalError"))
}
