package framework

import (
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"gopkg.in/dnaeon/go-vcr.v3/cassette"

	"github.com/smcct/smcct/reference"
)

// committedCassettes is the recording `make cassettes` writes and `make test` replays.
const committedCassettes = "../../cassettes"

// recStep is one recorded interaction in the order of the whole run.
type recStep struct {
	seq    int
	source string
	in     *cassette.Interaction
}

// TestFidelity replays the whole committed recording, in recorded order, into one fresh
// reference started like the recorded one, and compares every answer with the recording.
// Replaying a cassette alone would not rebuild the state earlier specs left behind, which
// later specs' answers (paging, quotas, counters) depend on.
func TestFidelity(t *testing.T) {
	rt, err := ReadRecordedTarget(committedCassettes)
	if err != nil {
		t.Fatal(err)
	}
	if !rt.Reference {
		t.Skipf("the cassettes were recorded against %s, not a reference: nothing to replay them into", rt.Name)
	}
	steps, err := loadSteps(committedCassettes)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := reference.New(reference.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	ts := httptest.NewServer(srv)
	defer ts.Close()

	rp := newReplayer(ts.URL, rt, time.Now())
	const maxReported = 20
	bad := 0
	for _, s := range steps {
		got, err := rp.send(ts.Client(), s.in)
		if err != nil {
			t.Fatalf("%s #%d (seq %d): %v", s.source, s.in.ID, s.seq, err)
		}
		if d := compareResponses(&s.in.Response, got); d != "" {
			bad++
			if bad <= maxReported {
				t.Errorf("%s #%d (seq %d) %s %s:\n  %s", rel(s.source), s.in.ID, s.seq, s.in.Request.Method, shortURL(s.in.Request.URL), d)
			}
		}
	}
	if bad > maxReported {
		t.Errorf("... and %d more mismatches", bad-maxReported)
	}
	t.Logf("replayed %d recorded requests from %d in order into a fresh reference; %d answers differ", len(steps), countSources(steps), bad)
}

// loadSteps loads every cassette under dir and orders all interactions by their sequence
// note. Two interactions with one number, or one without, mean the cassettes were not
// recorded in one run and cannot be replayed as one.
func loadSteps(dir string) ([]recStep, error) {
	var files []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && filepath.Ext(p) == ".yaml" {
			files = append(files, p)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	var steps []recStep
	seen := map[int]string{}
	for _, f := range files {
		c, err := cassette.Load(strings.TrimSuffix(f, ".yaml"))
		if err != nil {
			return nil, err
		}
		for _, in := range c.Interactions {
			n, err := strconv.Atoi(in.Request.Headers.Get(HeaderSeq))
			if err != nil {
				return nil, &stepError{f, in.ID, "no " + HeaderSeq + " note: re-record the cassettes (make cassettes)"}
			}
			if other, dup := seen[n]; dup {
				return nil, &stepError{f, in.ID, "sequence " + strconv.Itoa(n) + " also in " + other + ": the cassettes mix recordings"}
			}
			seen[n] = f
			steps = append(steps, recStep{seq: n, source: f, in: in})
		}
	}
	sort.Slice(steps, func(i, j int) bool { return steps[i].seq < steps[j].seq })
	return steps, nil
}

type stepError struct {
	file string
	id   int
	msg  string
}

func (e *stepError) Error() string { return e.file + " #" + strconv.Itoa(e.id) + ": " + e.msg }

func countSources(steps []recStep) int {
	m := map[string]bool{}
	for _, s := range steps {
		m[s.source] = true
	}
	return len(m)
}

func rel(p string) string {
	if r, err := filepath.Rel(committedCassettes, p); err == nil {
		return r
	}
	return p
}

func shortURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	if a := u.Query().Get("Action"); a != "" {
		return u.Path + " Action=" + a
	}
	return u.Path
}

// readResponse reads a live answer into the recorded shape.
func readResponse(resp *http.Response) (*cassette.Response, error) {
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return nil, err
	}
	return &cassette.Response{Code: resp.StatusCode, Headers: resp.Header, Body: string(b)}, nil
}
