package cases

import (
	"fmt"
	"sort"
	"strings"

	"github.com/smcct/smcct/spec"
)

// Judge tells whether an object's state after an allowed call fits an effect.
type Judge struct {
	Object *spec.Object
	Effect *spec.Effect
	// Before is the object's state before the call.
	Before map[string]string
	// Exact: right after the call (no time passed) each field the effect sets shows exactly
	// its value, not a passing one: what tells a flag's two values apart when their passing
	// states overlap.
	Exact bool
}

// RightAfter checks the state seen just after the call, with no time passed: each field the
// effect sets has its value or one the effect passes through (via), or stays at the settled
// value it already had (starting a normal group changes nothing); without an effect,
// nothing changed. It returns what is wrong, "" when nothing.
func (j Judge) RightAfter(now map[string]string) string {
	if j.Effect == nil || len(j.Effect.Set) == 0 {
		if j.Effect == nil {
			return diffStates(j.Before, now)
		}
		return ""
	}
	var bad []string
	for _, f := range sortedKeys(j.Effect.Set) {
		v := now[f]
		if v == j.Effect.Set[f] || !j.Exact && (j.via(f, v) || (j.Effect.Settles[f] == v && j.Before[f] == v)) {
			continue
		}
		bad = append(bad, fmt.Sprintf("%s is %q, want %q%s", f, v, j.Effect.Set[f], j.viaText(f)))
	}
	return strings.Join(bad, "; ")
}

// Along checks a state seen while the object settles: settled reports that every settles
// field has its value; otherwise each set field must show its set value, a via value or
// its settled value.
func (j Judge) Along(now map[string]string) (settled bool, problem string) {
	if len(j.Effect.Settles) > 0 {
		settled = true
		for f, want := range j.Effect.Settles {
			if now[f] != want {
				settled = false
			}
		}
		if settled {
			return true, ""
		}
	}
	var bad []string
	for _, f := range sortedKeys(j.Effect.Set) {
		v := now[f]
		if v == j.Effect.Set[f] || j.via(f, v) || j.Effect.Settles[f] == v {
			continue
		}
		bad = append(bad, fmt.Sprintf("%s passed through %q, which the effect does not name", f, v))
	}
	return false, strings.Join(bad, "; ")
}

// via reports whether v is one of the effect's passing states for field f: via lists values
// of whichever field's enum holds them.
func (j Judge) via(f, v string) bool {
	return contains(j.Effect.Via, v) && contains(j.Object.States[f], v)
}

func (j Judge) viaText(f string) string {
	var vs []string
	for _, v := range j.Effect.Via {
		if contains(j.Object.States[f], v) {
			vs = append(vs, v)
		}
	}
	if len(vs) == 0 {
		return ""
	}
	return " or one of " + strings.Join(vs, ", ")
}

func diffStates(before, after map[string]string) string {
	var bad []string
	for _, f := range sortedKeys(before) {
		if after[f] != before[f] {
			bad = append(bad, fmt.Sprintf("%s changed from %q to %q", f, before[f], after[f]))
		}
	}
	return strings.Join(bad, "; ")
}

func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
