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
	return string(appendPercent(make([]byte, 0, len(s)+2*n), s, once.escape))
}

// peRounds says how a text looks after one or two rounds of pe: v1 encodes each key and
// value, then the whole canonical query again, so there an escaped byte becomes "%25XX",
// and the separators "&" and "=" become "%26" and "%3D".
type peRounds struct{ amp, eq, escape string }

var (
	once  = peRounds{amp: "&", eq: "=", escape: "%"}
	twice = peRounds{amp: "%26", eq: "%3D", escape: "%25"}
)

// appendPercent appends pe(s) with escape ahead of each escaped byte's hex digits,
// copying runs of unreserved bytes whole.
func appendPercent(dst []byte, s, escape string) []byte {
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if unreservedTable[c] {
			continue
		}
		dst = append(dst, s[start:i]...)
		dst = append(dst, escape...)
		dst = append(dst, upperHex[c>>4], upperHex[c&15])
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
// (values of a repeated key sorted too), leaving out skip, in the given rounds of pe: once
// for v3's canonical request, twice for the v1 string to sign, built in one pass. Empty
// values stay: the v1 SDK signs `SignatureType=`.
func appendCanonicalQuery(dst []byte, params flat.Params, skip string, r peRounds) []byte {
	first := true
	for name, run := range params.Runs {
		if name == skip {
			continue
		}
		for _, q := range sortedRun(run) {
			if !first {
				dst = append(dst, r.amp...)
			}
			first = false
			dst = appendPercent(dst, name, r.escape)
			dst = append(dst, r.eq...)
			dst = appendPercent(dst, q.Value, r.escape)
		}
	}
	return dst
}
