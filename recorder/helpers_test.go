package recorder

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strconv"
	"sync"
	"testing"

	"github.com/smcct/smcct/rpc"
	"github.com/smcct/smcct/spec"
)

// Upstream credentials the proxy signs with, and the unrelated ones clients use.
const (
	upID, upSecret         = "LTAI5tUpstreamKey0001", "upstream-secret-0001"
	clientID, clientSecret = "testid", "testsecret"
)

// fakeUpstream is a stand-in for the real service: the real gateway checks (so a wrong
// re-signature fails loudly) and a per-action counter in the answer, so replay order shows.
type fakeUpstream struct {
	gw     *rpc.Gateway
	mu     sync.Mutex
	counts map[string]int
}

func newFakeUpstream(t *testing.T) *httptest.Server {
	t.Helper()
	f := &fakeUpstream{counts: map[string]int{}, gw: &rpc.Gateway{
		Catalog: spec.MustDefault(),
		Secrets: func(id string) (string, bool) { return upSecret, id == upID },
		Nonces:  rpc.NewNonceCache(0),
	}}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return srv
}

func (f *fakeUpstream) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	call, e := f.gw.Admit(r)
	if e != nil {
		rpc.WriteError(w, call.Format, call.Host(), e)
		return
	}
	pageSize, _ := strconv.Atoi(call.Params.Get("PageSize")) // the contract's check is not the fake's job
	f.mu.Lock()
	n := f.counts[call.Action.Name]
	f.counts[call.Action.Name]++
	f.mu.Unlock()
	_ = rpc.WriteResult(w, call.Format, call.Action.Name, rpc.NewRequestID(),
		map[string]any{"Seen": n, "PageSize": pageSize})
}

// startProxy runs a recording proxy to upstream on 127.0.0.1.
func startProxy(t *testing.T, upstream, cassettePath string) (*httptest.Server, *Proxy, *Recorder) {
	t.Helper()
	rec, err := Open(cassettePath, Record, nil, WithSecrets(upID, upSecret))
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(upstream)
	if err != nil {
		t.Fatal(err)
	}
	p := &Proxy{Recorder: rec, Upstream: u, Catalog: spec.MustDefault(),
		Cred: Credentials{AccessKeyID: upID, AccessKeySecret: upSecret}, Logf: t.Logf}
	srv := httptest.NewServer(p)
	t.Cleanup(srv.Close)
	return srv, p, rec
}

// startReplay serves a cassette (file or directory) on 127.0.0.1.
func startReplay(t *testing.T, path string) (*httptest.Server, *Recorder) {
	t.Helper()
	rec, err := Open(path, Replay, nil)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(rec.Handler(t.Logf))
	t.Cleanup(srv.Close)
	return srv, rec
}

func client(t *testing.T, endpoint string, cfg rpc.Config) *rpc.Client {
	t.Helper()
	cfg.Endpoint = endpoint
	if cfg.AccessKeyID == "" {
		cfg.AccessKeyID, cfg.AccessKeySecret = clientID, clientSecret
	}
	c, err := rpc.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func call(t *testing.T, c *rpc.Client, action string, params url.Values) *rpc.Response {
	t.Helper()
	resp, err := c.Call(context.Background(), "2019-06-01", action, params)
	if resp == nil {
		t.Fatalf("%s: no response: %v", action, err)
	}
	return resp
}

func tempCassette(t *testing.T) string {
	return filepath.Join(t.TempDir(), "c", fmt.Sprintf("%s.yaml", Slug(t.Name())))
}
