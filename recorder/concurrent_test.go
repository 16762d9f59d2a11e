package recorder

import (
	"fmt"
	"io"
	"net/http"
	"sync"
	"testing"
)

// TestReplayConcurrentClients runs one goroutine per distinct call, each replaying its
// polling loop through the HTTP replay server: every goroutine must see its rounds in
// recorded order, and no interaction may be served twice.
func TestReplayConcurrentClients(t *testing.T) {
	const distinct, repeat = 40, 15
	path := writeCassette(t, t.TempDir(), genInteractions(distinct, repeat))
	srv, rec := startReplay(t, path)
	var wg sync.WaitGroup
	errs := make(chan error, distinct*repeat)
	for d := 0; d < distinct; d++ {
		wg.Add(1)
		go func(d int) {
			defer wg.Done()
			for k := 0; k < repeat; k++ {
				r := liveRequest(d, k)
				r.URL.Host = srv.Listener.Addr().String()
				resp, err := srv.Client().Do(r)
				if err != nil {
					errs <- err
					return
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				want := fmt.Sprintf(`{"RequestId":"r","JobId":"j-%d","Round":%d}`, d, k)
				if resp.StatusCode != http.StatusOK || string(body) != want {
					errs <- fmt.Errorf("call %d round %d: HTTP %d %s, want %s", d, k, resp.StatusCode, body, want)
				}
			}
		}(d)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if err := rec.Stop(); err != nil {
		t.Errorf("all interactions were replayed, Stop says %v", err)
	}
}

// TestReplaySharedKeyRace has many goroutines compete for one key's queue through the
// Transport: each recorded round must go to exactly one of them.
func TestReplaySharedKeyRace(t *testing.T) {
	const repeat, workers = 200, 16
	path := writeCassette(t, t.TempDir(), genInteractions(1, repeat))
	rec, err := Open(path, Replay, nil)
	if err != nil {
		t.Fatal(err)
	}
	tr := rec.Transport()
	var mu sync.Mutex
	seen := map[string]int{}
	misses := 0
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < repeat/workers+2; i++ {
				resp, err := tr.RoundTrip(liveRequest(0, w*1000+i))
				mu.Lock()
				if err != nil {
					misses++
				} else {
					b, _ := io.ReadAll(resp.Body)
					seen[string(b)]++
				}
				mu.Unlock()
			}
		}(w)
	}
	wg.Wait()
	if len(seen) != repeat {
		t.Errorf("%d distinct rounds served, want %d", len(seen), repeat)
	}
	for body, n := range seen {
		if n != 1 {
			t.Errorf("%s served %d times", body, n)
		}
	}
	if want := workers*(repeat/workers+2) - repeat; misses != want {
		t.Errorf("%d misses, want %d (requests beyond the recording)", misses, want)
	}
}
