package recorder

import (
	"net/url"
	"slices"
	"strings"

	"gopkg.in/dnaeon/go-vcr.v3/cassette"
)

// keyBuilder computes canonOfRecorded(rq).Key() without building the Canon: the index needs
// one key per recorded interaction, 100,000 of them in a large cassette, and the maps of a
// Canon cost more than the rest of loading. It handles the requests recordings are made
// of (an http URL with a plain path, a query, perhaps a form body); anything else takes the
// general path, so both always agree (TestRecordedKeyMatchesCanon, FuzzRecordedKey).
// A keyBuilder reuses its buffers and is not safe for concurrent use.
type keyBuilder struct {
	pairs []pair
	buf   []byte
}

type pair struct{ name, value string }

// key returns the index key of a recorded request, with its Version and Action.
func (kb *keyBuilder) key(rq *cassette.Request) (key, version, action string, err error) {
	if k, v, a, ok := kb.fast(rq); ok {
		return k, v, a, nil
	}
	c, err := canonOfRecorded(rq)
	if err != nil {
		return "", "", "", err
	}
	return c.Key(), c.Version, c.Action, nil
}

// fast is key for the common shapes; ok is false when the general path must decide.
func (kb *keyBuilder) fast(rq *cassette.Request) (key, version, action string, ok bool) {
	path, query, ok := splitPlainURL(rq.URL)
	if !ok {
		return "", "", "", false
	}
	kb.pairs = kb.pairs[:0]
	if !kb.addQuery(query) {
		return "", "", "", false
	}
	nQuery := len(kb.pairs)
	ct := rq.Headers.Get("Content-Type")
	form, known := fastIsForm(ct)
	if !known {
		form = isForm(ct)
	}
	if form && rq.Body != "" {
		if !kb.addQuery(rq.Body) {
			return "", "", "", false
		}
	} else {
		for name, vs := range rq.Form {
			for _, v := range vs {
				kb.pairs = append(kb.pairs, pair{name, v})
			}
		}
	}
	version = firstNamed(kb.pairs[:nQuery], "Version", firstNamed(kb.pairs[nQuery:], "Version", ""))
	action = firstNamed(kb.pairs[:nQuery], "Action", firstNamed(kb.pairs[nQuery:], "Action", ""))
	if version == "" {
		version = rq.Headers.Get("x-acs-version")
	}
	if action == "" {
		action = rq.Headers.Get("x-acs-action")
	}
	control := action == "" && version == ""
	kb.business(control)
	if path == "" {
		path = "/"
	}
	b := append(kb.buf[:0], version...)
	b = append(append(append(append(b, 0), action...), 0), path...)
	b = kb.appendEncoded(append(b, 0))
	if control {
		body := ""
		if !form {
			body = rq.Body
		}
		b = append(append(append(append(b, 0), rq.Method...), 0), body...)
	}
	kb.buf = b
	return string(b), version, action, true
}

// business keeps the pairs that take part in matching, sorted by name with each name's
// values in the order sent (query before form), and for an API call Format once, upper
// case (a control request keeps Format as sent).
func (kb *keyBuilder) business(control bool) {
	format := ""
	kept := kb.pairs[:0]
	for _, p := range kb.pairs {
		if volatileParams[p.name] {
			continue
		}
		if p.name == "Format" && !control {
			if format == "" {
				format = p.value
			}
			continue
		}
		kept = append(kept, p)
	}
	kb.pairs = kept
	if !control {
		if format = strings.ToUpper(format); format == "" {
			format = "JSON"
		}
		kb.pairs = append(kb.pairs, pair{"Format", format})
	}
	slices.SortStableFunc(kb.pairs, func(a, b pair) int { return strings.Compare(a.name, b.name) })
}

// appendEncoded is encodeSorted over the sorted pairs.
func (kb *keyBuilder) appendEncoded(b []byte) []byte {
	for i, p := range kb.pairs {
		if i > 0 {
			b = append(b, '&')
		}
		b = appendQueryEscape(b, p.name)
		b = appendQueryEscape(append(b, '='), p.value)
	}
	return b
}

// addQuery appends the pairs of a query as url.ParseQuery reads them; false when it would
// fail (a semicolon, a bad escape), which the general path then reports.
func (kb *keyBuilder) addQuery(q string) bool {
	for q != "" {
		var seg string
		seg, q, _ = strings.Cut(q, "&")
		if seg == "" {
			continue
		}
		if strings.IndexByte(seg, ';') >= 0 {
			return false
		}
		name, value, _ := strings.Cut(seg, "=")
		var ok bool
		if name, ok = queryUnescape(name); !ok {
			return false
		}
		if value, ok = queryUnescape(value); !ok {
			return false
		}
		kb.pairs = append(kb.pairs, pair{name, value})
	}
	return true
}

func queryUnescape(s string) (string, bool) {
	if strings.IndexByte(s, '%') < 0 && strings.IndexByte(s, '+') < 0 {
		return s, true
	}
	u, err := url.QueryUnescape(s)
	return u, err == nil
}

func firstNamed(ps []pair, name, def string) string {
	for _, p := range ps {
		if p.name == name {
			return p.value
		}
	}
	return def
}

// splitPlainURL returns the path and raw query of an absolute http(s) URL that url.Parse
// would read without surprises: a simple host, a path of unreserved characters, no
// fragment, no control characters. ok is false for any other URL.
func splitPlainURL(u string) (path, query string, ok bool) {
	rest, found := strings.CutPrefix(u, "http://")
	if !found {
		if rest, found = strings.CutPrefix(u, "https://"); !found {
			return "", "", false
		}
	}
	for i := range len(u) {
		if c := u[i]; c < 0x20 || c == 0x7f || c == '#' {
			return "", "", false
		}
	}
	end := strings.IndexAny(rest, "/?")
	if end < 0 {
		end = len(rest)
	}
	if !plainHost(rest[:end]) {
		return "", "", false
	}
	rest = rest[end:]
	path, query, _ = strings.Cut(rest, "?")
	for i := range len(path) {
		if !unreserved(path[i]) && path[i] != '/' {
			return "", "", false
		}
	}
	return path, query, true
}

// plainHost accepts a host name or IPv4 address with an optional numeric port.
func plainHost(h string) bool {
	name, port, hasPort := strings.Cut(h, ":")
	if name == "" || (hasPort && strings.IndexByte(port, ':') >= 0) {
		return false
	}
	for i := range len(name) {
		if c := name[i]; !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-') {
			return false
		}
	}
	for i := range len(port) {
		if port[i] < '0' || port[i] > '9' {
			return false
		}
	}
	return true
}

// fastIsForm answers isForm for the two values recordings carry; known is false for any
// other content type, which isForm then parses.
func fastIsForm(ct string) (form, known bool) {
	switch ct {
	case "":
		return false, true
	case "application/x-www-form-urlencoded":
		return true, true
	}
	return false, false
}

func unreserved(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~'
}

const upperHex = "0123456789ABCDEF"

// appendQueryEscape appends url.QueryEscape(s).
func appendQueryEscape(b []byte, s string) []byte {
	for i := range len(s) {
		c := s[i]
		switch {
		case unreserved(c):
			b = append(b, c)
		case c == ' ':
			b = append(b, '+')
		default:
			b = append(b, '%', upperHex[c>>4], upperHex[c&15])
		}
	}
	return b
}
