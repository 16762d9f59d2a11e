package recorder

import (
	"fmt"
	"strings"
	"sync"

	"gopkg.in/dnaeon/go-vcr.v3/cassette"
)

// maxClosest bounds how many distinct recorded requests a miss compares itself with when
// no recording has the same Action: a miss is an error path, but it must not cost a scan of
// a 100,000-interaction cassette.
const maxClosest = 1000

// recorded is one interaction as the index holds it.
type recorded struct {
	canon  Canon
	inter  *cassette.Interaction
	source string // cassette file, for messages
	used   bool
}

// queue holds the interactions of one key in recorded order; next is the first not yet
// replayed. Consuming one is O(1), which is the whole point of the index.
type queue struct {
	ids  []int
	next int
}

// index answers "next unplayed interaction for this canonical request" in constant time.
type index struct {
	mu       sync.Mutex
	all      []recorded
	queues   map[string]*queue
	byAction map[string][]int // Version+Action -> first interaction of each distinct key
	distinct []int            // first interaction of each distinct key, in recorded order
}

func newIndex() *index {
	return &index{queues: map[string]*queue{}, byAction: map[string][]int{}}
}

// add appends interactions of one cassette in recorded order.
func (x *index) add(source string, inters []*cassette.Interaction) error {
	for n, in := range inters {
		c, err := canonOfRecorded(&in.Request)
		if err != nil {
			return fmt.Errorf("recorder: %s interaction %d: %w", source, n, err)
		}
		id := len(x.all)
		x.all = append(x.all, recorded{canon: c, inter: in, source: source})
		k := c.Key()
		q := x.queues[k]
		if q == nil {
			q = &queue{}
			x.queues[k] = q
			ak := c.Version + "\x00" + c.Action
			x.byAction[ak] = append(x.byAction[ak], id)
			x.distinct = append(x.distinct, id)
		}
		q.ids = append(q.ids, id)
	}
	return nil
}

// take returns the next unplayed interaction recorded for c, or a *MissError.
func (x *index) take(c Canon) (*cassette.Interaction, error) {
	x.mu.Lock()
	defer x.mu.Unlock()
	q := x.queues[c.Key()]
	if q != nil && q.next < len(q.ids) {
		r := &x.all[q.ids[q.next]]
		q.next++
		r.used = true
		return r.inter, nil
	}
	miss := &MissError{Request: c}
	if q != nil {
		miss.Exhausted = len(q.ids)
		return nil, miss
	}
	x.closest(miss)
	return nil, miss
}

// closest fills the nearest recorded request: same Version and Action first, else any.
func (x *index) closest(m *MissError) {
	cands := x.byAction[m.Request.Version+"\x00"+m.Request.Action]
	if len(cands) == 0 && !m.Request.Control { // a non-API request is never like an API call
		cands = x.distinct
	}
	best := -1
	for i, id := range cands {
		if i == maxClosest {
			break
		}
		if x.all[id].canon.Control != m.Request.Control {
			continue
		}
		d := Diff(m.Request, x.all[id].canon)
		if best < 0 || len(d) < len(m.Diff) {
			best, m.Diff = id, d
		}
	}
	if best >= 0 {
		c := x.all[best].canon
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
	for _, r := range x.all {
		if !r.used {
			out = append(out, Unused{Source: r.source, ID: r.inter.ID, Request: r.canon.String()})
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
