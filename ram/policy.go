package ram

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
)

// MaxDocument is the largest policy document Parse reads, in bytes: RAM's limit for a
// custom policy.
const MaxDocument = 6144

// Effect is what a matching statement does.
type Effect string

// The two effects. Deny wins over Allow wherever both match.
const (
	Allow Effect = "Allow"
	Deny  Effect = "Deny"
)

// Policy is a parsed policy document.
type Policy struct {
	Version   string
	Statement []Statement
	// Source is the document as it was given.
	Source json.RawMessage
}

// Statement is one statement of a policy. Exactly one of Action and NotAction is set; an
// identity policy sets exactly one of Resource and NotResource, a trust policy Principal.
type Statement struct {
	Effect      Effect
	Action      []string
	NotAction   []string
	Resource    []string
	NotResource []string
	// Principal names who may assume a role, by kind: RAM (ARNs or account IDs), Service,
	// Federated.
	Principal map[string][]string
	Condition []Condition
}

// Condition is one operator applied to one key with its values: the statement applies only
// when every condition of it holds.
type Condition struct {
	Operator string
	Key      string // as written; keys compare without case
	Values   []string

	parsed []any // Values as the operator reads them
}

// Kind says which elements a document must carry.
type Kind int

// Identity policies grant to users, roles and sessions; trust policies say who may assume a
// role.
const (
	Identity Kind = iota
	Trust
)

// Parse reads and checks a policy document of the given kind. Every error names what is
// wrong, in the words of the language.
func Parse(doc []byte, kind Kind) (*Policy, error) {
	if len(doc) > MaxDocument {
		return nil, fmt.Errorf("the document is %d bytes, over the %d-byte limit", len(doc), MaxDocument)
	}
	var raw struct {
		Version   *string         `json:"Version"`
		Statement json.RawMessage `json:"Statement"`
	}
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&raw); err != nil {
		return nil, fmt.Errorf("not a policy document: %v", err)
	}
	if dec.More() {
		return nil, errors.New("not a policy document: text after the JSON object")
	}
	if raw.Version == nil || *raw.Version != "1" {
		return nil, errors.New(`Version must be "1"`)
	}
	stmts, err := list[json.RawMessage](raw.Statement, "Statement")
	if err != nil {
		return nil, err
	}
	if len(stmts) == 0 {
		return nil, errors.New("Statement must hold at least one statement")
	}
	p := &Policy{Version: "1", Source: append(json.RawMessage(nil), doc...)}
	for i, s := range stmts {
		st, err := parseStatement(s, kind)
		if err != nil {
			return nil, fmt.Errorf("Statement %d: %w", i+1, err)
		}
		p.Statement = append(p.Statement, st)
	}
	return p, nil
}

func parseStatement(data json.RawMessage, kind Kind) (Statement, error) {
	var raw struct {
		Effect      string                                `json:"Effect"`
		Action      json.RawMessage                       `json:"Action"`
		NotAction   json.RawMessage                       `json:"NotAction"`
		Resource    json.RawMessage                       `json:"Resource"`
		NotResource json.RawMessage                       `json:"NotResource"`
		Principal   map[string]json.RawMessage            `json:"Principal"`
		Condition   map[string]map[string]json.RawMessage `json:"Condition"`
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&raw); err != nil {
		return Statement{}, fmt.Errorf("not a statement object: %v", err)
	}
	st := Statement{Effect: Effect(raw.Effect)}
	if st.Effect != Allow && st.Effect != Deny {
		return st, fmt.Errorf("Effect must be Allow or Deny, not %q", raw.Effect)
	}
	var err error
	if st.Action, st.NotAction, err = either(raw.Action, raw.NotAction, "Action", "NotAction"); err != nil {
		return st, err
	}
	switch kind {
	case Identity:
		if raw.Principal != nil {
			return st, errors.New("Principal belongs to a role's trust policy, not to a permission policy")
		}
		if st.Resource, st.NotResource, err = either(raw.Resource, raw.NotResource, "Resource", "NotResource"); err != nil {
			return st, err
		}
	case Trust:
		if raw.Resource != nil || raw.NotResource != nil {
			return st, errors.New("a trust policy names no Resource")
		}
		if st.Principal, err = principals(raw.Principal); err != nil {
			return st, err
		}
	}
	if st.Condition, err = conditions(raw.Condition); err != nil {
		return st, err
	}
	return st, nil
}

