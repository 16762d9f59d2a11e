package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"gopkg.in/dnaeon/go-vcr.v3/cassette"
)

// committedCassettes is what `make cassettes` records: the whole default suite against a
// fresh reference.
const committedCassettes = "../../cassettes"

// runBin runs the CLI and returns its output and exit code.
func runBin(t *testing.T, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command(checkBinary(t), args...)
	out, err := cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); ok {
		return string(out), ee.ExitCode()
	}
	if err != nil {
		t.Fatalf("%v: %v\n%s", args, err, out)
	}
	return string(out), 0
}

var totalLine = regexp.MustCompile(`total: (\d+) passed, (\d+) failed, (\d+) skipped`)

// TestReplayCommittedCassettes runs the whole default suite from cassettes/, offline: a
// behaviour change in the reference fails here until the cassettes are recorded again on
// purpose (make cassettes).
func TestReplayCommittedCassettes(t *testing.T) {
	out, code := runBin(t, "check", "--replay", committedCassettes)
	m := totalLine.FindStringSubmatch(out)
	if code != 0 || m == nil || m[2] != "0" {
		t.Fatalf("replaying the committed cassettes failed (exit %d); if the reference changed on purpose, run make cassettes:\n%s", code, tail(out, 60))
	}
	if m[1] == "0" {
		t.Fatalf("no spec passed from the cassettes:\n%s", tail(out, 30))
	}
	t.Logf("%s passed, %s skipped from %s", m[1], m[3], committedCassettes)
}

// focusRecording records a few specs against a fresh reference into a temporary directory.
func focusRecording(t *testing.T, focus string) string {
	t.Helper()
	dir := t.TempDir()
	out, code := runBin(t, "check", "--record", dir, "--focus", focus)
	if code != 0 || !strings.Contains(out, "cassettes: record") {
		t.Fatalf("recording failed (exit %d):\n%s", code, tail(out, 40))
	}
	return dir
}

func cassettesUnder(t *testing.T, dir string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "conformance", "*", "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no cassettes under %s (%v)", dir, err)
	}
	return files
}

// TestReplayFailures proves a replay can fail, and says why, for each way a recording and
// the suite can drift apart.
func TestReplayFailures(t *testing.T) {
	const focus = "StopReplicationJob naming an absent object"
	cases := []struct {
		name   string
		spoil  func(t *testing.T, dir, file string)
		want   string
		reason string
	}{
		{"changed-answer", func(t *testing.T, _, f string) {
			rewrite(t, f, "InvalidJobId.NotFound", "InvalidJobId.Changed")
		}, "InvalidJobId.Changed", "a recorded answer that differs from what the spec expects fails it"},
		{"changed-request", func(t *testing.T, _, f string) {
			rewrite(t, f, "Action=StopReplicationJob", "Action=StartReplicationJob")
		}, "closest recorded is interaction", "a request nobody recorded names the closest recording and the difference"},
		{"missing-cassette", func(t *testing.T, _, f string) {
			if err := os.Remove(f); err != nil {
				t.Fatal(err)
			}
		}, "no cassette", "a spec without a cassette fails instead of passing silently"},
		{"unused-interaction", func(t *testing.T, _, f string) {
			c, err := cassette.Load(strings.TrimSuffix(f, ".yaml"))
			if err != nil {
				t.Fatal(err)
			}
			extra := *c.Interactions[0]
			extra.Request.URL = strings.Replace(extra.Request.URL, "JobId=", "JobId=x", 1)
			c.AddInteraction(&extra)
			if err := c.Save(); err != nil {
				t.Fatal(err)
			}
		}, "never replayed", "a recorded call the spec no longer makes is reported"},
		{"stale-cassette", func(t *testing.T, dir, f string) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			other := filepath.Join(filepath.Dir(f), "a-spec-that-was-renamed.yaml")
			if err := os.WriteFile(other, data, 0o644); err != nil {
				t.Fatal(err)
			}
		}, "a-spec-that-was-renamed.yaml", "a cassette no spec uses is listed"},
	}
	src := focusRecording(t, focus)
	files := cassettesUnder(t, src)
	if len(files) != 1 {
		t.Fatalf("focus %q recorded %d cassettes, want 1: %v", focus, len(files), files)
	}
	if out, code := runBin(t, "check", "--replay", src, "--focus", focus); code != 0 {
		t.Fatalf("an untouched recording must replay (exit %d):\n%s", code, tail(out, 40))
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			copyTree(t, src, dir)
			rel, _ := filepath.Rel(src, files[0])
			tc.spoil(t, dir, filepath.Join(dir, rel))
			out, code := runBin(t, "check", "--replay", dir, "--focus", focus)
			if !strings.Contains(out, tc.want) {
				t.Fatalf("output lacks %q (%s), exit %d:\n%s", tc.want, tc.reason, code, tail(out, 40))
			}
			if tc.name != "stale-cassette" && code == 0 {
				t.Fatalf("exit 0: %s\n%s", tc.reason, tail(out, 40))
			}
		})
	}
}

func TestRecordReplayFlagConflicts(t *testing.T) {
	out, code := runBin(t, "check", "--replay", t.TempDir(), "--endpoint", "http://127.0.0.1:1")
	if code == 0 || !strings.Contains(out, "cannot be combined") {
		t.Fatalf("--replay with --endpoint must be refused (exit %d):\n%s", code, out)
	}
	out, code = runBin(t, "check", "--replay", t.TempDir())
	if code == 0 || !strings.Contains(out, "target.json") {
		t.Fatalf("replaying a directory without a recording must say what is missing (exit %d):\n%s", code, out)
	}
}

func rewrite(t *testing.T, file, from, to string) {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), from) {
		t.Fatalf("%s holds no %q to change", file, from)
	}
	if err := os.WriteFile(file, []byte(strings.ReplaceAll(string(data), from, to)), 0o644); err != nil {
		t.Fatal(err)
	}
}

func copyTree(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.Walk(from, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		dst := filepath.Join(to, rel)
		if info.IsDir() {
			return os.MkdirAll(dst, 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(dst, data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
