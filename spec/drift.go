package spec

import (
	"encoding/json"
	"fmt"
	"path"
	"slices"

	"gopkg.in/yaml.v3"
)

// Drift is how the contract is held against the official API metadata: every way an action,
// a parameter, an error or a response field of one differs from the other is a Difference,
// and each must be accounted for by a recorded choice whose covers match it
// (docs/spec-format.md, "Recorded choices"). The comparison itself is spec/drift_test.go.

// Difference is one way the contract and the metadata disagree about an action. Contract and
// Metadata are the two sides as wire text, "" where a side says nothing.
type Difference struct {
	Product  string `json:"product"`
	Action   string `json:"action"`
	Param    string `json:"param,omitempty"` // wire path (DataDisk.N.Part.N.Block), error code or response field
	Aspect   string `json:"aspect"`
	Contract string `json:"contract"`
	Metadata string `json:"metadata"`
}

func (d Difference) String() string {
	where := d.Action
	if d.Param != "" {
		where += " " + d.Param
	}
	return fmt.Sprintf("%s %s %s: contract %q, metadata %q", d.Product, where, d.Aspect, d.Contract, d.Metadata)
}

// DriftAspects are the aspects a difference can be about.
var DriftAspects = []string{
	"action",                              // the action exists on one side only
	"param",                               // the parameter (or a field of it) exists on one side only
	"type", "format", "required", "style", // how it travels and whether it must
	"enum", "minimum", "maximum", // its values
	"minLength", "maxLength", "pattern", "not", // its text
	"default", "maxItems", "uniqueItems",
	"error", "status", "message", // a documented code: present, its HTTP status, its template
	"response", "responseType", // a success field: present, its type
}

// Cover names differences a choice accounts for. Action, Param and Aspect are each a name,
// a path.Match glob, or a list of them; Param may be left out to match any. Contract and
// Metadata, when given, must equal the difference's sides: a cover written for "the
// metadata says nothing" (Metadata: "") stops covering once the metadata says something.
type Cover struct {
	Action   Names   `json:"action" yaml:"action"`
	Param    Names   `json:"param,omitempty" yaml:"param,omitempty"`
	Aspect   Names   `json:"aspect" yaml:"aspect"`
	Contract *string `json:"contract,omitempty" yaml:"contract,omitempty"`
	Metadata *string `json:"metadata,omitempty" yaml:"metadata,omitempty"`
}

// Names is one name or glob, or a list of them, as a cover writes it.
type Names []string

// UnmarshalJSON reads a string or a list of strings.
func (n *Names) UnmarshalJSON(b []byte) error {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*n = Names{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return fmt.Errorf("a name or a list of names: %w", err)
	}
	*n = many
	return nil
}

// UnmarshalYAML reads a string or a list of strings.
func (n *Names) UnmarshalYAML(v *yaml.Node) error {
	if v.Kind == yaml.ScalarNode {
		*n = Names{v.Value}
		return nil
	}
	var many []string
	if err := v.Decode(&many); err != nil {
		return fmt.Errorf("a name or a list of names: %w", err)
	}
	*n = many
	return nil
}

func (n Names) match(s string) bool {
	for _, pat := range n {
		if ok, _ := path.Match(pat, s); ok {
			return true
		}
	}
	return false
}

// Matches reports whether the cover accounts for the difference.
func (c Cover) Matches(d Difference) bool {
	if !c.Action.match(d.Action) || !c.Aspect.match(d.Aspect) {
		return false
	}
	if len(c.Param) > 0 && !c.Param.match(d.Param) {
		return false
	}
	if c.Contract != nil && *c.Contract != d.Contract {
		return false
	}
	return c.Metadata == nil || *c.Metadata == d.Metadata
}

// check reports what is wrong with a cover as written: no action or aspect, an aspect no
// difference can have, a glob path.Match cannot read.
func (c Cover) check() error {
	if len(c.Action) == 0 || len(c.Aspect) == 0 {
		return fmt.Errorf("a cover needs an action and an aspect")
	}
	for _, a := range c.Aspect {
		if !slices.Contains(DriftAspects, a) {
			return fmt.Errorf("aspect %q is none of %v", a, DriftAspects)
		}
	}
	for _, list := range []Names{c.Action, c.Param} {
		for _, pat := range list {
			if _, err := path.Match(pat, ""); err != nil {
				return fmt.Errorf("glob %q: %w", pat, err)
			}
		}
	}
	return nil
}
