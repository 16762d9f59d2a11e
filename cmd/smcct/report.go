package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/types"
	"github.com/spf13/cobra"

	"github.com/smcct/smcct/report"
	"github.com/smcct/smcct/spec"
	"github.com/smcct/smcct/suites/framework"
)

func newReportCmd() *cobra.Command {
	var html string
	cmd := &cobra.Command{
		Use:   "report REPORT.json",
		Short: "Summarise a Ginkgo JSON report of a check run, on the terminal or as an HTML page",
		Long: `report reads the JSON report a run wrote (smcct check --json-report FILE, or ginkgo
--json-report over ./suites/...) and prints the per-action and per-label tables and every
failure. With --html FILE it also writes the self-contained HTML report that
smcct check --html-report writes.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			reports, err := report.Load(args[0])
			if err != nil {
				return err
			}
			return writeSummary(cmd.OutOrStdout(), reports, html)
		},
	}
	cmd.Flags().StringVar(&html, "html", "", "write the HTML report to this file")
	return cmd
}

// writeSummary prints a run's summary and, when htmlPath is set, writes its HTML page.
func writeSummary(out io.Writer, reports []types.Report, htmlPath string) error {
	sum := report.Build(reports, spec.MustDefault())
	if err := report.WriteText(out, sum); err != nil {
		return err
	}
	if htmlPath == "" {
		return nil
	}
	if err := writeFile(htmlPath, func(w io.Writer) error { return report.WriteHTML(w, sum) }); err != nil {
		return err
	}
	fmt.Fprintf(out, "\nHTML report: %s\n", htmlPath)
	return nil
}

// writeFile writes through a temporary file in the same directory and renames it, so a
// reader never sees half a report.
func writeFile(path string, write func(io.Writer) error) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".smcct-*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if err := f.Chmod(0o644); err != nil {
		f.Close()
		return err
	}
	if err := write(f); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}

// reportRun registers what a check run adds to Ginkgo's reporting: the run's description
// as a report entry (so a JSON report is enough to render the HTML page later) and, on a
// terminal, the progress line.
func reportRun(out io.Writer, t *framework.Target, o *checkOptions) {
	run := report.Run{
		Target:    t.Name,
		Signature: strings.ToLower(o.signature),
		Version:   report.Version(),
		Capabilities: map[string]bool{
			"control plane": t.Caps.Control, "virtual clock": t.Caps.VirtualClock,
			"writes": t.Caps.Writes, "second account": t.Caps.Other,
		},
		Filter: describeFilter(o),
	}
	if cs := t.Cassettes(); cs != nil {
		run.Mode = cs.Mode().String() + " " + cs.Dir()
	}
	var progress *report.Progress
	if !o.verbose && !o.dryRun { // -v prints every spec: a line redrawn between them would garble it
		progress = report.NewProgress(out)
	}
	ginkgo.ReportBeforeSuite(func(r ginkgo.Report) {
		ginkgo.AddReportEntry(report.RunEntry, run, ginkgo.ReportEntryVisibilityNever)
		progress.Begin(r.PreRunStats.SpecsThatWillRun)
	})
	ginkgo.ReportAfterEach(func(s ginkgo.SpecReport) { progress.Spec(s) })
	ginkgo.ReportAfterSuite("smcct progress", func(ginkgo.Report) { progress.End() })
}

func describeFilter(o *checkOptions) string {
	var parts []string
	if o.labelFilter != "" {
		parts = append(parts, "--label-filter "+o.labelFilter)
	}
	for _, f := range o.focus {
		parts = append(parts, "--focus "+f)
	}
	for _, s := range o.skip {
		parts = append(parts, "--skip "+s)
	}
	return strings.Join(parts, " ")
}

func newDiffCmd() *cobra.Command {
	var html string
	cmd := &cobra.Command{
		Use:   "diff BASE.json OTHER.json",
		Short: "Compare two check runs spec by spec and action by action; exit 1 when OTHER regresses",
		Long: `diff reads two Ginkgo JSON reports (smcct check --json-report) and shows, per action and
per spec, what changed from BASE to OTHER: passed -> failed, failed -> passed, newly skipped,
added, removed. Specs are matched by their full text.

OTHER regresses when a spec that passed in BASE fails or is missing in OTHER: then the
regressed specs and actions are named and the exit status is 1. Otherwise it is 0, whatever
else changed. With --html FILE the comparison is also written as a self-contained page.`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runDiff(cmd.OutOrStdout(), args[0], args[1], html)
		},
	}
	cmd.Flags().StringVar(&html, "html", "", "write the comparison as an HTML page to this file")
	return cmd
}

func runDiff(out io.Writer, basePath, otherPath, htmlPath string) error {
	var sums [2]*report.Summary
	for i, p := range []string{basePath, otherPath} {
		reports, err := report.Load(p)
		if err != nil {
			return err
		}
		sums[i] = report.Build(reports, spec.MustDefault())
	}
	d := report.Diff(sums[0], sums[1])
	if err := d.WriteText(out, basePath, otherPath); err != nil {
		return err
	}
	if htmlPath != "" {
		if err := writeFile(htmlPath, func(w io.Writer) error { return d.WriteHTML(w, basePath, otherPath) }); err != nil {
			return err
		}
		fmt.Fprintf(out, "\nHTML diff: %s\n", htmlPath)
	}
	if regs := d.Regressions(); len(regs) > 0 {
		return &exitError{code: 1, msg: fmt.Sprintf("%s regresses from %s: %d specs in %s",
			otherPath, basePath, len(regs), strings.Join(d.RegressedActions(), ", "))}
	}
	return nil
}
