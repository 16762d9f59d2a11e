package cases

import (
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/smcct/smcct/spec"
)

func u64(n uint64) *uint64 { return &n }

func TestGeneratedValuesBreakExactlyTheirRule(t *testing.T) {
	name := &openapi3.Schema{Type: &openapi3.Types{"string"}, MinLength: 2, MaxLength: u64(128),
		Pattern: `^[a-zA-Z][!-~]*$`,
		Not:     &openapi3.SchemaRef{Value: &openapi3.Schema{Pattern: `^https?://`}}}
	cases := []struct {
		name   string
		rule   string
		pass   bool
		reason string
	}{
		{"minLength", "minLength", false, "one character short of minLength breaks only minLength"},
		{"minLength", "minLength", true, "exactly minLength passes"},
		{"maxLength", "maxLength", false, "one over maxLength breaks only maxLength"},
		{"maxLength", "maxLength", true, "exactly maxLength passes"},
		{"pattern", "pattern", false, "a value of allowed length that the pattern rejects"},
		{"not", "not", false, "a value starting with http:// that the pattern still accepts"},
	}
	probes := stringProbes(name)
	for _, c := range cases {
		found := false
		for _, pr := range probes {
			if pr.rule != c.rule || pr.pass != c.pass {
				continue
			}
			found = true
			b := broken(name, pr.show)
			if c.pass && len(b) != 0 {
				t.Errorf("%s: %q breaks %v (%s)", c.name, pr.show, b, c.reason)
			}
			if !c.pass && !only(b, c.rule) {
				t.Errorf("%s: %q breaks %v, want only %s (%s)", c.name, pr.show, b, c.rule, c.reason)
			}
		}
		if !found {
			t.Errorf("%s: no probe generated (%s)", c.name, c.reason)
		}
	}
}

func TestValidScalarHonoursEveryRule(t *testing.T) {
	lo, hi := 1.0, 168.0
	cases := []struct {
		schema *openapi3.Schema
		reason string
	}{
		{&openapi3.Schema{Type: &openapi3.Types{"integer"}, Min: &lo, Max: &hi}, "an integer inside its range"},
		{&openapi3.Schema{Type: &openapi3.Types{"string"}, Pattern: `^j-[a-z0-9]{20}$`}, "a job ID shape from its pattern"},
		{&openapi3.Schema{Type: &openapi3.Types{"string"}, Enum: []any{"Image", "TargetInstance"}}, "an enum member"},
		{&openapi3.Schema{Type: &openapi3.Types{"string"}, Format: "date-time"}, "an RFC 3339 time"},
	}
	for _, c := range cases {
		for variant := 0; variant < 3; variant++ {
			v, ok := validScalar(c.schema, variant)
			if !ok || len(broken(c.schema, v)) != 0 {
				t.Errorf("%s: variant %d gave %q ok=%v broken=%v", c.reason, variant, v, ok, broken(c.schema, v))
			}
		}
	}
}

func TestEveryActionHasABaseline(t *testing.T) {
	for _, a := range spec.MustDefault().Actions() {
		if _, ok := Baseline(a); !ok {
			t.Errorf("%s: no valid baseline request could be generated from the contract", a.Name)
		}
	}
}

func TestValidationCaseTextsAreUnique(t *testing.T) {
	seen := map[string]bool{}
	for _, a := range spec.MustDefault().Actions() {
		for _, c := range ValidationCases(a) {
			d := c.Describe()
			if seen[d] {
				t.Errorf("two validation cases share the text %q: their cassettes would collide", d)
			}
			seen[d] = true
		}
	}
}

func TestEnumNeighboursAreRefusedForTheEnumAlone(t *testing.T) {
	cases := []struct {
		schema *openapi3.Schema
		want   []string
		reason string
	}{
		{&openapi3.Schema{Type: &openapi3.Types{"string"}, Enum: []any{"Running", "Ready"}}, []string{"running", "RUNNING", "ready", "READY"}, "another letter case of each member"},
		{&openapi3.Schema{Type: &openapi3.Types{"integer"}, Enum: []any{0.0, 2.0}}, []string{"-1", "1"}, "one less and one more, but not 3, which notInEnum already sends"},
	}
	for _, c := range cases {
		got := enumNeighbours(c.schema)
		if strings.Join(got, ",") != strings.Join(c.want, ",") {
			t.Errorf("%v: got %v, want %v (%s)", c.schema.Enum, got, c.want, c.reason)
		}
	}
}