// either reads a pair of exclusive elements (Action/NotAction): exactly one must be given.
func either(a, b json.RawMessage, an, bn string) ([]string, []string, error) {
	switch {
	case a != nil && b != nil:
		return nil, nil, fmt.Errorf("%s and %s exclude each other", an, bn)
	case a != nil:
		v, err := nonEmpty(a, an)
		return v, nil, err
	case b != nil:
		v, err := nonEmpty(b, bn)
		return nil, v, err
	}
	return nil, nil, fmt.Errorf("%s (or %s) is required", an, bn)
}

func nonEmpty(data json.RawMessage, name string) ([]string, error) {
	v, err := list[string](data, name)
	if err != nil {
		return nil, err
	}
	if len(v) == 0 {
		return nil, fmt.Errorf("%s must name at least one value", name)
	}
	for _, s := range v {
		if strings.TrimSpace(s) == "" {
			return nil, fmt.Errorf("%s holds an empty value", name)
		}
	}
	return v, nil
}

// list reads one value or an array of values, as every element of the language allows.
func list[T any](data json.RawMessage, name string) ([]T, error) {
	data = bytes.TrimSpace(data)
	if len(data) == 0 || string(data) == "null" {
		return nil, fmt.Errorf("%s is required", name)
	}
	if data[0] == '[' {
		var v []T
		if err := json.Unmarshal(data, &v); err != nil {
			return nil, fmt.Errorf("%s: %v", name, err)
		}
		return v, nil
	}
	var one T
	if err := json.Unmarshal(data, &one); err != nil {
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	return []T{one}, nil
}

func principals(raw map[string]json.RawMessage) (map[string][]string, error) {
	if len(raw) == 0 {
		return nil, errors.New("a trust policy statement needs a Principal")
	}
	out := map[string][]string{}
	for kind, v := range raw {
		switch kind {
		case "RAM", "Service", "Federated":
		default:
			return nil, fmt.Errorf("Principal kind %q is not RAM, Service or Federated", kind)
		}
		vals, err := nonEmpty(v, "Principal."+kind)
		if err != nil {
			return nil, err
		}
		out[kind] = vals
	}
	return out, nil
}

// conditions reads the Condition block in a stable order (operator, then key), so that a
// policy always evaluates and prints the same way.
func conditions(raw map[string]map[string]json.RawMessage) ([]Condition, error) {
	ops := make([]string, 0, len(raw))
	for op := range raw {
		ops = append(ops, op)
	}
	sort.Strings(ops)
	var out []Condition
	for _, op := range ops {
		if _, ok := operators[op]; !ok {
			return nil, fmt.Errorf("condition operator %q is not one RAM supports", op)
		}
		keys := make([]string, 0, len(raw[op]))
		for k := range raw[op] {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		if len(keys) == 0 {
			return nil, fmt.Errorf("condition operator %s names no key", op)
		}
		for _, k := range keys {
			vals, err := scalars(raw[op][k])
			if err != nil {
				return nil, fmt.Errorf("condition %s %s: %w", op, k, err)
			}
			parsed, err := operators[op].read(vals)
			if err != nil {
				return nil, fmt.Errorf("condition %s %s: %w", op, k, err)
			}
			out = append(out, Condition{Operator: op, Key: k, Values: vals, parsed: parsed})
		}
	}
	return out, nil
}

// scalars reads a condition's value or values: strings, numbers and booleans, as text.
func scalars(data json.RawMessage) ([]string, error) {
	items, err := list[json.RawMessage](data, "the value")
	if err != nil {
		return nil, err
	}
	if len(items) == 0 {
		return nil, errors.New("needs at least one value")
	}
	out := make([]string, 0, len(items))
	for _, it := range items {
		var v any
		if err := json.Unmarshal(it, &v); err != nil {
			return nil, err
		}
		switch t := v.(type) {
		case string:
			out = append(out, t)
		case float64, bool:
			out = append(out, strings.TrimSpace(string(it)))
		default:
			return nil, errors.New("values are strings, numbers or booleans")
		}
	}
	return out, nil
}
