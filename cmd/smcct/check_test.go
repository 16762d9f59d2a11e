package main

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/onsi/ginkgo/v2/types"
)

var (
	checkBuildOnce sync.Once
	checkBin       string
	checkBuildErr  error
)

// checkBinary builds the CLI once: each check run needs a process of its own (one RunSpecs
// per process), and the endpoint test needs serve in another process.
func checkBinary(t *testing.T) string {
	t.Helper()
	checkBuildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "smcct-check-test-")
		if err != nil {
			checkBuildErr = err
			return
		}
		checkBin = filepath.Join(dir, "smcct")
		if out, err := exec.Command("go", "build", "-o", checkBin, ".").CombinedOutput(); err != nil {
			checkBuildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if checkBuildErr != nil {
		t.Fatal(checkBuildErr)
	}
	return checkBin
}

// startServe runs `smcct serve` on a free loopback port with a virtual clock, as the suites'
// in-process reference has, and waits for its control plane.
func startServe(t *testing.T, args ...string) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	_ = l.Close()
	cmd := exec.Command(checkBinary(t), append([]string{"serve", "--addr", addr, "--clock", "virtual"}, args...)...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	url := "http://" + addr
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if resp, err := http.Get(url + "/_smcct/clock"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK || resp.StatusCode == http.StatusUnauthorized {
				return url // 401: the control plane is up and wants its token
			}
		}
	}
	t.Fatalf("smcct serve did not answer on %s", addr)
	return ""
}

type counts struct{ passed, failed, skipped int }

// runSmcctCheck runs check with args and returns the exit code and the JSON report's counts.
func runSmcctCheck(t *testing.T, args ...string) (int, counts, string) {
	t.Helper()
	report := filepath.Join(t.TempDir(), "report.json")
	cmd := exec.Command(checkBinary(t), append([]string{"check", "--json-report", report}, args...)...)
	cmd.Env = append(os.Environ(), "ALIBABA_CLOUD_ACCESS_KEY_ID=smcct", "ALIBABA_CLOUD_ACCESS_KEY_SECRET=smcct-secret")
	out, _ := cmd.CombinedOutput()
	data, err := os.ReadFile(report)
	if err != nil {
		t.Fatalf("no JSON report: %v\n%s", err, out)
	}
	var reports []types.Report
	if err := json.Unmarshal(data, &reports); err != nil {
		t.Fatal(err)
	}
	var c counts
	for _, r := range reports {
		for _, s := range r.SpecReports {
			switch {
			case s.LeafNodeType != types.NodeTypeIt:
			case s.State.Is(types.SpecStatePassed):
				c.passed++
			case s.State.Is(types.SpecStateFailureStates):
				c.failed++
			default:
				c.skipped++
			}
		}
	}
	return cmd.ProcessState.ExitCode(), c, string(out)
}

// TestCheckEndpointMatchesInProcess: the whole suite against `smcct serve` in another process
// gives the same passed/failed/skipped counts as against the in-process reference.
func TestCheckEndpointMatchesInProcess(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the full suite twice")
	}
	url := startServe(t)
	code, in, out := runSmcctCheck(t)
	if code != 0 || in.failed != 0 || in.passed == 0 {
		t.Fatalf("in-process run: exit %d, %+v\n%s", code, in, out)
	}
	code, ep, out := runSmcctCheck(t, "--endpoint", url)
	if code != 0 || ep != in {
		t.Fatalf("endpoint run: exit %d, %+v; in-process %+v\n%s", code, ep, in, out)
	}
	t.Logf("both runs: %+v", in)
}

