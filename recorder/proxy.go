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

	"github.com/smcct/smcct/guard"
	"github.com/smcct/smcct/rpc"
	"github.com/smcct/smcct/rpc/flat"
	"github.com/smcct/smcct/spec"
)

// ControlPrefix is the path prefix smcct keeps off the API for its own routes. The proxy
// answers requests under it itself and never forwards or records them.
const ControlPrefix = "/_smcct/"

// ViolationsPath is where the proxy reports contract violations seen so far, as JSON in
// the shape smcct serve uses (spec.BreachReport).
const ViolationsPath = ControlPrefix + "violations"

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

	// Log keeps the breaches; nil means a log of the default budget, made on first use.
	Log     *spec.BreachLog
	logOnce sync.Once
}

func (p *Proxy) log() *spec.BreachLog {
	p.logOnce.Do(func() {
		if p.Log == nil {
			p.Log = spec.NewBreachLog(0)
		}
	})
	return p.Log
}

// Report returns the breaches so far: the body of ViolationsPath, as smcct serve has it.
func (p *Proxy) Report() spec.BreachReport { return p.log().Report() }

func (p *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, ControlPrefix) {
		p.serveControl(w, r)
		return
	}
	c, err := CanonOf(r)
	if err != nil {
		writeReplayError(w, rpc.JSON, http.StatusBadRequest, "InvalidParameter.Format", err.Error())
		return
	}
	body, _ := readBody(r) // CanonOf read and restored it: this cannot fail now
	seq := p.log().Seen()
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

// serveControl answers the proxy's own routes, behind the same guard as the reference's
// control plane: GET and DELETE ViolationsPath. Any other /_smcct/ request is the
// upstream's control plane, which the proxy neither drives nor records as API traffic.
func (p *Proxy) serveControl(w http.ResponseWriter, r *http.Request) {
	if ref := guard.New(nil, "").Check(r); ref != nil {
		writeControlError(w, ref.Status, ref.Message)
		return
	}
	switch {
	case r.URL.Path == ViolationsPath && r.Method == http.MethodGet:
		w.Header().Set("Content-Type", "application/json")
		_ = p.log().WriteJSON(w) // a client gone away is not ours to report
	case r.URL.Path == ViolationsPath && r.Method == http.MethodDelete:
		p.log().Clear()
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"cleared": true}`+"\n")
	default:
		writeControlError(w, http.StatusNotFound, fmt.Sprintf(
			"%s %s: smcct record answers only GET and DELETE %s itself; it does not forward or record "+
				"control-plane requests, so drive the upstream's at %s%s directly",
			r.Method, r.URL.Path, ViolationsPath, p.Upstream.Redacted(), r.URL.Path))
	}
}

// writeControlError answers a control-plane request as the reference's control plane does.
func writeControlError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	data, _ := json.Marshal(map[string]string{"error": msg})
	_, _ = w.Write(append(data, '\n'))
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
	params, _ := url.ParseQuery(r.URL.RawQuery) // CanonOf parsed it already
	if isForm(r.Header.Get("Content-Type")) {
		form, _ := url.ParseQuery(string(body))
		for k, vs := range form {
			params[k] = append(params[k], vs...)
		}
	}
	var vs []spec.Violation
	if a, ok := p.Catalog.Lookup(c.Version, c.Action); ok {
		vs = a.Validate(params)
	} else {
		vs = []spec.Violation{{Rule: "action", Detail: "no such Action and Version in the contract"}}
	}
	if len(vs) > 0 {
		p.add(spec.Breach{Seq: seq, Version: c.Version, Action: c.Action, Side: spec.SideRequest, Violations: vs},
			flat.FromValues(params))
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
		p.add(spec.Breach{Seq: seq, Version: c.Version, Action: c.Action, Side: spec.SideResponse, Status: status,
			Violations: []spec.Violation{{Detail: fmt.Sprintf("HTTP %d: %v", status, err)}}}, nil)
	}
}

func (p *Proxy) add(b spec.Breach, params flat.Params) {
	b.Time = time.Now().UTC()
	for _, v := range b.Violations {
		p.logf("violation #%d %s %s %s: %s", b.Seq, b.Side, b.Action, v.Param, v.Detail)
	}
	p.log().Add(b, params)
}

func (p *Proxy) logf(format string, args ...any) {
	if p.Logf != nil {
		p.Logf(format, args...)
	}
}
