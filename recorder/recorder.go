package recorder

import (
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"

	"gopkg.in/dnaeon/go-vcr.v3/cassette"
)

// Mode says whether a Recorder talks to a real upstream or only to its cassette.
type Mode int

const (
	// Replay serves recorded responses only. The cassette (a file, or a directory whose
	// .yaml files are loaded in path order) must exist; nothing is written; a request
	// without an unplayed recording fails with a *MissError.
	Replay Mode = iota + 1
	// Record sends every request upstream and keeps the redacted exchange. An existing
	// cassette at the path is replaced, atomically, when Stop saves.
	Record
)

func (m Mode) String() string {
	switch m {
	case Replay:
		return "replay"
	case Record:
		return "record"
	}
	return fmt.Sprintf("Mode(%d)", int(m))
}

// Option adjusts Open.
type Option func(*Recorder)

// WithSecrets names literal secrets (the recording AccessKey ID and secret, a token) to
// scrub from every recorded field, on top of the parameter and header redaction.
func WithSecrets(secrets ...string) Option {
	return func(r *Recorder) { r.secrets = append(r.secrets, secrets...) }
}

// WithEdit runs edit on every interaction after redaction and before it is kept, with the
// live request (its body restored) that produced it: the place to annotate a recording
// (a sequence number, which fixture account signed) or to drop headers nobody needs. It
// must not put secrets back.
func WithEdit(edit func(req *http.Request, in *cassette.Interaction)) Option {
	return func(r *Recorder) { r.edit = edit }
}

// Recorder records to or replays from one cassette (or, replaying, a directory of them).
// It is safe for concurrent use.
type Recorder struct {
	path     string
	mode     Mode
	upstream http.RoundTripper
	secrets  []string
	edit     func(*http.Request, *cassette.Interaction)
	idx      *index

	mu      sync.Mutex
	taken   []*cassette.Interaction // Record: redacted interactions in completion order
	stopped bool
}

// Open prepares a Recorder. Record needs upstream (nil means http.DefaultTransport) and a
// path ending in .yaml; Replay loads the cassette(s) at path now, so a bad cassette fails
// here rather than on the first request.
func Open(path string, mode Mode, upstream http.RoundTripper, opts ...Option) (*Recorder, error) {
	r := &Recorder{path: path, mode: mode, upstream: upstream}
	for _, o := range opts {
		o(r)
	}
	switch mode {
	case Record:
		if filepath.Ext(path) != ".yaml" {
			return nil, fmt.Errorf("recorder: cassette %q must end in .yaml (go-vcr's naming)", path)
		}
		if r.upstream == nil {
			r.upstream = http.DefaultTransport
		}
		return r, nil
	case Replay:
		idx, err := loadIndex(path)
		if err != nil {
			return nil, err
		}
		r.idx = idx
		return r, nil
	}
	return nil, fmt.Errorf("recorder: unknown mode %d", int(mode))
}

// Mode reports the mode the Recorder was opened in.
func (r *Recorder) Mode() Mode { return r.mode }

// Len is the number of interactions recorded so far (Record) or loaded (Replay).
func (r *Recorder) Len() int {
	if r.mode == Replay {
		return len(r.idx.all)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.taken)
}

// SlowFiles names the cassettes (Replay) that go-vcr's own loader had to read because they
// hold YAML outside what the fast reader takes (hand edits, comments, flow style). They
// replay the same; they only load several times slower.
func (r *Recorder) SlowFiles() []string {
	if r.mode != Replay {
		return nil
	}
	return slices.Clone(r.idx.slow)
}

// Transport is the http.RoundTripper to give clients: it replays, or it forwards and
// records.
func (r *Recorder) Transport() http.RoundTripper {
	if r.mode == Record {
		return roundTripFunc(r.record)
	}
	return roundTripFunc(r.replay)
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(req *http.Request) (*http.Response, error) { return f(req) }

// Lookup returns the next unplayed recording for req (whose body it restores), or a
// *MissError. Only meaningful in Replay mode.
func (r *Recorder) Lookup(req *http.Request) (*cassette.Interaction, error) {
	if r.mode != Replay {
		return nil, errors.New("recorder: Lookup needs Replay mode")
	}
	c, err := CanonOf(req)
	if err != nil {
		return nil, err
	}
	return r.idx.take(c)
}

func (r *Recorder) replay(req *http.Request) (*http.Response, error) {
	if err := req.Context().Err(); err != nil {
		return nil, err
	}
	in, err := r.Lookup(req)
	if err != nil {
		return nil, err
	}
	return responseOf(in, req), nil
}

// Stop saves the cassette when recording. When replaying it returns an *UnusedError if
// some recordings were never replayed: a spec that no longer makes a call it once made has
// changed, and the cassette should be re-recorded. Stop is idempotent.
func (r *Recorder) Stop() error {
	r.mu.Lock()
	if r.stopped {
		r.mu.Unlock()
		return nil
	}
	r.stopped = true
	taken := r.taken
	r.mu.Unlock()
	if r.mode == Record {
		return save(r.path, taken)
	}
	if u := r.idx.unused(); len(u) > 0 {
		return &UnusedError{Path: r.path, Unused: u}
	}
	return nil
}

// UnusedError lists recorded interactions no request consumed.
type UnusedError struct {
	Path   string
	Unused []Unused
}

func (e *UnusedError) Error() string {
	const show = 3
	var parts []string
	for i, u := range e.Unused {
		if i == show {
			parts = append(parts, fmt.Sprintf("and %d more", len(e.Unused)-show))
			break
		}
		parts = append(parts, fmt.Sprintf("%s #%d %s", u.Source, u.ID, u.Request))
	}
	return fmt.Sprintf("recorder: %d recorded interactions of %s never replayed: %s",
		len(e.Unused), e.Path, strings.Join(parts, "; "))
}

// loadIndex loads a cassette file, or every .yaml file under a directory in lexical path
// order, with go-vcr's cassette package and indexes it for replay.
func loadIndex(path string) (*index, error) {
	files, err := cassetteFiles(path)
	if err != nil {
		return nil, err
	}
	idx := newIndex()
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("recorder: loading cassette: %w", err)
		}
		inters, slow, err := loadCassetteFile(f, data)
		if err != nil {
			return nil, fmt.Errorf("recorder: loading cassette %s: %w", f, err)
		}
		if slow {
			idx.slow = append(idx.slow, f)
		}
		if err := idx.add(f, inters); err != nil {
			return nil, err
		}
	}
	return idx, nil
}

func cassetteFiles(path string) ([]string, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("recorder: cassette: %w", err)
	}
	if !st.IsDir() {
		if filepath.Ext(path) != ".yaml" {
			return nil, fmt.Errorf("recorder: cassette %q must end in .yaml (go-vcr's naming)", path)
		}
		return []string{path}, nil
	}
	var files []string
	err = filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && filepath.Ext(p) == ".yaml" {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("recorder: listing cassettes under %s: %w", path, err)
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("recorder: no .yaml cassette under %s", path)
	}
	sort.Strings(files)
	return files, nil
}
