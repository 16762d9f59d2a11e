package main

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// TestBenchSmoke runs every group of `smcct bench` in miniature: the figures mean nothing
// at this size, but every scenario must answer 2xx and print its ratio.
func TestBenchSmoke(t *testing.T) {
	var out bytes.Buffer
	err := runBench(&out, benchOptions{groups: []string{"reads", "scale", "writes"}, sizes: []int{5, 20}, rounds: 2,
		round: 10 * time.Millisecond, conns: 2, warmup: 20, writeJobs: 10})
	if err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	for _, want := range []string{"DescribeSourceServers", "vs bare", "20 jobs", "vs 5 jobs", "durable", "vs in memory"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("no %q in:\n%s", want, out.String())
		}
	}
	if strings.Contains(out.String(), "NON-2XX") {
		t.Errorf("answers that were not 2xx:\n%s", out.String())
	}
}

// TestBenchReplaySmoke times `smcct replay` on a small copy of the committed cassettes.
func TestBenchReplaySmoke(t *testing.T) {
	var out bytes.Buffer
	err := runBench(&out, benchOptions{groups: []string{"replay"}, rounds: 1, replayN: 40,
		replaySource: "../../cassettes", replayBaseline: true, replayExe: checkBinary(t)})
	if err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	for _, want := range []string{"smcct replay of 40 interactions", "ready in", "peak RSS", "go-vcr cassette.Load (in process, 40 interactions)"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("no %q in:\n%s", want, out.String())
		}
	}
}
