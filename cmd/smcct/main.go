package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"
)

func main() {
	if opts := os.Getenv(childEnv); opts != "" {
		os.Exit(runChild(opts)) // a parallel process of smcct check --procs
	}
	if err := newRoot().Execute(); err != nil {
		fmt.Fprintln(os.Stderr, "smcct:", err)
		os.Exit(exitCode(err))
	}
}

// exitError carries a specific exit status (for example: the suites ran and some failed).
type exitError struct {
	code int
	msg  string
}

func (e *exitError) Error() string { return e.msg }

func exitCode(err error) int {
	if e, ok := err.(*exitError); ok {
		return e.code
	}
	return 2
}

// newRoot registers every subcommand; each lives in its own file.
func newRoot() *cobra.Command {
	root := &cobra.Command{
		Use:           "smcct",
		Short:         "Conformance suite, reference implementation and recorder for Alibaba Cloud SMC and EBS replica APIs",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(newSpecCmd())
	root.AddCommand(newRecordCmd(), newReplayCmd())
	root.AddCommand(newServeCmd())
	root.AddCommand(newCheckCmd(), newReportCmd(), newDiffCmd(), newSweepCmd())
	root.AddCommand(newBenchCmd())
	return root
}
