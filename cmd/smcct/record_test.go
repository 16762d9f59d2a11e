package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/smc"

	"github.com/smcct/smcct/guard"
	"github.com/smcct/smcct/reference"
	"github.com/smcct/smcct/spec"
)

// recordLog lets the test read what a command running in another goroutine wrote.
type recordLog struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *recordLog) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *recordLog) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// start runs a serving command until the returned stop is called; stop returns its error.
func start(t *testing.T, fn func(ctx context.Context, ready func(string)) error) (addr string, stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	addrc, errc := make(chan string, 1), make(chan error, 1)
	go func() { errc <- fn(ctx, func(a string) { addrc <- a }) }()
	select {
	case addr = <-addrc:
	case err := <-errc:
		cancel()
		t.Fatalf("command ended before serving: %v", err)
	}
	return addr, func() error { cancel(); return <-errc }
}

func describe(t *testing.T, addr, id, secret string) (*smc.DescribeSourceServersResponse, error) {
	t.Helper()
	c, err := smc.NewClientWithAccessKey("cn-hangzhou", id, secret)
	if err != nil {
		t.Fatal(err)
	}
	c.Domain = addr
	req := smc.CreateDescribeSourceServersRequest()
	req.Scheme = "http"
	req.PageSize = requests.NewInteger(10)
	return c.DescribeSourceServers(req)
}

// TestRecordThenReplayWithSDK records an official v1 SDK session against the reference
// through `smcct record`, then replays it to the same SDK through `smcct replay`.
func TestRecordThenReplayWithSDK(t *testing.T) {
	ref, err := reference.New(reference.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer ref.Close()
	up := httptest.NewServer(ref)
	defer up.Close()

	dir := t.TempDir()
	cas, report := filepath.Join(dir, "session.yaml"), filepath.Join(dir, "report.json")
	var out recordLog
	o := recordOptions{upstream: up.URL, cassette: cas, addr: "127.0.0.1:0", report: report}
	o.cred.AccessKeyID, o.cred.AccessKeySecret = "smcct", "smcct-secret" // fixtures/default.yaml
	addr, stop := start(t, func(ctx context.Context, ready func(string)) error {
		return runRecord(ctx, o, &out, ready)
	})
	recorded, err := describe(t, addr, "testid", "testsecret")
	if err != nil {
		t.Fatalf("SDK through smcct record: %v\n%s", err, out.String())
	}
	if recorded.TotalCount == 0 {
		t.Fatalf("the reference's default account has source servers; got none: %s", recorded.GetHttpContentString())
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(cas)
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"smcct-secret", "testsecret", "AccessKeyId=smcct&"} {
		if strings.Contains(string(data), bad) {
			t.Errorf("cassette holds %q", bad)
		}
	}
	if _, err := os.Stat(report); err != nil || !strings.Contains(out.String(), "saved 1 interactions") {
		t.Errorf("no report or summary (%v):\n%s", err, out.String())
	}

	raddr, rstop := start(t, func(ctx context.Context, ready func(string)) error {
		return runReplay(ctx, replayOptions{cassette: cas, addr: "127.0.0.1:0", strict: true}, &out, ready)
	})
	replayed, err := describe(t, raddr, "anyone", "anything")
	if err != nil {
		t.Fatalf("SDK through smcct replay: %v", err)
	}
	if replayed.GetHttpContentString() != recorded.GetHttpContentString() {
		t.Errorf("replayed %s\nrecorded %s", replayed.GetHttpContentString(), recorded.GetHttpContentString())
	}
	if err := rstop(); err != nil {
		t.Errorf("strict replay with every recording used: %v", err)
	}
}

func TestRecordReplayRejectBadFlags(t *testing.T) {
	cas := filepath.Join(t.TempDir(), "c.yaml")
	cred := recordOptions{upstream: "http://127.0.0.1:1", cassette: cas, addr: "127.0.0.1:0"}
	cred.cred.AccessKeyID, cred.cred.AccessKeySecret = "id", "secret"
	cases := []struct {
		name   string
		run    func() error
		want   string
		reason string
	}{
		{"public-addr", func() error {
			o := cred
			o.addr = "0.0.0.0:0"
			return runRecord(context.Background(), o, &bytes.Buffer{}, nil)
		},
			"loopback", "nothing smcct serves may leave the machine"},
		{"no-upstream", func() error {
			o := cred
			o.upstream = "smc.aliyuncs.com"
			return runRecord(context.Background(), o, &bytes.Buffer{}, nil)
		},
			"--upstream", "an upstream without a scheme is ambiguous"},
		{"no-credentials", func() error {
			o := cred
			o.cred.AccessKeySecret = ""
			return runRecord(context.Background(), o, &bytes.Buffer{}, nil)
		},
			"credentials", "recording cannot sign without a secret"},
		{"bad-cassette-name", func() error {
			o := cred
			o.cassette = "c.json"
			return runRecord(context.Background(), o, &bytes.Buffer{}, nil)
		},
			".yaml", "cassettes follow go-vcr's naming"},
		{"replay-missing", func() error {
			return runReplay(context.Background(), replayOptions{cassette: cas, addr: "127.0.0.1:0"}, &bytes.Buffer{}, nil)
		}, "no such file", "replay needs a recording"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.run()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want one mentioning %q (%s)", err, tc.want, tc.reason)
			}
		})
	}
}

