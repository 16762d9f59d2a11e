package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/ginkgo/command"
	ginkgorun "github.com/onsi/ginkgo/v2/ginkgo/run"
	"github.com/onsi/ginkgo/v2/types"
	"github.com/onsi/gomega"

	"github.com/smcct/smcct/recorder"
	"github.com/smcct/smcct/suites/framework"
)

// Parallel runs use Ginkgo's own machinery: the ginkgo CLI's run command (package
// ginkgo/v2/ginkgo/run) starts its parallel server on 127.0.0.1 and runs a "precompiled
// suite" in N processes. The suite is this very binary, reached through a link named
// conformance.test; a process started so finds its check options in the environment
// (childEnv), builds its own target and runs the compiled-in specs as Ginkgo parallel
// process i of N, taking specs from the server. The parent reads the merged report Ginkgo
// writes and prints the same summary a serial run prints.

// childEnv carries a parallel process's check options, as JSON.
const childEnv = "SMCCT_CHECK_PROCESS"

// childOptions is what a parallel process needs of its parent's check options. Paths are
// absolute: Ginkgo starts the processes in the suite's directory.
type childOptions struct {
	Endpoint, Region, KeyID, Secret, OtherID, OtherSecret, Signature string
	// ControlToken: the processes probe the control plane as the parent did, and the
	// parent may have had the token from --control-token rather than the environment.
	ControlToken   string
	AllowWrites    bool
	Record, Replay string
	Profile        *framework.Profile
	RunID          string
	// The filter, for the run's description in the report.
	LabelFilter string
	Focus, Skip []string
}

// runParallel runs the check in o.procs Ginkgo processes.
func runParallel(ctx context.Context, out io.Writer, o *checkOptions, t *framework.Target) error {
	dir, err := os.MkdirTemp("", "smcct-procs-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	self, err := os.Executable()
	if err != nil {
		return err
	}
	suite := filepath.Join(dir, cassetteSuite+".test")
	if err := os.Symlink(self, suite); err != nil {
		return fmt.Errorf("--procs: linking the suite binary: %w", err)
	}
	co := childOptions{Endpoint: o.endpoint, Region: t.Region, KeyID: o.keyID, Secret: o.secret,
		OtherID: t.Other.AccessKeyID, OtherSecret: t.Other.Secret, Signature: o.signature,
		AllowWrites: o.allowWrites, ControlToken: o.controlToken, RunID: t.RunID, LabelFilter: o.labelFilter, Focus: o.focus, Skip: o.skip}
	if t.RunID != "" { // an endpoint: the processes share the parent's profile and run tag
		co.Profile, co.Endpoint = t.Profile, t.Endpoint
	}
	if co.Record, err = absOrEmpty(o.record); err != nil {
		return err
	}
	if co.Replay, err = absOrEmpty(o.replay); err != nil {
		return err
	}
	data, err := json.Marshal(co)
	if err != nil {
		return err
	}
	if err := os.Setenv(childEnv, string(data)); err != nil {
		return err
	}
	defer os.Unsetenv(childEnv)

	args := []string{fmt.Sprintf("--procs=%d", o.procs), "--seed=1", "--no-color", "--output-dir=" + dir, "--json-report=report.json"}
	if o.junit != "" {
		args = append(args, "--junit-report=junit.xml")
	}
	if o.verbose {
		args = append(args, "-v")
	} else {
		args = append(args, "--succinct")
	}
	if o.labelFilter != "" {
		args = append(args, "--label-filter="+o.labelFilter)
	}
	for _, f := range o.focus {
		args = append(args, "--focus="+f)
	}
	for _, s := range o.skip {
		args = append(args, "--skip="+s)
	}
	code := runGinkgo(append(args, suite))

	reports, err := readReports(filepath.Join(dir, "report.json"))
	if err != nil {
		return fmt.Errorf("--procs: the processes left no report (ginkgo exited %d): %w", code, err)
	}
	if err := writeSummary(out, reports, o.htmlReport); err != nil {
		return err
	}
	if len(reports) > 0 && reports[0].PreRunStats.SpecsThatWillRun == 0 {
		return &exitError{code: 1, msg: "no specs matched: --focus, --skip and --label-filter left nothing to run"}
	}
	if err := copyReport(filepath.Join(dir, "report.json"), o.jsonReport); err != nil {
		return err
	}
	if err := copyReport(filepath.Join(dir, "junit.xml"), o.junit); err != nil {
		return err
	}
	if err := parallelCassetteReport(out, o, reports); err != nil {
		return err
	}
	if code != 0 {
		return &exitError{code: 1, msg: "conformance check failed"}
	}
	return nil
}

// runGinkgo runs the ginkgo CLI's run command, which ends by aborting (a panic the CLI's
// own main turns into an exit code); here it becomes the returned code.
func runGinkgo(args []string) (code int) {
	defer func() {
		if r := recover(); r != nil {
			d, ok := r.(command.AbortDetails)
			if !ok {
				panic(r)
			}
			if d.Error != nil {
				fmt.Fprintln(os.Stderr, "ginkgo:", d.Error)
			}
			code = d.ExitCode
		}
	}()
	ginkgorun.BuildRunCommand().Run(args, nil)
	return 0
}

func absOrEmpty(p string) (string, error) {
	if p == "" {
		return "", nil
	}
	return filepath.Abs(p)
}

func readReports(path string) ([]types.Report, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var reports []types.Report
	if err := json.Unmarshal(data, &reports); err != nil {
		return nil, err
	}
	return reports, nil
}

func copyReport(from, to string) error {
	if to == "" {
		return nil
	}
	data, err := os.ReadFile(from)
	if err != nil {
		return err
	}
	return os.WriteFile(to, data, 0o644)
}

// parallelCassetteReport lists the cassettes no spec of the run used, as a serial run does;
// the processes each knew only their own specs, the merged report knows them all.
func parallelCassetteReport(out io.Writer, o *checkOptions, reports []types.Report) error {
	dir := o.record
	mode := "recorded"
	if o.replay != "" {
		dir, mode = o.replay, "replayed"
	}
	if dir == "" {
		return nil
	}
	used := map[string]bool{}
	for _, r := range reports {
		for _, s := range r.SpecReports {
			if s.LeafNodeType != types.NodeTypeIt || (s.State == types.SpecStateSkipped && s.Failure.Message == "") {
				continue // filtered out: the spec never began, so it used no cassette
			}
			used[recorder.CassettePath(dir, cassetteSuite, s.ContainerHierarchyTexts, s.LeafNodeText)] = true
		}
	}
	var left []string
	root := filepath.Join(dir, recorder.Slug(cassetteSuite))
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if errors.Is(err, os.ErrNotExist) {
			return filepath.SkipAll
		}
		if err != nil {
			return err
		}
		if !d.IsDir() && filepath.Ext(p) == ".yaml" && !used[p] {
			left = append(left, p)
		}
		return nil
	})
	if err != nil {
		return err
	}
	return cassetteSummary(out, o, mode, len(used), dir, left)
}

