package rpc

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/smcct/smcct/rpc/flat"
)

// Limits bound what the gateway reads from one request, so that no request can make it
// allocate without bound. Zero fields take the Default values.
type Limits struct {
	MaxBody   int64 // bytes of request body
	MaxQuery  int   // bytes of raw query string
	MaxParams int   // parameters, query and body together
	MaxKey    int   // bytes of one parameter name
	MaxValue  int   // bytes of one parameter value
	MaxNonce  int   // bytes of SignatureNonce (or x-acs-signature-nonce)
}

// DefaultLimits are generous for every SMC and EBS action (the largest real request, a
// CreateReplicationJob with 16 data disks and their partitions, is a few KiB).
var DefaultLimits = Limits{MaxBody: 1 << 20, MaxQuery: 256 << 10, MaxParams: 1024, MaxKey: 256, MaxValue: 64 << 10, MaxNonce: 128}

func (l Limits) withDefaults() Limits {
	d := DefaultLimits
	if l.MaxBody > 0 {
		d.MaxBody = l.MaxBody
	}
	if l.MaxQuery > 0 {
		d.MaxQuery = l.MaxQuery
	}
	if l.MaxParams > 0 {
		d.MaxParams = l.MaxParams
	}
	if l.MaxKey > 0 {
		d.MaxKey = l.MaxKey
	}
	if l.MaxValue > 0 {
		d.MaxValue = l.MaxValue
	}
	if l.MaxNonce > 0 {
		d.MaxNonce = l.MaxNonce
	}
	return d
}

// wire is a request as read off the connection, before any protocol check.
type wire struct {
	query  flat.Params // from the URL only: v3 signs exactly these
	params flat.Params // query and form body merged: what v1 signs and handlers see
	body   []byte
	slab   *flat.Params // params' storage, from paramSlabs
}

// paramSlabs recycles the storage of Call.Params between requests (Call.Release): at 32
// bytes a pair it was the largest allocation of admitting a request.
var paramSlabs = sync.Pool{New: func() any { return new(flat.Params) }}

// maxPooledParams keeps an outsized request's storage out of the pool.
const maxPooledParams = 256

func takeParams(n int) *flat.Params {
	slab := paramSlabs.Get().(*flat.Params)
	if cap(*slab) < n {
		*slab = make(flat.Params, 0, n)
	}
	return slab
}

// putParams clears the pairs a request used, so that the pool keeps no request's strings
// alive, and returns the storage to the pool.
func putParams(slab *flat.Params) {
	if slab == nil || cap(*slab) > maxPooledParams {
		return
	}
	clear(*slab)
	*slab = (*slab)[:0]
	paramSlabs.Put(slab)
}

// readWire reads and parses a request within the limits. Sizes are checked before parsing
// so an oversized request costs no more than its limit.
func (g *Gateway) readWire(r *http.Request, lim Limits) (wire, *Error) {
	if e := g.contentEncoding(r); e != nil {
		return wire{}, e
	}
	if len(r.URL.RawQuery) > lim.MaxQuery {
		return wire{}, g.err("InvalidParameter.TooLarge", fmt.Sprintf("query string over %d bytes", lim.MaxQuery))
	}
	body, e := g.readBody(r, lim.MaxBody)
	if e != nil {
		return wire{}, e
	}
	form := isForm(r.Header.Get("Content-Type")) && len(body) > 0
	n := countParams(r.URL.RawQuery)
	if form {
		n += countParams(string(body))
	}
	if n > lim.MaxParams {
		return wire{}, g.err("InvalidParameter.TooLarge", fmt.Sprintf("more than %d parameters", lim.MaxParams))
	}
	slab := takeParams(n)
	p := pairParser{dst: (*slab)[:0], lim: lim, checks: true}
	w := wire{body: body, slab: slab}
	defer func() { *slab = p.dst }() // the parser may have grown it: keep the larger one
	if p.parse(r.URL.RawQuery) != nil {
		return w, g.err("InvalidParameter.Format")
	}
	w.query = p.dst[:len(p.dst):len(p.dst)]
	if form {
		if p.parse(string(body)) != nil {
			return w, g.err("InvalidParameter.Format")
		}
		// The merged list keeps query pairs ahead of body pairs of the same name, as
		// url.Values did; the query alone is sorted on a copy.
		w.query = flat.SortParams(append(flat.Params(nil), w.query...))
	}
	w.params = flat.SortParams(p.dst)
	return w, p.sizeError(g, lim)
}