// A recording session writes to an upstream on this machine freely; anywhere else it needs
// --allow-writes.
func TestIsLoopbackHost(t *testing.T) {
	cases := []struct {
		host   string
		want   bool
		reason string
	}{
		{"127.0.0.1", true, "IPv4 loopback"},
		{"127.0.0.2", true, "the whole 127/8 is loopback"},
		{"::1", true, "IPv6 loopback"},
		{"localhost", true, "the loopback name"},
		{"smc.aliyuncs.com", false, "the real service"},
		{"10.0.0.1", false, "a private address is still another machine"},
		{"", false, "no host"},
	}
	for _, tc := range cases {
		if got := guard.IsLoopbackHost(tc.host); got != tc.want {
			t.Errorf("IsLoopbackHost(%q) = %v: %s", tc.host, got, tc.reason)
		}
	}
}

// TestRecordKeepsControlRequestsOffTheRecord: a /_smcct/ request sent to the recording
// proxy is answered by the proxy itself, never forwarded, recorded or counted as a contract
// violation, so that a strict replay of the session still passes; and the proxy's
// /_smcct/violations has the reference's shape.
func TestRecordKeepsControlRequestsOffTheRecord(t *testing.T) {
	ref, err := reference.New(reference.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer ref.Close()
	up := httptest.NewServer(ref)
	defer up.Close()
	cas := filepath.Join(t.TempDir(), "session.yaml")
	var out recordLog
	o := recordOptions{upstream: up.URL, cassette: cas, addr: "127.0.0.1:0"}
	o.cred.AccessKeyID, o.cred.AccessKeySecret = "smcct", "smcct-secret"
	addr, stop := start(t, func(ctx context.Context, ready func(string)) error {
		return runRecord(ctx, o, &out, ready)
	})
	if _, err := describe(t, addr, "testid", "testsecret"); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		method, path string
		status       int
		reason       string
	}{
		{"POST", "/_smcct/reset", 404, "the upstream's control plane is not the proxy's to drive"},
		{"GET", "/_smcct/state", 404, "nor to read through the proxy"},
		{"GET", "/_smcct/violations", 200, "the proxy's own report"},
	} {
		req, _ := http.NewRequest(tc.method, "http://"+addr+tc.path, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.status || !json.Valid(body) {
			t.Errorf("%s %s: %d %s, want %d and JSON: %s", tc.method, tc.path, resp.StatusCode, body, tc.status, tc.reason)
		}
		if tc.status == 200 {
			var rep spec.BreachReport
			if err := json.Unmarshal(body, &rep); err != nil || rep.Requests != 1 || len(rep.Violations) != 0 {
				t.Errorf("proxy report %s: want 1 request and no violation (%v)", body, err)
			}
			assertSameKeys(t, body, serveViolations(t))
		}
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "saved 1 interactions") || strings.Contains(out.String(), "violation #") {
		t.Fatalf("the control requests were recorded or judged:\n%s", out.String())
	}
	raddr, rstop := start(t, func(ctx context.Context, ready func(string)) error {
		return runReplay(ctx, replayOptions{cassette: cas, addr: "127.0.0.1:0", strict: true}, io.Discard, ready)
	})
	if _, err := describe(t, raddr, "anyone", "anything"); err != nil {
		t.Fatal(err)
	}
	if err := rstop(); err != nil {
		t.Fatalf("strict replay of the session: %v", err)
	}
}

// serveViolations is GET /_smcct/violations of a reference that saw one bad request.
func serveViolations(t *testing.T) []byte {
	t.Helper()
	ref, err := reference.New(reference.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer ref.Close()
	ts := httptest.NewServer(ref)
	defer ts.Close()
	resp, err := http.Get(ts.URL + "/_smcct/violations")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return body
}

// assertSameKeys checks two JSON objects have the same top-level keys and value kinds.
func assertSameKeys(t *testing.T, a, b []byte) {
	t.Helper()
	var ma, mb map[string]any
	if json.Unmarshal(a, &ma) != nil || json.Unmarshal(b, &mb) != nil {
		t.Fatalf("not both JSON objects:\n%s\n%s", a, b)
	}
	for k, v := range ma {
		if w, ok := mb[k]; !ok || fmt.Sprintf("%T", v) != fmt.Sprintf("%T", w) && w != nil && v != nil {
			t.Errorf("key %q: %T vs %T", k, v, mb[k])
		}
	}
	if len(ma) != len(mb) {
		t.Errorf("keys differ:\n%s\n%s", a, b)
	}
}

// TestReplayLogsToStderr: like serve, replay announces itself on stdout and logs on stderr,
// so a script can read the one and keep the other.
func TestReplayLogsToStderr(t *testing.T) {
	cas := filepath.Join(t.TempDir(), "empty.yaml")
	if err := os.WriteFile(cas, []byte("---\nversion: 2\ninteractions: []\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(binary(t), "replay", "--cassette", cas, "--addr", "127.0.0.1:0")
	var stdout, stderr syncBuffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	var addr string
	for deadline := time.Now().Add(10 * time.Second); addr == "" && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if _, a, ok := strings.Cut(stdout.String(), " on http://"); ok {
			addr = strings.TrimSpace(a)
		}
	}
	if addr == "" {
		t.Fatalf("no banner on stdout: %q / %q", stdout.String(), stderr.String())
	}
	resp, err := http.Get("http://" + addr + "/?Action=DescribeSourceServers&Version=2019-06-01")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	_ = cmd.Process.Signal(syscall.SIGTERM)
	_ = cmd.Wait()
	if !strings.Contains(stderr.String(), "recorder: no recorded interaction") || strings.Contains(stdout.String(), "no recorded interaction") {
		t.Fatalf("the miss was not logged on stderr alone:\nstdout %s\nstderr %s", stdout.String(), stderr.String())
	}
}
