package reference

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/smcct/smcct/guard"
)

// newControl registers every control-plane route on one screen. The control plane is for
// tests in any language: it seeds objects, forces states, moves the clock, injects faults and
// shows what the server saw. It is JSON over HTTP and never part of the public API.
func (s *Server) newControl() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /_smcct/clock", s.ctlClock)
	mux.HandleFunc("POST /_smcct/clock/advance", s.ctlAdvance)
	mux.HandleFunc("POST /_smcct/reset", s.ctlReset)
	mux.HandleFunc("GET /_smcct/state", s.ctlState)
	mux.HandleFunc("GET /_smcct/export", s.ctlExport)
	mux.HandleFunc("POST /_smcct/seed", s.ctlSeed)
	mux.HandleFunc("PUT /_smcct/objects/{id}/state", s.ctlForce)
	mux.HandleFunc("GET /_smcct/faults", s.ctlFaults)
	mux.HandleFunc("POST /_smcct/faults", s.ctlAddFault)
	mux.HandleFunc("DELETE /_smcct/faults", s.ctlClearFaults)
	mux.HandleFunc("GET /_smcct/violations", s.ctlViolations)
	mux.HandleFunc("DELETE /_smcct/violations", s.ctlClearViolations)
	mux.HandleFunc("GET /_smcct/iam", s.ctlIAM)
	mux.HandleFunc("POST /_smcct/iam/users", s.ctlPutUser)
	mux.HandleFunc("DELETE /_smcct/iam/users/{name}", s.ctlDeleteUser)
	mux.HandleFunc("POST /_smcct/iam/roles", s.ctlPutRole)
	mux.HandleFunc("DELETE /_smcct/iam/roles/{name}", s.ctlDeleteRole)
	mux.HandleFunc("POST /_smcct/iam/policies", s.ctlPutPolicy)
	mux.HandleFunc("DELETE /_smcct/iam/policies/{name}", s.ctlDeletePolicy)
	mux.HandleFunc("PUT /_smcct/iam/keys/{id}", s.ctlKeyStatus)
	mux.HandleFunc("PUT /_smcct/iam/flags", s.ctlFlags)
	mux.HandleFunc("GET /_smcct/flow-control", s.ctlLimits)
	mux.HandleFunc("POST /_smcct/flow-control", s.ctlAddLimit)
	mux.HandleFunc("DELETE /_smcct/flow-control", s.ctlClearLimits)
	mux.HandleFunc("DELETE /_smcct/flow-control/{id}", s.ctlDeleteLimit)
	return mux
}

const maxControlBody = 8 << 20

func (s *Server) ctlClock(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"now": s.clock.Now(), "virtual": s.clock.Virtual()})
}

func (s *Server) ctlAdvance(w http.ResponseWriter, r *http.Request) {
	d, err := time.ParseDuration(r.URL.Query().Get("by"))
	if err != nil || d < 0 {
		ctlError(w, http.StatusBadRequest, "by must be a non-negative Go duration such as 90m or 24h")
		return
	}
	now := s.clock.Advance(d)
	if err := s.store.saveClock(now); err != nil {
		ctlError(w, http.StatusInternalServerError, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"now": now})
}

func (s *Server) ctlReset(w http.ResponseWriter, r *http.Request) {
	if err := s.Reset(); err != nil {
		ctlError(w, http.StatusInternalServerError, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"reset": true, "now": s.clock.Now()})
}

func (s *Server) ctlState(w http.ResponseWriter, r *http.Request) {
	id, ok := s.store.resolveAccount(r.URL.Query().Get("account"))
	if !ok {
		ctlError(w, http.StatusNotFound, "no such account")
		return
	}
	writeJSON(w, http.StatusOK, s.store.dump(id, s.clock.Now()))
}

func (s *Server) ctlExport(w http.ResponseWriter, r *http.Request) {
	f := s.store.export(s.fixtures.Regions, s.clock.Now())
	f.SystemPolicies = s.fixtures.SystemPolicies
	w.Header().Set("Content-Type", "application/yaml")
	_ = yaml.NewEncoder(w).Encode(f)
}

func (s *Server) ctlSeed(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxControlBody))
	if err != nil {
		ctlError(w, http.StatusRequestEntityTooLarge, "seed body over 8 MiB")
		return
	}
	// The guard let only JSON and YAML through; the label decides the parser, never the
	// body's look, so that nothing is parsed as what it was not declared to be.
	if guard.MediaType(r) == guard.YAML {
		err = s.seedFixtures(body)
	} else {
		err = s.seedAccount(r.URL.Query().Get("account"), body)
	}
	if err != nil {
		ctlError(w, http.StatusBadRequest, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"seeded": true})
}

func (s *Server) ctlForce(w http.ResponseWriter, r *http.Request) {
	if !needJSON(w, r) {
		return
	}
	var fields map[string]string
	if err := json.NewDecoder(io.LimitReader(r.Body, maxControlBody)).Decode(&fields); err != nil || len(fields) == 0 {
		ctlError(w, http.StatusBadRequest, `body must be a JSON object of state fields, e.g. {"Status":"InError"}`)
		return
	}
	acct, ok := s.store.resolveAccount(r.URL.Query().Get("account"))
	if !ok {
		ctlError(w, http.StatusNotFound, "no such account")
		return
	}
	obj, found, err := s.store.force(acct, r.PathValue("id"), fields, s.clock.Now())
	switch {
	case err != nil:
		ctlError(w, http.StatusBadRequest, err.Error())
	case !found:
		ctlError(w, http.StatusNotFound, fmt.Sprintf("no object %q in account %s", r.PathValue("id"), acct))
	default:
		writeJSON(w, http.StatusOK, obj)
	}
}

func (s *Server) ctlFaults(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, s.faults.list())
}

func (s *Server) ctlAddFault(w http.ResponseWriter, r *http.Request) {
	if !needJSON(w, r) {
		return
	}
	var f Fault
	if err := json.NewDecoder(io.LimitReader(r.Body, maxControlBody)).Decode(&f); err != nil {
		ctlError(w, http.StatusBadRequest, "body must be a fault object: "+err.Error())
		return
	}
	added, err := s.faults.add(f)
	if err != nil {
		ctlError(w, http.StatusBadRequest, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, added)
}

func (s *Server) ctlClearFaults(w http.ResponseWriter, r *http.Request) {
	s.faults.clear()
	writeJSON(w, http.StatusOK, map[string]any{"cleared": true})
}

func (s *Server) ctlViolations(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	_ = s.violations.WriteJSON(w) // a client gone away is not ours to report
}

func (s *Server) ctlClearViolations(w http.ResponseWriter, r *http.Request) {
	s.violations.Clear()
	writeJSON(w, http.StatusOK, map[string]any{"cleared": true})
}

// needJSON refuses a body that is not labelled JSON on a route that parses only JSON.
func needJSON(w http.ResponseWriter, r *http.Request) bool {
	if guard.MediaType(r) != guard.JSON {
		ctlError(w, http.StatusUnsupportedMediaType, "this route takes a body of Content-Type "+guard.JSON)
		return false
	}
	return true
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

func ctlError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}