// contentEncoding refuses a body in any coding but identity: read as plain text, a gzip
// body would be parsed and executed as something the client never meant to send.
func (g *Gateway) contentEncoding(r *http.Request) *Error {
	for _, v := range r.Header.Values("Content-Encoding") {
		for _, c := range strings.Split(v, ",") {
			if c = strings.TrimSpace(c); c != "" && !strings.EqualFold(c, "identity") {
				return g.err("InvalidParameter.ContentEncoding", strconv.Quote(shortText(c, 64)))
			}
		}
	}
	return nil
}

// shortText bounds a client's text quoted back in a message.
func shortText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

func (g *Gateway) readBody(r *http.Request, max int64) ([]byte, *Error) {
	if r.Body == nil || r.Body == http.NoBody {
		return nil, nil
	}
	if r.ContentLength > max {
		return nil, g.err("InvalidParameter.TooLarge", fmt.Sprintf("body over %d bytes", max))
	}
	body, err := readAtMost(r.Body, max+1, r.ContentLength)
	if err != nil {
		return nil, g.err("InvalidParameter.TooLarge", "body could not be read")
	}
	if int64(len(body)) > max {
		return nil, g.err("InvalidParameter.TooLarge", fmt.Sprintf("body over %d bytes", max))
	}
	return body, nil
}

