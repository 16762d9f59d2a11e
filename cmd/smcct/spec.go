package main

import (
	"github.com/spf13/cobra"
)

func newSpecCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "spec",
		Short: "Show the contract: actions, rules and documents",
	}
	return cmd
}
