package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/smcct/smcct/spec"
)

// ramProfile lends the default fixtures' RAM user that may only assume roles, and the
// disabled one, as a real account's profile would.
const ramProfile = `ram:
  unprivileged: {accessKeyId: smcct-ram-user, accessKeySecret: smcct-ram-user-secret}
  inactive: {accessKeyId: smcct-disabled, accessKeySecret: smcct-disabled-secret}
`

// TestAuthorizationThroughAProfile: against a target without a control plane, the identities
// a target profile lends give every action of the contract a RAM refusal spec that runs and
// passes, and the disabled key's; the specs that must make users skip with the reason. The
// run records and replays with no secret of the lent keys on disk.
func TestAuthorizationThroughAProfile(t *testing.T) {
	u := startWalkServe(t, "1")
	profile := filepath.Join(t.TempDir(), "profile.yaml")
	if err := os.WriteFile(profile, []byte(ramProfile), 0o600); err != nil {
		t.Fatal(err)
	}
	cassettes := filepath.Join(t.TempDir(), "cassettes")
	specs, out := walkReport(t, "--endpoint", u, "--target-config", profile, "--label-filter", "auth", "--record", cassettes)
	refused := judgeAuthRun(t, specs, out)
	for _, a := range spec.MustDefault().Actions() {
		if !refused[a.Name] {
			t.Errorf("%s: no RAM refusal spec passed with the profile's unprivileged user", a.Name)
		}
	}

	err := filepath.WalkDir(cassettes, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err == nil && (strings.Contains(string(data), "smcct-ram-user-secret") || strings.Contains(string(data), "smcct-disabled-secret")) {
			t.Errorf("%s holds a lent key's secret", path)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	replayed, out := walkReport(t, "--replay", cassettes, "--label-filter", "auth")
	if got := judgeAuthRun(t, replayed, out); len(got) != len(refused) {
		t.Errorf("the replay refused %d actions, the recording %d", len(got), len(refused))
	}
}

// judgeAuthRun fails the test on a failed spec or a skip without a reason, and returns the
// actions of the passed RAM refusal specs.
func judgeAuthRun(t *testing.T, specs []types.SpecReport, out string) map[string]bool {
	t.Helper()
	refused := map[string]bool{}
	inactive := false
	for _, s := range specs {
		labels := strings.Join(s.Labels(), " ")
		switch {
		case s.State.Is(types.SpecStateFailureStates):
			t.Errorf("%s failed: %s", s.FullText(), s.Failure.Message)
		case s.State == types.SpecStateSkipped && strings.TrimSpace(s.Failure.Message) == "":
			t.Errorf("%s was skipped without a reason", s.FullText())
		case !s.State.Is(types.SpecStatePassed):
		case strings.Contains(labels, "code:InvalidAccessKeyId.Inactive"):
			inactive = true
		case strings.Contains(labels, "code:Forbidden") || strings.Contains(labels, "code:NoPermission"):
			for _, l := range s.Labels() {
				if a, ok := strings.CutPrefix(l, "action:"); ok {
					refused[a] = true
				}
			}
		}
	}
	if !inactive {
		t.Errorf("the disabled key's spec did not pass\n%s", lastLines(out, 30))
	}
	return refused
}
