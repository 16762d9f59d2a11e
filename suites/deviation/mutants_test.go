package deviation

import (
	"fmt"
	"os"
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

// mutants lists one mutant per generated narrowing filter, round trip, flag and token spec:
// a target that ignores the parameter must fail the spec generated for it.
func mutants() []mutant {
	var out []mutant
	for _, a := range spec.MustDefault().Actions() {
		for _, c := range cases.FilterCases(a) {
			if c.Check == cases.FilterNarrows {
				out = append(out, mutant{a.Name, c.Param.Name, "Filters " + c.Describe()})
			}
		}
		for _, c := range cases.RoundTripCases(a) {
			out = append(out, mutant{a.Name, c.Param.Name, "Round trips " + c.Describe()})
		}
		for _, c := range cases.FlagCases(a) {
			out = append(out, mutant{a.Name, c.Param.Name, "Flags " + c.Describe()})
		}
		for _, c := range cases.IdempotencyCases(a) {
			if c.Check == "retry" {
				out = append(out, mutant{a.Name, c.Token.Name, "Idempotency " + c.Describe()})
			}
		}
	}
	return out
}

// TestEveryAnnotatedParameterIsCaught runs every mutant (SMCCT_MUTANTS=all, or make
// mutants; a few minutes): each generated semantic spec must be able to fail. make test
// runs the named deviations of TestSuitesCatchDeviations instead.
func TestEveryAnnotatedParameterIsCaught(t *testing.T) {
	if os.Getenv("SMCCT_MUTANTS") != "all" {
		t.Skip("set SMCCT_MUTANTS=all (make mutants) to run one smcct check per annotated parameter")
	}
	for _, m := range mutants() {
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
	for _, k := range []string{"Filters", "Round", "Flags", "Idempotency"} {
		if kinds[k] == 0 {
			t.Errorf("no mutant for %s specs", k)
		}
	}
	t.Log(fmt.Sprint(kinds))
}
