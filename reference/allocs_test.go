//go:build !race

package reference

import (
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/smcct/smcct/rpc"
)

// The account's own keys are the hot path: RAM, flow control and account conditions must
// cost them nothing (no allocation) beyond the key lookup the gateway always made. The race
// detector allocates on its own account, hence the build tag; `make test` runs this file
// without it (the allocs target).
func TestRootCallerAllocations(t *testing.T) {
	srv, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	a, _ := srv.catalog.Lookup("2019-06-01", "StopReplicationJob")
	call := &rpc.Call{Action: a, AccessKeyID: "smcct", Params: nil}
	in := map[string]any{"JobId": "j-1"}
	r := httptest.NewRequest("POST", "/?"+url.Values{}.Encode(), nil)
	now := time.Now()
	got := testing.AllocsPerRun(500, func() {
		if s, refusal := srv.store.ids.credentials("smcct", "", now); s == "" || refusal != "" {
			t.Fatal("the account's key was refused")
		}
		p, ok := srv.store.ids.principalFor("smcct", "")
		if !ok {
			t.Fatal("no principal")
		}
		if srv.flow.admit(srv.catalog.Gateway, p, a, now) != nil || srv.authorize(p, call, in, r) != nil || srv.accountConditions(p, call, r) != nil {
			t.Fatal("the account was refused")
		}
	})
	if got != 0 {
		t.Errorf("%.0f allocations per request for the account's own key, want 0", got)
	}
}
