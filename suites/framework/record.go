package framework

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	. "github.com/onsi/ginkgo/v2" //nolint:revive // the DSL reads best unqualified
	"github.com/onsi/ginkgo/v2/types"

	"github.com/smcct/smcct/recorder"
	"github.com/smcct/smcct/rpc"
	"github.com/smcct/smcct/spec"
)

// TargetFile, in a cassette directory, describes the target the cassettes were recorded
// against: a replay must see the same capabilities, or other specs would run or skip.
const TargetFile = "target.json"

// Annotation headers written into recorded requests (never sent). They carry nothing secret:
// key IDs are noted only when recording a reference, whose keys are fixtures.
const (
	// HeaderSeq is the position of the request in the whole recorded run, so that a fidelity
	// check can replay every spec's traffic in its original order.
	HeaderSeq = "X-Smcct-Seq"
	// HeaderKey is the AccessKeyId that signed the request (reference recordings only).
	HeaderKey = "X-Smcct-Key"
	// HeaderSigned says whether the signature verified with that key's secret: "valid",
	// "invalid" (a spec forged it on purpose), "unknown-key" or "unsigned".
	HeaderSigned = "X-Smcct-Signed"
	// HeaderToken names the session whose SecurityToken the request carried: the AccessKeyId
	// the token was issued with, or "foreign" for a token no AssumeRole of the recording
	// issued (a spec damaging one on purpose). The recorder redacts tokens; a replay into a
	// live reference puts that session's live token back.
	HeaderToken = "X-Smcct-Token"
)

// RecordedTarget is the content of TargetFile.
type RecordedTarget struct {
	Name   string `json:"name"`
	Region string `json:"region"`
	Signer string `json:"signer"`
	Caps   Caps   `json:"caps"`
	// DefaultKey and OtherKey are the fixture AccessKeyIds, kept only for a reference: the
	// control plane names accounts by them, so replayed control calls need them verbatim.
	DefaultKey string `json:"defaultKey,omitempty"`
	OtherKey   string `json:"otherKey,omitempty"`
	// Reference is true when the target was a reference with a control plane, which makes
	// the recording replayable into a fresh reference (the fidelity test).
	Reference bool `json:"reference"`
	// RecordedAt is the time the clients signed with when the recording started: the wall
	// clock for an endpoint, the fixed signing instant of the in-process reference (so
	// that recording twice writes the same file). Request timestamps are shifted by its
	// distance to now when they are replayed into a live reference.
	RecordedAt time.Time `json:"recordedAt"`
	// RunID is the run's tag: replayed specs name their objects as the recorded ones did.
	RunID string `json:"runId,omitempty"`
	// Unprivileged and Inactive say that the profile lent those RAM identities, so that a
	// replay lends stand-ins and runs the same specs.
	Unprivileged bool `json:"unprivileged,omitempty"`
	Inactive     bool `json:"inactive,omitempty"`
}

// Cassettes gives every spec its own cassette, recorded or replayed, derived from the spec's
// container and It texts. It is the transport of the target's HTTP client.
type Cassettes struct {
	dir, suite string
	mode       recorder.Mode
	base       http.RoundTripper // Record: where requests really go
	secrets    []string          // Record: literal secrets to scrub
	annotate   bool              // Record: note key IDs and signature validity
	seq        atomic.Int64

	mu   sync.Mutex
	cur  *specCassette
	used map[string]string // cassette path -> spec text, this run
	keys map[string]string // Record: AccessKeyId -> secret, for the signature note
	// tokens are the SecurityTokens AssumeRole answered in this recording, by token.
	tokens map[string]string
}

type specCassette struct {
	path, text string
	rec        *recorder.Recorder // nil: replaying with no cassette for this spec
}

// StartRecording writes dir/target.json and, when cassettes is true, makes every spec
// record its exchanges into dir/<suite>/... Call it before RunSpecs; the cassettes are saved
// as each spec ends. A parallel run's parent writes the file alone, and each of its
// processes records without writing it (StartRecordingShared).
func StartRecording(t *Target, dir, suite string, cassettes bool) error {
	if err := writeTarget(dir, recordedTarget(t)); err != nil {
		return err
	}
	if !cassettes {
		return nil
	}
	return StartRecordingShared(t, dir, suite)
}

