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
		{"é\x00", "NUL after a non-ASCII byte: the loop leaves it to utf8.ValidString"},
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

// loopIsTextValue is the byte loop isText ran over values before isTextValue.
func loopIsTextValue(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return utf8.ValidString(s[i:])
		}
		if s[i] == 0 {
			return false
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
