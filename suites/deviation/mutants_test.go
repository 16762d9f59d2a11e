package deviation

import (
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/smcct/smcct/cases"
	"github.com/smcct/smcct/spec"
)

// mutant is a target that ignores one annotated parameter of one action, and the spec text
// (a prefix) that must fail against it.
type mutant struct {
	action, param, mustFail string
}

// mutants lists one mutant per parameter a generated semantic spec sends for its effect: a
// target that ignores it must fail that spec. Filters that narrow, pick the "-" value, name
// an unknown ID or combine with the ID filter; page numbers, sizes and tokens of page walks
// and of pages past the end; round trips; flags; tokens retried alike or changed. Specs
// about a parameter left out or sent empty (defaults, empty filters) have nothing to drop:
// the named deviations cover them.
func mutants() []mutant {
	var out []mutant
	for _, a := range spec.MustDefault().Actions() {
		for _, c := range cases.FilterCases(a) {
			switch c.Check {
			case cases.FilterNarrows, cases.FilterNone, cases.FilterUnknown, cases.FilterAnd:
				out = append(out, mutant{a.Name, c.Param.Name, "Filters " + c.Describe()})
			}
		}
		for _, c := range cases.PagingCases(a) {
			for _, p := range pagingParams(c) {
				out = append(out, mutant{a.Name, p, "Paging " + c.Describe()})
			}
		}
		for _, c := range cases.RoundTripCases(a) {
			out = append(out, mutant{a.Name, c.Param.Name, "Round trips " + c.Describe()})
		}
		for _, c := range cases.FlagCases(a) {
			out = append(out, mutant{a.Name, c.Param.Name, "Flags " + c.Describe()})
		}
		for _, c := range cases.IdempotencyCases(a) {
			out = append(out, mutant{a.Name, c.Token.Name, "Idempotency " + c.Describe()})
		}
	}
	return out
}

// pagingParams are the parameters a paging spec asks a page with: number and size of a
// walk or of a page past the end, token and size of a token walk.
func pagingParams(c cases.PagingCase) []string {
	pg := c.Paging
	var out []string
	switch {
	case c.Check == "beyond":
		out = []string{pg.Number}
	case c.Check != "walk":
	case pg.Style == spec.PagesStyle:
		out = []string{pg.Number, pg.Size}
	default:
		out = []string{pg.Token, pg.Size}
	}
	return slices.DeleteFunc(out, func(p string) bool { return p == "" })
}

// TestEveryAnnotatedParameterIsCaught runs every mutant (SMCCT_MUTANTS=all, or make
// mutants; a few minutes), or those whose spec text a regexp matches (SMCCT_MUTANTS=^Paging):
// each generated semantic spec must be able to fail. make test runs the named deviations of
// TestSuitesCatchDeviations instead.
func TestEveryAnnotatedParameterIsCaught(t *testing.T) {
	sel := os.Getenv("SMCCT_MUTANTS")
	if sel == "" {
		t.Skip("set SMCCT_MUTANTS=all (make mutants), or a regexp of spec texts, to run one smcct check per annotated parameter")
	}
	if sel == "all" {
		sel = ""
	}
	only, err := regexp.Compile(sel)
	if err != nil {
		t.Fatalf("SMCCT_MUTANTS: %v", err)
	}
	for _, m := range mutants() {
		if !only.MatchString(m.mustFail) {
			continue
		}
		t.Run(m.action+"/"+m.param, func(t *testing.T) {
			t.Parallel()
			focus := focusFor(m.mustFail)
			failed, ran := runCheck(t, proxyRewriting(t, dropParam(m.action, m.param), nil, ""), focus)
			if ran == 0 {
				t.Fatalf("focus %q ran no spec", focus)
			}
			for _, f := range failed {
				if strings.HasPrefix(f, m.mustFail) {
					return
				}
			}
			t.Errorf("a target ignoring %s %s passes %q", m.action, m.param, m.mustFail)
		})
	}
}

// focusFor is a --focus regexp for a spec text: its first words, with what a regexp or the
// flag's comma-separated parsing would read specially left to a dot.
func focusFor(text string) string {
	words := strings.Fields(text)
	if len(words) > 5 {
		words = words[:5]
	}
	return strings.Map(func(r rune) rune {
		if strings.ContainsRune(`"',()[]{}.*+?^$|\=`, r) {
			return '.'
		}
		return r
	}, strings.Join(words, " "))
}

func TestMutantsCoverEveryKind(t *testing.T) {
	kinds := map[string]int{}
	for _, m := range mutants() {
		kinds[strings.Fields(m.mustFail)[0]]++
	}
	for _, k := range []string{"Filters", "Paging", "Round", "Flags", "Idempotency"} {
		if kinds[k] == 0 {
			t.Errorf("no mutant for %s specs", k)
		}
	}
	t.Log(fmt.Sprint(kinds))
}
