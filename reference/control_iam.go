package reference

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// The control plane's RAM and flow-control routes (registered in newControl): identities,
// account conditions and limits change at run time, for one account (?account=, default
// the first fixture account).

// decodeBody reads a JSON body strictly into v, answering 400 on anything else.
func decodeBody(w http.ResponseWriter, r *http.Request, v any, shape string) bool {
	dec := json.NewDecoder(io.LimitReader(r.Body, maxControlBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		ctlError(w, http.StatusBadRequest, "body must be "+shape+": "+err.Error())
		return false
	}
	return true
}

// ctlAccountIAM resolves ?account= to the account's RAM, answering 404 when there is none.
func (s *Server) ctlAccountIAM(w http.ResponseWriter, r *http.Request) (*accountIAM, bool) {
	id, ok := s.store.resolveAccount(r.URL.Query().Get("account"))
	if ok {
		s.store.ids.mu.RLock()
		a, found := s.store.ids.accounts[id]
		s.store.ids.mu.RUnlock()
		if found {
			return a, true
		}
	}
	ctlError(w, http.StatusNotFound, "no such account")
	return nil, false
}

// ctlIAM answers the account's RAM in the fixtures shape, with its own keys.
func (s *Server) ctlIAM(w http.ResponseWriter, r *http.Request) {
	a, ok := s.ctlAccountIAM(w, r)
	if !ok {
		return
	}
	f, keys := s.store.ids.fixture(a.id)
	if f == nil {
		f = &RAMFixture{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"account": a.id, "accessKeys": keys, "ram": f, "flags": a.flagMap()})
}

// ctlChange runs one change of an account's RAM under the write lock and answers it.
func (s *Server) ctlChange(w http.ResponseWriter, r *http.Request, change func(ids *identities, a *accountIAM) (any, error)) {
	a, ok := s.ctlAccountIAM(w, r)
	if !ok {
		return
	}
	ids := s.store.ids
	ids.mu.Lock()
	out, err := change(ids, a)
	ids.mu.Unlock()
	var nf notFound
	switch {
	case errors.As(err, &nf):
		ctlError(w, http.StatusNotFound, fmt.Sprintf("no %s %q in account %s", string(nf), r.PathValue("name"), a.id))
	case err != nil:
		ctlError(w, http.StatusBadRequest, err.Error())
	default:
		writeJSON(w, http.StatusOK, out)
	}
}

// notFound names the kind of thing a change did not find.
type notFound string

func (n notFound) Error() string { return "no such " + string(n) }

func (s *Server) ctlPutUser(w http.ResponseWriter, r *http.Request) {
	var u UserFixture
	if !decodeBody(w, r, &u, `a user: {"name","accessKeys":[{"id","secret","status"}],"policies":[names],"inlinePolicies":[documents]}`) {
		return
	}
	s.ctlChange(w, r, func(ids *identities, a *accountIAM) (any, error) { return u, ids.putUser(a, u) })
}

func (s *Server) ctlDeleteUser(w http.ResponseWriter, r *http.Request) {
	s.ctlChange(w, r, func(ids *identities, a *accountIAM) (any, error) {
		if !ids.deleteUser(a, r.PathValue("name")) {
			return nil, notFound("user")
		}
		return map[string]any{"deleted": r.PathValue("name")}, nil
	})
}

func (s *Server) ctlPutRole(w http.ResponseWriter, r *http.Request) {
	var rf RoleFixture
	if !decodeBody(w, r, &rf, `a role: {"name","trust":document,"policies":[names],"inlinePolicies":[documents],"maxSessionDuration":seconds}`) {
		return
	}
	s.ctlChange(w, r, func(ids *identities, a *accountIAM) (any, error) { return rf, ids.putRole(a, rf) })
}

func (s *Server) ctlDeleteRole(w http.ResponseWriter, r *http.Request) {
	s.ctlChange(w, r, func(ids *identities, a *accountIAM) (any, error) {
		key := strings.ToLower(r.PathValue("name"))
		if _, ok := a.roles[key]; !ok {
			return nil, notFound("role")
		}
		delete(a.roles, key)
		return map[string]any{"deleted": r.PathValue("name")}, nil
	})
}

func (s *Server) ctlPutPolicy(w http.ResponseWriter, r *http.Request) {
	var pf PolicyFixture
	if !decodeBody(w, r, &pf, `a policy: {"name","document"}`) {
		return
	}
	s.ctlChange(w, r, func(ids *identities, a *accountIAM) (any, error) { return pf, ids.putPolicy(a, pf) })
}

// ctlDeletePolicy refuses to delete a policy that is still attached, as RAM does.
func (s *Server) ctlDeletePolicy(w http.ResponseWriter, r *http.Request) {
	s.ctlChange(w, r, func(ids *identities, a *accountIAM) (any, error) {
		key := strings.ToLower(r.PathValue("name"))
		if _, ok := a.policies[key]; !ok {
			return nil, notFound("policy")
		}
		if who := a.attachedTo(key); who != "" {
			return nil, fmt.Errorf("policy %s is attached to %s: detach it first", r.PathValue("name"), who)
		}
		delete(a.policies, key)
		return map[string]any{"deleted": r.PathValue("name")}, nil
	})
}

func (a *accountIAM) attachedTo(policy string) string {
	for _, u := range a.users {
		for _, n := range u.fixture.Policies {
			if strings.EqualFold(n, policy) {
				return "user " + u.fixture.Name
			}
		}
	}
	for _, r := range a.roles {
		for _, n := range r.fixture.Policies {
			if strings.EqualFold(n, policy) {
				return "role " + r.fixture.Name
			}
		}
	}
	return ""
}

func (s *Server) ctlKeyStatus(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Status string `json:"status"`
	}
	if !decodeBody(w, r, &body, `{"status":"Active"|"Inactive"}`) {
		return
	}
	found, err := s.store.ids.setKeyStatus(r.PathValue("id"), body.Status)
	switch {
	case err != nil:
		ctlError(w, http.StatusBadRequest, err.Error())
	case !found:
		ctlError(w, http.StatusNotFound, fmt.Sprintf("no AccessKey %q", r.PathValue("id")))
	default:
		writeJSON(w, http.StatusOK, map[string]string{"id": r.PathValue("id"), "status": body.Status})
	}
}

