package rpc

import "testing"

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
