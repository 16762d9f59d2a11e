package cases

import (
	"math"
	"regexp"
	"regexp/syntax"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/smcct/smcct/spec"
)

// scalarKind is the schema type of a scalar: string, integer, number or boolean.
func scalarKind(s *openapi3.Schema) string {
	for _, k := range []string{openapi3.TypeInteger, openapi3.TypeNumber, openapi3.TypeBoolean, openapi3.TypeString} {
		if s.Type.Is(k) {
			return k
		}
	}
	return ""
}

// broken lists the rules of a scalar schema that the wire value v breaks. It is the
// generators' own judge: a case is kept only if its value breaks exactly the rule it tests.
func broken(s *openapi3.Schema, v string) []string {
	var out []string
	switch scalarKind(s) {
	case openapi3.TypeInteger, openapi3.TypeNumber:
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || (scalarKind(s) == openapi3.TypeInteger && f != math.Trunc(f)) {
			return []string{"type"}
		}
		if s.Min != nil && (f < *s.Min || (s.ExclusiveMin.IsTrue() && f == *s.Min)) {
			out = append(out, "minimum")
		}
		if s.Max != nil && (f > *s.Max || (s.ExclusiveMax.IsTrue() && f == *s.Max)) {
			out = append(out, "maximum")
		}
	case openapi3.TypeBoolean:
		if v != "true" && v != "false" {
			return []string{"type"}
		}
	case openapi3.TypeString:
		out = append(out, brokenString(s, v)...)
	}
	if len(s.Enum) > 0 && !inEnum(s.Enum, v) {
		out = append(out, "enum")
	}
	return out
}

func brokenString(s *openapi3.Schema, v string) []string {
	var out []string
	n := uint64(utf8.RuneCountInString(v))
	if n < s.MinLength {
		out = append(out, "minLength")
	}
	if s.MaxLength != nil && n > *s.MaxLength {
		out = append(out, "maxLength")
	}
	if s.Pattern != "" && !mustRE(s.Pattern).MatchString(v) {
		out = append(out, "pattern")
	}
	if s.Not != nil && s.Not.Value != nil && s.Not.Value.Pattern != "" && mustRE(s.Not.Value.Pattern).MatchString(v) {
		out = append(out, "not")
	}
	if s.Format == "date-time" {
		if _, err := time.Parse(time.RFC3339, v); err != nil {
			out = append(out, "format")
		}
	}
	return out
}

var reCache = map[string]*regexp.Regexp{}

// mustRE compiles a pattern the spec's own tests already compiled; a bad one matches nothing.
func mustRE(p string) *regexp.Regexp {
	if re, ok := reCache[p]; ok {
		return re
	}
	re, err := regexp.Compile(p)
	if err != nil {
		re = regexp.MustCompile(`\A\z.`) // never matches: every value counts as breaking it
	}
	reCache[p] = re
	return re
}

func inEnum(enum []any, v string) bool {
	for _, e := range enum {
		if spec.WireText(e) == v {
			return true
		}
	}
	return false
}

// validScalar returns a wire value that breaks no rule of s; variant makes list items
// differ. ok is false when no such value could be found.
func validScalar(s *openapi3.Schema, variant int) (string, bool) {
	for _, c := range scalarCandidates(s, variant) {
		if len(broken(s, c)) == 0 {
			return c, true
		}
	}
	return "", false
}

// wellKnown are values that name fixture objects every reference has and the real service
// knows, so that a generated request is refused only for what a case tests.
var wellKnown = map[string]string{
	"RegionId": "cn-hangzhou", "SourceRegionId": "cn-hangzhou", "DestinationRegionId": "cn-shanghai",
	"ZoneId": "cn-hangzhou-h", "SourceZoneId": "cn-hangzhou-h", "DestinationZoneId": "cn-shanghai-e",
}

func scalarCandidates(s *openapi3.Schema, variant int) []string {
	if len(s.Enum) > 0 {
		return []string{spec.WireText(s.Enum[variant%len(s.Enum)])}
	}
	switch scalarKind(s) {
	case openapi3.TypeBoolean:
		return []string{[]string{"true", "false"}[variant%2]}
	case openapi3.TypeInteger, openapi3.TypeNumber:
		return numberCandidates(s, variant)
	}
	var out []string
	if s.Format == "date-time" {
		out = append(out, time.Date(2026, 11, 24, 8, 0, variant, 0, time.UTC).Format(time.RFC3339))
	}
	if s.Pattern != "" {
		out = append(out, fromPattern(s.Pattern, s, variant)...)
	}
	base := "smcct" + strconv.Itoa(variant)
	if variant == 0 {
		base = "smcct"
	}
	return append(out, fitLength(base, s, 'x'))
}

func numberCandidates(s *openapi3.Schema, variant int) []string {
	lo, hi := math.Inf(-1), math.Inf(1)
	if s.Min != nil {
		lo = *s.Min
		if s.ExclusiveMin.IsTrue() {
			lo++
		}
	}
	if s.Max != nil {
		hi = *s.Max
		if s.ExclusiveMax.IsTrue() {
			hi--
		}
	}
	start := 1.0
	if !math.IsInf(lo, -1) {
		start = lo
	} else if start > hi {
		start = hi
	}
	v := start + float64(variant)
	if v > hi {
		v = start
	}
	return []string{strconv.FormatFloat(v, 'f', -1, 64)}
}