// TestCheckRunsTwiceAgainstOneServe: specs name their objects after their own text, so a
// second run against the same serve meets the first run's objects unless check resets the
// reference first; with --reset=false the precondition specs collide.
func TestCheckRunsTwiceAgainstOneServe(t *testing.T) {
	url := startServe(t)
	filter := []string{"--endpoint", url, "--label-filter", "precondition && action:StopReplicationJob"}
	for run := 1; run <= 2; run++ {
		if code, c, out := runSmcctCheck(t, filter...); code != 0 || c.failed != 0 || c.passed == 0 {
			t.Fatalf("run %d: exit %d, %+v\n%s", run, code, c, out)
		}
	}
	if code, c, _ := runSmcctCheck(t, append(filter, "--reset=false")...); code == 0 || c.failed == 0 {
		t.Fatalf("a third run without reset passed (%+v): the test no longer shows what the reset is for", c)
	}
}

// TestCheckFailsAndWritesJUnit: a failing spec makes the exit status non-zero, and the JUnit
// report is well-formed XML that names the failure.
func TestCheckFailsAndWritesJUnit(t *testing.T) {
	url := startServe(t)
	junit := filepath.Join(t.TempDir(), "junit.xml")
	// The wrong secret makes every signed call fail, so the focused spec fails.
	cmd := exec.Command(checkBinary(t), "check", "--endpoint", url, "--focus", "Protocol .smc. with signature v1 answers a correctly signed request", "--junit-report", junit)
	cmd.Env = append(os.Environ(), "ALIBABA_CLOUD_ACCESS_KEY_ID=smcct", "ALIBABA_CLOUD_ACCESS_KEY_SECRET=not-the-secret")
	out, _ := cmd.CombinedOutput()
	if cmd.ProcessState.ExitCode() == 0 {
		t.Fatalf("check passed with a wrong secret:\n%s", out)
	}
	data, err := os.ReadFile(junit)
	if err != nil {
		t.Fatal(err)
	}
	var suites struct {
		XMLName  xml.Name `xml:"testsuites"`
		Tests    int      `xml:"tests,attr"`
		Failures int      `xml:"failures,attr"`
	}
	if err := xml.Unmarshal(data, &suites); err != nil {
		t.Fatalf("JUnit report is not XML: %v", err)
	}
	if suites.Failures != 1 {
		t.Errorf("JUnit report: %d failures, want 1", suites.Failures)
	}
	code, c, out2 := runSmcctCheck(t, "--endpoint", url, "--focus", "Protocol .smc. with signature v1 answers a correctly signed request")
	if code != 0 || c.passed != 1 || c.failed != 0 {
		t.Errorf("with the right secret: exit %d, %+v\n%s", code, c, out2)
	}
}

// TestCheckWithSignatureV3: the whole suite passes against the reference when the default
// client signs v3, as it does with v1 (specs about v1's query parameters sign v1 themselves).
func TestCheckWithSignatureV3(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the full suite")
	}
	if code, c, out := runSmcctCheck(t, "--signature", "v3"); code != 0 || c.failed != 0 || c.passed == 0 {
		t.Fatalf("exit %d, %+v\n%s", code, c, out)
	}
}

// TestRecordingRepeats: recording the same specs twice against the in-process reference
// writes the same files, byte for byte, so a re-recording shows only what changed.
func TestRecordingRepeats(t *testing.T) {
	dirs := []string{filepath.Join(t.TempDir(), "a"), filepath.Join(t.TempDir(), "b")}
	for _, dir := range dirs {
		if code, c, out := runSmcctCheck(t, "--label-filter", "protocol || lifecycle", "--record", dir); code != 0 || c.failed != 0 || c.passed == 0 {
			t.Fatalf("recording into %s: exit %d, %+v\n%s", dir, code, c, out)
		}
	}
	files := 0
	err := filepath.WalkDir(dirs[0], func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dirs[0], path)
		a, _ := os.ReadFile(path)
		b, err := os.ReadFile(filepath.Join(dirs[1], rel))
		if err != nil {
			return fmt.Errorf("second recording lacks %s", rel)
		}
		if !bytes.Equal(a, b) {
			return fmt.Errorf("%s differs between two recordings", rel)
		}
		files++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files == 0 {
		t.Fatal("nothing was recorded")
	}
	t.Logf("%d cassettes identical", files)
}