// ctlFlags sets or clears account conditions; conditions the body does not name stay.
func (s *Server) ctlFlags(w http.ResponseWriter, r *http.Request) {
	var flags map[string]bool
	if !decodeBody(w, r, &flags, `an object of account conditions, e.g. {"arrears":true}`) {
		return
	}
	a, ok := s.ctlAccountIAM(w, r)
	if !ok {
		return
	}
	if err := a.setFlags(flags); err != nil {
		ctlError(w, http.StatusBadRequest, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, a.flagMap())
}

func (s *Server) ctlLimits(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, s.flow.list())
}

func (s *Server) ctlAddLimit(w http.ResponseWriter, r *http.Request) {
	var l Limit
	if !decodeBody(w, r, &l, `a limit: {"scope":"api"|"user"|"service","account","action","user","product","calls","per"}`) {
		return
	}
	if l.Account != "" {
		id, ok := s.store.resolveAccount(l.Account)
		if !ok {
			ctlError(w, http.StatusNotFound, "no such account")
			return
		}
		l.Account = id
	}
	defaultID, _ := s.store.resolveAccount("")
	added, err := s.flow.add(l, defaultID)
	if err != nil {
		ctlError(w, http.StatusBadRequest, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, added)
}

func (s *Server) ctlClearLimits(w http.ResponseWriter, r *http.Request) {
	s.flow.clear()
	writeJSON(w, http.StatusOK, map[string]any{"cleared": true})
}

func (s *Server) ctlDeleteLimit(w http.ResponseWriter, r *http.Request) {
	if !s.flow.remove(r.PathValue("id")) {
		ctlError(w, http.StatusNotFound, fmt.Sprintf("no limit %q", r.PathValue("id")))
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"deleted": r.PathValue("id")})
}
