package rpc

import (
	"net/url"
	"sort"
	"strings"
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

// sortedKeys returns params' keys but skip in byte order, and the bytes their pairs need.
func sortedKeys(params url.Values, skip string) ([]string, int) {
	keys := make([]string, 0, len(params))
	size := 0
	for k, vs := range params {
		if k == skip {
			continue
		}
		keys = append(keys, k)
		for _, v := range vs {
			size += len(k) + len(v) + 2
		}
	}
	sort.Strings(keys)
	return keys, size
}

// sortedValues returns a key's values, sorted when repeated so one request has one form.
func sortedValues(vs []string) []string {
	if len(vs) > 1 {
		vs = append([]string(nil), vs...)
		sort.Strings(vs)
	}
	return vs
}

// canonicalQuery joins the parameters as `pe(k)=pe(v)` pairs sorted by raw key (values of
// a repeated key sorted too), leaving out skip. Empty values stay: the v1 SDK signs
// `SignatureType=`. Both signature versions use this form.
func canonicalQuery(params url.Values, skip string) string {
	keys, size := sortedKeys(params, skip)
	var b strings.Builder
	b.Grow(size + size/4)
	for _, k := range keys {
		for _, v := range sortedValues(params[k]) {
			if b.Len() > 0 {
				b.WriteByte('&')
			}
			appendPercent(&b, k)
			b.WriteByte('=')
			appendPercent(&b, v)
		}
	}
	return b.String()
}

// appendEncodedCanonicalQuery appends pe(canonicalQuery(params, skip)) built in one pass:
// the v1 string to sign carries the canonical query encoded a second time. keys are
// params' names in byte order; skip among them is left out.
func appendEncodedCanonicalQuery(dst []byte, params url.Values, keys []string, skip string) []byte {
	first := true
	for _, k := range keys {
		if k == skip {
			continue
		}
		for _, v := range sortedValues(params[k]) {
			if !first {
				dst = append(dst, "%26"...)
			}
			first = false
			dst = appendPercentTwice(dst, k)
			dst = append(dst, "%3D"...)
			dst = appendPercentTwice(dst, v)
		}
	}
	return dst
}
