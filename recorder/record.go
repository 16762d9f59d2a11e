package recorder

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"gopkg.in/dnaeon/go-vcr.v3/cassette"
)

// maxResponse bounds a recorded response body. SMC and EBS answers are small; a larger
// body means the upstream is not the API we think it is.
const maxResponse = 16 << 20

// record forwards req upstream and keeps the redacted exchange. The caller gets the
// upstream's response untouched: redaction only changes what is written.
func (r *Recorder) record(req *http.Request) (*http.Response, error) {
	body, err := readBody(req)
	if err != nil {
		return nil, err
	}
	resp, err := r.upstream.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	respBody, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse+1))
	if err != nil {
		return nil, fmt.Errorf("recorder: reading upstream response to %s: %w", req.URL.Redacted(), err)
	}
	if len(respBody) > maxResponse {
		return nil, fmt.Errorf("recorder: upstream response to %s exceeds %d bytes", req.URL.Redacted(), maxResponse)
	}
	in := capture(req, body, resp, respBody)
	Redact(in, r.secrets...)
	if r.edit != nil {
		req.Body = io.NopCloser(bytes.NewReader(body)) // the upstream consumed the first one
		r.edit(req, in)
	}
	r.mu.Lock()
	if r.stopped {
		r.mu.Unlock()
		return nil, fmt.Errorf("recorder: %s is stopped", r.path)
	}
	in.ID = len(r.taken)
	r.taken = append(r.taken, in)
	r.mu.Unlock()

	out := *resp
	out.Header = resp.Header.Clone()
	out.Body = io.NopCloser(bytes.NewReader(respBody))
	out.ContentLength = int64(len(respBody))
	return &out, nil
}

// capture builds an interaction from copies of the live request and response, so that
// redaction never reaches what the caller still holds. Duration and RemoteAddr are left
// zero: they change on every recording and would only add noise to cassette diffs.
func capture(req *http.Request, body []byte, resp *http.Response, respBody []byte) *cassette.Interaction {
	var form url.Values
	if isForm(req.Header.Get("Content-Type")) {
		form, _ = url.ParseQuery(string(body)) // an unparsable body is still kept verbatim
	}
	host := req.Host
	if host == "" {
		host = req.URL.Host
	}
	return &cassette.Interaction{
		Request: cassette.Request{
			Proto: req.Proto, ProtoMajor: req.ProtoMajor, ProtoMinor: req.ProtoMinor,
			ContentLength: int64(len(body)),
			Host:          host,
			RequestURI:    req.URL.RequestURI(),
			Body:          string(body),
			Form:          form,
			Headers:       req.Header.Clone(),
			URL:           req.URL.String(),
			Method:        req.Method,
		},
		Response: cassette.Response{
			Proto: resp.Proto, ProtoMajor: resp.ProtoMajor, ProtoMinor: resp.ProtoMinor,
			ContentLength: int64(len(respBody)),
			Body:          string(respBody),
			Headers:       resp.Header.Clone(),
			Status:        resp.Status,
			Code:          resp.StatusCode,
		},
	}
}

// responseOf rebuilds a response from a recording. Headers are copied: callers may mutate
// them, and the interaction is shared by every replay of a polling loop.
func responseOf(in *cassette.Interaction, req *http.Request) *http.Response {
	rs := &in.Response
	h := rs.Headers.Clone()
	if h == nil {
		h = http.Header{}
	}
	h.Del("Content-Length")
	h.Del("Transfer-Encoding")
	status := rs.Status
	if status == "" {
		status = fmt.Sprintf("%d %s", rs.Code, http.StatusText(rs.Code))
	}
	return &http.Response{
		Status: status, StatusCode: rs.Code,
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header:        h,
		Body:          io.NopCloser(strings.NewReader(rs.Body)),
		ContentLength: int64(len(rs.Body)),
		Request:       req,
	}
}

// save writes interactions as a go-vcr cassette (format version 2) with go-vcr's own writer, to a temporary
// file renamed into place: an interrupted save never leaves half a cassette.
func save(path string, inters []*cassette.Interaction) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("recorder: saving %s: %w", path, err)
	}
	tmp, err := os.CreateTemp(dir, ".cassette-*.yaml")
	if err != nil {
		return fmt.Errorf("recorder: saving %s: %w", path, err)
	}
	tmpName := tmp.Name()
	_ = tmp.Close()
	_ = os.Chmod(tmpName, 0o644) // CreateTemp's 0600 would surprise whoever reads cassettes
	c := cassette.New(strings.TrimSuffix(tmpName, ".yaml"))
	for _, in := range inters {
		c.AddInteraction(in)
	}
	if err := c.Save(); err != nil {
		_ = os.Remove(tmpName)
		return fmt.Errorf("recorder: saving %s: %w", path, err)
	}
	if err := os.Rename(tmpName, path); err != nil {
		_ = os.Remove(tmpName)
		return fmt.Errorf("recorder: saving %s: %w", path, err)
	}
	return nil
}
