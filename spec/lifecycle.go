package spec

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Lifecycle is the part of a kind's state machine that no single action states: how an
// object comes to be, and what time does to it on its own. What actions do is each action's
// x-acs-effects. Together they are the machine the reference runs and the suites walk
// (docs/spec-format.md, "State machine").
type Lifecycle struct {
	// Create is the action that makes an object of the kind; "" when the public API cannot
	// (source servers, disks): a target then names existing ones in its profile.
	Create string `json:"create,omitempty"`
	// Needs are the states other objects must be in for Create to succeed (a job's source
	// server, a drill's group), by kind.
	Needs map[string]States `json:"needs,omitempty"`
	// Initial lists the states a new object shows; the first entry that applies wins.
	Initial []Initial `json:"initial,omitempty"`
	// Derived are states an object shows because of other objects (a source is InUse while
	// one of its jobs runs); no action or timer of its own leads there.
	Derived []Derived `json:"derived,omitempty"`
	// Timers are the transitions time makes on its own. Every timer whose from and when match
	// runs from the moment the object entered from; the soonest fires, a tie going to the one
	// written first.
	Timers []Timer `json:"timers,omitempty"`
	// Periodic are things that recur while an object stays in some states.
	Periodic []Periodic `json:"periodic,omitempty"`
	// Flags are facts of an object's history that timers depend on, with their meaning.
	Flags map[string]string `json:"flags,omitempty"`
}

// Initial is one state a new object starts in.
type Initial struct {
	// Given: the create request carries this parameter.
	Given string            `json:"given,omitempty"`
	State map[string]string `json:"state"`
	// Flags are the history flags a new object starts with (absent: false).
	Flags map[string]string `json:"flags,omitempty"`
}

// Derived is a state an object shows while related objects are in some states: the related
// kind's needs name this object.
type Derived struct {
	State map[string]string `json:"state"`
	While map[string]States `json:"while"`
}

// States is a set of allowed values per state field; in YAML a value or a list of values.
type States map[string][]string

// UnmarshalJSON accepts {Field: value} and {Field: [value, ...]}.
func (s *States) UnmarshalJSON(b []byte) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	out := States{}
	for f, v := range raw {
		var one string
		if json.Unmarshal(v, &one) == nil {
			out[f] = []string{one}
			continue
		}
		var many []string
		if err := json.Unmarshal(v, &many); err != nil {
			return fmt.Errorf("%s: a state value or a list of them: %w", f, err)
		}
		out[f] = many
	}
	*s = out
	return nil
}

// Match reports whether a state has one of the allowed values in every field the set names.
func (s States) Match(state map[string]string) bool {
	for f, vals := range s {
		if !hasValue(vals, state[f]) {
			return false
		}
	}
	return true
}

// Timer is a transition time makes: an object in From (and meeting When) moves to To, or
// disappears, After the moment it entered From.
type Timer struct {
	From    States            `json:"from"`
	When    *TimerCondition   `json:"when,omitempty"`
	To      map[string]string `json:"to,omitempty"`
	Deletes bool              `json:"deletes,omitempty"`
	After   Delay             `json:"after"`
	// Sets are history flags the transition sets or clears.
	Sets map[string]string `json:"sets,omitempty"`
}

// TimerCondition restricts a timer to objects whose field (as Describe shows it) or history
// flag has one of the values.
type TimerCondition struct {
	Field string   `json:"field,omitempty"`
	Flag  string   `json:"flag,omitempty"`
	In    []string `json:"in"`
}

// Periodic is something that recurs Every period while the object is In a state: a new
// recovery point, which moves the field named by Moves.
type Periodic struct {
	In    States `json:"in"`
	Every Delay  `json:"every"`
	Moves string `json:"moves"`
}

// Delay is how long a timer waits. In YAML a duration ("5s", "2m", "7d"), or an expression:
//
//	{at: ValidTime, min: 7d, max: 90d, default: 30d}  the instant a create parameter names,
//	                                                   between min and max after creation
//	{field: Frequency, unit: 1h}                       the object's field times unit
//	{field: Size, of: Disk, unit: 1s, min: 60s, plus: 30s}
//	                                                   a field of related objects (the largest),
//	                                                   times unit, at least min, plus plus
type Delay struct {
	Fixed   time.Duration
	At      string
	Field   string
	Of      string
	Unit    time.Duration
	Min     time.Duration
	Max     time.Duration
	Default time.Duration
	Plus    time.Duration
}

