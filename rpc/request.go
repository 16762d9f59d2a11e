package rpc

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"
)

// Limits bound what the gateway reads from one request, so that no request can make it
// allocate without bound. Zero fields take the Default values.
type Limits struct {
	MaxBody   int64 // bytes of request body
	MaxQuery  int   // bytes of raw query string
	MaxParams int   // parameters, query and body together
	MaxKey    int   // bytes of one parameter name
	MaxValue  int   // bytes of one parameter value
}

// DefaultLimits are generous for every SMC and EBS action (the largest real request, a
// CreateReplicationJob with 16 data disks and their partitions, is a few KiB).
var DefaultLimits = Limits{MaxBody: 1 << 20, MaxQuery: 256 << 10, MaxParams: 1024, MaxKey: 256, MaxValue: 64 << 10}

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
	return d
}

// wire is a request as read off the connection, before any protocol check.
type wire struct {
	query  url.Values // from the URL only: v3 signs exactly these
	params url.Values // query and form body merged: what v1 signs and handlers see
	body   []byte
}

// readWire reads and parses a request within the limits. Sizes are checked before parsing
// so an oversized request costs no more than its limit.
func (g *Gateway) readWire(r *http.Request, lim Limits) (*wire, *Error) {
	if len(r.URL.RawQuery) > lim.MaxQuery {
		return nil, g.err("InvalidParameter.TooLarge", fmt.Sprintf("query string over %d bytes", lim.MaxQuery))
	}
	body, e := g.readBody(r, lim.MaxBody)
	if e != nil {
		return nil, e
	}
	form := isForm(r.Header.Get("Content-Type")) && len(body) > 0
	n := countParams(r.URL.RawQuery)
	if form {
		n += countParams(string(body))
	}
	if n > lim.MaxParams {
		return nil, g.err("InvalidParameter.TooLarge", fmt.Sprintf("more than %d parameters", lim.MaxParams))
	}
	w := &wire{body: body, query: make(url.Values, n)}
	if parseQuery(w.query, r.URL.RawQuery) != nil {
		return nil, g.err("InvalidParameter.Format")
	}
	w.params = w.query
	if form {
		w.params = make(url.Values, n)
		for k, vs := range w.query {
			w.params[k] = append([]string(nil), vs...)
		}
		if parseQuery(w.params, string(body)) != nil {
			return nil, g.err("InvalidParameter.Format")
		}
	}
	return w, checkSizes(g, w.params, lim)
}

func (g *Gateway) readBody(r *http.Request, max int64) ([]byte, *Error) {
	if r.Body == nil || r.Body == http.NoBody {
		return nil, nil
	}
	if r.ContentLength > max {
		return nil, g.err("InvalidParameter.TooLarge", fmt.Sprintf("body over %d bytes", max))
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, max+1))
	if err != nil {
		return nil, g.err("InvalidParameter.TooLarge", "body could not be read")
	}
	if int64(len(body)) > max {
		return nil, g.err("InvalidParameter.TooLarge", fmt.Sprintf("body over %d bytes", max))
	}
	return body, nil
}

// checkSizes bounds names and values, and refuses names and values that are not text: a
// name with invalid UTF-8 or a control character could never be a documented parameter,
// and passing it on as an unknown-parameter warning would let the write go ahead.
func checkSizes(g *Gateway, params url.Values, lim Limits) *Error {
	for k, vs := range params {
		if len(k) > lim.MaxKey {
			return g.err("InvalidParameter.TooLarge", fmt.Sprintf("a parameter name over %d bytes", lim.MaxKey))
		}
		if !isText(k, true) {
			return g.err("InvalidParameter.Format")
		}
		for _, v := range vs {
			if len(v) > lim.MaxValue {
				return g.err("InvalidParameter.TooLarge", fmt.Sprintf("parameter %s over %d bytes", k, lim.MaxValue))
			}
			if !isText(v, false) {
				return g.err("InvalidParameter.Format")
			}
		}
	}
	return nil
}

// isText reports whether s is valid UTF-8 without NUL; names must also be free of every
// other control character.
func isText(s string, name bool) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf {
			return utf8.ValidString(s[i:])
		}
		if c == 0 || (name && (c < 0x20 || c == 0x7f)) {
			return false
		}
	}
	return true
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

// parseQuery adds the pairs of a query string to dst, as url.ParseQuery does (a ';' or a
// bad escape is an error) but with fewer allocations: the values of all keys share one
// backing array, and a pair without escapes is used as a substring of s.
func parseQuery(dst url.Values, s string) error {
	backing := make([]string, 0, countParams(s))
	for s != "" {
		var pair string
		pair, s, _ = strings.Cut(s, "&")
		if pair == "" {
			continue
		}
		if strings.Contains(pair, ";") {
			return errors.New("invalid semicolon separator in query")
		}
		k, v, _ := strings.Cut(pair, "=")
		k, err := unescapeQuery(k)
		if err != nil {
			return err
		}
		if v, err = unescapeQuery(v); err != nil {
			return err
		}
		if old, ok := dst[k]; ok {
			dst[k] = append(old, v)
			continue
		}
		backing = append(backing, v)
		i := len(backing)
		dst[k] = backing[i-1 : i : i] // the cap stops a later append from overwriting a neighbour
	}
	return nil
}

func unescapeQuery(s string) (string, error) {
	if !strings.ContainsAny(s, "%+") {
		return s, nil
	}
	return url.QueryUnescape(s)
}
