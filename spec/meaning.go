package spec

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// What the contract's state rules mean, written once: the reference enforces them with these
// methods and the case generators predict answers with the same ones.

// WireText renders a schema value (an enum entry, a default, a decoded parameter) as it
// travels on the wire: 40, not 4e+01; true, not a Go bool.
func WireText(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case float32:
		return strconv.FormatFloat(float64(x), 'f', -1, 32)
	case int:
		return strconv.Itoa(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case int32:
		return strconv.FormatInt(int64(x), 10)
	case bool:
		return strconv.FormatBool(x)
	case json.Number:
		return x.String()
	}
	return fmt.Sprint(v)
}

// Default is the parameter's schema default as wire text; ok is false when the contract
// gives none (then an absent parameter has the value "").
func (p *Param) Default() (string, bool) {
	if p == nil || p.Schema == nil || p.Schema.Default == nil {
		return "", false
	}
	return WireText(p.Schema.Default), true
}

// DefaultInt is an integer parameter's default; ok is false when there is none.
func (p *Param) DefaultInt() (int64, bool) {
	s, ok := p.Default()
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}

// DefaultBool is a boolean parameter's default; ok is false when there is none.
func (p *Param) DefaultBool() (bool, bool) {
	s, ok := p.Default()
	if !ok {
		return false, false
	}
	b, err := strconv.ParseBool(s)
	return b, err == nil
}

// Lookup gives the wire text of a parameter the request carries; ok is false when absent.
type Lookup func(name string) (value string, ok bool)

// Given is a Lookup over wire text by name.
func Given(params map[string]string) Lookup {
	return func(name string) (string, bool) {
		v, ok := params[name]
		return v, ok
	}
}

// ParamValue is the value a condition compares for a parameter: the text sent, else the
// schema default, else "".
func (a *Action) ParamValue(name string, sent Lookup) string {
	if sent != nil {
		if v, ok := sent(name); ok {
			return v
		}
	}
	if p, ok := a.Param(name); ok {
		if d, ok := p.Default(); ok {
			return d
		}
	}
	return ""
}

// Matches reports whether a request meets the condition; a nil condition always holds.
// Values compare as wire text, so conditions write "2" and "true" as the SDKs send them.
func (c *Condition) Matches(a *Action, sent Lookup) bool {
	if c == nil {
		return true
	}
	return slices.Contains(c.In, a.ParamValue(c.Param, sent))
}

// Kind is the object kind a precondition checks: its own object, else the action's.
func (pc Precondition) Kind(a *Action) string {
	if pc.Object != "" {
		return pc.Object
	}
	return a.Object
}

// FlagSubject marks a lifecycle flag where a precondition's subject would name a state field.
const FlagSubject = "flag:"

// Subject is what a precondition reads of its object: a state field, or FlagSubject and the
// name of a lifecycle flag, whose value is "true" or "false" (absent: false).
func (pc Precondition) Subject() string {
	if pc.Flag != "" {
		return FlagSubject + pc.Flag
	}
	return pc.Field
}

// Allows reports whether the precondition accepts the current state value.
func (pc Precondition) Allows(current string) bool { return slices.Contains(pc.In, current) }

// MessageArgs fills the precondition's message arguments: "current" is the state found, "allowed"
// the states it accepts joined with the product's separator, anything else is literal.
func (pc Precondition) MessageArgs(p *Product, current string) []string {
	args := make([]string, 0, len(pc.Args))
	for _, arg := range pc.Args {
		switch arg {
		case "current":
			args = append(args, current)
		case "allowed":
			args = append(args, strings.Join(pc.In, p.ListSeparator))
		default:
			args = append(args, arg)
		}
	}
	return args
}

// Refusal is the documented error a failing precondition answers, its message filled.
func (a *Action) Refusal(pc Precondition, current string) ErrorCode {
	e, ok := a.Error(pc.Error)
	if !ok {
		e = ErrorCode{Code: pc.Error} // checkReferences refuses such a document at load
	}
	e.Message = e.Format(pc.MessageArgs(a.Product, current)...)
	return e
}

// Applicable lists the preconditions whose condition the request meets, in contract order.
func (a *Action) Applicable(sent Lookup) []Precondition {
	var out []Precondition
	for _, pc := range a.Preconditions {
		if pc.When.Matches(a, sent) {
			out = append(out, pc)
		}
	}
	return out
}

// FirstFailing applies preconditions in order, as a service does: the first whose object's
// state it does not allow answers. state gives an object's state field or flag (a
// precondition's Subject); ok false means the object is not there and the precondition is
// passed over. It returns the index into pcs.
func FirstFailing(pcs []Precondition, a *Action, state func(kind, subject string) (string, bool)) (i int, current string, failed bool) {
	for i, pc := range pcs {
		cur, ok := state(pc.Kind(a), pc.Subject())
		if !ok || pc.Allows(cur) {
			continue
		}
		return i, cur, true
	}
	return -1, "", false
}

// Kinds lists the object kinds a request to the action names: its own, then its
// preconditions' objects, each once.
func (a *Action) Kinds() []string {
	var kinds []string
	add := func(k string) {
		if k != "" && !slices.Contains(kinds, k) {
			kinds = append(kinds, k)
		}
	}
	add(a.Object)
	for _, pc := range a.Preconditions {
		add(pc.Kind(a))
	}
	return kinds
}

// EffectFor is the first effect whose condition the request meets; nil when none does.
func (a *Action) EffectFor(sent Lookup) *Effect {
	for i := range a.Effects {
		if a.Effects[i].When.Matches(a, sent) {
			return &a.Effects[i]
		}
	}
	return nil
}

// HasHoles reports whether the message template has %s holes left to fill.
func (e ErrorCode) HasHoles() bool { return strings.Contains(e.Message, "%s") }
