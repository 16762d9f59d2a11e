package rpc

import (
	"testing"
	"unicode/utf8"
)

func TestIsText(t *testing.T) {
	cases := []struct {
		s      string
		name   bool
		want   bool
		reason string
	}{
		{"Tag.1.Key", true, true, "an ordinary parameter name"},
		{"名前", false, true, "UTF-8 values are text"},
		{"line\nbreak", false, true, "values may hold newlines (descriptions)"},
		{"line\nbreak", true, false, "names never hold control characters"},
		{"Name\x00", true, false, "NUL in a name"},
		{"job\x00evil", false, false, "NUL in a value"},
		{"K\xffey", true, false, "invalid UTF-8 in a name"},
		{"job\xff\xfe", false, false, "invalid UTF-8 in a value"},
		{"", true, true, "the empty string is text"},
		{"名\x00", false, false, "a NUL after non-ASCII text in a value"},
		{"名\x01", true, false, "a control character after non-ASCII text in a name"},
		{"名前", true, true, "UTF-8 names are text (and unknown to every action)"},
	}
	for _, tc := range cases {
		if got := isText(tc.s, tc.name); got != tc.want {
			t.Errorf("isText(%q, name=%v) = %v: %s", tc.s, tc.name, got, tc.reason)
		}
	}
}

// isTextValue must agree with the byte loop isText uses for names, minus the control
// character rule that only names have.
func TestIsTextValueMatchesLoop(t *testing.T) {
	cases := []struct{ s, reason string }{
		{"plain", "ASCII"},
		{"a\x00b", "NUL among ASCII"},
		{"é\x00", "NUL after a non-ASCII byte (once let through by a shortcut)"},
		{"\x00é", "NUL before a non-ASCII byte"},
		{"ok\xff", "invalid UTF-8 at the end"},
		{"\xff\x00", "invalid UTF-8 before a NUL"},
		{"", "empty"},
	}
	for _, tc := range cases {
		if got, want := isTextValue(tc.s), loopIsTextValue(tc.s); got != want {
			t.Errorf("%s: isTextValue(%q) = %v, loop %v", tc.reason, tc.s, got, want)
		}
	}
}

// loopIsTextValue is the rule written plainly, rune by rune: valid UTF-8 and no NUL.
func loopIsTextValue(s string) bool {
	for _, r := range s {
		if r == utf8.RuneError || r == 0 {
			if r == 0 || !utf8.ValidString(s) {
				return false
			}
		}
	}
	return true
}

func FuzzIsTextValue(f *testing.F) {
	f.Add("é\x00")
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := isTextValue(s), loopIsTextValue(s); got != want {
			t.Fatalf("isTextValue(%q) = %v, loop %v", s, got, want)
		}
	})
}
