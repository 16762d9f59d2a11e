package recorder

import (
	"bytes"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"sort"
	"strings"

	"gopkg.in/dnaeon/go-vcr.v3/cassette"
)

// maxBody bounds what the matcher reads from one request body. The largest real SMC or EBS
// request is a few KiB; the bound only stops a runaway client from exhausting memory.
const maxBody = 1 << 20

// volatileParams change on every call or carry credentials: they never take part in
// matching. Format is deliberately absent: a JSON and an XML answer are different
// recordings. Version and Action are left out of the parameters because they lead the key.
var volatileParams = map[string]bool{
	"Signature":        true,
	"SignatureNonce":   true,
	"Timestamp":        true,
	"AccessKeyId":      true,
	"SecurityToken":    true,
	"BearerToken":      true,
	"SignatureType":    true,
	"SignatureMethod":  true,
	"SignatureVersion": true,
	"Version":          true,
	"Action":           true,
}

// Canon is a request reduced to what identifies it for replay.
type Canon struct {
	Version string
	Action  string
	Path    string
	// Params are the business parameters, query and form merged, volatile ones dropped,
	// and for an API call Format present and upper-case (JSON when the client left it out).
	Params url.Values
	// Method names the request in messages. It takes part in the key only for requests
	// that are not RPC (see Control).
	Method string
	// Control is set for a request that names no Action and no Version, such as the
	// reference's /_smcct/ control plane: such a request is known by its method, path,
	// parameters and verbatim Body, since nothing else says what it does.
	Control bool
	Body    string
}

// Key is the index key: Version, Action, path and the sorted parameters. Two requests
// with the same Key are the same call.
func (c Canon) Key() string {
	var b strings.Builder
	b.WriteString(c.Version)
	b.WriteByte(0)
	b.WriteString(c.Action)
	b.WriteByte(0)
	b.WriteString(c.Path)
	b.WriteByte(0)
	b.WriteString(encodeSorted(c.Params))
	if c.Control {
		b.WriteByte(0)
		b.WriteString(c.Method)
		b.WriteByte(0)
		b.WriteString(c.Body)
	}
	return b.String()
}

// String names the request for people: `DescribeSourceServers 2019-06-01 {PageSize=10}`.
func (c Canon) String() string {
	action := c.Action
	if action == "" {
		action = "(no Action)"
	}
	s := action + " " + c.Version
	if c.Control {
		s = c.Method
	}
	if c.Path != "/" {
		s += " " + c.Path
	}
	s += " {" + strings.ReplaceAll(encodeSorted(c.Params), "&", " ") + "}"
	if c.Control && c.Body != "" {
		s += " body " + shorten(c.Body, 200)
	}
	return s
}

// encodeSorted is url.Values.Encode with keys sorted and each key's values kept in the order
// sent: for Name.N lists the N carries the order, and duplicated names are rare enough that
// their order is better kept than guessed.
func encodeSorted(v url.Values) string {
	keys := make([]string, 0, len(v))
	for k := range v {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		for _, val := range v[k] {
			if b.Len() > 0 {
				b.WriteByte('&')
			}
			b.WriteString(url.QueryEscape(k))
			b.WriteByte('=')
			b.WriteString(url.QueryEscape(val))
		}
	}
	return b.String()
}

// CanonOf reduces a live request. It reads the body and puts it back, so the request can
// still be sent or served afterwards.
func CanonOf(r *http.Request) (Canon, error) {
	body, err := readBody(r)
	if err != nil {
		return Canon{}, err
	}
	var form url.Values
	if isForm(r.Header.Get("Content-Type")) && len(body) > 0 {
		if form, err = url.ParseQuery(string(body)); err != nil {
			return Canon{}, fmt.Errorf("recorder: form body of %s %s: %w", r.Method, r.URL.Path, err)
		}
	}
	query, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return Canon{}, fmt.Errorf("recorder: query of %s %s: %w", r.Method, r.URL.Path, err)
	}
	return canonFrom(r.Method, r.URL.Path, query, form, r.Header, body), nil
}

