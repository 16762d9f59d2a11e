package loadgen

import (
	"fmt"
	"math"
	"slices"
	"time"
)

// Target is one server under measurement.
type Target struct {
	Name string
	Addr string // host:port
	// Requests renders n requests just before a round: signed now, with fresh nonces.
	Requests func(n int) ([][]byte, error)
}

// Options shape a comparison.
type Options struct {
	Conns  int           // connections, one request in flight each (default 64)
	Rounds int           // rounds per target (default 5)
	Round  time.Duration // intended length of one round (default 2s)
	// Warmup is the number of requests sent to each target, untimed, before the rounds;
	// their rate sizes the first round (default 2000).
	Warmup int
	// MinRequests is the smallest round (default 500).
	MinRequests int
	// Progress, if set, hears about each finished round.
	Progress func(round int, target string, r Result)
	// Around, if set, wraps each timed round (not the warm-up): a profiler can start
	// before run and stop after it, outside the time it measures.
	Around func(target string, run func())
}

func (o Options) withDefaults() Options {
	if o.Conns <= 0 {
		o.Conns = 64
	}
	if o.Rounds <= 0 {
		o.Rounds = 5
	}
	if o.Round <= 0 {
		o.Round = 2 * time.Second
	}
	if o.Warmup <= 0 {
		o.Warmup = 2000
	}
	if o.MinRequests <= 0 {
		o.MinRequests = 500
	}
	return o
}

// Series is every round of one target.
type Series struct {
	Name   string
	Rounds []Result
}

// Comparison is the outcome of Compare: one series per target, in the order given; the
// first is the baseline the others are divided by.
type Comparison struct {
	Series []Series
}

// Compare measures targets in alternating rounds: round r visits every target once, in
// the order given on even rounds and reversed on odd ones, so that no target always runs
// right after the same neighbour. Each round of a target is sized to last about
// Options.Round at the rate the target showed last, and its requests are rendered before
// the clock starts.
func Compare(targets []Target, o Options) (Comparison, error) {
	o = o.withDefaults()
	cmp := Comparison{Series: make([]Series, len(targets))}
	rate := make([]float64, len(targets))
	for i, t := range targets {
		cmp.Series[i].Name = t.Name
		r, err := runTarget(t, o.Conns, o.Warmup)
		if err != nil {
			return cmp, fmt.Errorf("warming up %s: %w", t.Name, err)
		}
		rate[i] = r.Rate()
	}
	for round := range o.Rounds {
		order := make([]int, len(targets))
		for i := range order {
			order[i] = i
		}
		if round%2 == 1 {
			slices.Reverse(order)
		}
		for _, i := range order {
			t := targets[i]
			n := max(o.MinRequests, int(math.Ceil(rate[i]*o.Round.Seconds())))
			var r Result
			var err error
			if o.Around != nil {
				reqs, rerr := t.Requests(n)
				if rerr != nil {
					return cmp, fmt.Errorf("round %d of %s: %w", round+1, t.Name, rerr)
				}
				o.Around(t.Name, func() { r, err = Run(t.Addr, o.Conns, reqs) })
			} else {
				r, err = runTarget(t, o.Conns, n)
			}
			if err != nil {
				return cmp, fmt.Errorf("round %d of %s: %w", round+1, t.Name, err)
			}
			rate[i] = r.Rate()
			cmp.Series[i].Rounds = append(cmp.Series[i].Rounds, r)
			if o.Progress != nil {
				o.Progress(round, t.Name, r)
			}
		}
	}
	return cmp, nil
}

func runTarget(t Target, conns, n int) (Result, error) {
	reqs, err := t.Requests(n)
	if err != nil {
		return Result{}, err
	}
	return Run(t.Addr, conns, reqs)
}

// Rates returns the series' rate in each round.
func (s Series) Rates() []float64 {
	out := make([]float64, len(s.Rounds))
	for i, r := range s.Rounds {
		out[i] = r.Rate()
	}
	return out
}

// CPUPerRequest returns the series' process CPU per request in each round.
func (s Series) CPUPerRequest() []float64 {
	out := make([]float64, len(s.Rounds))
	for i, r := range s.Rounds {
		out[i] = float64(r.CPUPerRequest())
	}
	return out
}

// Non2xx sums the answers that were not 2xx over every round, with the first one quoted.
func (s Series) Non2xx() (int, string) {
	n, first := 0, ""
	for _, r := range s.Rounds {
		n += r.Non2xx
		if first == "" {
			first = r.FirstBad
		}
	}
	return n, first
}

// P99 is the median over rounds of each round's 99th-percentile latency.
func (s Series) P99() time.Duration {
	ps := make([]float64, len(s.Rounds))
	for i, r := range s.Rounds {
		ps[i] = float64(r.Quantile(0.99))
	}
	return time.Duration(Median(ps))
}

// Ratios divides series i's rate by the baseline's (series 0) round by round: each ratio
// compares two measurements taken moments apart.
func (c Comparison) Ratios(i int) []float64 {
	base, s := c.Series[0].Rates(), c.Series[i].Rates()
	out := make([]float64, 0, len(s))
	for r := range min(len(base), len(s)) {
		if base[r] > 0 {
			out = append(out, s[r]/base[r])
		}
	}
	return out
}

// CPURatios divides the baseline's CPU per request by series i's, round by round: the
// rate ratio the two would show if each had the cores to itself. Client and servers share
// the process, so the client's share counts on both sides, as it does in Ratios.
func (c Comparison) CPURatios(i int) []float64 {
	base, s := c.Series[0].CPUPerRequest(), c.Series[i].CPUPerRequest()
	out := make([]float64, 0, len(s))
	for r := range min(len(base), len(s)) {
		if s[r] > 0 {
			out = append(out, base[r]/s[r])
		}
	}
	return out
}

// Median of xs (the mean of the middle two for an even count); 0 for none.
func Median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
