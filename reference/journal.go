package reference

import (
	"encoding/json"
	"fmt"
	"sort"
	"time"
)

// change is one acknowledged write as the journal keeps it: enough to apply it again, to
// the account as the write found it, with the same outcome. Handlers depend only on the
// account, their input and the business time (IDs come from the account's counter, times
// from Now), and advancing an account is the same whether done in one step or many, so
// replaying the journal over the snapshot rebuilds the account the writes left.
type change struct {
	Now time.Time `json:"now"` // the call's time, which its handler sees
	// At is the time the account had been advanced to when the write came, if later than Now
	// (another call, which read the clock after this one, took the lock first).
	At time.Time `json:"at,omitzero"`
	// A call: the action and its decoded input.
	Version string         `json:"version,omitempty"`
	Action  string         `json:"action,omitempty"`
	In      map[string]any `json:"-"`
	// A control-plane seed (the state dump's shape) or forced state.
	Seed  map[string]json.RawMessage `json:"seed,omitempty"`
	Force *forcedState               `json:"force,omitempty"`
}

type forcedState struct {
	ID     string            `json:"id"`
	Fields map[string]string `json:"fields"`
}

// changeJSON is change on disk: the input with its Go types kept (tagged).
type changeJSON struct {
	change
	In json.RawMessage `json:"in,omitempty"`
}

func (c *change) encode() ([]byte, error) {
	out := changeJSON{change: *c}
	if c.In != nil {
		in, err := json.Marshal(tagValue(c.In))
		if err != nil {
			return nil, err
		}
		out.In = in
	}
	return json.Marshal(out)
}

func decodeChange(data []byte) (*change, error) {
	var cj changeJSON
	if err := json.Unmarshal(data, &cj); err != nil {
		return nil, err
	}
	c := cj.change
	if len(cj.In) > 0 {
		var t tagged
		if err := json.Unmarshal(cj.In, &t); err != nil {
			return nil, err
		}
		v, err := t.value()
		if err != nil {
			return nil, err
		}
		in, ok := v.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("input is %T, not an object", v)
		}
		c.In = in
	}
	return &c, nil
}

// tagged is a decoded input value with its Go type named, so that it comes back as the same
// type: the decoder gives int64, float64 and json.Number for numbers, and handlers (and the
// idempotency check, which compares inputs) tell them apart.
type tagged struct {
	S *string           `json:"s,omitempty"`
	I *int64            `json:"i,omitempty"`
	F *float64          `json:"f,omitempty"`
	N *json.Number      `json:"n,omitempty"`
	B *bool             `json:"b,omitempty"`
	L []tagged          `json:"l,omitempty"`
	M map[string]tagged `json:"m,omitempty"`
	E string            `json:"e,omitempty"` // "l" or "m": an empty list or object
	Z bool              `json:"z,omitempty"` // nil
}

func tagValue(v any) tagged {
	switch x := v.(type) {
	case nil:
		return tagged{Z: true}
	case string:
		return tagged{S: &x}
	case int64:
		return tagged{I: &x}
	case float64:
		return tagged{F: &x}
	case json.Number:
		return tagged{N: &x}
	case bool:
		return tagged{B: &x}
	case []any:
		if len(x) == 0 {
			return tagged{E: "l"}
		}
		l := make([]tagged, len(x))
		for i, e := range x {
			l[i] = tagValue(e)
		}
		return tagged{L: l}
	case map[string]any:
		if len(x) == 0 {
			return tagged{E: "m"}
		}
		m := make(map[string]tagged, len(x))
		for k, e := range x {
			m[k] = tagValue(e)
		}
		return tagged{M: m}
	default:
		// The decoder makes none of these; a string keeps the journal readable and the
		// replay close, and tagged.value reports nothing lost silently elsewhere.
		s := fmt.Sprint(x)
		return tagged{S: &s}
	}
}

func (t tagged) value() (any, error) {
	switch {
	case t.S != nil:
		return *t.S, nil
	case t.I != nil:
		return *t.I, nil
	case t.F != nil:
		return *t.F, nil
	case t.N != nil:
		return *t.N, nil
	case t.B != nil:
		return *t.B, nil
	case t.L != nil:
		out := make([]any, len(t.L))
		for i, e := range t.L {
			v, err := e.value()
			if err != nil {
				return nil, err
			}
			out[i] = v
		}
		return out, nil
	case t.M != nil:
		out := make(map[string]any, len(t.M))
		keys := make([]string, 0, len(t.M))
		for k := range t.M {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			v, err := t.M[k].value()
			if err != nil {
				return nil, err
			}
			out[k] = v
		}
		return out, nil
	case t.E == "l":
		return []any{}, nil
	case t.E == "m":
		return map[string]any{}, nil
	case t.Z:
		return nil, nil
	}
	return nil, fmt.Errorf("journal value with no type")
}

// replay applies an account's journal to its snapshot, as the writes were applied when they
// were acknowledged: the account advanced to the write's time, then the write.
func (s *Server) replay(a *Account, journal []journalEntry) error {
	for _, e := range journal {
		c, err := decodeChange(e.data)
		if err != nil {
			return fmt.Errorf("account %s, journal entry %d: %w", a.ID, e.seq, err)
		}
		if err := s.applyChange(a, c); err != nil {
			return fmt.Errorf("account %s, journal entry %d (%s): replayed, it failed where it had succeeded: %w",
				a.ID, e.seq, c.what(), err)
		}
		a.journalSeq = e.seq
		a.journalBytes += len(e.data)
		a.reindex()
	}
	return nil
}

// what names the change in an error.
func (c *change) what() string {
	switch {
	case c.Action != "":
		return c.Action
	case c.Seed != nil:
		return "seed"
	case c.Force != nil:
		return "forced state of " + c.Force.ID
	}
	return "empty"
}

func (s *Server) applyChange(a *Account, c *change) error {
	at := c.Now
	if c.At.After(at) {
		at = c.At
	}
	for _, d := range a.domains() {
		d.advance(at)
	}
	if at.After(a.advancedTo) {
		a.advancedTo = at
	}
	a.reindex()
	switch {
	case c.Action != "":
		act, ok := s.catalog.Lookup(c.Version, c.Action)
		if !ok {
			return fmt.Errorf("no action %s of version %s", c.Action, c.Version)
		}
		_, err := s.call(a, c.Now, nil, act, c.In)
		return err
	case c.Seed != nil:
		return seedDomains(a, c.Seed, c.Now)
	case c.Force != nil:
		_, err := forceDomains(a, c.Force.ID, c.Force.Fields)
		return err
	}
	return fmt.Errorf("empty journal entry")
}
