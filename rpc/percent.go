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

func appendPercent(b *strings.Builder, s string) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if unreserved(c) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(upperHex[c>>4])
		b.WriteByte(upperHex[c&15])
	}
}

// canonicalQuery joins the parameters as `pe(k)=pe(v)` pairs sorted by raw key (values of
// a repeated key sorted too), leaving out skip. Empty values stay: the v1 SDK signs
// `SignatureType=`. Both signature versions use this form.
func canonicalQuery(params url.Values, skip string) string {
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
	var b strings.Builder
	b.Grow(size + size/4)
	for _, k := range keys {
		vs := params[k]
		if len(vs) > 1 {
			vs = append([]string(nil), vs...)
			sort.Strings(vs)
		}
		for _, v := range vs {
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