// canonOfRecorded reduces a recorded request the same way as a live one.
func canonOfRecorded(rq *cassette.Request) (Canon, error) {
	u, err := url.Parse(rq.URL)
	if err != nil {
		return Canon{}, fmt.Errorf("recorded url %q: %w", rq.URL, err)
	}
	query, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return Canon{}, fmt.Errorf("recorded query of %q: %w", rq.URL, err)
	}
	form := rq.Form
	if isForm(rq.Headers.Get("Content-Type")) && rq.Body != "" {
		if form, err = url.ParseQuery(rq.Body); err != nil {
			return Canon{}, fmt.Errorf("recorded form body of %q: %w", rq.URL, err)
		}
	}
	return canonFrom(rq.Method, u.Path, query, form, rq.Headers, []byte(rq.Body)), nil
}

func canonFrom(method, path string, query, form url.Values, h http.Header, body []byte) Canon {
	c := Canon{Method: method, Path: path, Params: url.Values{}}
	if c.Path == "" {
		c.Path = "/"
	}
	for _, src := range []url.Values{query, form} {
		for k, vs := range src {
			if !volatileParams[k] {
				c.Params[k] = append(c.Params[k], vs...)
			}
		}
	}
	c.Version = first(query.Get("Version"), form.Get("Version"), h.Get("x-acs-version"))
	c.Action = first(query.Get("Action"), form.Get("Action"), h.Get("x-acs-action"))
	if c.Action == "" && c.Version == "" {
		c.Control = true
		if !isForm(h.Get("Content-Type")) {
			c.Body = string(body)
		}
		return c // no API call: Format means nothing, and is kept only as sent
	}
	format := strings.ToUpper(c.Params.Get("Format"))
	if format == "" {
		format = "JSON"
	}
	c.Params["Format"] = []string{format}
	return c
}

// shorten bounds a body quoted in a message.
func shorten(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

func first(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}

func isForm(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	return err == nil && mt == "application/x-www-form-urlencoded"
}

// readBody reads the whole body and leaves an equal one in its place (go-vcr PR #96/#105:
// a matcher that consumes the body breaks whoever reads it next).
func readBody(r *http.Request) ([]byte, error) {
	if r.Body == nil || r.Body == http.NoBody {
		return nil, nil
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	_ = r.Body.Close()
	if err != nil {
		return nil, fmt.Errorf("recorder: reading body of %s %s: %w", r.Method, r.URL.Path, err)
	}
	if len(body) > maxBody {
		return nil, fmt.Errorf("recorder: body of %s %s exceeds %d bytes", r.Method, r.URL.Path, maxBody)
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	return body, nil
}

// Diff lists, for people, how a live request differs from a recorded one.
func Diff(live, recorded Canon) []string {
	var out []string
	if live.Version != recorded.Version {
		out = append(out, fmt.Sprintf("Version: sent %q, recorded %q", live.Version, recorded.Version))
	}
	if live.Action != recorded.Action {
		out = append(out, fmt.Sprintf("Action: sent %q, recorded %q", live.Action, recorded.Action))
	}
	if live.Control && recorded.Control && live.Method != recorded.Method {
		out = append(out, fmt.Sprintf("method: sent %s, recorded %s", live.Method, recorded.Method))
	}
	if live.Control && recorded.Control && live.Body != recorded.Body {
		out = append(out, fmt.Sprintf("body: sent %q, recorded %q", shorten(live.Body, 200), shorten(recorded.Body, 200)))
	}
	if live.Path != recorded.Path {
		out = append(out, fmt.Sprintf("path: sent %q, recorded %q", live.Path, recorded.Path))
	}
	names := map[string]bool{}
	for k := range live.Params {
		names[k] = true
	}
	for k := range recorded.Params {
		names[k] = true
	}
	keys := make([]string, 0, len(names))
	for k := range names {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		l, lok := live.Params[k]
		r, rok := recorded.Params[k]
		switch {
		case !rok:
			out = append(out, fmt.Sprintf("%s: sent %s, not recorded", k, quoteAll(l)))
		case !lok:
			out = append(out, fmt.Sprintf("%s: not sent, recorded %s", k, quoteAll(r)))
		case strings.Join(l, "\x00") != strings.Join(r, "\x00"):
			out = append(out, fmt.Sprintf("%s: sent %s, recorded %s", k, quoteAll(l), quoteAll(r)))
		}
	}
	return out
}

func quoteAll(vs []string) string {
	q := make([]string, len(vs))
	for i, v := range vs {
		q[i] = fmt.Sprintf("%q", v)
	}
	return strings.Join(q, ",")
}
