package reference

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"
)

// This file holds the store operations behind the control plane: state dumps, seeding,
// forced states, export as fixtures, and reset.

// resolveAccount accepts an account ID, an AccessKeyId, or "" for the first fixture account.
func (s *Store) resolveAccount(ref string) (string, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if ref == "" {
		return s.defaultID, s.defaultID != ""
	}
	if _, ok := s.accounts[ref]; ok {
		return ref, true
	}
	return s.ids.accountOfKey(ref)
}

// dump returns one account's objects by kind, brought up to now.
func (s *Store) dump(accountID string, now time.Time) map[string]any {
	out := map[string]any{}
	_ = s.with(accountID, now, nil, func(a *Account) error {
		for _, d := range a.domains() {
			for k, v := range d.dump() {
				out[k] = v
			}
		}
		return nil
	})
	return roundTrip(out)
}

// roundTrip turns typed values into plain JSON values, so callers can search and re-encode
// them without sharing memory with the store.
func roundTrip(v map[string]any) map[string]any {
	b, err := json.Marshal(v)
	if err != nil {
		return map[string]any{"error": err.Error()}
	}
	var out map[string]any
	_ = json.Unmarshal(b, &out)
	return out
}

// knownKinds is every kind key the domains dump.
func knownKinds() map[string]bool {
	a := newAccount("", "")
	kinds := map[string]bool{}
	for _, d := range a.domains() {
		for k := range d.dump() {
			kinds[k] = true
		}
	}
	return kinds
}

// seedKinds adds objects (GET /_smcct/state shape) to one account.
func (s *Store) seedKinds(accountID string, kinds map[string]json.RawMessage, now time.Time) error {
	known := knownKinds()
	var unknown []string
	for k := range kinds {
		if !known[k] {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return fmt.Errorf("unknown kinds %s", strings.Join(unknown, ", "))
	}
	return s.with(accountID, now, &change{Now: now, Seed: kinds}, func(a *Account) error {
		return seedDomains(a, kinds, now)
	})
}

func seedDomains(a *Account, kinds map[string]json.RawMessage, now time.Time) error {
	for _, d := range a.domains() {
		if err := d.seed(kinds, now); err != nil {
			return err
		}
	}
	return nil
}

// force sets state fields of one object and returns the object as the state dump shows it.
func (s *Store) force(accountID, id string, fields map[string]string, now time.Time) (map[string]any, bool, error) {
	kind := ""
	err := s.with(accountID, now, &change{Now: now, Force: &forcedState{ID: id, Fields: fields}}, func(a *Account) (err error) {
		kind, err = forceDomains(a, id, fields)
		return err
	})
	if err != nil || kind == "" {
		return nil, kind != "", err
	}
	return findObject(s.dump(accountID, now), kind, id), true, nil
}

// forceDomains sets state fields of the object with this ID in whichever domain has it, and
// returns its kind ("" if none has it).
func forceDomains(a *Account, id string, fields map[string]string) (string, error) {
	for _, d := range a.domains() {
		if k, err := d.force(id, fields); k != "" || err != nil {
			return k, err
		}
	}
	return "", nil
}

// findObject returns the object of one dumped kind whose own ID is id. Only that kind's list
// is searched: a pair also carries its group's ID, a source its job's.
func findObject(dump map[string]any, kind, id string) map[string]any {
	items, _ := dump[kind].([]any)
	for _, it := range items {
		obj, _ := it.(map[string]any)
		for k, v := range obj {
			if strings.HasSuffix(k, "Id") && v == id && ownIDField(kind, k) {
				return obj
			}
		}
	}
	return map[string]any{"id": id}
}

// ownIDField tells a kind's own ID field from the IDs of objects it refers to: the field
// named after the kind ("replicaPairs" -> ReplicaPairId); jobs and sources use JobId and
// SourceId, tokens AccessTokenId.
func ownIDField(kind, field string) bool {
	switch kind {
	case "replicationJobs":
		return field == "JobId"
	case "sourceServers":
		return field == "SourceId"
	case "drills", "pairDrills":
		return field == "DrillId"
	}
	singular := strings.TrimSuffix(kind, "s")
	return strings.EqualFold(field, singular+"Id")
}

// export returns every account with its keys and objects, loadable as fixtures.
func (s *Store) export(regions []Region, now time.Time) *Fixtures {
	f := &Fixtures{Regions: regions}
	for _, id := range s.accountIDs() {
		af := AccountFixture{ID: id, State: s.dump(id, now)}
		s.mu.RLock()
		af.Name = s.accounts[id].Name
		s.mu.RUnlock()
		af.RAM, af.AccessKeys = s.ids.fixture(id)
		sort.Slice(af.AccessKeys, func(i, j int) bool { return af.AccessKeys[i].ID < af.AccessKeys[j].ID })
		f.Accounts = append(f.Accounts, af)
	}
	return f
}

func (s *Store) saveClock(now time.Time) error {
	if s.persist == nil {
		return nil
	}
	return s.persist.saveClock(now)
}

// seedAccount handles POST /_smcct/seed with a JSON body in the state-dump shape.
func (srv *Server) seedAccount(ref string, body []byte) error {
	id, ok := srv.store.resolveAccount(ref)
	if !ok {
		return fmt.Errorf("no such account %q", ref)
	}
	var kinds map[string]json.RawMessage
	if err := json.Unmarshal(body, &kinds); err != nil {
		return fmt.Errorf("body must be a JSON object of kinds: %w", err)
	}
	return srv.store.seedKinds(id, kinds, srv.clock.Now())
}

// seedFixtures handles POST /_smcct/seed with a fixtures YAML body: accounts are created or
// extended, their keys added, their objects seeded.
func (srv *Server) seedFixtures(body []byte) error {
	f, err := ParseFixtures(body)
	if err != nil {
		return err
	}
	now := srv.clock.Now()
	for _, af := range f.Accounts {
		if err := srv.store.ensureAccount(af); err != nil {
			return fmt.Errorf("account %s: %w", af.ID, err)
		}
		kinds, err := rawKinds(af.State)
		if err != nil {
			return err
		}
		if err := srv.store.seedKinds(af.ID, kinds, now); err != nil {
			return fmt.Errorf("account %s: %w", af.ID, err)
		}
	}
	return nil
}

func (s *Store) ensureAccount(af AccountFixture) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.accounts[af.ID]; !ok {
		s.accounts[af.ID] = newAccount(af.ID, af.Name)
	}
	return s.ids.addAccount(af)
}

// Reset brings the server back to its fixtures and clears faults and violations. The clock
// goes back too (every advance undone: a virtual clock to its start), so that a reset
// server answers as a fresh one would. Durable state is cleared too: a reset is an
// acknowledged write of the fixture state and time.
func (srv *Server) Reset() error {
	srv.clock.reset()
	fresh, err := srv.freshStore()
	if err != nil {
		return err
	}
	srv.store.mu.Lock()
	srv.store.ids.replace(fresh.ids)
	srv.store.accounts = fresh.accounts
	srv.store.defaultID = fresh.defaultID
	p := srv.store.persist
	if p != nil {
		if err = p.clear(); err == nil {
			for _, a := range srv.store.accounts {
				if err = p.save(a); err != nil {
					break
				}
			}
		}
		if err == nil {
			err = p.saveClock(srv.clock.Now())
		}
	}
	srv.store.mu.Unlock()
	srv.faults.clear()
	srv.violations.Clear()
	srv.flow.clear()
	return err
}
