package recorder

import (
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"gopkg.in/dnaeon/go-vcr.v3/cassette"
	vcr "gopkg.in/dnaeon/go-vcr.v3/recorder"
)

// Run with: go test -run '^$' -bench Replay -benchtime 2000x ./recorder/
// and:      go test -run '^$' -bench 'Load/' -benchtime 3x ./recorder/
// A fixed count keeps go-vcr's reverse-order 100,000 case (a linear scan per request) to
// minutes rather than hours; ns/op is the cost of one replayed request.

var benchSizes = []int{100, 10_000, 100_000}

// benchCassettes generates one cassette per size under dir, once per benchmark run.
type benchCassettes struct {
	dir   string
	once  sync.Once
	paths map[int]string
	inter map[int][]*cassette.Interaction
}

func (c *benchCassettes) get(b *testing.B, n int) (string, []*cassette.Interaction) {
	c.once.Do(func() {
		c.paths, c.inter = map[int]string{}, map[int][]*cassette.Interaction{}
		for _, size := range benchSizes {
			in := genInteractions(size, 1)
			c.paths[size] = writeCassette(b, fmt.Sprintf("%s/%d", c.dir, size), in)
			c.inter[size] = in
		}
	})
	return c.paths[n], c.inter[n]
}

// benchRequests are the live requests of a replay session, in recorded or reverse order.
func benchRequests(n int, reverse bool) []*http.Request {
	out := make([]*http.Request, n)
	for d := 0; d < n; d++ {
		pos := d
		if reverse {
			pos = n - 1 - d
		}
		out[pos] = liveRequest(d, d)
	}
	return out
}

func BenchmarkReplay(b *testing.B) {
	cs := &benchCassettes{dir: b.TempDir()}
	for _, n := range benchSizes {
		for _, order := range []string{"in-order", "reverse"} {
			reverse := order == "reverse"
			b.Run(fmt.Sprintf("smcct/n=%d/%s", n, order), func(b *testing.B) {
				_, inters := cs.get(b, n)
				benchOurs(b, inters, benchRequests(n, reverse))
			})
			b.Run(fmt.Sprintf("go-vcr/n=%d/%s", n, order), func(b *testing.B) {
				path, _ := cs.get(b, n)
				benchGoVCR(b, path, benchRequests(n, reverse))
			})
		}
	}
}

// benchOurs replays through the Transport; when the session is used up, a fresh index is
// built from the same interactions with the timer stopped.
func benchOurs(b *testing.B, inters []*cassette.Interaction, reqs []*http.Request) {
	fresh := func() http.RoundTripper {
		idx := newIndex()
		if err := idx.add("bench", inters); err != nil {
			b.Fatal(err)
		}
		return (&Recorder{mode: Replay, idx: idx}).Transport()
	}
	tr, pos := fresh(), 0
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if pos == len(reqs) {
			b.StopTimer()
			tr, pos = fresh(), 0
			b.StartTimer()
		}
		resp, err := tr.RoundTrip(reqs[pos])
		if err != nil {
			b.Fatal(err)
		}
		resp.Body.Close()
		pos++
	}
}

// benchGoVCR replays the same cassette through go-vcr v3.2.0's recorder in ModeReplayOnly,
// with a matcher equivalent to ours. The matcher caches recorded keys (filled before the
// timer starts), so what is measured is go-vcr's linear GetInteraction, not our parsing.
func benchGoVCR(b *testing.B, path string, reqs []*http.Request) {
	name := strings.TrimSuffix(path, ".yaml")
	matcher := equivalentMatcher(b, name)
	fresh := func() *vcr.Recorder {
		r, err := vcr.NewWithOptions(&vcr.Options{CassetteName: name, Mode: vcr.ModeReplayOnly, SkipRequestLatency: true})
		if err != nil {
			b.Fatal(err)
		}
		r.SetMatcher(matcher)
		return r
	}
	rec, pos := fresh(), 0
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if pos == len(reqs) {
			b.StopTimer()
			rec, pos = fresh(), 0
			b.StartTimer()
		}
		resp, err := rec.RoundTrip(reqs[pos])
		if err != nil {
			b.Fatal(err)
		}
		resp.Body.Close()
		pos++
	}
}

// equivalentMatcher matches on the same canonical key as the index. go-vcr passes the
// recorded request by value and holds its lock around the call, so a plain map is safe.
func equivalentMatcher(b *testing.B, name string) cassette.MatcherFunc {
	c, err := cassette.Load(name)
	if err != nil {
		b.Fatal(err)
	}
	recorded := make(map[string]string, len(c.Interactions))
	for _, in := range c.Interactions {
		k, err := canonOfRecorded(&in.Request)
		if err != nil {
			b.Fatal(err)
		}
		recorded[in.Request.URL+"\x00"+in.Request.Body] = k.Key()
	}
	var last *http.Request
	var lastKey string
	return func(r *http.Request, i cassette.Request) bool {
		if r != last {
			k, err := CanonOf(r)
			if err != nil {
				return false
			}
			last, lastKey = r, k.Key()
		}
		return recorded[i.URL+"\x00"+i.Body] == lastKey
	}
}

// BenchmarkLoad measures loading and indexing a cassette made of copies of the committed
// recordings (about 1.8 KB per interaction), against go-vcr's own cassette.Load of the same
// file: ns/interaction should stay flat as size grows. Writing the 100,000 file with
// go-vcr's writer takes a minute or two before the first timing.
// Run: go test -run '^$' -bench 'Load/' -benchtime 3x ./recorder/
func BenchmarkLoad(b *testing.B) {
	dir := b.TempDir()
	for _, n := range benchSizes {
		path := filepath.Join(dir, fmt.Sprintf("load-%d.yaml", n))
		written := false
		write := func(b *testing.B) {
			if !written {
				if err := save(path, realInteractions(b, n)); err != nil {
					b.Fatal(err)
				}
				written = true
			}
		}
		b.Run(fmt.Sprintf("smcct/n=%d", n), func(b *testing.B) {
			write(b)
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				if _, err := loadIndex(path); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/interaction")
		})
		b.Run(fmt.Sprintf("go-vcr/n=%d", n), func(b *testing.B) {
			write(b)
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				if _, err := cassette.Load(strings.TrimSuffix(path, ".yaml")); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/interaction")
		})
	}
}
