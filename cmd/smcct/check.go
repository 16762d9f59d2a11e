package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/types"
	"github.com/onsi/gomega"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/smcct/smcct/rpc"
	_ "github.com/smcct/smcct/suites/conformance" // the compiled-in specs
	"github.com/smcct/smcct/suites/framework"
)

type checkOptions struct {
	endpoint, region, keyID, secret, otherID, otherSecret, signature string
	allowWrites, verbose, dryRun                                     bool
	labelFilter, junit, jsonReport, htmlReport                       string
	record, replay                                                   string
	reset                                                            bool
	controlToken                                                     string
	focus, skip                                                      []string
	prof                                                             profileFlags
	flags                                                            *pflag.FlagSet
	// runID tags what an endpoint run creates; parallel processes inherit their parent's,
	// and their profile.
	runID   string
	profile *framework.Profile
	procs   int
}

func newCheckCmd() *cobra.Command {
	o := &checkOptions{}
	cmd := &cobra.Command{
		Use:   "check",
		Short: "Run the conformance suites against the built-in reference or any endpoint",
		Long: `check runs the compiled-in conformance specs, no Go toolchain needed.

Without --endpoint it starts a fresh reference in-process (virtual clock, control plane).
With --endpoint it tests that endpoint; specs needing a control plane, a movable clock,
writes or a second account are skipped with the reason when the target lacks them.

With --record DIR every spec's exchanges go into DIR/conformance/<Describe>/<It>.yaml (go-vcr
cassettes, format version 2, credentials redacted) and DIR/target.json keeps the target's capabilities.
With --replay DIR the same specs run from those cassettes with no network; a request nobody
recorded, a spec without a cassette and a recorded call never made all fail the spec.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.flags = cmd.Flags()
			return runCheck(cmd.Context(), cmd.OutOrStdout(), o)
		},
	}
	fl := cmd.Flags()
	o.prof.register(fl)
	fl.StringVar(&o.endpoint, "endpoint", "", "test this endpoint instead of an in-process reference")
	fl.StringVar(&o.region, "region", "cn-hangzhou", "RegionId sent with every call")
	// Credentials come from the environment when the run starts, never as flag defaults:
	// --help would print a default, secret and all.
	fl.StringVar(&o.keyID, "access-key-id", "", "AccessKeyId (default $ALIBABA_CLOUD_ACCESS_KEY_ID)")
	fl.StringVar(&o.secret, "access-key-secret", "", "AccessKey secret (default $ALIBABA_CLOUD_ACCESS_KEY_SECRET)")
	fl.StringVar(&o.otherID, "other-access-key-id", "", "a second account's AccessKeyId, for isolation specs")
	fl.StringVar(&o.otherSecret, "other-access-key-secret", "", "the second account's secret")
	fl.StringVar(&o.signature, "signature", "v1", "signature version: v1 or v3")
	fl.BoolVar(&o.allowWrites, "allow-writes", false, "let specs create and delete objects on a non-reference endpoint")
	fl.StringVar(&o.labelFilter, "label-filter", "", "Ginkgo label filter, e.g. 'action:StopReplicationJob && !needs:control'")
	fl.StringSliceVar(&o.focus, "focus", nil, "run only specs whose text matches this regular expression")
	fl.StringSliceVar(&o.skip, "skip", nil, "skip specs whose text matches this regular expression")
	fl.StringVar(&o.junit, "junit-report", "", "write a JUnit XML report to this file")
	fl.StringVar(&o.jsonReport, "json-report", "", "write a Ginkgo JSON report to this file")
	fl.StringVar(&o.htmlReport, "html-report", "", "write a self-contained HTML report (per-action matrix, failures, skips) to this file")
	fl.BoolVarP(&o.verbose, "verbose", "v", false, "print every spec as it runs")
	fl.BoolVar(&o.dryRun, "dry-run", false, "list the specs without running them")
	fl.BoolVar(&o.reset, "reset", true, "with --endpoint, reset a target that has the smcct control plane before running (repeat runs start from its fixtures)")
	fl.StringVar(&o.record, "record", "", "record every spec's exchanges into a cassette under this directory (one per spec)")
	fl.StringVar(&o.replay, "replay", "", "answer every spec from the cassettes under this directory, with no network")
	fl.StringVar(&o.controlToken, "control-token", "", "the token a reference started with --control-token wants (default $"+controlTokenEnv+")")
	fl.IntVar(&o.procs, "procs", 1, "run the specs in this many Ginkgo parallel processes (waits on a real clock overlap)")
	return cmd
}

// fromEnv fills what the flags left empty from the environment.
func (o *checkOptions) fromEnv() {
	for _, f := range []struct {
		dst *string
		env string
	}{{&o.keyID, "ALIBABA_CLOUD_ACCESS_KEY_ID"}, {&o.secret, "ALIBABA_CLOUD_ACCESS_KEY_SECRET"}, {&o.controlToken, controlTokenEnv}} {
		if *f.dst == "" {
			*f.dst = os.Getenv(f.env)
		}
	}
}

func (o *checkOptions) target(ctx context.Context) (*framework.Target, error) {
	var signer rpc.Signer
	switch strings.ToLower(o.signature) {
	case "v1", "":
		signer = rpc.V1
	case "v3":
		signer = rpc.V3
	default:
		return nil, fmt.Errorf("--signature must be v1 or v3, not %q", o.signature)
	}
	switch {
	case o.replay != "" && (o.record != "" || o.endpoint != ""):
		return nil, fmt.Errorf("--replay cannot be combined with --record or --endpoint: it answers from cassettes alone")
	case o.replay != "":
		return framework.NewReplay(o.replay, cassetteSuite)
	}
	fl := o.flags
	if fl == nil {
		fl = pflag.NewFlagSet("check", pflag.ContinueOnError)
	}
	if o.endpoint == "" && o.prof.config == "" && o.profile == nil {
		return framework.NewInProcess(signer)
	}
	prof := o.profile
	if prof == nil {
		var err error
		if prof, err = o.prof.profile(fl, o.keyID); err != nil {
			return nil, err
		}
	}
	endpoint := o.endpoint
	if endpoint == "" {
		endpoint = prof.Endpoint
	}
	if endpoint == "" {
		return nil, fmt.Errorf("no endpoint: pass --endpoint or set endpoint in %s", prof.Source)
	}
	region := ""
	if fl.Changed("region") || prof.Region == "" {
		region = o.region
	}
	runID := o.runID
	if runID == "" {
		runID = framework.NewRunID(prof.Tag(), time.Now())
	}
	t, err := framework.NewEndpoint(ctx, framework.EndpointConfig{
		URL: endpoint, Region: region, Signer: signer, AllowWrites: o.allowWrites,
		Default:      framework.Credentials{AccessKeyID: o.keyID, Secret: o.secret},
		Other:        framework.Credentials{AccessKeyID: o.otherID, Secret: o.otherSecret},
		ControlToken: o.controlToken,
		Profile:      prof, RunID: runID,
	})
	if err != nil {
		return nil, err
	}
	if r := t.ControlRefused; r != nil && r.Status == http.StatusUnauthorized {
		// Walking every state instead of forcing it would take minutes where seconds do:
		// the user almost certainly forgot the token.
		t.Close()
		what := "wants its token: pass --control-token or set $" + controlTokenEnv
		if o.controlToken != "" {
			what = "refused the --control-token given"
		}
		return nil, fmt.Errorf("%s has an smcct control plane that %s (%s); a target started with --control=false has its states walked instead", t.Name, what, r.Message)
	}
	return t, nil
}

// describeTarget prints the line that opens a run: the target and what it lets the suites
// do, and why a control plane that is there goes unused.
func describeTarget(out io.Writer, t *framework.Target, procs int) {
	fmt.Fprintf(out, "smcct check: target %s (control plane %v, writes %v, second account %v)",
		t.Name, t.Caps.Control, t.Caps.Writes, t.Caps.Other)
	if procs > 1 {
		fmt.Fprintf(out, ", %d processes", procs)
	}
	fmt.Fprintln(out)
	if r := t.ControlRefused; r != nil {
		fmt.Fprintf(out, "  the target's smcct control plane refused this client (%d %s): states are walked through the public API instead\n", r.Status, r.Message)
	}
}

// checkT is the GinkgoTestingT of a run outside go test: it only remembers failure.
type checkT struct{ failed bool }

func (t *checkT) Fail() { t.failed = true }

func runCheck(ctx context.Context, out io.Writer, o *checkOptions) error {
	if ctx == nil {
		ctx = context.Background()
	}
	o.fromEnv()
	t, err := o.target(ctx)
	if err != nil {
		return err
	}
	defer t.Close()
	// Specs derive names and IDs from their own text, so a second run against the same
	// reference would meet the first run's objects. A reference (one with a control plane)
	// is reset first, before any recording starts; --reset=false keeps its state.
	if o.endpoint != "" && o.reset && t.Caps.Control && !o.dryRun {
		if err := t.Control().Reset(ctx); err != nil {
			return fmt.Errorf("resetting %s: %w", t.Name, err)
		}
	}
	if o.procs < 1 {
		return fmt.Errorf("--procs must be at least 1, not %d", o.procs)
	}
	parallel := o.procs > 1 && !o.dryRun
	if parallel && o.record != "" && t.Caps.VirtualClock {
		// Each process would run its own copy of the reference's clock and request order,
		// which the cassettes of a reference record (X-Smcct-Seq, business times).
		return fmt.Errorf("--record with --procs needs a target on a real clock: a reference with a virtual clock records one timeline, so record it serially")
	}
	if o.record != "" && !o.dryRun {
		if err := framework.StartRecording(t, o.record, cassetteSuite, !parallel); err != nil {
			return err
		}
	}
	if parallel {
		describeTarget(out, t, o.procs)
		return runParallel(ctx, out, o, t)
	}
	framework.Use(t)
	describeTarget(out, t, 1)
	if t.RunID != "" {
		fmt.Fprintf(out, "  profile: %s; objects named %s-...; time scale %s\n", t.Profile.Source, t.RunID, t.Pace)
	}

	suite, rep := types.NewDefaultSuiteConfig(), types.NewDefaultReporterConfig()
	suite.LabelFilter, suite.FocusStrings, suite.SkipStrings, suite.DryRun = o.labelFilter, o.focus, o.skip, o.dryRun
	suite.RandomSeed = 1
	rep.JUnitReport, rep.JSONReport = o.junit, o.jsonReport
	rep.Verbose, rep.Succinct, rep.NoColor = o.verbose, !o.verbose, true

	var result types.Report
	reportRun(out, t, o)
	ginkgo.ReportAfterSuite("smcct summary", func(r ginkgo.Report) { result = r })
	gomega.RegisterFailHandler(ginkgo.Fail)
	ct := &checkT{}
	passed := ginkgo.RunSpecs(ct, "smcct conformance", suite, rep)
	if err := writeSummary(out, []types.Report{result}, o.htmlReport); err != nil {
		return err
	}
	if result.PreRunStats.SpecsThatWillRun == 0 {
		// A CI gate whose filter matches nothing would pass while checking nothing.
		return &exitError{code: 1, msg: "no specs matched: --focus, --skip and --label-filter left nothing to run"}
	}
	if err := cassetteReport(out, t, o); err != nil {
		return err
	}
	if !passed || ct.failed {
		return &exitError{code: 1, msg: "conformance check failed"}
	}
	return nil
}

// cassetteSuite names the compiled-in suite's directory under a cassette directory.
const cassetteSuite = "conformance"

// cassetteReport says what was recorded or replayed. Cassettes no spec used are listed; in a
// full replay (no filter) they fail the run, since they belong to specs that were renamed or
// deleted, or that now skip, and the cassettes need recording again.
func cassetteReport(out io.Writer, t *framework.Target, o *checkOptions) error {
	cs := t.Cassettes()
	if cs == nil {
		return nil
	}
	left, err := cs.Leftover()
	if err != nil {
		return err
	}
	return cassetteSummary(out, o, cs.Mode().String(), cs.Used(), cs.Dir(), left)
}

// cassetteSummary prints what a run recorded or replayed, shared by the in-process and the
// --procs runs, and fails a full replay that left cassettes unused.
func cassetteSummary(out io.Writer, o *checkOptions, mode string, used int, dir string, left []string) error {
	fmt.Fprintf(out, "\ncassettes: %s %d under %s\n", mode, used, dir)
	if len(left) == 0 {
		return nil
	}
	fmt.Fprintf(out, "%d cassettes no spec used this run:\n", len(left))
	for _, p := range left {
		fmt.Fprintf(out, "  %s\n", p)
	}
	filtered := o.labelFilter != "" || len(o.focus) > 0 || len(o.skip) > 0
	if o.replay != "" && !filtered {
		return &exitError{code: 1, msg: "cassettes no spec replayed: record them again (make cassettes)"}
	}
	return nil
}
