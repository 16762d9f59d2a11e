package framework

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/onsi/ginkgo/v2"

	"github.com/smcct/smcct/reference"
	"github.com/smcct/smcct/rpc"
)

// Fixture credentials of the reference (fixtures/default.yaml).
var (
	FixtureDefault = Credentials{AccessKeyID: "smcct", Secret: "smcct-secret"}
	FixtureOther   = fixtureOther
)

// NewInProcess starts a fresh reference on a virtual clock behind a loopback listener and
// returns it as a target with every capability. This is the one place the suites touch the
// reference package; specs still reach it only over HTTP.
func NewInProcess(signer rpc.Signer) (*Target, error) {
	// Everything a recording could vary is fixed here: clients sign at one instant the
	// gateway also takes for "now", nonces come from the spec's text, and RequestIds from
	// the request. Recording the same run twice then gives the same cassettes.
	signedAt := reference.DefaultStart
	srv, err := reference.New(reference.Options{
		Wall:      func() time.Time { return signedAt },
		RequestID: requestIDs(),
		// Clients name the reference recordedHost (below), which is no loopback name.
		ControlHosts: []string{recordedHost},
	})
	if err != nil {
		return nil, fmt.Errorf("reference: %w", err)
	}
	h, ok := any(srv).(http.Handler)
	if !ok {
		_ = srv.Close()
		return nil, fmt.Errorf("reference: this build's Server does not serve HTTP yet")
	}
	ts := httptest.NewServer(h) // binds 127.0.0.1 only
	// Clients address the reference by a fixed name and every connection goes to the
	// listener, so that v3 signatures, which cover the host, do not change with the port.
	hc := loopbackClient(ts.Listener.Addr().String())
	t, err := NewEndpoint(context.Background(), EndpointConfig{
		URL: "http://" + recordedHost, Signer: signer, Default: FixtureDefault, Other: FixtureOther,
		HTTP: hc,
	})
	if err != nil {
		ts.Close()
		_ = srv.Close()
		return nil, err
	}
	t.Name = "reference (in-process)"
	t.Now = func() time.Time { return signedAt }
	t.Nonce = specNonces()
	t.OnClose(srv.Close)
	t.OnClose(func() error { hc.CloseIdleConnections(); return nil })
	t.OnClose(func() error { ts.Close(); return nil })
	if !t.Caps.Control {
		_ = t.Close()
		return nil, fmt.Errorf("reference: the control plane did not answer")
	}
	return t, nil
}

// specNonces returns SignatureNonces made from the running spec's text and how many the
// spec has used: unique within a run, the same in every run.
func specNonces() func() string {
	var mu sync.Mutex
	used := map[string]int{}
	return func() string {
		text := ginkgo.CurrentSpecReport().FullText()
		mu.Lock()
		n := used[text]
		used[text]++
		mu.Unlock()
		sum := sha256.Sum256([]byte(text + "#" + strconv.Itoa(n)))
		return hex.EncodeToString(sum[:16])
	}
}

// requestIDs returns RequestIds made from the request (method, query, what the gateway
// parsed, the signing headers but the signature) and how often that same request was
// seen, in the service's upper-case UUID form.
func requestIDs() func(*http.Request, *rpc.Call) string {
	var mu sync.Mutex
	seen := map[[sha256.Size]byte]int{}
	return func(r *http.Request, call *rpc.Call) string {
		h := sha256.New()
		fmt.Fprintf(h, "%s %s?%s\n", r.Method, r.URL.Path, r.URL.RawQuery)
		if call != nil {
			for _, p := range call.Params {
				fmt.Fprintf(h, "%q=%q\n", p.Name, p.Value)
			}
		}
		// Not the v3 signature itself: it covers the host, whose port changes every run.
		auth := r.Header.Get("Authorization")
		if a, err := rpc.ParseAuthorization(auth); err == nil {
			auth = a.Algorithm + " " + a.Credential + " " + strings.Join(a.SignedHeaders, ";")
		}
		fmt.Fprintf(h, "Authorization: %s\n", auth)
		for _, name := range []string{rpc.HeaderDate, rpc.HeaderNonce, rpc.HeaderAction} {
			fmt.Fprintf(h, "%s: %s\n", name, r.Header.Get(name))
		}
		var key [sha256.Size]byte
		h.Sum(key[:0])
		mu.Lock()
		n := seen[key]
		seen[key]++
		mu.Unlock()
		sum := sha256.Sum256(append(key[:], strconv.Itoa(n)...))
		x := strings.ToUpper(hex.EncodeToString(sum[:16]))
		return x[:8] + "-" + x[8:12] + "-" + x[12:16] + "-" + x[16:20] + "-" + x[20:]
	}
}

// loopbackClient is an HTTP client that connects to addr whatever host a URL names.
func loopbackClient(addr string) *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.Proxy = nil
	tr.DialContext = func(ctx context.Context, _, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "tcp", addr)
	}
	return &http.Client{Transport: tr, Timeout: 30 * time.Second}
}
