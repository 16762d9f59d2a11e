// Package report turns the results of a conformance run, Ginkgo's JSON report, into what
// people read: a per-action matrix by category, each failure with the contract rule it
// checks and its redacted exchanges, skips grouped by reason, as terminal text or as one
// self-contained HTML file; the difference between two runs (Diff); and the progress line
// a terminal shows while a run goes on.
//
// Everything is derived: actions from package spec's catalog (every action gets a row, run
// or not) and from action:<Name> labels, categories from the labels specs carry. Nothing
// here knows a list of categories or actions.
//
// It is not a runner and registers no Ginkgo nodes: the caller (cmd/smcct) runs the specs
// and hands the report over.
package report