// runChild is a parallel process: it reads its options from the environment and Ginkgo's
// from its arguments (go test's own -test.* flags, which the CLI passes too, mean nothing
// here), builds its target and runs its share of the specs.
func runChild(spec string) int {
	var co childOptions
	if err := json.Unmarshal([]byte(spec), &co); err != nil {
		fmt.Fprintln(os.Stderr, "smcct: parallel process options:", err)
		return 2
	}
	var args []string
	for _, a := range os.Args[1:] {
		if !strings.HasPrefix(a, "--test.") && !strings.HasPrefix(a, "-test.") {
			args = append(args, a)
		}
	}
	if err := flag.CommandLine.Parse(args); err != nil {
		fmt.Fprintln(os.Stderr, "smcct: parallel process flags:", err)
		return 2
	}
	o := &checkOptions{endpoint: co.Endpoint, region: co.Region, keyID: co.KeyID, secret: co.Secret,
		otherID: co.OtherID, otherSecret: co.OtherSecret, signature: co.Signature, allowWrites: co.AllowWrites,
		controlToken: co.ControlToken, record: co.Record, replay: co.Replay, runID: co.RunID, profile: co.Profile,
		labelFilter: co.LabelFilter, focus: co.Focus, skip: co.Skip, verbose: true}
	o.fromEnv()
	ctx := context.Background()
	t, err := o.target(ctx)
	if err != nil {
		fmt.Fprintln(os.Stderr, "smcct:", err)
		return 2
	}
	defer t.Close()
	if o.record != "" {
		if err := framework.StartRecordingShared(t, o.record, cassetteSuite); err != nil {
			fmt.Fprintln(os.Stderr, "smcct:", err)
			return 2
		}
	}
	framework.Use(t)
	reportRun(io.Discard, t, o) // the run's description, which Ginkgo's process 1 reports
	gomega.RegisterFailHandler(ginkgo.Fail)
	ct := &checkT{}
	if !ginkgo.RunSpecs(ct, "smcct conformance") || ct.failed {
		return 1
	}
	return 0
}