// fitLength pads s with fill to the schema's minLength and cuts it to maxLength.
func fitLength(s string, sc *openapi3.Schema, fill rune) string {
	for uint64(utf8.RuneCountInString(s)) < sc.MinLength {
		s += string(fill)
	}
	if sc.MaxLength != nil && uint64(len(s)) > *sc.MaxLength {
		s = s[:*sc.MaxLength]
	}
	return s
}

// stringOfLength finds a value of exactly n characters that breaks no rule of s except,
// possibly, its length rules: the boundary and too-long/too-short cases need one.
func stringOfLength(s *openapi3.Schema, n int) (string, bool) {
	var cands []string
	if s.Pattern != "" {
		for extra := 0; extra <= n+1; extra++ {
			cands = append(cands, genPattern(s.Pattern, extra, 0))
		}
	}
	cands = append(cands, "smcct")
	for _, c := range cands {
		v, ok := resize(c, n, s)
		if ok {
			return v, true
		}
	}
	return "", false
}

// resize grows c by repeating its last character, or cuts it, to n characters, and keeps
// the result only if it still satisfies every rule but the length ones.
func resize(c string, n int, s *openapi3.Schema) (string, bool) {
	r := []rune(c)
	if len(r) == 0 {
		r = []rune{'a'}
	}
	for len(r) < n {
		r = append(r, r[len(r)-1])
	}
	v := string(r[:n])
	for _, b := range broken(s, v) {
		if b != "minLength" && b != "maxLength" {
			return "", false
		}
	}
	return v, true
}

// fromPattern offers strings the pattern generates, of growing length.
func fromPattern(p string, s *openapi3.Schema, variant int) []string {
	var out []string
	for extra := 0; extra < 70; extra++ {
		v := genPattern(p, extra, variant)
		out = append(out, v)
		if uint64(len(v)) >= s.MinLength {
			break
		}
	}
	return out
}

// genPattern builds one string the regular expression matches: the first alternative, the
// first character of every class (shifted by variant where the class allows), and each
// repetition at its minimum, the first open-ended one stretched by extra.
func genPattern(p string, extra, variant int) string {
	re, err := syntax.Parse(p, syntax.Perl)
	if err != nil {
		return ""
	}
	var b strings.Builder
	g := &patternGen{extra: extra, variant: variant}
	g.walk(re.Simplify(), &b)
	return b.String()
}

type patternGen struct {
	extra, variant int
	stretched      bool
}

func (g *patternGen) walk(re *syntax.Regexp, b *strings.Builder) {
	switch re.Op {
	case syntax.OpLiteral:
		b.WriteString(string(re.Rune))
	case syntax.OpCharClass:
		b.WriteRune(g.pick(re.Rune))
	case syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		b.WriteRune('a')
	case syntax.OpCapture:
		g.walk(re.Sub[0], b)
	case syntax.OpConcat:
		for _, s := range re.Sub {
			g.walk(s, b)
		}
	case syntax.OpAlternate:
		g.walk(re.Sub[0], b)
	case syntax.OpStar, syntax.OpPlus, syntax.OpQuest, syntax.OpRepeat:
		g.repeat(re, b)
	}
}

func (g *patternGen) repeat(re *syntax.Regexp, b *strings.Builder) {
	lo, hi := re.Min, re.Max
	switch re.Op {
	case syntax.OpStar:
		lo, hi = 0, -1
	case syntax.OpPlus:
		lo, hi = 1, -1
	case syntax.OpQuest:
		lo, hi = 0, 1
	}
	n := lo
	if !g.stretched && (hi == -1 || hi > lo) {
		g.stretched = true
		n = lo + g.extra
		if hi != -1 && n > hi {
			n = hi
		}
	}
	for i := 0; i < n; i++ {
		g.walk(re.Sub[0], b)
	}
}

// pick chooses a character of a class: a letter or digit when the class has one, so that
// generated names look like names.
func (g *patternGen) pick(ranges []rune) rune {
	var all []rune
	for i := 0; i+1 < len(ranges) && len(all) < 64; i += 2 {
		for r := ranges[i]; r <= ranges[i+1] && len(all) < 64; r++ {
			if r > ' ' && r < 0x7f {
				all = append(all, r)
			}
		}
	}
	if len(all) == 0 {
		if len(ranges) == 0 {
			return 'a'
		}
		return ranges[0]
	}
	for _, r := range all {
		if r >= 'a' && r <= 'z' {
			return all[(indexOf(all, r)+g.variant)%len(all)]
		}
	}
	return all[g.variant%len(all)]
}

func indexOf(rs []rune, r rune) int {
	for i, x := range rs {
		if x == r {
			return i
		}
	}
	return 0
}

// ValidValues returns up to n distinct wire values that break no rule of s: what a spec
// sends to make objects differ on a field.
func ValidValues(s *openapi3.Schema, n int) []string {
	var out []string
	for variant := 0; variant < 4*n && len(out) < n; variant++ {
		if v, ok := validScalar(s, variant); ok && !contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

// Valid reports whether a wire value breaks no rule of a scalar schema.
func Valid(s *openapi3.Schema, v string) bool { return len(broken(s, v)) == 0 }
