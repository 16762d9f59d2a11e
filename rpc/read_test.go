package rpc

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
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
