package report

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
)

// Change is how one spec differs between two runs.
type Change string

// The changes Diff reports. Regressed and a Removed spec that passed in the base are
// regressions: the other run lost something the base had.
const (
	Regressed    Change = "passed -> failed"
	Fixed        Change = "failed -> passed"
	NewlySkipped Change = "newly skipped"
	NowPassing   Change = "skipped -> passed"
	NowFailing   Change = "skipped -> failed"
	Added        Change = "added"
	Removed      Change = "removed"
)

// Changes lists the kinds in the order reports show them.
var Changes = []Change{Regressed, Removed, Fixed, NewlySkipped, NowFailing, NowPassing, Added}

// SpecChange is one spec that differs.
type SpecChange struct {
	Key     string
	Actions []string
	Change  Change
	// Base and Other are the spec's outcome in each run, "" where it is absent.
	Base, Other Outcome
	// Reason is why the other run skipped it, or its failure message there.
	Reason string
}

// Regression reports whether the change loses something the base had: a spec that passed
// fails or is gone.
func (c SpecChange) Regression() bool {
	return c.Change == Regressed || (c.Change == Removed && c.Base == Passed)
}

// ActionChange sums up one action's changes.
type ActionChange struct {
	Action      string
	Base, Other Tally
	Counts      map[Change]int
	Regressions int
}

// Delta is what changed from a base run to another.
type Delta struct {
	Base, Other *Summary
	Specs       []SpecChange
	Actions     []*ActionChange
}

// Diff compares two runs spec by spec (by full text) and action by action.
func Diff(base, other *Summary) *Delta {
	d := &Delta{Base: base, Other: other}
	inOther := map[string]*Spec{}
	for _, s := range other.Specs {
		inOther[s.Key] = s
	}
	seen := map[string]bool{}
	for _, b := range base.Specs {
		seen[b.Key] = true
		o := inOther[b.Key]
		if o == nil {
			d.Specs = append(d.Specs, SpecChange{Key: b.Key, Actions: b.Actions, Change: Removed, Base: b.Outcome})
			continue
		}
		if c, ok := change(b.Outcome, o.Outcome); ok {
			d.Specs = append(d.Specs, SpecChange{Key: b.Key, Actions: o.Actions, Change: c, Base: b.Outcome, Other: o.Outcome, Reason: reasonOf(o)})
		}
	}
	for _, o := range other.Specs {
		if !seen[o.Key] {
			d.Specs = append(d.Specs, SpecChange{Key: o.Key, Actions: o.Actions, Change: Added, Other: o.Outcome, Reason: reasonOf(o)})
		}
	}
	slices.SortStableFunc(d.Specs, func(a, b SpecChange) int {
		return cmp.Or(cmp.Compare(slices.Index(Changes, a.Change), slices.Index(Changes, b.Change)), cmp.Compare(a.Key, b.Key))
	})
	d.actions()
	return d
}

func change(b, o Outcome) (Change, bool) {
	switch {
	case b == o:
		return "", false
	case b == Passed && o == Failed:
		return Regressed, true
	case b == Failed && o == Passed:
		return Fixed, true
	case o == Skipped:
		return NewlySkipped, true
	case o == Passed:
		return NowPassing, true
	}
	return NowFailing, true
}

func reasonOf(s *Spec) string {
	if s.Failure != nil {
		if s.Failure.Actual != "" {
			return clip("expected "+oneLine(s.Failure.Expected)+"; got "+oneLine(s.Failure.Actual), 400)
		}
		return clip(oneLine(s.Failure.Message), 400)
	}
	return s.Reason
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

// actions tallies both runs per action (every action either run has a row for) and counts
// each action's changes.
func (d *Delta) actions() {
	by := map[string]*ActionChange{}
	get := func(name string) *ActionChange {
		if by[name] == nil {
			by[name] = &ActionChange{Action: name, Counts: map[Change]int{}}
			d.Actions = append(d.Actions, by[name])
		}
		return by[name]
	}
	for _, r := range d.Base.Rows() {
		get(r.Action).Base = r.Total
	}
	for _, r := range d.Other.Rows() {
		get(r.Action).Other = r.Total
	}
	for _, c := range d.Specs {
		for _, a := range c.Actions {
			ac := get(a)
			ac.Counts[c.Change]++
			if c.Regression() {
				ac.Regressions++
			}
		}
	}
	slices.SortFunc(d.Actions, func(a, b *ActionChange) int { return cmp.Compare(a.Action, b.Action) })
}

// Regressions returns the changes that lose something the base had.
func (d *Delta) Regressions() []SpecChange {
	var out []SpecChange
	for _, c := range d.Specs {
		if c.Regression() {
			out = append(out, c)
		}
	}
	return out
}

// RegressedActions names the actions with at least one regression.
func (d *Delta) RegressedActions() []string {
	var out []string
	for _, a := range d.Actions {
		if a.Regressions > 0 {
			out = append(out, a.Action)
		}
	}
	return out
}

// Changed returns the actions with any change.
func (d *Delta) Changed() []*ActionChange {
	var out []*ActionChange
	for _, a := range d.Actions {
		if len(a.Counts) > 0 {
			out = append(out, a)
		}
	}
	return out
}

// maxListed bounds each list of changes that are not regressions on a terminal (a run
// without a control plane skips hundreds); regressions are always listed in full.
const maxListed = 40

// WriteText prints the difference for a terminal: the totals of both runs, a table of the
// actions that changed, the regressions by name, then every other change.
func (d *Delta) WriteText(w io.Writer, baseName, otherName string) error {
	fmt.Fprintf(w, "base:  %s: %s\nother: %s: %s\n", baseName, totals(d.Base.Total), otherName, totals(d.Other.Total))
	changed := d.Changed()
	if len(changed) == 0 {
		fmt.Fprintln(w, "\nno spec changed")
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprint(tw, "\naction\tbase p/f/s\tother p/f/s\t")
	for _, c := range Changes {
		fmt.Fprintf(tw, "%s\t", c)
	}
	fmt.Fprintln(tw)
	for _, a := range changed {
		fmt.Fprintf(tw, "%s\t%s\t%s\t", a.Action, pfs(a.Base), pfs(a.Other))
		for _, c := range Changes {
			fmt.Fprintf(tw, "%d\t", a.Counts[c])
		}
		fmt.Fprintln(tw)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	regs := d.Regressions()
	if len(regs) > 0 {
		fmt.Fprintf(w, "\nREGRESSED: %d specs in %s\n", len(regs), strings.Join(d.RegressedActions(), ", "))
		for _, c := range regs {
			fmt.Fprintf(w, "  %s  %s\n", c.Change, c.Key)
			if c.Reason != "" {
				fmt.Fprintf(w, "      %s\n", c.Reason)
			}
		}
	}
	for _, kind := range Changes {
		var list []SpecChange
		for _, c := range d.Specs {
			if c.Change == kind && !c.Regression() {
				list = append(list, c)
			}
		}
		if len(list) == 0 {
			continue
		}
		fmt.Fprintf(w, "\n%s: %d\n", kind, len(list))
		for i, c := range list {
			if i == maxListed {
				fmt.Fprintf(w, "  ... and %d more\n", len(list)-maxListed)
				break
			}
			fmt.Fprintf(w, "  %s\n", c.Key)
		}
	}
	return nil
}

func totals(t Tally) string {
	return fmt.Sprintf("%d specs, %d passed, %d failed, %d skipped", t.Total(), t.Passed, t.Failed, t.Skipped)
}

func pfs(t Tally) string { return fmt.Sprintf("%d/%d/%d", t.Passed, t.Failed, t.Skipped) }
