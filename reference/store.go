package reference

import (
	"encoding/json"
	"fmt"
	"sort"
	"sync"
	"time"
)

// Stateful is an object whose state fields the contract's preconditions read.
type Stateful interface {
	// State returns the value of a state field (x-acs-objects states), or of a lifecycle
	// flag asked for as spec.FlagSubject+name ("true" or "false"); "" if it has none.
	State(field string) string
}

// domain is one product's share of an account's state. smcState and ebsState implement it;
// everything in it must round-trip through JSON (durable state, export/import).
type domain interface {
	// advance runs every lifecycle up to now. It must be idempotent for the same now.
	advance(now time.Time)
	// dump returns the objects by kind key ("replicationJobs"), with API field names.
	dump() map[string]any
	// seed adds or replaces objects given in the dump's shape, for the kinds it knows.
	seed(kinds map[string]json.RawMessage, now time.Time) error
	// lookup finds an object of a kind named in the spec's x-acs-objects.
	lookup(kind, id string) (Stateful, bool)
	// force overwrites state fields of the object with this ID and returns the dump key of
	// its kind ("replicationJobs"), or "" when the domain has no such object.
	force(id string, fields map[string]string) (kind string, err error)
}

// Account is everything one Alibaba account owns. Its fields are guarded by mu: writes and
// lifecycle steps hold it exclusively, reads of a settled account share it.
type Account struct {
	mu   sync.RWMutex
	ID   string    `json:"id"`
	Name string    `json:"name"`
	Seq  uint64    `json:"seq"` // feeds IDs, so that a replayed run mints the same ones
	SMC  *smcState `json:"smc"`
	EBS  *ebsState `json:"ebs"`
	// Idem remembers ClientToken calls: product|action|token -> the first call's outcome.
	Idem map[string]idemRecord `json:"idem,omitempty"`
	// Logged is the last journal entry the saved snapshot holds (persist.go).
	Logged uint64 `json:"logged,omitempty"`
	// settledAt is the business time the account was last advanced to, valid while settled:
	// only reads have run since. Advancing is idempotent for one time, and the clock moves
	// in whole seconds, so reads within a second skip the walk over every object.
	settledAt time.Time
	settled   bool
	// journalSeq numbers the account's journal entries; journalBytes and snapBytes size
	// the journal since the last snapshot and that snapshot, to tell when to take another.
	journalSeq              uint64
	journalBytes, snapBytes int
	// advancedTo is the latest time the account was advanced to.
	advancedTo time.Time
}

type idemRecord struct {
	Params string          `json:"params"` // canonical business parameters of the first call
	Result json.RawMessage `json:"result"`
}

func newAccount(id, name string) *Account {
	return &Account{ID: id, Name: name, SMC: newSMCState(), EBS: newEBSState(), Idem: map[string]idemRecord{}}
}

func (a *Account) domains() []domain { return []domain{a.SMC, a.EBS} }

func (a *Account) domain(product string) domain {
	if product == "ebs" {
		return a.EBS
	}
	return a.SMC
}

// NewID mints an ID with the service's prefix and 20 lower-case alphanumerics. IDs depend
// only on the account and a counter, so the same run always yields the same IDs.
func (a *Account) NewID(prefix string) string {
	a.Seq++
	const alphabet = "0123456789abcdefghijklmnopqrstuvwxyz"
	h := fnv64(a.ID) ^ (a.Seq * 0x9E3779B97F4A7C15)
	b := make([]byte, 20)
	for i := range b {
		h ^= h >> 29
		h *= 0xBF58476D1CE4E5B9
		h ^= h >> 32
		b[i] = alphabet[h%36]
	}
	return prefix + string(b)
}

func fnv64(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

// Store holds every account, each behind its own lock. Handlers run with their account
// locked and copy values out into their responses, so nothing outside sees a half-made
// change; calls on different accounts, and reads of one account, do not wait for each other.
type Store struct {
	// mu guards the accounts map and is held shared for the whole of every account
	// operation, so that a reset, which holds it exclusively, waits for those in flight.
	mu       sync.RWMutex
	accounts map[string]*Account // by account ID
	// ids are the accounts' keys, RAM users, roles and conditions, behind a lock of their
	// own so that the gateway never waits behind a handler.
	ids       *identities
	persist   *persister // nil unless --state
	defaultID string     // the first fixture account: the control plane's default
}

func newStore(ids *identities) *Store {
	return &Store{accounts: map[string]*Account{}, ids: ids}
}

// with runs fn on one account under its lock, after bringing its lifecycles up to now. w
// describes a write (nil for a read): when fn succeeds, the write is recorded in the state
// file, and with returns once it is on disk: an acknowledged write is a durable one. A read
// of an account already advanced to now (only reads ran since) shares the lock with other
// such reads.
func (s *Store) with(accountID string, now time.Time, w *change, fn func(*Account) error) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	a, ok := s.accounts[accountID]
	if !ok {
		return fmt.Errorf("no account %q", accountID)
	}
	if w == nil {
		a.mu.RLock()
		if a.settled && now.Equal(a.settledAt) {
			defer a.mu.RUnlock()
			return fn(a)
		}
		a.mu.RUnlock()
	}
	committed, err := s.apply(a, now, w, fn)
	if err != nil || committed == nil {
		return err
	}
	// Waited for without the account's lock, so that the writes after it join its commit.
	if err := <-committed; err != nil {
		return fmt.Errorf("save account %s: %w", a.ID, err)
	}
	return nil
}

// apply is with's exclusive part: advance, fn, and the write queued for the state file.
func (s *Store) apply(a *Account, now time.Time, w *change, fn func(*Account) error) (<-chan error, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if !a.settled || !now.Equal(a.settledAt) {
		for _, d := range a.domains() {
			d.advance(now)
		}
	}
	// Calls read the clock before they wait for the lock, so one may come in with a time
	// another has already advanced the account past.
	if now.After(a.advancedTo) {
		a.advancedTo = now
	}
	// A write, even a failed one, may leave changes a later advance must see.
	a.settled, a.settledAt = w == nil, now
	defer a.reindex()
	var entry []byte
	if w != nil && s.persist != nil {
		if a.advancedTo.After(w.Now) {
			w.At = a.advancedTo
		}
		var err error // encoded before fn, which could change its input
		if entry, err = w.encode(); err != nil {
			return nil, fmt.Errorf("encode a write to account %s: %w", a.ID, err)
		}
	}
	if err := fn(a); err != nil || entry == nil {
		return nil, err
	}
	return s.persist.record(a, entry)
}

// reindex rebuilds the indexes a change of the lists made stale; the account is locked
// exclusively.
func (a *Account) reindex() {
	a.SMC.reindex()
	if verifyIndexes {
		a.SMC.verifyIndexes()
	}
}

// verifyIndexes makes every reindex check the indexes against ones built from scratch;
// the package's tests turn it on, so that a list change that forgot to count itself fails.
var verifyIndexes = false

// accountIDs returns every account ID, sorted.
func (s *Store) accountIDs() []string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	ids := make([]string, 0, len(s.accounts))
	for id := range s.accounts {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}
