package reference

import (
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/smcct/smcct/rpc"
	"github.com/smcct/smcct/spec"
)

// ControlPrefix is where the control plane lives, off the public API.
const ControlPrefix = "/_smcct/"

// ServeHTTP is the request pipeline: gateway checks (signature, common parameters, the key's
// state and token) -> flow control -> contract validation -> RAM authorization -> account
// conditions -> injected faults -> preconditions and handler -> envelope.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, ControlPrefix) {
		s.serveControl(w, r)
		return
	}
	start := time.Now()
	release, ok := s.inflight.admit(r)
	if !ok {
		s.refuseBusy(w, r, start)
		return
	}
	defer release()
	call, e := s.serveRPC(w, r)
	s.logCall(r, call, e, time.Since(start))
	call.Release() // nothing of the request holds on to its parameter list
}

// refuseBusy answers a large request that would take the server past its in-flight budget,
// before a byte of its body is read.
func (s *Server) refuseBusy(w http.ResponseWriter, r *http.Request, start time.Time) {
	call := &rpc.Call{Format: rpc.JSON}
	e := s.fail(w, r, call, rpc.NewError(s.catalog.Gateway.Error("Throttling.Resource"), fmt.Sprintf(
		"large requests in flight already hold the %d MiB it allows them; retry when they are done", s.inflight.size>>20)))
	s.logCall(r, call, e, time.Since(start))
}

// serveControl guards every control-plane route at once, so that a route added to the mux
// later cannot be reached by a web page or through a foreign Host.
func (s *Server) serveControl(w http.ResponseWriter, r *http.Request) {
	if s.opts.NoControl {
		ctlError(w, http.StatusNotFound, "the control plane is off (smcct serve --control)")
		return
	}
	if ref := s.guard.Check(r); ref != nil {
		s.log.Warn("control request refused", "method", r.Method, "path", r.URL.Path,
			"status", ref.Status, "reason", ref.Message, "remote", r.RemoteAddr)
		ctlError(w, ref.Status, ref.Message)
		return
	}
	if !s.log.Enabled(r.Context(), slog.LevelDebug) {
		s.control.ServeHTTP(w, r)
		return
	}
	sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
	start := time.Now()
	s.control.ServeHTTP(sw, r)
	s.log.Debug("control", "method", r.Method, "path", r.URL.Path, "query", shorten(r.URL.RawQuery, 256),
		"status", sw.status, "took", time.Since(start))
}

// statusWriter remembers the status a handler wrote, for the debug log.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(status int) {
	w.status = status
	w.ResponseWriter.WriteHeader(status)
}

// serveRPC answers one API request and returns the call and the error it answered, if any.
func (s *Server) serveRPC(w http.ResponseWriter, r *http.Request) (*rpc.Call, *rpc.Error) {
	seq := s.violations.Seen()
	call, gerr := s.gateway.Admit(r)
	if gerr != nil {
		return call, s.fail(w, r, call, gerr)
	}
	caller, ok := s.store.ids.principalFor(call.AccessKeyID, call.SecurityToken)
	if !ok { // a key removed by a reset between the two lookups
		return call, s.fail(w, r, call, rpc.NewError(s.catalog.Gateway.Error("InvalidAccessKeyId.NotFound")))
	}
	if t := s.flow.admit(s.catalog.Gateway, caller, call.Action, s.clock.Now()); t != nil {
		if t.header != "" {
			w.Header().Set(t.header, t.headerValue)
		}
		return call, s.fail(w, r, call, t.err)
	}
	in, violations := call.Action.DecodeParams(call.Params)
	if e := s.judge(seq, call, violations); e != nil {
		return call, s.fail(w, r, call, e)
	}
	if e := s.authorize(caller, call, in, r); e != nil {
		return call, s.fail(w, r, call, e)
	}
	if e := s.accountConditions(caller, call, r); e != nil {
		return call, s.fail(w, r, call, e)
	}
	if e := s.faults.inject(r.Context(), call.Action); e != nil {
		return call, s.fail(w, r, call, e)
	}
	result, err := s.invokeAs(caller.acct.id, caller, call.Action, in)
	if err != nil {
		e, _ := rpc.AsError(err)
		return call, s.fail(w, r, call, e)
	}
	defer releaseResult(result) // the envelope copies the result into the body
	if err := rpc.WriteResult(w, call.Format, call.Action.Name, s.requestID(r, call), result); err != nil {
		return call, s.fail(w, r, call, s.internal(call.Action, err))
	}
	return call, nil
}