func recordedTarget(t *Target) RecordedTarget {
	rt := RecordedTarget{
		Name: t.Name, Region: t.Region, Signer: signerName(t.Signer), Caps: t.Caps,
		Reference: t.Caps.Control, RecordedAt: t.SigningTime().UTC().Truncate(time.Second),
		RunID: t.RunID, Unprivileged: t.Profile.RAM.Unprivileged.Given(), Inactive: t.Profile.RAM.Inactive.Given(),
	}
	if rt.Reference {
		rt.DefaultKey, rt.OtherKey = t.Default.AccessKeyID, t.Other.AccessKeyID
	}
	return rt
}

// StartRecordingShared makes every spec record into dir/<suite>/..., leaving dir/target.json
// to whoever started the run.
func StartRecordingShared(t *Target, dir, suite string) error {
	if t.cassettes != nil {
		return errors.New("cassettes: the target already records or replays")
	}
	rt := recordedTarget(t)
	c := newCassettes(dir, suite, recorder.Record)
	c.annotate = rt.Reference
	c.secrets = []string{t.Default.Secret, t.Other.Secret}
	for _, id := range []Identity{t.Profile.RAM.Unprivileged, t.Profile.RAM.Inactive} {
		if id.Given() {
			c.secrets = append(c.secrets, id.Credentials().Secret)
		}
	}
	for _, k := range []Credentials{t.Default, t.Other} {
		if k.AccessKeyID != "" {
			c.keys[k.AccessKeyID] = k.Secret
		}
	}
	t.Wrap(func(base http.RoundTripper) http.RoundTripper {
		c.base = base
		return c
	})
	t.cassettes = c
	return nil
}

// NewReplay builds a target that answers from the cassettes under dir and never touches the
// network. Its capabilities are those of the recorded target.
func NewReplay(dir, suite string) (*Target, error) {
	rt, err := ReadRecordedTarget(dir)
	if err != nil {
		return nil, err
	}
	signer := rpc.V1
	if rt.Signer == "v3" {
		signer = rpc.V3
	}
	cat, err := spec.Default()
	if err != nil {
		return nil, err
	}
	c := newCassettes(dir, suite, recorder.Replay)
	t := &Target{
		Name: "replay of " + rt.Name + " from " + dir,
		// A request that escaped the cassettes would meet a closed loopback port.
		Endpoint: "http://127.0.0.1:1",
		Region:   rt.Region, Signer: signer, Caps: rt.Caps, Catalog: cat,
		Default:   Credentials{AccessKeyID: orDefault(rt.DefaultKey, "replay-key"), Secret: "replay-secret"},
		HTTP:      &http.Client{Transport: c, Timeout: 30 * time.Second},
		cassettes: c,
		Profile:   &Profile{}, RunID: rt.RunID, Pace: &Pace{},
		Leases: newLeases("replay:"+dir, "replay"),
	}
	if rt.Unprivileged {
		t.Profile.RAM.Unprivileged = Identity{AccessKeyID: "replay-unprivileged-key", AccessKeySecret: "replay-secret"}
	}
	if rt.Inactive {
		t.Profile.RAM.Inactive = Identity{AccessKeyID: "replay-inactive-key", AccessKeySecret: "replay-secret"}
	}
	if rt.Caps.Other {
		t.Other = Credentials{AccessKeyID: orDefault(rt.OtherKey, "replay-other-key"), Secret: "replay-other-secret"}
	}
	return t, nil
}

// ReadRecordedTarget reads dir/target.json.
func ReadRecordedTarget(dir string) (RecordedTarget, error) {
	var rt RecordedTarget
	data, err := os.ReadFile(filepath.Join(dir, TargetFile))
	if err != nil {
		return rt, fmt.Errorf("cassettes: %w (record them first with smcct check --record %s)", err, dir)
	}
	if err := json.Unmarshal(data, &rt); err != nil {
		return rt, fmt.Errorf("cassettes: %s: %w", filepath.Join(dir, TargetFile), err)
	}
	return rt, nil
}

func writeTarget(dir string, rt RecordedTarget) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("cassettes: %w", err)
	}
	data, err := json.MarshalIndent(rt, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, TargetFile), append(data, '\n'), 0o644)
}

func newCassettes(dir, suite string, mode recorder.Mode) *Cassettes {
	return &Cassettes{dir: dir, suite: suite, mode: mode, used: map[string]string{}, keys: map[string]string{}, tokens: map[string]string{}}
}

