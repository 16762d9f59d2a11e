package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/smcct/smcct/rpc"
	"github.com/smcct/smcct/suites/framework"
)

type sweepOptions struct {
	endpoint, region, keyID, secret string
	olderThan                       time.Duration
	dryRun                          bool
	prof                            profileFlags
}

func newSweepCmd() *cobra.Command {
	o := &sweepOptions{}
	cmd := &cobra.Command{
		Use:   "sweep",
		Short: "Remove what earlier check runs left on an endpoint, found by their run tag",
		Long: `sweep lists the account's replication jobs, access tokens, workgroups, replica groups,
pairs and their drills, and removes those whose name carries the run tag (smcct-<start>-...)
of a run older than --older-than: each is brought into a state a delete admits, deleted, and
waited for until it is gone. Objects without the tag are never touched. EBS objects are
looked for in the regions of the target profile.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runSweep(cmd.Context(), cmd.OutOrStdout(), cmd, o)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&o.endpoint, "endpoint", "", "the endpoint to sweep")
	fl.StringVar(&o.region, "region", "cn-hangzhou", "RegionId of SMC calls")
	// Credentials come from the environment when the sweep starts, never as flag defaults,
	// which --help would print.
	fl.StringVar(&o.keyID, "access-key-id", "", "AccessKeyId (default $ALIBABA_CLOUD_ACCESS_KEY_ID)")
	fl.StringVar(&o.secret, "access-key-secret", "", "AccessKey secret (default $ALIBABA_CLOUD_ACCESS_KEY_SECRET)")
	fl.DurationVar(&o.olderThan, "older-than", 2*time.Hour, "remove only what runs started longer ago than this (0: every tagged object)")
	fl.BoolVar(&o.dryRun, "dry-run", false, "list what would be removed, remove nothing")
	o.prof.register(fl)
	return cmd
}

func runSweep(ctx context.Context, out io.Writer, cmd *cobra.Command, o *sweepOptions) error {
	if ctx == nil {
		ctx = context.Background()
	}
	if o.keyID == "" {
		o.keyID = os.Getenv("ALIBABA_CLOUD_ACCESS_KEY_ID")
	}
	if o.secret == "" {
		o.secret = os.Getenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET")
	}
	if o.olderThan < 0 {
		return fmt.Errorf("--older-than cannot be negative")
	}
	prof, err := o.prof.profile(cmd.Flags(), o.keyID)
	if err != nil {
		return err
	}
	endpoint := o.endpoint
	if endpoint == "" {
		endpoint = prof.Endpoint
	}
	if endpoint == "" {
		return fmt.Errorf("no endpoint: pass --endpoint or set endpoint in the target profile")
	}
	region := o.region
	if !cmd.Flags().Changed("region") && prof.Region != "" {
		region = prof.Region
	}
	t, err := framework.NewEndpoint(ctx, framework.EndpointConfig{
		URL: endpoint, Region: region, Signer: rpc.V1, Profile: prof,
		Default: framework.Credentials{AccessKeyID: o.keyID, Secret: o.secret},
	})
	if err != nil {
		return err
	}
	defer t.Close()
	c, err := t.NewClient(t.Default, framework.ClientOptions{})
	if err != nil {
		return err
	}
	tag := prof.Tag()
	left, err := framework.FindLeftovers(ctx, c, tag, sweepRegions(prof, region))
	if err != nil {
		return fmt.Errorf("listing %s: %w", t.Name, err)
	}
	cutoff := time.Now().Add(-o.olderThan)
	var due []framework.Leftover
	young := 0
	for _, l := range left {
		if l.Started.After(cutoff) {
			young++
			continue
		}
		due = append(due, l)
	}
	fmt.Fprintf(out, "smcct sweep: %s, run tag %q: %d tagged objects, %d from runs started before %s\n",
		t.Name, tag, len(left), len(due), cutoff.UTC().Format(time.RFC3339))
	sweeper := framework.NewSweeper(c, prof.TimeScale)
	var failed []string
	for _, l := range framework.Order(due) {
		line := fmt.Sprintf("%s %s (%s, run started %s)", l.Obj.Kind, l.Obj.ID, l.Name, l.Started.UTC().Format(time.RFC3339))
		if o.dryRun {
			fmt.Fprintln(out, "would remove "+line)
			continue
		}
		if err := sweeper.Remove(ctx, l.Obj); err != nil {
			failed = append(failed, fmt.Sprintf("%s: %v", line, err))
			continue
		}
		fmt.Fprintln(out, "removed "+line)
	}
	if young > 0 {
		fmt.Fprintf(out, "kept %d tagged objects of runs younger than %v\n", young, o.olderThan)
	}
	if len(failed) > 0 {
		fmt.Fprintf(out, "not removed:\n  %s\n", strings.Join(failed, "\n  "))
		return &exitError{code: 1, msg: fmt.Sprintf("%d objects were not removed", len(failed))}
	}
	return nil
}

// sweepRegions are the regions EBS objects of the profile can live in: its replication
// sites and its disks' regions, and the SMC region.
func sweepRegions(prof *framework.Profile, region string) []string {
	set := map[string]bool{region: true}
	for _, s := range []framework.Site{prof.Replication.Source, prof.Replication.Destination} {
		if s.Region != "" {
			set[s.Region] = true
		}
	}
	for _, d := range prof.Disks {
		set[d.Region] = true
	}
	out := make([]string, 0, len(set))
	for r := range set {
		out = append(out, r)
	}
	sort.Strings(out)
	return out
}