// UnmarshalJSON reads a duration text or an expression object.
func (d *Delay) UnmarshalJSON(b []byte) error {
	var text string
	if json.Unmarshal(b, &text) == nil {
		v, err := ParseDuration(text)
		*d = Delay{Fixed: v}
		return err
	}
	var raw struct {
		At, Field, Of                 string
		Unit, Min, Max, Default, Plus string
	}
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&raw); err != nil {
		return fmt.Errorf("delay: %w", err)
	}
	out := Delay{At: raw.At, Field: raw.Field, Of: raw.Of}
	for _, p := range []struct {
		text string
		dst  *time.Duration
	}{{raw.Unit, &out.Unit}, {raw.Min, &out.Min}, {raw.Max, &out.Max}, {raw.Default, &out.Default}, {raw.Plus, &out.Plus}} {
		if p.text == "" {
			continue
		}
		v, err := ParseDuration(p.text)
		if err != nil {
			return err
		}
		*p.dst = v
	}
	switch {
	case out.At != "" && out.Field != "":
		return fmt.Errorf("delay: at and field exclude each other")
	case out.At == "" && out.Field == "":
		return fmt.Errorf("delay: a duration, or an expression with at or field")
	case out.Field != "" && out.Unit <= 0:
		return fmt.Errorf("delay: field %s needs a unit", out.Field)
	}
	*d = out
	return nil
}

// ParseDuration is time.ParseDuration plus a day suffix ("7d"), which the contract's
// lifetimes read best in.
func ParseDuration(s string) (time.Duration, error) {
	if n, ok := strings.CutSuffix(s, "d"); ok {
		days, err := strconv.Atoi(n)
		if err != nil || days < 0 {
			return 0, fmt.Errorf("duration %q: want a whole number of days", s)
		}
		return time.Duration(days) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("duration %q: want a Go duration or Nd", s)
	}
	return d, nil
}

// Values gives the numbers a delay expression reads: the object's own field (kind "") or
// the largest of a related kind's field; ok is false when unknown.
type Values func(kind, field string) (float64, bool)

// Eval is the delay for an object whose fields vals reads. An unknown or zero field is the
// default (or zero) before min applies; an at-delay without its parameter is its default.
func (d Delay) Eval(vals Values) time.Duration {
	switch {
	case d.At != "":
		if vals != nil {
			if v, ok := vals("", d.At); ok {
				return time.Duration(v * float64(time.Second))
			}
		}
		return d.Default
	case d.Field != "":
		var n float64
		if vals != nil {
			n, _ = vals(d.Of, d.Field)
		}
		v := time.Duration(n * float64(d.Unit))
		if n == 0 && d.Default > 0 {
			v = d.Default
		}
		if v < d.Min {
			v = d.Min
		}
		if d.Max > 0 && v > d.Max {
			v = d.Max
		}
		return v + d.Plus
	}
	return d.Fixed
}

// Shortest is the least the delay can be: what a walker plans with when it may choose the
// parameters (an at-delay at its min, a field at its smallest).
func (d Delay) Shortest() time.Duration {
	switch {
	case d.At != "":
		return d.Min
	case d.Field != "":
		if d.Min == 0 && d.Default > 0 {
			return d.Default + d.Plus
		}
		return d.Min + d.Plus
	}
	return d.Fixed
}

// String renders the delay as the contract writes it.
func (d Delay) String() string {
	switch {
	case d.At != "":
		return fmt.Sprintf("at %s (min %v, max %v, default %v)", d.At, d.Min, d.Max, d.Default)
	case d.Field != "":
		of := d.Field
		if d.Of != "" {
			of = d.Of + "." + d.Field
		}
		return fmt.Sprintf("%s x %v (min %v) + %v", of, d.Unit, d.Min, d.Plus)
	}
	return d.Fixed.String()
}

// Timers returns the timers that run for an object in state whose fields and flags facts
// gives (an absent flag is "false"), in contract order.
func (l *Lifecycle) TimersFor(state map[string]string, facts map[string]string) []*Timer {
	if l == nil {
		return nil
	}
	var out []*Timer
	for i := range l.Timers {
		if t := &l.Timers[i]; t.From.Match(state) && t.applies(facts) {
			out = append(out, t)
		}
	}
	return out
}

