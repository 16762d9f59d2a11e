package main

import (
	"fmt"
	"io"
	"net/url"
	"os"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/smcct/smcct/loadgen"
	"github.com/spf13/cobra"
)

type benchOptions struct {
	groups     []string
	sizes      []int
	rounds     int
	round      time.Duration
	conns      int
	warmup     int
	writeJobs  int
	cpuProfile string
	profileOf  string

	replayN        int
	replaySource   string
	replayBaseline bool
	replayExe      string // the smcct binary to time; "" is this one
}

var benchGroups = []string{"reads", "scale", "writes", "replay"}

func newBenchCmd() *cobra.Command {
	var o benchOptions
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "Measure the reference under load against bare net/http, in this process, on loopback",
		Long: `bench starts references (and bare net/http baselines) on loopback ports in this process and
drives them with requests signed before each round starts, over keep-alive connections. Targets
of a group run in alternating rounds and every ratio compares two rounds taken moments apart.

  reads   signed DescribeSourceServers, and DescribeReplicationJobs (100 jobs, PageSize 10),
          each against bare net/http sending the same bytes
  scale   DescribeReplicationJobs PageSize 10 with --sizes jobs in the account, against the
          smallest size; also the seeding time and the heap per job
  writes  ModifyReplicationJobAttribute from --conns writers on an account of --write-jobs
          jobs, durable (--state) against in memory
  replay  this binary's smcct replay on a cassette of --replay-n interactions copied from
          --replay-source: start to first answer, and peak memory, against go-vcr's own
          cassette.Load of the same file (Linux: it reads /proc)

Any answer that is not 2xx makes the command exit 1: such a figure measures the wrong thing.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runBench(cmd.OutOrStdout(), o) },
	}
	f := cmd.Flags()
	f.StringSliceVar(&o.groups, "groups", benchGroups, "groups to run: reads, scale, writes")
	f.IntSliceVar(&o.sizes, "sizes", []int{100, 1000, 10000, 100000}, "jobs in the account for the scale group")
	f.IntVar(&o.rounds, "rounds", 5, "rounds per target")
	f.DurationVar(&o.round, "round", 2*time.Second, "intended length of one round")
	f.IntVar(&o.conns, "conns", 64, "connections (one request in flight each)")
	f.IntVar(&o.warmup, "warmup", 2000, "untimed requests per target before the rounds (they size the first round)")
	f.IntVar(&o.writeJobs, "write-jobs", 1000, "jobs in the account for the writes group")
	f.IntVar(&o.replayN, "replay-n", 100000, "interactions in the replay group's cassette")
	f.StringVar(&o.replaySource, "replay-source", "cassettes", "cassettes the replay group copies its interactions from")
	f.BoolVar(&o.replayBaseline, "replay-baseline", true, "also time go-vcr's cassette.Load of the same file (slow: 15 s and 2.4 GB for 100,000)")
	f.StringVar(&o.replayExe, "replay-exe", "", "smcct binary whose replay the replay group times (default: this one), to compare builds")
	f.StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile of the whole run to this file (with --profile-target: of that target's rounds, one file per round, FILE.1, FILE.2...)")
	f.StringVar(&o.profileOf, "profile-target", "", "profile only the timed rounds of targets whose name contains this")
	return cmd
}

func runBench(out io.Writer, o benchOptions) error {
	for _, g := range o.groups {
		if !slices.Contains(benchGroups, g) {
			return fmt.Errorf("--groups: unknown group %q (have %s)", g, strings.Join(benchGroups, ", "))
		}
	}
	if o.cpuProfile != "" && o.profileOf == "" {
		f, err := os.Create(o.cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	dir, cleanup, err := benchDir()
	if err != nil {
		return err
	}
	defer cleanup()
	lo := loadgen.Options{Conns: o.conns, Rounds: o.rounds, Round: o.round, Warmup: o.warmup, MinRequests: min(500, o.warmup)}
	if o.cpuProfile != "" && o.profileOf != "" {
		lo.Around = profileRounds(o.cpuProfile, o.profileOf)
	}
	fmt.Fprintf(out, "smcct bench: %d connections, %d rounds of about %s per target, alternating\n", o.conns, o.rounds, o.round)
	bad := 0
	for _, g := range o.groups {
		var n int
		var err error
		switch g {
		case "reads":
			n, err = benchReads(out, dir, lo)
		case "scale":
			n, err = benchScale(out, dir, lo, o.sizes)
		case "writes":
			n, err = benchWrites(out, dir, lo, o.writeJobs)
		case "replay":
			err = benchReplay(out, dir, o)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", g, err)
		}
		bad += n
	}
	if bad > 0 {
		return &exitError{code: 1, msg: fmt.Sprintf("%d answers were not 2xx: the figures above measure errors", bad)}
	}
	return nil
}

var jobsPage = url.Values{"PageSize": {"10"}}

// benchReads compares the two hot reads with bare net/http sending the same bytes. Each
// read has a reference of its own, whose nonce cache holds only its own rounds.
func benchReads(out io.Writer, dir string, lo loadgen.Options) (int, error) {
	bad := 0
	for _, read := range []struct {
		title, action string
		jobs          int
		params        url.Values
	}{
		{"signed DescribeSourceServers (fixture account, default page)", "DescribeSourceServers", 0, nil},
		{"signed DescribeReplicationJobs (100 jobs, PageSize 10)", "DescribeReplicationJobs", 100, jobsPage},
	} {
		n, err := benchRead(out, dir, lo, read.title, read.action, read.jobs, read.params)
		bad += n
		if err != nil {
			return bad, err
		}
	}
	return bad, nil
}

func benchRead(out io.Writer, dir string, lo loadgen.Options, title, action string, jobs int, params url.Values) (int, error) {
	ref, err := startReference(dir, false)
	if err != nil {
		return 0, err
	}
	defer ref.close()
	if err := ref.seedJobs(jobs); err != nil {
		return 0, err
	}
	sample, err := ref.call(action, params)
	if err != nil {
		return 0, err
	}
	bare, err := startBare(sample)
	if err != nil {
		return 0, err
	}
	defer bare.close()
	same := func(int) url.Values { return params }
	bt, err := bare.target("bare net/http", action, same)
	if err != nil {
		return 0, err
	}
	rt, err := ref.target(action, action, same)
	if err != nil {
		return 0, err
	}
	fmt.Fprintf(out, "\nreads: %s, body %d bytes\n", title, len(sample.Body))
	cmp, err := loadgen.Compare([]loadgen.Target{bt, rt}, lo)
	if err != nil {
		return 0, err
	}
	return printComparison(out, cmp, "bare"), nil
}

// benchScale compares DescribeReplicationJobs at growing account sizes with the smallest.
func benchScale(out io.Writer, dir string, lo loadgen.Options, sizes []int) (int, error) {
	fmt.Fprintf(out, "\nscale: signed DescribeReplicationJobs, PageSize 10, by jobs in the account\n")
	var targets []loadgen.Target
	for _, n := range sizes {
		ref, err := startReference(dir, false)
		if err != nil {
			return 0, err
		}
		defer ref.close()
		before := heapInUse()
		t0 := time.Now()
		if err := ref.seedJobs(n); err != nil {
			return 0, err
		}
		took := time.Since(t0)
		heap := int64(heapInUse()) - int64(before) // the other servers of the group are idle
		perJob := ""                               // below 1,000 jobs the collector's noise is larger than the jobs
		if n >= 1000 {
			perJob = fmt.Sprintf(", heap %.1f MB (%.0f bytes/job)", float64(heap)/(1<<20), float64(heap)/float64(n))
		}
		fmt.Fprintf(out, "  %7d jobs: seeded in %s (%.1f µs/job)%s\n",
			n, took.Round(time.Millisecond), float64(took.Microseconds())/float64(n), perJob)
		resp, err := ref.call("DescribeReplicationJobs", jobsPage)
		if err != nil {
			return 0, err
		}
		if want := `"TotalCount":` + strconv.Itoa(n); !strings.Contains(string(resp.Body), want) {
			return 0, fmt.Errorf("want %s in %.200s", want, resp.Body)
		}
		t, err := ref.target(fmt.Sprintf("%d jobs", n), "DescribeReplicationJobs", func(int) url.Values { return jobsPage })
		if err != nil {
			return 0, err
		}
		targets = append(targets, t)
	}
	cmp, err := loadgen.Compare(targets, lo)
	if err != nil {
		return 0, err
	}
	return printComparison(out, cmp, fmt.Sprintf("%d jobs", sizes[0])), nil
}

// benchWrites compares durable writes with in-memory ones: every writer changes the
// Description of one of the account's jobs.
func benchWrites(out io.Writer, dir string, lo loadgen.Options, jobs int) (int, error) {
	fmt.Fprintf(out, "\nwrites: signed ModifyReplicationJobAttribute (Description) on an account of %d jobs, %d writers\n", jobs, lo.Conns)
	var targets []loadgen.Target
	for _, durable := range []bool{false, true} {
		ref, err := startReference(dir, durable)
		if err != nil {
			return 0, err
		}
		defer ref.close()
		t0 := time.Now()
		if err := ref.seedJobs(jobs); err != nil {
			return 0, err
		}
		name := "in memory"
		if durable {
			name = "durable"
		}
		fmt.Fprintf(out, "  %s: seeded %d jobs in %s\n", name, jobs, time.Since(t0).Round(time.Millisecond))
		t, err := ref.target(name, "ModifyReplicationJobAttribute", func(i int) url.Values {
			return url.Values{"JobId": {fmt.Sprintf("j-bench%013d", i%jobs)}, "Description": {"written-by-bench-" + strconv.Itoa(i)}}
		})
		if err != nil {
			return 0, err
		}
		targets = append(targets, t)
	}
	cmp, err := loadgen.Compare(targets, lo)
	if err != nil {
		return 0, err
	}
	return printComparison(out, cmp, "in memory"), nil
}

// printComparison writes one line per target and returns the number of answers that were
// not 2xx.
func printComparison(out io.Writer, cmp loadgen.Comparison, baseline string) int {
	bad := 0
	for i, s := range cmp.Series {
		rates := s.Rates()
		parts := make([]string, len(rates))
		for r, v := range rates {
			parts[r] = fmt.Sprintf("%.0f", v)
		}
		line := fmt.Sprintf("  %-24s req/s %-34s median %6.0f  p99 %7s  cpu/req %5.1fµs", s.Name, strings.Join(parts, " "),
			loadgen.Median(rates), s.P99().Round(10*time.Microsecond), loadgen.Median(s.CPUPerRequest())/1e3)
		if i > 0 {
			ratios, cpu := cmp.Ratios(i), cmp.CPURatios(i)
			line += fmt.Sprintf("  vs %s: rate %.3f [%.3f-%.3f], cpu %.3f [%.3f-%.3f]", baseline,
				loadgen.Median(ratios), slices.Min(ratios), slices.Max(ratios),
				loadgen.Median(cpu), slices.Min(cpu), slices.Max(cpu))
		}
		n, first := s.Non2xx()
		if n > 0 {
			line += fmt.Sprintf("  NON-2XX %d, first: %.300s", n, first)
		}
		bad += n
		fmt.Fprintln(out, line)
	}
	return bad
}

// profileRounds profiles each timed round of the targets named like of into its own file,
// path.1, path.2, ...; `go tool pprof bin path.*` reads them together.
func profileRounds(path, of string) func(string, func()) {
	n := 0
	return func(target string, run func()) {
		if !strings.Contains(target, of) {
			run()
			return
		}
		n++
		f, err := os.Create(fmt.Sprintf("%s.%d", path, n))
		if err != nil {
			run()
			return
		}
		defer f.Close()
		if pprof.StartCPUProfile(f) != nil {
			run()
			return
		}
		run()
		pprof.StopCPUProfile()
	}
}
