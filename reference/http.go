package reference

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/smcct/smcct/rpc"
	"github.com/smcct/smcct/spec"
)

// ControlPrefix is where the control plane lives, off the public API.
const ControlPrefix = "/_smcct/"

// ServeHTTP is the request pipeline: gateway checks (signature, common parameters) ->
// contract validation -> injected faults -> preconditions and handler -> envelope.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, ControlPrefix) {
		s.serveControl(w, r)
		return
	}
	start := time.Now()
	call, status := s.serveRPC(w, r)
	s.logCall(call, status, time.Since(start))
	call.Release() // nothing of the request holds on to its parameter list
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
	s.control.ServeHTTP(w, r)
}

func (s *Server) serveRPC(w http.ResponseWriter, r *http.Request) (*rpc.Call, int) {
	seq := s.violations.Seen()
	call, gerr := s.gateway.Admit(r)
	if gerr != nil {
		return call, s.fail(w, r, call, gerr)
	}
	accountID, ok := s.store.accountFor(call.AccessKeyID)
	if !ok { // a key removed by a reset between the two lookups
		return call, s.fail(w, r, call, rpc.NewError(s.catalog.Gateway.Error("InvalidAccessKeyId.NotFound")))
	}
	in, violations := call.Action.DecodeParams(call.Params)
	if e := s.judge(seq, call, violations); e != nil {
		return call, s.fail(w, r, call, e)
	}
	if e := s.faults.inject(r.Context(), call.Action); e != nil {
		return call, s.fail(w, r, call, e)
	}
	result, err := s.invoke(accountID, call.Action, in)
	if err != nil {
		e, _ := rpc.AsError(err)
		return call, s.fail(w, r, call, e)
	}
	defer releaseResult(result) // the envelope copies the result into the body
	if err := rpc.WriteResult(w, call.Format, call.Action.Name, s.requestID(r, call), result); err != nil {
		return call, s.fail(w, r, call, s.internal(call.Action, err))
	}
	return call, http.StatusOK
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

func (s *Server) fail(w http.ResponseWriter, r *http.Request, call *rpc.Call, e *rpc.Error) int {
	if e != nil && e.RequestID == "" {
		named := *e // handlers' errors are theirs: name the copy
		named.RequestID = s.requestID(r, call)
		e = &named
	}
	rpc.WriteError(w, call.Format, call.Host(), e)
	if e == nil || e.Status < 400 || e.Status > 599 {
		return http.StatusInternalServerError
	}
	return e.Status
}

// requestID names one answer: Options.RequestID's choice, or a fresh random UUID.
func (s *Server) requestID(r *http.Request, call *rpc.Call) string {
	if s.opts.RequestID != nil {
		return s.opts.RequestID(r, call)
	}
	return rpc.NewRequestID()
}

func (s *Server) logCall(call *rpc.Call, status int, took time.Duration) {
	if !s.log.Enabled(context.Background(), levelFor(status)) {
		return
	}
	action := ""
	if call != nil && call.Action != nil {
		action = call.Action.Name
	}
	s.log.Log(context.Background(), levelFor(status), "rpc",
		"action", action, "status", status, "took", took,
		"accessKeyId", redactKey(call.AccessKeyID))
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
