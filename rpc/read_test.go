package rpc

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/iotest"
	"time"
)

// readAtMost replaces io.ReadAll(io.LimitReader(...)) for speed, so it must return the
// same bytes and the same error or lack of one.
func TestReadAtMostMatchesReadAll(t *testing.T) {
	long := strings.Repeat("x", 2000)
	cases := []struct {
		body         string
		limit, hint  int64
		oneByte, bad bool
		reason       string
	}{
		{"", 10, 0, false, false, "empty body, declared empty"},
		{"", 10, -1, false, false, "empty body, length unknown"},
		{"a=1", 10, 3, false, false, "declared length exact"},
		{"a=1", 10, 1, false, false, "declared length too small: the buffer grows"},
		{"a=1", 10, 100, false, false, "declared length too large"},
		{long, 1001, -1, false, false, "longer than the limit: cut at the limit"},
		{long, 1 << 20, -1, false, false, "unknown length past the first 512 bytes"},
		{long, 1 << 20, 5, true, false, "one byte per read"},
		{"abc", 10, 3, false, true, "a read error after the data"},
	}
	for _, tc := range cases {
		mk := func() io.Reader {
			var r io.Reader = strings.NewReader(tc.body)
			if tc.oneByte {
				r = iotest.OneByteReader(r)
			}
			if tc.bad {
				r = io.MultiReader(r, iotest.ErrReader(errors.New("broken")))
			}
			return r
		}
		want, wantErr := io.ReadAll(io.LimitReader(mk(), tc.limit))
		got, err := readAtMost(mk(), tc.limit, tc.hint)
		if (err != nil) != (wantErr != nil) || !bytes.Equal(got, want) {
			t.Errorf("%s: got %d bytes, err %v; io.ReadAll %d bytes, err %v", tc.reason, len(got), err, len(want), wantErr)
		}
	}
}

// The size and text checks moved into the parse pass; each refusal must still come with
// the code it had, and only after a clean parse.
func TestReadWireRefusals(t *testing.T) {
	long := strings.Repeat("v", 20)
	cases := []struct {
		query, want, reason string
	}{
		{"A=1&B=2", "", "small and clean"},
		{"=" + long, "InvalidParameter.TooLarge", "an empty name does not hide an oversized value"},
		{"A=" + long, "InvalidParameter.TooLarge", "an oversized value"},
		{strings.Repeat("N", 20) + "=1", "InvalidParameter.TooLarge", "an oversized name"},
		{"A%01=1", "InvalidParameter.Format", "a control character in a name"},
		{"A=%00", "InvalidParameter.Format", "NUL in a value"},
		{"A=" + long + "&B=%zz", "InvalidParameter.Format", "a bad escape answers before a size"},
	}
	g := testGateway(t, time.Now())
	g.Limits = Limits{MaxKey: 10, MaxValue: 10}
	for _, tc := range cases {
		r := httptest.NewRequest(http.MethodGet, "/?"+tc.query, nil)
		_, e := g.readWire(r, g.Limits.withDefaults())
		got := ""
		if e != nil {
			got = e.Code
		}
		if got != tc.want {
			t.Errorf("%s: %q gives %q, want %q", tc.reason, tc.query, got, tc.want)
		}
	}
}
