package recorder

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestSlug(t *testing.T) {
	long := strings.Repeat("returns the job ", 20)
	cases := []struct {
		in, want string
		reason   string
	}{
		{"StopReplicationJob", "stopreplicationjob", "case folds so case-insensitive filesystems agree"},
		{"returns 400 ReplicationJob.InvalidStatus and leaves the job Ready", "returns-400-replicationjob-invalidstatus-and-leaves-the-job-ready", "punctuation becomes single hyphens"},
		{"  when the job is <Ready>?/\\:*|\"  ", "when-the-job-is-ready", "characters Windows forbids are gone, no edge hyphens"},
		{"CON", "con-", "Windows device names are reserved"},
		{"com1", "com1-", "so are COM1..COM9"},
		{"", "x-e3b0c442", "empty text still makes a file name"},
	}
	for _, tc := range cases {
		if got := Slug(tc.in); got != tc.want {
			t.Errorf("Slug(%q) = %q, want %q (%s)", tc.in, got, tc.want, tc.reason)
		}
	}
	a, b := Slug(long+"A"), Slug(long+"B")
	if a == b || len(a) > maxSlug+9 {
		t.Errorf("long texts %q and %q: truncated slugs must stay distinct and bounded", a, b)
	}
	if Slug("迁移任务") == Slug("复制组") {
		t.Error("texts outside ASCII must not collapse to one slug")
	}
}

func TestCassettePath(t *testing.T) {
	got := CassettePath("cassettes", "smc", []string{"StopReplicationJob", "when the job is Ready"}, "returns 400")
	want := filepath.Join("cassettes", "smc", "stopreplicationjob", "when-the-job-is-ready-returns-400.yaml")
	if got != want {
		t.Errorf("got %s, want %s", got, want)
	}
	if got := CassettePath("c", "smc", nil, "x"); got != filepath.Join("c", "smc", "_", "x.yaml") {
		t.Errorf("a top-level It gets the placeholder container, got %s", got)
	}
}
