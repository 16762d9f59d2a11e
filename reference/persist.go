package reference

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
)

// persister keeps accounts in a bbolt file: for each account a snapshot (the account as
// JSON) and a journal of the writes acknowledged since, each entry enough to apply its write
// again (journal.go). A write costs its own entry, not the account: the snapshot is retaken
// only once the journal has outgrown it, so filling an account stays linear.
//
// Every change goes through one commit loop, which writes all the changes waiting for it in
// one fsynced transaction (group commit): 64 writers share an fsync instead of queueing for
// 64 of them. A change is queued with its account locked, so an account's changes are
// written in the order they were applied, and an acknowledged write never depends on one
// that is lost: a commit holds a prefix of the queue.
//
// A write is visible to other calls once applied, before its commit; only its own answer
// waits for the commit. A caller who saw it and acted on it and was acknowledged has its
// write committed after it, hence with it.
type persister struct {
	db *bolt.DB

	mu     sync.Mutex
	queue  []commitOp
	wake   chan struct{} // one pending wake-up is enough: the loop takes the whole queue
	closed bool
	done   chan struct{}
}

// commitOp is one queued change: what it puts in the transaction, and who waits for it.
type commitOp struct {
	apply func(tx *bolt.Tx) error
	done  chan error
}

var (
	bucketAccounts = []byte("accounts") // account ID -> snapshot
	bucketJournal  = []byte("journal")  // account ID -> bucket of seq (big endian) -> entry
	bucketMeta     = []byte("meta")
	keyClock       = []byte("clock")
)

// minJournalBytes lets a small account's journal grow to this before a new snapshot, so that
// writes to it are not snapshots every other time.
const minJournalBytes = 64 << 10

var errClosed = errors.New("state file closed")

// stateNoSync skips fsync: the package's tests keep every reference they make on a state file
// (to check its journal), and what they check is the content, not the disk.
var stateNoSync = false

func openPersister(path string) (*persister, error) {
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: 2 * time.Second})
	if err != nil {
		return nil, fmt.Errorf("open state %s: %w", path, err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bucketAccounts, bucketJournal, bucketMeta} {
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
	db.NoSync = stateNoSync
	p := &persister{db: db, wake: make(chan struct{}, 1), done: make(chan struct{})}
	go p.loop()
	return p, nil
}

// loop commits whatever is queued, in one transaction, until close.
func (p *persister) loop() {
	defer close(p.done)
	for {
		_, open := <-p.wake
		p.mu.Lock()
		ops := p.queue
		p.queue = nil
		p.mu.Unlock()
		if len(ops) > 0 {
			err := p.db.Update(func(tx *bolt.Tx) error {
				for _, op := range ops {
					if err := op.apply(tx); err != nil {
						return err
					}
				}
				return nil
			})
			for _, op := range ops {
				op.done <- err
			}
		}
		if !open {
			return
		}
	}
}

// submit queues a change; the channel answers once it is on disk (or failed to be).
func (p *persister) submit(apply func(tx *bolt.Tx) error) <-chan error {
	op := commitOp{apply: apply, done: make(chan error, 1)}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		op.done <- errClosed
		return op.done
	}
	p.queue = append(p.queue, op)
	select {
	case p.wake <- struct{}{}:
	default: // a wake-up is pending: the loop will find this op too
	}
	return op.done
}

// record queues what a successful write did to the account: its journal entry (the
// encoded change), or a new
// snapshot when the journal has outgrown the last one (or there is none yet). Call it with
// the account locked exclusively.
func (p *persister) record(a *Account, entry []byte) (<-chan error, error) {
	a.journalSeq++
	if a.snapBytes > 0 && a.journalBytes <= max(a.snapBytes, minJournalBytes) {
		a.journalBytes += len(entry)
		id, key := []byte(a.ID), binary.BigEndian.AppendUint64(nil, a.journalSeq)
		return p.submit(func(tx *bolt.Tx) error {
			b, err := tx.Bucket(bucketJournal).CreateBucketIfNotExists(id)
			if err != nil {
				return err
			}
			return b.Put(key, entry)
		}), nil
	}
	return p.snapshot(a)
}

// snapshot queues the whole account, which replaces its journal. The account is locked.
func (p *persister) snapshot(a *Account) (<-chan error, error) {
	a.Logged = a.journalSeq
	data, err := json.Marshal(a)
	if err != nil {
		return nil, fmt.Errorf("encode account %s: %w", a.ID, err)
	}
	a.snapBytes, a.journalBytes = len(data), 0
	id := []byte(a.ID)
	return p.submit(func(tx *bolt.Tx) error {
		if err := tx.Bucket(bucketAccounts).Put(id, data); err != nil {
			return err
		}
		if err := tx.Bucket(bucketJournal).DeleteBucket(id); err != nil && !errors.Is(err, bolt.ErrBucketNotFound) {
			return err
		}
		return nil
	}), nil
}

// save writes the whole account and waits for it (reset).
func (p *persister) save(a *Account) error {
	done, err := p.snapshot(a)
	if err != nil {
		return err
	}
	return <-done
}

// saved is one account as the file holds it: its snapshot and the journal entries after it,
// in order.
type saved struct {
	account *Account
	journal []journalEntry
}

type journalEntry struct {
	seq  uint64
	data []byte
}

// load returns every saved account; none for a new file.
func (p *persister) load() (map[string]*saved, error) {
	out := map[string]*saved{}
	err := p.db.View(func(tx *bolt.Tx) error {
		err := tx.Bucket(bucketAccounts).ForEach(func(k, v []byte) error {
			a := newAccount(string(k), "")
			if err := json.Unmarshal(v, a); err != nil {
				return fmt.Errorf("decode account %s: %w", k, err)
			}
			if a.Idem == nil {
				a.Idem = map[string]idemRecord{}
			}
			a.journalSeq, a.snapBytes = a.Logged, len(v)
			out[a.ID] = &saved{account: a}
			return nil
		})
		if err != nil {
			return err
		}
		return tx.Bucket(bucketJournal).ForEachBucket(func(k []byte) error {
			sv, ok := out[string(k)]
			if !ok {
				return fmt.Errorf("journal of account %s, which has no snapshot", k)
			}
			return tx.Bucket(bucketJournal).Bucket(k).ForEach(func(key, v []byte) error {
				seq := binary.BigEndian.Uint64(key)
				if seq <= sv.account.Logged {
					return nil // the snapshot holds it
				}
				sv.journal = append(sv.journal, journalEntry{seq: seq, data: append([]byte(nil), v...)})
				return nil
			})
		})
	})
	return out, err
}

func (p *persister) saveClock(t time.Time) error {
	v := []byte(t.UTC().Format(time.RFC3339Nano))
	return <-p.submit(func(tx *bolt.Tx) error { return tx.Bucket(bucketMeta).Put(keyClock, v) })
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

// clear removes every saved account and journal (control-plane reset).
func (p *persister) clear() error {
	return <-p.submit(func(tx *bolt.Tx) error {
		for _, name := range [][]byte{bucketAccounts, bucketJournal} {
			if err := tx.DeleteBucket(name); err != nil {
				return err
			}
			if _, err := tx.CreateBucket(name); err != nil {
				return err
			}
		}
		return nil
	})
}

// close commits what is queued and closes the file.
func (p *persister) close() error {
	p.mu.Lock()
	if !p.closed {
		p.closed = true
		close(p.wake)
	}
	p.mu.Unlock()
	<-p.done
	return p.db.Close()
}
