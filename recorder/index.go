package recorder

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"gopkg.in/dnaeon/go-vcr.v3/cassette"
)

// maxClosest bounds how many distinct recorded requests a miss compares itself with when
// no recording has the same Action: a miss is an error path, but it must not cost a scan of
// a 100,000-interaction cassette.
const maxClosest = 1000

// recorded is one interaction as the index holds it: small, because a large cassette has
// 100,000 of them. Its Canon is rebuilt from the interaction when a message needs it.
type recorded struct {
	inter  *cassette.Interaction
	source string // cassette file, for messages
	next   int32  // the next interaction recorded for the same key, or -1
	used   bool
}

// queue holds the interactions of one key in recorded order, as a list through
// recorded.next; head is the first not yet replayed. Consuming one is O(1), which is the
// whole point of the index.
type queue struct {
	first, head, tail int32
	n                 int32
	version, action   string
}

// index answers "next unplayed interaction for this canonical request" in constant time.
type index struct {
	mu     sync.Mutex
	all    []recorded
	keys   map[string]int32 // key -> queue
	queues []queue          // in the order their keys were first recorded
	// byAction maps Version+Action to the queues recorded for it; built on the first miss.
	byAction map[string][]int32
	slow     []string // files go-vcr had to load (see Recorder.SlowFiles)
}

func newIndex() *index {
	return &index{keys: map[string]int32{}}
}

// add appends interactions of one cassette in recorded order. Keys are computed in
// parallel pieces for a large cassette; the index itself is filled in order.
func (x *index) add(source string, inters []*cassette.Interaction) error {
	keys, err := recordedKeys(source, inters)
	if err != nil {
		return err
	}
	x.all = slices.Grow(x.all, len(inters))
	for n, in := range inters {
		k := keys[n]
		id := int32(len(x.all))
		x.all = append(x.all, recorded{inter: in, source: source, next: -1})
		qi, ok := x.keys[k.key]
		if !ok {
			qi = int32(len(x.queues))
			x.keys[k.key] = qi
			x.queues = append(x.queues, queue{first: id, head: id, tail: id, version: k.version, action: k.action})
			x.byAction = nil
		} else {
			q := &x.queues[qi]
			x.all[q.tail].next = id
			q.tail = id
			if q.head < 0 { // every earlier one was replayed already
				q.head = id
			}
		}
		x.queues[qi].n++
	}
	return nil
}

type recordedKey struct{ key, version, action string }

// parallelKeys is the smallest number of interactions worth keying in parallel pieces.
var parallelKeys = 20000

func recordedKeys(source string, inters []*cassette.Interaction) ([]recordedKey, error) {
	keys := make([]recordedKey, len(inters))
	n := 1
	if len(inters) >= parallelKeys {
		n = pieces()
	}
	errs := make([]error, n)
	var wg sync.WaitGroup
	for p := range n {
		from, to := len(inters)*p/n, len(inters)*(p+1)/n
		wg.Go(func() {
			var kb keyBuilder
			for n := from; n < to; n++ {
				k := &keys[n]
				var err error
				if k.key, k.version, k.action, err = kb.key(&inters[n].Request); err != nil {
					errs[p] = fmt.Errorf("recorder: %s interaction %d: %w", source, n, err)
					return
				}
			}
		})
	}
	wg.Wait()
	return keys, errors.Join(errs...)
}

// take returns the next unplayed interaction recorded for c, or a *MissError.
func (x *index) take(c Canon) (*cassette.Interaction, error) {
	k := c.Key()
	x.mu.Lock()
	defer x.mu.Unlock()
	qi, ok := x.keys[k]
	if ok {
		if q := &x.queues[qi]; q.head >= 0 {
			r := &x.all[q.head]
			q.head = r.next
			r.used = true
			return r.inter, nil
		}
	}
	miss := &MissError{Request: c}
	if ok {
		miss.Exhausted = int(x.queues[qi].n)
		return nil, miss
	}
	x.closest(miss)
	return nil, miss
}

// canon rebuilds the Canon of recorded interaction id; the index only kept its key.
func (x *index) canon(id int32) Canon {
	c, _ := canonOfRecorded(&x.all[id].inter.Request) // it was read once already
	return c
}

// closest fills the nearest recorded request: same Version and Action first, else any.
func (x *index) closest(m *MissError) {
	if x.byAction == nil {
		x.byAction = map[string][]int32{}
		for qi, q := range x.queues {
			ak := q.version + "\x00" + q.action
			x.byAction[ak] = append(x.byAction[ak], int32(qi))
		}
	}
	cands := x.byAction[m.Request.Version+"\x00"+m.Request.Action]
	if len(cands) == 0 && !m.Request.Control { // a non-API request is never like an API call
		cands = make([]int32, min(len(x.queues), maxClosest))
		for i := range cands {
			cands[i] = int32(i)
		}
	}
	best := int32(-1)
	for i, qi := range cands {
		if i == maxClosest {
			break
		}
		id := x.queues[qi].first
		c := x.canon(id)
		if c.Control != m.Request.Control {
			continue
		}
		d := Diff(m.Request, c)
		if best < 0 || len(d) < len(m.Diff) {
			best, m.Diff = id, d
		}
	}
	if best >= 0 {
		c := x.canon(best)
		m.Closest = &c
		m.ClosestID = x.all[best].inter.ID
		m.ClosestSource = x.all[best].source
	}
}

// unused lists interactions never replayed, for Stop's report.
func (x *index) unused() []Unused {
	x.mu.Lock()
	defer x.mu.Unlock()
	var out []Unused
	for id, r := range x.all {
		if !r.used {
			out = append(out, Unused{Source: r.source, ID: r.inter.ID, Request: x.canon(int32(id)).String()})
		}
	}
	return out
}

// MissError is a request with no unplayed recording: it names the request, the closest
// recorded one and the parameters that differ.
type MissError struct {
	Request Canon
	// Exhausted is the number of recordings of exactly this request, all already replayed.
	Exhausted     int
	Closest       *Canon
	ClosestID     int
	ClosestSource string
	Diff          []string
}

func (m *MissError) Error() string {
	var b strings.Builder
	if m.Request.Control { // its String starts with the method already
		fmt.Fprintf(&b, "recorder: no recorded interaction for %s", m.Request)
	} else {
		fmt.Fprintf(&b, "recorder: no recorded interaction for %s %s", m.Request.Method, m.Request)
	}
	switch {
	case m.Exhausted > 0:
		fmt.Fprintf(&b, ": all %d recordings of this request were already replayed", m.Exhausted)
	case m.Closest == nil && m.Request.Control:
		b.WriteString(": it is not an API call (no Action or Version), and no request to this path was recorded")
	case m.Closest == nil:
		b.WriteString(": the cassette holds no API call")
	default:
		fmt.Fprintf(&b, "; closest recorded is interaction %d of %s, %s; differences: %s",
			m.ClosestID, m.ClosestSource, m.Closest, strings.Join(m.Diff, "; "))
	}
	return b.String()
}

// Unused is a recorded interaction that no request consumed.
type Unused struct {
	Source  string
	ID      int
	Request string
}
