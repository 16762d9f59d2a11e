package reference

import (
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// persister keeps accounts in a bbolt file. Each acknowledged write saves the whole account
// in one fsynced transaction: accounts are small (a quota of 1,000 jobs), and a whole-object
// snapshot cannot be half-applied after a kill -9.
type persister struct {
	db *bolt.DB
}

var (
	bucketAccounts = []byte("accounts")
	bucketMeta     = []byte("meta")
	keyClock       = []byte("clock")
)

func openPersister(path string) (*persister, error) {
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: 2 * time.Second})
	if err != nil {
		return nil, fmt.Errorf("open state %s: %w", path, err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bucketAccounts, bucketMeta} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		db.Close()
		return nil, err
	}
	return &persister{db: db}, nil
}

func (p *persister) save(a *Account) error {
	data, err := json.Marshal(a)
	if err != nil {
		return fmt.Errorf("encode account %s: %w", a.ID, err)
	}
	return p.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketAccounts).Put([]byte(a.ID), data)
	})
}

// load returns every saved account; an empty map for a new file.
func (p *persister) load() (map[string]*Account, error) {
	out := map[string]*Account{}
	err := p.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketAccounts).ForEach(func(k, v []byte) error {
			a := newAccount(string(k), "")
			if err := json.Unmarshal(v, a); err != nil {
				return fmt.Errorf("decode account %s: %w", k, err)
			}
			if a.Idem == nil {
				a.Idem = map[string]idemRecord{}
			}
			out[a.ID] = a
			return nil
		})
	})
	return out, err
}

func (p *persister) saveClock(t time.Time) error {
	return p.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketMeta).Put(keyClock, []byte(t.UTC().Format(time.RFC3339Nano)))
	})
}

func (p *persister) loadClock() (time.Time, bool) {
	var t time.Time
	_ = p.db.View(func(tx *bolt.Tx) error {
		if v := tx.Bucket(bucketMeta).Get(keyClock); v != nil {
			t, _ = time.Parse(time.RFC3339Nano, string(v))
		}
		return nil
	})
	return t, !t.IsZero()
}

// clear removes every saved account (control-plane reset).
func (p *persister) clear() error {
	return p.db.Update(func(tx *bolt.Tx) error {
		if err := tx.DeleteBucket(bucketAccounts); err != nil {
			return err
		}
		_, err := tx.CreateBucket(bucketAccounts)
		return err
	})
}

func (p *persister) close() error { return p.db.Close() }
