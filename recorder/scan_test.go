package recorder

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// secretShapes are what a leaked credential looks like: an Alibaba Cloud AccessKey ID and
// an STS security token (base64 starting with CAIS).
var secretShapes = []*regexp.Regexp{
	regexp.MustCompile(`LTAI[0-9A-Za-z]{12,}`),
	regexp.MustCompile(`CAIS[0-9A-Za-z+/=]{40,}`),
}

// knownTestSecrets are credentials this repository's tests record with; none may be in a
// committed cassette. The last two are the reference's fixture secrets
// (fixtures/default.yaml), which `make cassettes` records cassettes/ with: the recorder
// must have scrubbed them.
var knownTestSecrets = []string{upID, upSecret, testKeyID, testSecret, testToken,
	"smcct-secret", "smcct-other-secret"}

// TestCommittedCassettesHoldNoSecrets scans every go-vcr cassette in the repository
// (cassettes/ and any testdata/) for anything shaped like a real credential.
func TestCommittedCassettesHoldNoSecrets(t *testing.T) {
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	scanned := 0
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if strings.HasPrefix(d.Name(), ".") && p != root {
				return filepath.SkipDir
			}
			return nil
		}
		if !inCassetteDir(root, p) || (filepath.Ext(p) != ".yaml" && filepath.Ext(p) != ".yml") {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		scanned++
		if bad := findSecret(string(data)); bad != "" {
			t.Errorf("%s holds something shaped like a credential: %.12s…", p, bad)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("scanned %d cassette files", scanned)
}

func inCassetteDir(root, p string) bool {
	rel, err := filepath.Rel(root, p)
	if err != nil {
		return false
	}
	for _, part := range strings.Split(filepath.ToSlash(rel), "/") {
		if part == "cassettes" || part == "testdata" {
			return true
		}
	}
	return false
}

func findSecret(text string) string {
	for _, re := range secretShapes {
		if m := re.FindString(text); m != "" {
			return m
		}
	}
	for _, s := range knownTestSecrets {
		if strings.Contains(text, s) {
			return s
		}
	}
	return ""
}

// TestFindSecret proves the scanner can fail.
func TestFindSecret(t *testing.T) {
	cases := []struct {
		text   string
		found  bool
		reason string
	}{
		{"url: /?AccessKeyId=LTAI5tAbCdEfGhIjKlMn", true, "an AccessKey ID in a URL"},
		{"X-Acs-Security-Token: CAIS" + strings.Repeat("Ab1+", 12), true, "an STS token in a header"},
		{"body: " + upSecret, true, "the secret these tests record with"},
		{"AccessKeyId=" + RedactedKeyID + "&Signature=" + RedactedSignature, false, "placeholders are not credentials"},
		{"LTAI-short", false, "too short to be a key"},
	}
	for _, tc := range cases {
		if got := findSecret(tc.text) != ""; got != tc.found {
			t.Errorf("findSecret(%q) found=%v, want %v: %s", tc.text, got, tc.found, tc.reason)
		}
	}
}
