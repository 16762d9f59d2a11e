package reference

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"testing"
)

// Every test of the package checks, at each unlock of an account, that the indexes agree
// with indexes built from scratch; and the references most tests make keep durable state,
// whose journal must rebuild them when the test ends (journaledServer).
func init() {
	verifyIndexes = true
	stateNoSync = true
}

// journaledServer is a reference keeping durable state in a temporary file. When the test
// ends, a second reference opens the file: the snapshots and journals in it must rebuild
// every account exactly as the test left it, at the same business time.
func journaledServer(t *testing.T) *Server {
	t.Helper()
	path := filepath.Join(t.TempDir(), "state.db")
	clock := NewVirtualClock(DefaultStart)
	srv, err := New(Options{StatePath: path, Clock: clock})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() {
		if srv.store.persist == nil { // the test changed state behind the handlers' back
			return
		}
		want := exportJSON(t, srv)
		if err := srv.Close(); err != nil {
			t.Errorf("close: %v", err)
			return
		}
		again, err := New(Options{StatePath: path, Clock: clock})
		if err != nil {
			t.Errorf("reopening the state file: %v", err)
			return
		}
		defer again.Close()
		if got := exportJSON(t, again); !bytes.Equal(got, want) {
			at := 0
			for at < min(len(got), len(want)) && got[at] == want[at] {
				at++
			}
			lo := max(0, at-300)
			t.Errorf("state rebuilt from the journal differs at byte %d:\nrebuilt %s\n   live %s",
				at, got[lo:min(len(got), at+200)], want[lo:min(len(want), at+200)])
		}
	})
	return srv
}

// unjournaled marks a test that changes state directly, which no journal can know of.
func unjournaled(srv *Server) {
	_ = srv.store.persist.close()
	srv.store.persist = nil
}

// exportJSON is the server's state as export shows it, then as the state file would hold it
// (ID counters, idempotency records, lifecycle internals), both at the same business time.
func exportJSON(t *testing.T, srv *Server) []byte {
	t.Helper()
	b, err := json.Marshal(srv.store.export(nil, srv.clock.Now()))
	if err != nil {
		t.Fatal(err)
	}
	internal, err := json.Marshal(srv.store.accounts)
	if err != nil {
		t.Fatal(err)
	}
	return append(append(b, '\n'), internal...)
}