// readAtMost is io.ReadAll(io.LimitReader(rd, limit)) with the buffer sized from hint,
// the declared length (-1 if unknown): io.ReadAll starts every body, even an empty one,
// at 512 bytes. One spare byte lets the read that finds the end need no growth.
func readAtMost(rd io.Reader, limit, hint int64) ([]byte, error) {
	size := int64(512)
	if hint >= 0 {
		size = hint + 1
	}
	buf := make([]byte, 0, min(size, limit))
	for int64(len(buf)) < limit {
		if len(buf) == cap(buf) {
			buf = slices.Grow(buf, 1) // grows geometrically, as io.ReadAll does
		}
		n, err := rd.Read(buf[len(buf):min(int64(cap(buf)), limit)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
	return buf, nil
}

// pairParser parses query strings into dst and, in the same pass, checks each name and
// value against the limits and for text (checkSizes did it in a second walk over the map).
// The first failure is kept and reported only once parsing has succeeded, so that a
// malformed query still answers InvalidParameter.Format first.
type pairParser struct {
	dst    flat.Params
	text   strings.Builder // unescaped names and values
	lim    Limits
	checks bool // whether to check sizes and text at all
	// The first failure: a name or value over its limit or not text, and the name.
	failed     pairFailure
	failedName string
}

// pairFailure is why a pair was refused; names may be empty, so the name cannot tell.
type pairFailure uint8

const (
	pairOK pairFailure = iota
	bigName
	bigValue
	notText
)

// sizeError is the error of the first failure found, or nil.
func (p *pairParser) sizeError(g *Gateway, lim Limits) *Error {
	switch p.failed {
	case bigName:
		return g.err("InvalidParameter.TooLarge", fmt.Sprintf("a parameter name over %d bytes", lim.MaxKey))
	case bigValue:
		return g.err("InvalidParameter.TooLarge", fmt.Sprintf("parameter %s over %d bytes", p.failedName, lim.MaxValue))
	case notText:
		return g.err("InvalidParameter.Format")
	}
	return nil
}

// check notes why a name and value are refused, unless an earlier pair already was. It
// refuses names and values that are not text (kText and vText): a name with invalid UTF-8
// or a control character could never be a documented parameter, and passing it on as an
// unknown-parameter warning would let the write go ahead.
func (p *pairParser) check(k, v string, kText, vText bool) {
	if !p.checks || p.failed != pairOK {
		return
	}
	switch {
	case len(k) > p.lim.MaxKey:
		p.failed = bigName
	case !kText:
		p.failed = notText
	case len(v) > p.lim.MaxValue:
		p.failed, p.failedName = bigValue, k
	case !vText:
		p.failed = notText
	}
}

// Byte classes of a raw query, for the parser's single walk. Almost every byte of a
// request is qPlain: it ends no pair and needs neither unescaping nor a text check.
const (
	qPlain     = iota // printable ASCII but the ones below
	qControl          // a control character other than NUL: text in a value, never in a name
	qSpecial          // '%', '+', NUL or a non-ASCII byte: unescape, then check for text
	qAmp              // '&' ends a pair
	qEquals           // the first '=' of a pair ends its name
	qSemicolon        // ';' makes the query malformed, as it does for url.ParseQuery
)

var queryClass = func() (t [256]uint8) {
	for c := range t {
		switch {
		case c == '&':
			t[c] = qAmp
		case c == '=':
			t[c] = qEquals
		case c == ';':
			t[c] = qSemicolon
		case c == 0 || c == '%' || c == '+' || c >= 0x80:
			t[c] = qSpecial
		case c < 0x20 || c == 0x7f:
			t[c] = qControl
		}
	}
	return t
}()

// escapedRoom is what the unescape buffer holds beyond its first string.
const escapedRoom = 128

var errSemicolon = errors.New("invalid semicolon separator in query")

// pair adds s[start:end], whose first '=' is at eq (-1 for none), to p.dst. slowName and
// slowValue say whether the name or value holds a byte that is not qPlain.
func (p *pairParser) pair(s string, start, eq, end int, slowName, slowValue bool) error {
	if start == end {
		return nil // "&&" is no pair
	}
	k, v := s[start:end], ""
	if eq >= 0 {
		k, v = s[start:eq], s[eq+1:end]
	}
	kText, vText := true, true
	var err error
	if slowName {
		if k, err = p.unescape(k); err != nil {
			return err
		}
		kText = isText(k, true)
	}
	if slowValue {
		if v, err = p.unescape(v); err != nil {
			return err
		}
		vText = isText(v, false)
	}
	p.check(k, v, kText, vText)
	p.dst = append(p.dst, flat.Pair{Name: k, Value: v})
	return nil
}

// isText reports whether s is valid UTF-8 without NUL; names must also be free of every
// other control character.
func isText(s string, name bool) bool {
	if !name {
		return isTextValue(s)
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == 0x7f {
			return false
		}
	}
	return utf8.ValidString(s)
}

// isTextValue is isText for a value, with the library's word-at-a-time scans: values can be
// long (descriptions), and most hold no NUL at all.
func isTextValue(s string) bool {
	return strings.IndexByte(s, 0) < 0 && utf8.ValidString(s)
}

// countParams bounds the number of pairs url.ParseQuery would allocate.
func countParams(s string) int {
	if s == "" {
		return 0
	}
	return strings.Count(s, "&") + strings.Count(s, ";") + 1
}

func isForm(contentType string) bool {
	mt, _, _ := strings.Cut(contentType, ";")
	return strings.EqualFold(strings.TrimSpace(mt), "application/x-www-form-urlencoded")
}

// parseQuery adds the pairs of a query string to dst, as url.ParseQuery does.
func parseQuery(dst url.Values, s string) error {
	p := pairParser{}
	err := p.parse(s)
	for _, q := range p.dst {
		dst[q.Name] = append(dst[q.Name], q.Value)
	}
	return err
}

// parse appends the pairs of a query string to p.dst in the order sent, as url.ParseQuery
// reads them (a ';' or a bad escape is an error), in one walk over the bytes and with
// fewer allocations: a name or value without escapes is a substring of s.
func (p *pairParser) parse(s string) error {
	start, eq := 0, -1
	slowName, slowValue := false, false
	for i := 0; i < len(s); i++ {
		class := queryClass[s[i]]
		if class == qPlain {
			continue
		}
		switch class {
		case qAmp:
			if err := p.pair(s, start, eq, i, slowName, slowValue); err != nil {
				return err
			}
			start, eq, slowName, slowValue = i+1, -1, false, false
		case qEquals:
			if eq < 0 {
				eq = i
			}
		case qSemicolon:
			return errSemicolon
		case qControl:
			slowName = slowName || eq < 0
		default:
			slowName = slowName || eq < 0
			slowValue = slowValue || eq >= 0
		}
	}
	return p.pair(s, start, eq, len(s), slowName, slowValue)
}

// unescape is url.QueryUnescape into one builder per request rather than one allocation
// per string: a Builder never changes bytes it has written, so substrings of its String
// stay valid, even once it has moved to a larger buffer. Runs without escapes are copied
// whole.
func (p *pairParser) unescape(s string) (string, error) {
	if strings.IndexByte(s, '%') < 0 && strings.IndexByte(s, '+') < 0 {
		return s, nil // slow only for the text check: non-ASCII or a control character
	}
	if p.text.Cap()-p.text.Len() < len(s) {
		// Room for the few escaped values of a typical request (a timestamp, a signature,
		// a description); the builder doubles from there when a request has more.
		p.text.Grow(len(s) + escapedRoom)
	}
	begin := p.text.Len()
	run := 0 // start of the bytes not yet copied
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '+':
			p.text.WriteString(s[run:i])
			p.text.WriteByte(' ')
			run = i + 1
		case '%':
			if i+2 >= len(s) || !isHex(s[i+1]) || !isHex(s[i+2]) {
				return "", url.EscapeError(s[i:min(len(s), i+3)])
			}
			p.text.WriteString(s[run:i])
			p.text.WriteByte(unhex(s[i+1])<<4 | unhex(s[i+2]))
			i += 2
			run = i + 1
		}
	}
	p.text.WriteString(s[run:])
	return p.text.String()[begin:], nil
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c >= 'a':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}