func (t *Timer) applies(facts map[string]string) bool {
	c := t.When
	if c == nil {
		return true
	}
	if c.Flag != "" {
		v, ok := facts[c.Flag]
		if !ok {
			v = "false"
		}
		return hasValue(c.In, v)
	}
	return hasValue(c.In, facts[c.Field])
}

// Delay returns the delay of the timer that takes an object from a state to another (to nil:
// the object disappears) under facts; ok is false when no timer does.
func (l *Lifecycle) Delay(from, to map[string]string, facts map[string]string) (Delay, bool) {
	for _, t := range l.TimersFor(from, facts) {
		if (to == nil && t.Deletes) || (to != nil && !t.Deletes && sameState(t.Next(from), to)) {
			return t.After, true
		}
	}
	return Delay{}, false
}

func sameState(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// Next is the state a timer leaves an object in: its state with To applied.
func (t *Timer) Next(state map[string]string) map[string]string {
	out := make(map[string]string, len(state)+len(t.To))
	for k, v := range state {
		out[k] = v
	}
	for k, v := range t.To {
		out[k] = v
	}
	return out
}

// check validates a kind's lifecycle against its product: every state and field named must
// exist, every action named must be the product's.
func (l *Lifecycle) check(p *Product, o *Object) []string {
	var problems []string
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	states := func(where string, s map[string][]string) {
		for f, vals := range s {
			enum, ok := o.States[f]
			if !ok {
				bad("%s names no state field %s", where, f)
				continue
			}
			for _, v := range vals {
				if !hasValue(enum, v) {
					bad("%s: %s %q is not in the enum", where, f, v)
				}
			}
		}
	}
	// A target state may clear a field with "": it is no longer shown.
	one := func(where string, s map[string]string) {
		m := map[string][]string{}
		for k, v := range s {
			if v == "" {
				if _, ok := o.States[k]; !ok {
					bad("%s names no state field %s", where, k)
				}
				continue
			}
			m[k] = []string{v}
		}
		states(where, m)
	}
	if l.Create != "" {
		if _, ok := p.Action(l.Create); !ok {
			bad("create names %s, which is not an action of %s", l.Create, p.Name)
		}
		if len(l.Initial) == 0 {
			bad("create without initial states")
		}
	}
	for kind, s := range l.Needs {
		other, ok := p.Objects[kind]
		if !ok {
			bad("needs names unknown kind %s", kind)
			continue
		}
		for f, vals := range s {
			for _, v := range vals {
				if !hasValue(other.States[f], v) {
					bad("needs %s %s %q: not in its enum", kind, f, v)
				}
			}
		}
	}
	for i, in := range l.Initial {
		one(fmt.Sprintf("initial[%d]", i), in.State)
		for f := range in.Flags {
			if l.Flags[f] == "" {
				bad("initial[%d]: flag %s is not declared under flags", i, f)
			}
		}
	}
	for i, d := range l.Derived {
		one(fmt.Sprintf("derived[%d]", i), d.State)
		for kind := range d.While {
			if p.Objects[kind] == nil {
				bad("derived[%d] names unknown kind %s", i, kind)
			}
		}
	}
	for i, t := range l.Timers {
		where := fmt.Sprintf("timers[%d]", i)
		states(where+".from", t.From)
		one(where+".to", t.To)
		if len(t.From) == 0 {
			bad("%s: from is empty", where)
		}
		if len(t.To) == 0 == !t.Deletes {
			bad("%s: exactly one of to and deletes", where)
		}
		if t.When != nil && (t.When.Field == "") == (t.When.Flag == "") {
			bad("%s: when names a field or a flag", where)
		}
		if t.When != nil && t.When.Flag != "" && l.Flags[t.When.Flag] == "" {
			bad("%s: flag %s is not declared under flags", where, t.When.Flag)
		}
		for f := range t.Sets {
			if l.Flags[f] == "" {
				bad("%s: sets undeclared flag %s", where, f)
			}
		}
		if t.After.Of != "" && p.Objects[t.After.Of] == nil {
			bad("%s: after reads unknown kind %s", where, t.After.Of)
		}
	}
	for i, per := range l.Periodic {
		states(fmt.Sprintf("periodic[%d].in", i), per.In)
	}
	return problems
}

// Kinds returns the product's object kinds, sorted.
func (p *Product) Kinds() []string {
	out := make([]string, 0, len(p.Objects))
	for k := range p.Objects {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func hasValue(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
