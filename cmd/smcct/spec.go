package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/smcct/smcct/spec"
	"github.com/spf13/cobra"
)

func newSpecCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "spec",
		Short: "Show the contract: actions, rules and documents",
	}
	cmd.AddCommand(newSpecActionsCmd(), newSpecDumpCmd())
	return cmd
}

func newSpecActionsCmd() *cobra.Command {
	var product string
	cmd := &cobra.Command{
		Use:   "actions",
		Short: "List every action with its kind, required parameters, preconditions and error codes",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			products, err := pickProducts(product)
			if err != nil {
				return err
			}
			return writeActions(cmd.OutOrStdout(), products)
		},
	}
	cmd.Flags().StringVar(&product, "product", "", "only this product (smc or ebs)")
	return cmd
}

func newSpecDumpCmd() *cobra.Command {
	var product, format string
	cmd := &cobra.Command{
		Use:   "dump",
		Short: "Print one product's OpenAPI document (yaml: the embedded source; json: as loaded)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if product == "" {
				return fmt.Errorf("--product is required (%s)", productNames())
			}
			products, err := pickProducts(product)
			if err != nil {
				return err
			}
			return dump(cmd.OutOrStdout(), products[0], format)
		},
	}
	cmd.Flags().StringVar(&product, "product", "", "the product to print (smc or ebs)")
	cmd.Flags().StringVar(&format, "format", "yaml", "yaml or json")
	return cmd
}

// pickProducts returns the named product, or every product when name is empty.
func pickProducts(name string) ([]*spec.Product, error) {
	c, err := spec.Default()
	if err != nil {
		return nil, fmt.Errorf("loading the contract: %w", err)
	}
	if name == "" {
		return c.Products(), nil
	}
	p, ok := c.ByName(name)
	if !ok {
		return nil, fmt.Errorf("unknown product %q (%s)", name, productNames())
	}
	return []*spec.Product{p}, nil
}

func productNames() string {
	c, err := spec.Default()
	if err != nil {
		return "the contract does not load"
	}
	var names []string
	for _, p := range c.Products() {
		names = append(names, p.Name)
	}
	return strings.Join(names, " or ")
}

func writeActions(w io.Writer, products []*spec.Product) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "PRODUCT\tACTION\tKIND\tREQUIRED\tPRECONDITIONS\tERRORS")
	for _, p := range products {
		for _, a := range p.Actions() {
			kind := "read"
			if a.Write {
				kind = "write"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", p.Name, a.Name, kind,
				orDash(requiredParams(a)), orDash(preconditions(a)), orDash(errorCodes(a)))
		}
	}
	return tw.Flush()
}

func requiredParams(a *spec.Action) string {
	var names []string
	for _, prm := range a.Params {
		if prm.Required {
			names = append(names, prm.Name)
		}
	}
	return strings.Join(names, ",")
}

// preconditions renders the state rules as "ReplicationJob.Status in Running; ...", with
// the request condition that switches a rule on in parentheses.
func preconditions(a *spec.Action) string {
	var parts []string
	for _, pc := range a.Preconditions {
		kind := pc.Object
		if kind == "" {
			kind = a.Object
		}
		s := fmt.Sprintf("%s.%s in %s", kind, pc.Field, strings.Join(pc.In, "|"))
		if pc.When != nil {
			s += fmt.Sprintf(" (when %s=%s)", pc.When.Param, strings.Join(pc.When.In, "|"))
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, "; ")
}

func errorCodes(a *spec.Action) string {
	var codes []string
	for _, e := range a.Errors {
		codes = append(codes, fmt.Sprintf("%s(%d)", e.Code, e.Status))
	}
	return strings.Join(codes, ",")
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func dump(w io.Writer, p *spec.Product, format string) error {
	switch format {
	case "yaml":
		_, err := w.Write(p.Source)
		return err
	case "json":
		b, err := json.MarshalIndent(p.Doc, "", "  ")
		if err != nil {
			return fmt.Errorf("encoding %s as JSON: %w", p.Name, err)
		}
		_, err = fmt.Fprintf(w, "%s\n", b)
		return err
	}
	return fmt.Errorf("unknown format %q (yaml or json)", format)
}