// judge records a request that broke the contract and decides how to answer it: the first
// error wins; warnings (unknown parameters) are only recorded unless the server is strict.
func (s *Server) judge(seq int, call *rpc.Call, vs []spec.Violation) *rpc.Error {
	if len(vs) == 0 {
		return nil
	}
	s.violations.Add(spec.Breach{Seq: seq, Time: time.Now().UTC(), Version: call.Product.Version,
		Action: call.Action.Name, Side: spec.SideRequest, Violations: vs}, call.Params)
	for _, v := range vs {
		if !v.Warning || s.opts.Strict {
			return &rpc.Error{Status: v.Status, Code: v.Code, Message: v.Message}
		}
	}
	return nil
}

// fail writes e in the call's format and returns what was written.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, call *rpc.Call, e *rpc.Error) *rpc.Error {
	if e == nil || e.Status < 400 || e.Status > 599 {
		e = s.internal(call.Action, fmt.Errorf("an error answer without an error status: %v", e))
	}
	if e.RequestID == "" {
		named := *e // handlers' errors are theirs: name the copy
		named.RequestID = s.requestID(r, call)
		e = &named
	}
	rpc.WriteError(w, call.Format, call.Host(), e)
	return e
}

// requestID names one answer: Options.RequestID's choice, or a fresh random UUID.
func (s *Server) requestID(r *http.Request, call *rpc.Call) string {
	if s.opts.RequestID != nil {
		return s.opts.RequestID(r, call)
	}
	return rpc.NewRequestID()
}

// logCall writes one line per API request: what every operator needs at info (the action,
// the status and error code, the time, whose key), and at debug what explains an answer
// (the request as the gateway read it, the error message).
func (s *Server) logCall(r *http.Request, call *rpc.Call, e *rpc.Error, took time.Duration) {
	status := http.StatusOK
	if e != nil {
		status = e.Status
	}
	ctx := r.Context()
	level := levelFor(status)
	if !s.log.Enabled(ctx, level) {
		return
	}
	action := ""
	if call.Action != nil {
		action = call.Action.Name
	}
	attrs := []slog.Attr{slog.String("action", action), slog.Int("status", status)}
	if e != nil {
		attrs = append(attrs, slog.String("code", e.Code))
	}
	attrs = append(attrs, slog.Duration("took", took), slog.String("accessKeyId", redactKey(call.AccessKeyID)))
	if s.log.Enabled(ctx, slog.LevelDebug) {
		attrs = append(attrs, debugAttrs(r, call, e)...)
	}
	s.log.LogAttrs(ctx, level, "rpc", attrs...)
}

// debugAttrs describe a request in detail: its method, client, signature version, format,
// product and parameters (credentials and signatures left out, long values cut), and the
// error's message and RequestId.
func debugAttrs(r *http.Request, call *rpc.Call, e *rpc.Error) []slog.Attr {
	attrs := []slog.Attr{slog.String("method", r.Method), slog.String("remote", r.RemoteAddr),
		slog.String("signer", call.Signer.String()), slog.String("format", string(call.Format))}
	if call.Product != nil {
		attrs = append(attrs, slog.String("version", call.Product.Version))
	}
	if ua := r.UserAgent(); ua != "" {
		attrs = append(attrs, slog.String("userAgent", shorten(ua, 120)))
	}
	var params strings.Builder
	for i, p := range call.Params {
		if i == 32 {
			fmt.Fprintf(&params, " ...(%d more)", len(call.Params)-i)
			break
		}
		if i > 0 {
			params.WriteByte(' ')
		}
		v := p.Value
		if logSecret[p.Name] {
			v = "(redacted)"
		}
		params.WriteString(shorten(p.Name, 64) + "=" + shorten(v, 64))
	}
	attrs = append(attrs, slog.String("params", params.String()))
	if e != nil {
		attrs = append(attrs, slog.String("message", shorten(e.Message, 512)), slog.String("requestId", e.RequestID))
	}
	return attrs
}

// logSecret are parameters whose values never reach a log.
var logSecret = map[string]bool{"Signature": true, "SecurityToken": true, "BearerToken": true}

// shorten bounds a client's text in a log line.
func shorten(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

func levelFor(status int) slog.Level {
	if status >= 500 {
		return slog.LevelError
	}
	return slog.LevelInfo
}

// redactKey keeps enough of an AccessKeyId to tell keys apart in logs, never the whole key.
func redactKey(id string) string {
	if len(id) <= 4 {
		return strings.Repeat("*", len(id))
	}
	return id[:4] + strings.Repeat("*", len(id)-4)
}