// TestCheckFailsWhenNoSpecMatches: a filter that matches nothing (a typo in --focus) must
// fail the run, or a CI gate would pass while checking nothing.
func TestCheckFailsWhenNoSpecMatches(t *testing.T) {
	for _, args := range [][]string{
		{"--focus", "StopReplicatoinJob"},
		{"--label-filter", "action:NoSuchAction"},
	} {
		code, c, out := runSmcctCheck(t, args...)
		if code != 1 || c.passed+c.failed != 0 || !strings.Contains(out, "no specs matched") {
			t.Errorf("%v: exit %d, %+v, want exit 1 saying no specs matched:\n%s", args, code, c, out)
		}
	}
}

// TestHelpNeverPrintsSecrets: credentials come from the environment at run time, so --help
// shows the variable's name, never its value.
func TestHelpNeverPrintsSecrets(t *testing.T) {
	const secret = "do-not-print-this-secret"
	for _, sub := range []string{"check", "record", "serve"} {
		cmd := exec.Command(checkBinary(t), sub, "--help")
		cmd.Env = append(os.Environ(), "ALIBABA_CLOUD_ACCESS_KEY_ID=key-"+secret, "ALIBABA_CLOUD_ACCESS_KEY_SECRET="+secret,
			"ALIBABA_CLOUD_SECURITY_TOKEN="+secret, "SMCCT_CONTROL_TOKEN="+secret)
		out, err := cmd.CombinedOutput()
		if err != nil || strings.Contains(string(out), secret) || !strings.Contains(string(out), "$ALIBABA_CLOUD_ACCESS_KEY_SECRET") && sub != "serve" {
			t.Errorf("%s --help (%v) prints a secret or no variable name:\n%s", sub, err, out)
		}
	}
}

// TestCheckSendsTheControlToken: against a reference started with --control-token, check
// drives the control plane when it has the token, also from its parallel processes (which
// the token given as a flag must reach). Without the token, or with a wrong one, it stops
// before any spec and says what to pass, rather than silently walking every state.
func TestCheckSendsTheControlToken(t *testing.T) {
	url := startServe(t, "--control-token", "t0ken")
	filter := []string{"--endpoint", url, "--label-filter", "precondition && action:StopReplicationJob"}
	for _, procs := range []string{"1", "2"} {
		code, with, out := runSmcctCheck(t, append(filter, "--control-token", "t0ken", "--procs", procs)...)
		if code != 0 || with.failed != 0 || with.passed == 0 || !strings.Contains(out, "control plane true") {
			t.Fatalf("with the token in %s processes: exit %d, %+v\n%s", procs, code, with, out)
		}
	}
	cases := []struct {
		why  string
		args []string
		want string
	}{
		{"no token", nil, "pass --control-token or set $SMCCT_CONTROL_TOKEN"},
		{"a wrong token", []string{"--control-token", "guess"}, "refused the --control-token given"},
	}
	for _, c := range cases {
		report := filepath.Join(t.TempDir(), "report.json")
		cmd := exec.Command(checkBinary(t), append(append([]string{"check", "--json-report", report}, filter...), c.args...)...)
		cmd.Env = append(os.Environ(), "ALIBABA_CLOUD_ACCESS_KEY_ID=smcct", "ALIBABA_CLOUD_ACCESS_KEY_SECRET=smcct-secret", "SMCCT_CONTROL_TOKEN=")
		out, err := cmd.CombinedOutput()
		_, statErr := os.Stat(report)
		if err == nil || statErr == nil || !strings.Contains(string(out), c.want) || !strings.Contains(string(out), "--control=false") {
			t.Errorf("%s: %v (report written: %v), want a refusal saying %q before any spec:\n%s", c.why, err, statErr == nil, c.want, out)
		}
	}
}
