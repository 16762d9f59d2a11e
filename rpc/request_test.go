package rpc

import (
	"fmt"
	"net/url"
	"reflect"
	"strings"
	"testing"
)

// parseQuery must agree with url.ParseQuery, which it replaces for speed.
func TestParseQueryMatchesStdlib(t *testing.T) {
	cases := []struct{ in, reason string }{
		{"a=1&b=2", "plain pairs"},
		{"a=1&a=2&b=&c", "repeated key, empty value, key without '='"},
		{"&&a=1&", "empty pairs are skipped"},
		{"k%2Ey=a+b%2Fc", "escaped key and value, '+' as space"},
		{"a=%zz", "bad escape"},
		{"a=1;b=2", "semicolon separator"},
		{"a=%4", "escape cut short at the end"},
		{"a=%e9%C3%A9&b=%41%2b+", "lower and upper case hex, an escaped '+' next to a space"},
		{"x=%41&y=%42&z=%43&x=%44", "several escaped values share one buffer; a repeated key"},
	}
	for _, tc := range cases {
		checkParseQuery(t, tc.in, tc.reason)
	}
	// Escaped values past the buffer's first size: it moves, and what it held must not.
	var long []string
	for i := range 12 {
		long = append(long, fmt.Sprintf("k%d=%s+%d", i, strings.Repeat("%C3%A9", 20), i))
	}
	checkParseQuery(t, strings.Join(long, "&"), "escaped values that outgrow the unescape buffer")
}

func checkParseQuery(t *testing.T, in, reason string) {
	t.Helper()
	want, wantErr := url.ParseQuery(in)
	got := url.Values{}
	err := parseQuery(got, in)
	if (err != nil) != (wantErr != nil) {
		t.Fatalf("%s: %q: error %v, stdlib %v", reason, in, err, wantErr)
	}
	if err == nil && !reflect.DeepEqual(got, want) {
		t.Fatalf("%s: %q: got %v, stdlib %v", reason, in, got, want)
	}
}

func FuzzParseQuery(f *testing.F) {
	f.Add("a=1&a=2&b=%41+c")
	f.Fuzz(func(t *testing.T, in string) { checkParseQuery(t, in, "fuzz") })
}
