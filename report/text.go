package report

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
)

// WriteText prints the summary for a terminal: a table per action and per label, the
// totals, and every failure with its rule, expectation and last exchanges.
func WriteText(w io.Writer, sum *Summary) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "\naction\tpassed\tfailed\tskipped\t\n")
	rows := sum.Rows()
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].Action < rows[j].Action })
	for _, r := range rows {
		if r.Total.Total() > 0 {
			fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t\n", r.Action, r.Total.Passed, r.Total.Failed, r.Total.Skipped)
		}
	}
	fmt.Fprintf(tw, "\t\t\t\t\n")
	fmt.Fprintf(tw, "label\tpassed\tfailed\tskipped\t\n")
	for _, l := range sum.LabelOrder() {
		t := sum.Labels[l]
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t\n", l, t.Passed, t.Failed, t.Skipped)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(w, "\ntotal: %d passed, %d failed, %d skipped\n", sum.Total.Passed, sum.Total.Failed, sum.Total.Skipped)
	if n := len(sum.Rows()) - countRun(sum); n > 0 {
		fmt.Fprintf(w, "%d actions of the contract had no spec run\n", n)
	}
	for _, s := range sum.Failures {
		writeFailure(w, s)
	}
	return nil
}

func countRun(sum *Summary) int {
	n := 0
	for _, r := range sum.Rows() {
		if r.Total.Passed+r.Total.Failed > 0 {
			n++
		}
	}
	return n
}

// LabelOrder lists the counted labels: categories first, then needs:<capability>.
func (sum *Summary) LabelOrder() []string {
	out := append([]string(nil), sum.Categories...)
	var needs []string
	for l := range sum.Labels {
		if strings.Contains(l, ":") {
			needs = append(needs, l)
		}
	}
	sort.Strings(needs)
	return append(out, needs...)
}

func writeFailure(w io.Writer, s *Spec) {
	f := s.Failure
	state := "FAIL"
	if s.State != "" {
		state += " (" + s.State + ")"
	}
	fmt.Fprintf(w, "\n%s: %s\n", state, s.Key)
	if f.Location != "" {
		fmt.Fprintf(w, "  at %s\n", f.Location)
	}
	for _, r := range f.Rules {
		fmt.Fprintf(w, "  rule: %s\n", r)
	}
	if f.Expected != "" {
		fmt.Fprintf(w, "  expected %s\n  actual   %s\n", indent(f.Expected, "           "), indent(f.Actual, "           "))
	} else {
		for _, line := range strings.Split(f.Message, "\n") {
			fmt.Fprintf(w, "  %s\n", line)
		}
	}
	if f.Omitted > 0 {
		fmt.Fprintf(w, "  | (%d earlier exchanges)\n", f.Omitted)
	}
	for _, e := range f.Exchanges {
		for _, line := range strings.Split(e, "\n") {
			fmt.Fprintf(w, "  | %s\n", line)
		}
	}
}

func indent(s, pad string) string { return strings.ReplaceAll(s, "\n", "\n"+pad) }
