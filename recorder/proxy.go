package recorder

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/smcct/smcct/rpc"
	"github.com/smcct/smcct/spec"
)

// ViolationsPath is where the proxy reports contract violations seen so far, as JSON.
// It sits under the prefix the reference reserves for its control plane, off the API.
const ViolationsPath = "/_smcct/violations"

// Proxy is the recording proxy: any client, signing v1 or v3 with any credentials, talks to
// it; it signs each request again with Cred in the same signature version, forwards it to
// Upstream through Recorder (which keeps the redacted exchange), returns the upstream's
// answer, and checks request and response against the contract.
type Proxy struct {
	Recorder *Recorder // opened in Record mode
	Upstream *url.URL
	Cred     Credentials
	// Catalog is the contract requests and responses are checked against; nil disables checks.
	Catalog *spec.Catalog
	// Logf receives one line per violation and per failed forward; nil discards them.
	Logf func(format string, args ...any)
	// Now is the clock for the fresh timestamps; nil means time.Now.
	Now func() time.Time
	// ReadOnly refuses write actions (CodeWriteRefused, 403) before they reach Upstream,
	// so that recording against the real service creates and deletes nothing unless
	// asked to. See IsWrite for what counts as a write.
	ReadOnly bool

	mu       sync.Mutex
	requests int
	found    []Finding
}

// Finding is one contract violation seen by the proxy.
type Finding struct {
	Seq     int    `json:"seq"` // 1-based request number through the proxy
	Version string `json:"version"`
	Action  string `json:"action"`
	// Side is "request" (the client broke the contract) or "response" (the upstream did).
	Side    string `json:"side"`
	Param   string `json:"param,omitempty"`
	Rule    string `json:"rule,omitempty"`
	Warning bool   `json:"warning,omitempty"`
	Detail  string `json:"detail"`
}

// Report is what ViolationsPath serves and `smcct record` prints on exit.
type Report struct {
	Requests   int       `json:"requests"`
	Violations []Finding `json:"violations"`
}

// Report returns a copy of the findings so far.
func (p *Proxy) Report() Report {
	p.mu.Lock()
	defer p.mu.Unlock()
	return Report{Requests: p.requests, Violations: append([]Finding{}, p.found...)}
}

func (p *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == ViolationsPath {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(p.Report())
		return
	}
	c, err := CanonOf(r)
	if err != nil {
		writeReplayError(w, rpc.JSON, http.StatusBadRequest, "InvalidParameter.Format", err.Error())
		return
	}
	body, _ := readBody(r) // CanonOf read and restored it: this cannot fail now
	p.mu.Lock()
	p.requests++
	seq := p.requests
	p.mu.Unlock()
	p.checkRequest(seq, c, r, body)
	if p.ReadOnly && !c.Control && IsWrite(p.Catalog, c.Version, c.Action) {
		p.logf("refused %s: a write, and the proxy is read-only", c)
		writeReplayError(w, formatOf(c), http.StatusForbidden, CodeWriteRefused,
			fmt.Sprintf("%s %s may change %s; the proxy is read-only (smcct record --allow-writes forwards writes)",
				c.Action, c.Version, p.Upstream.Redacted()))
		return
	}

	now := time.Now
	if p.Now != nil {
		now = p.Now
	}
	out, err := resign(r.Context(), r, body, p.Upstream, p.Cred, now())
	if err != nil {
		writeReplayError(w, formatOf(c), http.StatusBadRequest, "Smcct.Proxy.BadRequest",
			fmt.Sprintf("cannot forward %s: %v", c, err))
		return
	}
	resp, err := p.Recorder.Transport().RoundTrip(out)
	if err != nil {
		p.logf("forwarding %s: %v", c, err)
		writeReplayError(w, formatOf(c), http.StatusBadGateway, "Smcct.Proxy.UpstreamError",
			fmt.Sprintf("upstream %s did not answer %s: %v", p.Upstream.Redacted(), c, err))
		return
	}
	defer resp.Body.Close()
	respBody, _ := io.ReadAll(resp.Body) // the recorder hands back an in-memory body
	p.checkResponse(seq, c, resp.StatusCode, respBody)

	h := w.Header()
	for k, vs := range resp.Header {
		h[k] = append([]string(nil), vs...)
	}
	for _, k := range hopHeaders {
		h.Del(k)
	}
	h.Set("Content-Length", fmt.Sprint(len(respBody)))
	w.WriteHeader(resp.StatusCode)
	_, _ = w.Write(respBody)
}

// CodeWriteRefused is the error a read-only proxy answers a write action with.
const CodeWriteRefused = "Smcct.Proxy.WriteRefused"

// readPrefixes start the names of Alibaba's read actions, by the API's naming convention.
var readPrefixes = []string{"Describe", "List", "Get", "Query"}

// IsWrite reports whether an action may change the upstream's state: what the contract
// says (x-acs-operation) for an action it knows; for one it does not know, or with no
// catalog, everything whose name does not start like a read (Describe, List, Get, Query).
// Guessing "write" for an unknown name errs on the side of the upstream's resources.
func IsWrite(cat *spec.Catalog, version, action string) bool {
	if cat != nil {
		if a, ok := cat.Lookup(version, action); ok {
			return a.Write
		}
	}
	for _, prefix := range readPrefixes {
		if strings.HasPrefix(action, prefix) {
			return false
		}
	}
	return true
}

// checkRequest validates the client's parameters as sent, common ones included (the
// contract skips those it does not declare).
func (p *Proxy) checkRequest(seq int, c Canon, r *http.Request, body []byte) {
	if p.Catalog == nil {
		return
	}
	a, ok := p.Catalog.Lookup(c.Version, c.Action)
	if !ok {
		p.add(Finding{Seq: seq, Version: c.Version, Action: c.Action, Side: "request",
			Detail: "no such Action and Version in the contract"})
		return
	}
	params, _ := url.ParseQuery(r.URL.RawQuery) // CanonOf parsed it already
	if isForm(r.Header.Get("Content-Type")) {
		form, _ := url.ParseQuery(string(body))
		for k, vs := range form {
			params[k] = append(params[k], vs...)
		}
	}
	for _, v := range a.Validate(params) {
		p.add(Finding{Seq: seq, Version: c.Version, Action: c.Action, Side: "request",
			Param: v.Param, Rule: v.Rule, Warning: v.Warning, Detail: v.Error()})
	}
}

// checkResponse validates a JSON answer; XML answers are forwarded unchecked, as the
// contract's response schemas describe JSON.
func (p *Proxy) checkResponse(seq int, c Canon, status int, body []byte) {
	if p.Catalog == nil {
		return
	}
	a, ok := p.Catalog.Lookup(c.Version, c.Action)
	if !ok {
		return
	}
	var err error
	switch {
	case formatOf(c) == rpc.JSON:
		err = a.CheckResponse(status, body)
	case status == http.StatusOK: // XML errors carry only the envelope, checked by clients
		err = a.CheckXMLResponse(body)
	}
	if err != nil {
		p.add(Finding{Seq: seq, Version: c.Version, Action: c.Action, Side: "response",
			Detail: fmt.Sprintf("HTTP %d: %v", status, err)})
	}
}

func (p *Proxy) add(f Finding) {
	p.mu.Lock()
	p.found = append(p.found, f)
	p.mu.Unlock()
	p.logf("violation #%d %s %s %s: %s", f.Seq, f.Side, f.Action, f.Param, f.Detail)
}

func (p *Proxy) logf(format string, args ...any) {
	if p.Logf != nil {
		p.Logf(format, args...)
	}
}
