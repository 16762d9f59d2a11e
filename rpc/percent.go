package rpc

import (
	"slices"
	"strings"

	"github.com/smcct/smcct/rpc/flat"
)

const upperHex = "0123456789ABCDEF"

// unreserved reports the bytes RFC 3986 leaves as they are; Alibaba's signers escape every
// other byte, including space as %20 and '*' as %2A (unlike url.QueryEscape).
func unreserved(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
		c == '-' || c == '_' || c == '.' || c == '~'
}

// PercentEncode is Alibaba's RFC 3986 encoding of one key or value.
func PercentEncode(s string) string {
	n := 0
	for i := 0; i < len(s); i++ {
		if !unreserved(s[i]) {
			n++
		}
	}
	if n == 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 2*n)
	appendPercent(&b, s)
	return b.String()
}

// appendPercent writes pe(s), copying runs of unreserved bytes in one call.
func appendPercent(b *strings.Builder, s string) {
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if unreserved(c) {
			continue
		}
		b.WriteString(s[start:i])
		b.WriteByte('%')
		b.WriteByte(upperHex[c>>4])
		b.WriteByte(upperHex[c&15])
		start = i + 1
	}
	b.WriteString(s[start:])
}

// appendPercentTwice appends pe(pe(s)) in one pass: v1 encodes each key and value, then the
// whole canonical query again, so an escaped byte becomes "%25XX" and the rest stays.
func appendPercentTwice(dst []byte, s string) []byte {
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if unreservedTable[c] {
			continue
		}
		dst = append(dst, s[start:i]...)
		dst = append(dst, '%', '2', '5', upperHex[c>>4], upperHex[c&15])
		start = i + 1
	}
	return append(dst, s[start:]...)
}

// unreservedTable is unreserved as a lookup: the string to sign tests every byte of every
// parameter, and one load beats the chain of comparisons.
var unreservedTable = func() (t [256]bool) {
	for c := range t {
		t[c] = unreserved(byte(c))
	}
	return t
}()

// sortedRun returns a name's pairs with their values sorted when the name is repeated, so
// that one request has one canonical form whatever order the values came in.
func sortedRun(run flat.Params) flat.Params {
	byValue := func(a, b flat.Pair) int { return strings.Compare(a.Value, b.Value) }
	if len(run) > 1 && !slices.IsSortedFunc(run, byValue) {
		run = slices.Clone(run)
		slices.SortFunc(run, byValue)
	}
	return run
}

// appendCanonicalQuery appends the parameters as `pe(k)=pe(v)` pairs sorted by raw key
// (values of a repeated key sorted too), leaving out skip. Empty values stay: the v1 SDK
// signs `SignatureType=`. Both signature versions use this form.
func appendCanonicalQuery(dst []byte, params flat.Params, skip string) []byte {
	first := true
	for name, run := range params.Runs {
		if name == skip {
			continue
		}
		for _, q := range sortedRun(run) {
			if !first {
				dst = append(dst, '&')
			}
			first = false
			dst = appendPercentOnce(dst, name)
			dst = append(dst, '=')
			dst = appendPercentOnce(dst, q.Value)
		}
	}
	return dst
}

// appendPercentOnce appends pe(s), copying runs of unreserved bytes whole.
func appendPercentOnce(dst []byte, s string) []byte {
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if unreservedTable[c] {
			continue
		}
		dst = append(dst, s[start:i]...)
		dst = append(dst, '%', upperHex[c>>4], upperHex[c&15])
		start = i + 1
	}
	return append(dst, s[start:]...)
}

// appendEncodedCanonicalQuery appends pe(appendCanonicalQuery(params, skip)) in one pass:
// the v1 string to sign carries the canonical query encoded a second time.
func appendEncodedCanonicalQuery(dst []byte, params flat.Params, skip string) []byte {
	first := true
	for name, run := range params.Runs {
		if name == skip {
			continue
		}
		for _, q := range sortedRun(run) {
			if !first {
				dst = append(dst, "%26"...)
			}
			first = false
			dst = appendPercentTwice(dst, name)
			dst = append(dst, "%3D"...)
			dst = appendPercentTwice(dst, q.Value)
		}
	}
	return dst
}
