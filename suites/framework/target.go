package framework

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/smcct/smcct/rpc"
	"github.com/smcct/smcct/spec"
)

// Credentials is one AccessKey pair, and the SecurityToken of a temporary (STS) one.
type Credentials struct {
	AccessKeyID string
	Secret      string
	Token       string
}

// Caps is what a target lets the suites do beyond plain API calls. A spec that needs a
// capability the target lacks is skipped with the reason, never passed.
type Caps struct {
	// Control: the /_smcct/ control plane answers (seed, force states, faults, state dumps).
	Control bool
	// VirtualClock: business time moves only when the control plane advances it.
	VirtualClock bool
	// Writes: specs may create, change and delete objects.
	Writes bool
	// Other: a second account is known, for isolation specs.
	Other bool
}

// Target is one thing the suites can run against.
type Target struct {
	// Name is shown in reports: "reference (in-process)" or the endpoint URL.
	Name     string
	Endpoint string
	Region   string
	Signer   rpc.Signer
	Default  Credentials
	Other    Credentials
	Caps     Caps
	Catalog  *spec.Catalog
	// HTTP carries every request, API and control plane alike. It is the seam for a
	// recording or replaying transport.
	HTTP *http.Client
	// Now and Nonce are the signing clock and nonce source of every client; nil means the
	// wall clock and random nonces, as any endpoint needs. The in-process reference fixes
	// both so that its recordings repeat.
	Now   func() time.Time
	Nonce func() string
	// Profile says what the target offers beyond its API (fixture objects, a second
	// account, its pace and budgets); never nil.
	Profile *Profile
	// RunID tags every object a run creates: the profile's run tag and the run's start, as
	// a name prefix that smcct sweep recognises. Empty for the in-process reference, whose
	// recordings must repeat byte for byte and which is thrown away after the run.
	RunID string
	// Pace is the target's time scale and clock, as far as a walker knows them.
	Pace *Pace
	// Leases hands out the profile's fixture objects, across the processes of a run.
	Leases *Leases
	// ControlRefused is the answer of an smcct control plane that would not serve this
	// client (401 without its token, 403 for a Host it does not serve): the target then runs
	// as one without a control plane, and the caller should say why. Nil otherwise.
	ControlRefused *ControlError

	controlToken string
	closers      []func() error
	cassettes    *Cassettes // nil unless recording or replaying
}

// SigningTime is the time clients of this target sign with.
func (t *Target) SigningTime() time.Time {
	if t.Now != nil {
		return t.Now()
	}
	return time.Now()
}

// Close releases what the target started (an in-process listener, a cassette writer).
func (t *Target) Close() error {
	var errs []error
	for i := len(t.closers) - 1; i >= 0; i-- {
		errs = append(errs, t.closers[i]())
	}
	t.closers = nil
	return errors.Join(errs...)
}

// OnClose registers a function Close runs, last registered first.
func (t *Target) OnClose(f func() error) { t.closers = append(t.closers, f) }

// Wrap puts a transport wrapper (a recorder, a deviating proxy in a test) around the target's
// HTTP transport. Call it before the first spec runs.
func (t *Target) Wrap(wrap func(http.RoundTripper) http.RoundTripper) {
	base := t.HTTP.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	c := *t.HTTP
	c.Transport = wrap(base)
	t.HTTP = &c
}

// EndpointConfig describes a target reached over the network.
type EndpointConfig struct {
	URL         string
	Region      string
	Signer      rpc.Signer
	Default     Credentials
	Other       Credentials // optional; without it isolation specs are skipped
	AllowWrites bool
	HTTP        *http.Client // nil: a client with a 30 s timeout
	// ControlToken goes with every control-plane request, for a reference started with
	// --control-token.
	ControlToken string
	// Profile is the target's profile (nil: an empty one). Its second account and region
	// apply where the fields above leave them empty.
	Profile *Profile
	// RunID tags the objects the run creates (see Target.RunID); NewRunID makes one.
	RunID string
}

// fixtureOther is the reference's second fixture account, assumed only when an endpoint
// proves to be a reference and nobody named another account.
var fixtureOther = Credentials{AccessKeyID: "smcct-other", Secret: "smcct-other-secret"}