func signerName(s rpc.Signer) string {
	if s == rpc.V3 {
		return "v3"
	}
	return "v1"
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

// Cassettes returns the target's cassettes, nil when it neither records nor replays.
func (t *Target) Cassettes() *Cassettes { return t.cassettes }

// Mode is Record or Replay.
func (c *Cassettes) Mode() recorder.Mode { return c.mode }

// Dir is the cassette directory.
func (c *Cassettes) Dir() string { return c.dir }

// Used is the number of cassettes this run recorded or replayed.
func (c *Cassettes) Used() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.used)
}

// RoundTrip sends a request through the running spec's cassette.
func (c *Cassettes) RoundTrip(req *http.Request) (*http.Response, error) {
	c.mu.Lock()
	cur := c.cur
	c.mu.Unlock()
	if cur == nil {
		return nil, fmt.Errorf("cassettes: %s %s outside a spec: every request must belong to a spec's cassette (make the spec's F with framework.New)", req.Method, req.URL.Path)
	}
	if cur.rec == nil {
		return nil, fmt.Errorf("cassettes: no cassette %s for this spec: it was skipped or did not exist when the cassettes were recorded; record again (make cassettes)", cur.path)
	}
	return cur.rec.Transport().RoundTrip(req)
}

// begin opens the running spec's cassette; its end is registered as a cleanup, which Ginkgo
// runs after the spec's own cleanups (they may call the target too).
func (c *Cassettes) begin() {
	if c == nil {
		return
	}
	GinkgoHelper()
	rep := CurrentSpecReport()
	sc := &specCassette{
		path: recorder.CassettePath(c.dir, c.suite, rep.ContainerHierarchyTexts, rep.LeafNodeText),
		text: rep.FullText(),
	}
	c.mu.Lock()
	if c.cur != nil && c.cur.text == sc.text {
		c.mu.Unlock()
		return // a nested container made another F for the same spec
	}
	other, clash := c.used[sc.path]
	c.used[sc.path] = sc.text
	c.mu.Unlock()
	if clash && other != sc.text {
		Fail(fmt.Sprintf("cassettes: %q and %q share the cassette %s: spec texts must differ in words, not only in case or punctuation", other, sc.text, sc.path))
	}
	var err error
	switch c.mode {
	case recorder.Record:
		sc.rec, err = recorder.Open(sc.path, recorder.Record, c.base,
			recorder.WithSecrets(c.secrets...), recorder.WithEdit(c.edit))
	case recorder.Replay:
		if _, statErr := os.Stat(sc.path); statErr == nil {
			sc.rec, err = recorder.Open(sc.path, recorder.Replay, nil)
		}
	}
	if err != nil {
		Fail("cassettes: " + err.Error())
	}
	c.mu.Lock()
	c.cur = sc
	c.mu.Unlock()
	DeferCleanup(c.end, sc)
}

// end saves (Record) or checks that everything was replayed (Replay). A skipped spec leaves
// no cassette: it made no calls worth keeping, and a replay skips it again by the same caps.
func (c *Cassettes) end(sc *specCassette) {
	c.mu.Lock()
	c.cur = nil
	c.mu.Unlock()
	rep := CurrentSpecReport()
	skipped := rep.State.Is(types.SpecStateSkipped)
	if c.mode == recorder.Record {
		if skipped {
			c.forget(sc.path)
			return
		}
		if err := sc.rec.Stop(); err != nil {
			Fail("cassettes: " + err.Error())
		}
		return
	}
	if skipped || rep.State.Is(types.SpecStateFailureStates) {
		return // a failure already says what went wrong; unused recordings would only repeat it
	}
	if sc.rec == nil {
		Fail(fmt.Sprintf("cassettes: no cassette %s for this spec: it was skipped or did not exist when the cassettes were recorded; record again (make cassettes)", sc.path))
		return
	}
	if err := sc.rec.Stop(); err != nil {
		Fail("cassettes: the spec no longer makes calls it made when recorded: " + err.Error())
	}
}

func (c *Cassettes) forget(path string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.used, path)
}

// Leftover lists cassette files under the directory that this run neither recorded nor
// replayed: cassettes of renamed or deleted specs, or of specs filtered out of the run.
func (c *Cassettes) Leftover() ([]string, error) {
	var out []string
	root := filepath.Join(c.dir, recorder.Slug(c.suite))
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) {
			return filepath.SkipAll
		}
		if err != nil {
			return err
		}
		if d.IsDir() || filepath.Ext(p) != ".yaml" {
			return nil
		}
		c.mu.Lock()
		_, ok := c.used[p]
		c.mu.Unlock()
		if !ok {
			out = append(out, p)
		}
		return nil
	})
	sort.Strings(out)
	return out, err
}
