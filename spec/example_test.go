package spec

import (
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"regexp/syntax"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/smcct/smcct/rpc/flat"
)

// embeddedProducts loads each embedded document on its own, so that one document being
// rewritten does not hide the other. Documents that fail to load are logged and left out.
func embeddedProducts(t testing.TB) []*Product {
	var out []*Product
	for _, name := range Documents {
		data, err := files.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		p, err := LoadProduct(data)
		if err != nil {
			t.Logf("%s does not load yet, its actions are not checked: %v", name, err)
			continue
		}
		out = append(out, p)
	}
	return out
}

// TestMinimalRequestsValidate builds, for every action of the embedded documents, a request
// with only its required parameters (plus those x-acs-requires then demands) and checks that
// the contract accepts it: a rule no value can satisfy would make the action unusable.
func TestMinimalRequestsValidate(t *testing.T) {
	products := append(embeddedProducts(t), loadRules(t))
	checked := 0
	for _, p := range products {
		for _, a := range p.Actions() {
			params, err := minimalRequest(a)
			if err != nil {
				t.Errorf("%s %s: cannot build a request: %v", p.Name, a.Name, err)
				continue
			}
			if vs := a.Validate(params); len(vs) > 0 {
				t.Errorf("%s %s: the minimal request %v is refused: %v", p.Name, a.Name, params, vs)
			}
			checked++
		}
	}
	if checked == 0 {
		t.Fatal("no action was checked")
	}
	t.Logf("checked the minimal request of %d actions", checked)
}

// minimalRequest sends every required parameter, then whatever x-acs-requires asks for.
func minimalRequest(a *Action) (url.Values, error) {
	params := url.Values{}
	add := func(name string) error {
		prm, ok := a.Param(name)
		if !ok {
			return fmt.Errorf("x-acs-requires names %s, which is not a parameter", name)
		}
		return addExample(params, prm)
	}
	for _, prm := range a.Params {
		if prm.Required {
			if err := add(prm.Name); err != nil {
				return nil, err
			}
		}
	}
	for range 4 {
		var needs []string
		for _, v := range a.Validate(params) {
			if v.Rule == RuleRequires {
				needs = append(needs, v.Param)
			}
		}
		if len(needs) == 0 {
			break
		}
		for _, n := range needs {
			if err := add(n); err != nil {
				return nil, err
			}
		}
	}
	return params, nil
}

func addExample(params url.Values, prm *Param) error {
	v, err := exampleValue(prm.Schema)
	if err != nil {
		return fmt.Errorf("%s: %w", prm.Name, err)
	}
	if prm.Style == StyleJSON {
		b, err := json.Marshal(v)
		if err != nil {
			return err
		}
		params.Set(prm.Name, string(b))
		return nil
	}
	for k, vs := range flat.Encode(map[string]any{prm.Name: v}) {
		params[k] = vs
	}
	return nil
}

// exampleValue makes a value the schema accepts: its example or first enum member, else one
// built from the type, bounds and pattern.
func exampleValue(s *openapi3.Schema) (any, error) {
	switch {
	case s.Example != nil:
		return s.Example, nil
	case len(s.Enum) > 0:
		return s.Enum[0], nil
	case s.Type.Is(openapi3.TypeString):
		return exampleString(s)
	case s.Type.Is(openapi3.TypeInteger), s.Type.Is(openapi3.TypeNumber):
		switch {
		case s.Min != nil:
			return math.Ceil(*s.Min) + boolTo(s.ExclusiveMin.IsSet()), nil
		case s.Max != nil && *s.Max < 1:
			return math.Floor(*s.Max) - boolTo(s.ExclusiveMax.IsSet()), nil
		}
		return 1, nil
	case s.Type.Is(openapi3.TypeBoolean):
		return true, nil
	case s.Type.Is(openapi3.TypeArray):
		item, err := exampleValue(s.Items.Value)
		return []any{item}, err
	case s.Type.Is(openapi3.TypeObject):
		obj := map[string]any{}
		for _, name := range s.Required {
			v, err := exampleValue(s.Properties[name].Value)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", name, err)
			}
			obj[name] = v
		}
		return obj, nil
	}
	return nil, fmt.Errorf("no example for schema type %v", s.Type)
}

func boolTo(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// exampleString tries strings from the pattern with more and more repetitions until one
// satisfies every rule of the schema (lengths, not, format).
func exampleString(s *openapi3.Schema) (string, error) {
	if s.Format == "date-time" {
		return "2026-01-02T03:04:05Z", nil
	}
	pattern := s.Pattern
	if pattern == "" {
		pattern = "^a*$"
	}
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return "", err
	}
	for extra := range 130 {
		v := fromRegexp(re.Simplify(), extra)
		// An unanchored pattern also accepts what follows a match.
		for _, cand := range []string{v, v + strings.Repeat("a", extra)} {
			if s.VisitJSON(cand) == nil {
				return cand, nil
			}
		}
	}
	return "", fmt.Errorf("no string satisfies pattern %q and the length rules", s.Pattern)
}

// fromRegexp writes one string the expression matches, repeating each repeatable part
// extra times beyond its minimum.
func fromRegexp(re *syntax.Regexp, extra int) string {
	var b strings.Builder
	var walk func(*syntax.Regexp)
	repeat := func(sub *syntax.Regexp, lo, hi int) {
		n := lo + extra
		if hi >= 0 && n > hi {
			n = hi
		}
		for range n {
			walk(sub)
		}
	}
	walk = func(re *syntax.Regexp) {
		switch re.Op {
		case syntax.OpLiteral:
			b.WriteString(string(re.Rune))
		case syntax.OpCharClass:
			if len(re.Rune) > 0 {
				b.WriteRune(re.Rune[0])
			}
		case syntax.OpAnyChar, syntax.OpAnyCharNotNL:
			b.WriteByte('a')
		case syntax.OpCapture:
			walk(re.Sub[0])
		case syntax.OpStar:
			repeat(re.Sub[0], 0, -1)
		case syntax.OpPlus:
			repeat(re.Sub[0], 1, -1)
		case syntax.OpQuest:
			repeat(re.Sub[0], 0, 1)
		case syntax.OpRepeat:
			repeat(re.Sub[0], re.Min, re.Max)
		case syntax.OpConcat:
			for _, sub := range re.Sub {
				walk(sub)
			}
		case syntax.OpAlternate:
			walk(re.Sub[0])
		}
	}
	walk(re)
	return b.String()
}