// NewEndpoint builds a target for any endpoint. It probes the control plane: an endpoint that
// answers GET /_smcct/clock is a reference, which may be written to and controlled.
func NewEndpoint(ctx context.Context, cfg EndpointConfig) (*Target, error) {
	u, err := url.Parse(cfg.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("endpoint %q is not an http(s) URL", cfg.URL)
	}
	if cfg.Default.AccessKeyID == "" || cfg.Default.Secret == "" {
		return nil, errors.New("endpoint needs an AccessKey pair (ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET, or flags)")
	}
	cat, err := spec.Default()
	if err != nil {
		return nil, err
	}
	prof := cfg.Profile
	if prof == nil {
		prof = &Profile{}
	}
	t := &Target{
		Name: strings.TrimRight(cfg.URL, "/"), Endpoint: strings.TrimRight(cfg.URL, "/"),
		Region: cfg.Region, Signer: cfg.Signer, Default: cfg.Default, Other: cfg.Other,
		Catalog: cat, HTTP: cfg.HTTP, controlToken: cfg.ControlToken,
		Profile: prof, RunID: cfg.RunID, Pace: &Pace{},
		Leases: newLeases(cfg.URL, cfg.Default.AccessKeyID),
	}
	if t.Region == "" {
		t.Region = prof.Region
	}
	if t.Region == "" {
		t.Region = "cn-hangzhou"
	}
	if t.Other.AccessKeyID == "" {
		t.Other = prof.Other.Credentials()
	}
	if prof.TimeScale > 0 {
		t.Pace.State(prof.TimeScale, fmt.Sprintf("%g, from %s", prof.TimeScale, orDefault(prof.Source, "the profile")))
	}
	if t.Signer == 0 {
		t.Signer = rpc.V1
	}
	if t.HTTP == nil {
		t.HTTP = &http.Client{Timeout: 30 * time.Second}
	}
	if err := t.probe(ctx); err != nil {
		return nil, err
	}
	t.Caps.Writes = t.Caps.Writes || cfg.AllowWrites
	t.Caps.Other = t.Other.AccessKeyID != ""
	return t, nil
}

// probe learns the capabilities: a control plane makes the target a reference.
func (t *Target) probe(ctx context.Context) error {
	clock, err := t.Control().clock(ctx)
	if err != nil {
		var ce *ControlError
		if errors.As(err, &ce) && (ce.Status == http.StatusUnauthorized || ce.Status == http.StatusForbidden) {
			t.ControlRefused = ce // our control plane, refusing this client
			return nil
		}
		if errors.As(err, &ce) {
			return nil // a reference started with --control=false: no control plane
		}
		if isNotControl(err) {
			return nil // an ordinary endpoint: no control plane
		}
		return fmt.Errorf("probing %s: %w", t.Endpoint, err)
	}
	t.Caps.Control, t.Caps.VirtualClock, t.Caps.Writes = true, clock.Virtual, true
	if clock.Virtual {
		t.Pace.State(1, "a virtual clock, moved by the control plane")
	}
	if t.Other.AccessKeyID == "" {
		if _, err := t.Control().State(ctx, fixtureOther.AccessKeyID); err == nil {
			t.Other = fixtureOther
		}
	}
	t.Caps.Other = t.Other.AccessKeyID != ""
	return nil
}

// isNotControl tells "this endpoint has no control plane" (an answer that is not ours)
// from "the endpoint is unreachable".
func isNotControl(err error) bool {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	return errors.As(err, &se) || errors.As(err, &te) || errors.Is(err, errNotControl)
}

// RunTag is the profile's run tag.
func (t *Target) RunTag() string { return t.Profile.Tag() }

// NewRunID makes a run ID from a run tag and the run's start: the tag, a dash and the start
// in base 36 Unix seconds, so that smcct sweep can tell how old a leftover is.
func NewRunID(tag string, start time.Time) string {
	return tag + "-" + strconv.FormatInt(start.Unix(), 36)
}

// ParseRunName reads a name a run made: its run tag, the run's start and whether the name
// has that form at all.
func ParseRunName(tag, name string) (time.Time, bool) {
	rest, ok := strings.CutPrefix(name, tag+"-")
	if !ok {
		return time.Time{}, false
	}
	stamp, _, ok := strings.Cut(rest, "-")
	if !ok || len(stamp) < 6 || len(stamp) > 8 {
		return time.Time{}, false
	}
	secs, err := strconv.ParseInt(stamp, 36, 64)
	if err != nil || secs <= 0 {
		return time.Time{}, false
	}
	return time.Unix(secs, 0), true
}

// ProbeName is the name of the access tokens a clock probe creates: a run name, so that a
// probe a killed run left is swept like the rest.
func (t *Target) ProbeName() string {
	if t.RunID == "" {
		return t.RunTag() + "-clock"
	}
	return t.RunID + "-clock-probe"
}
