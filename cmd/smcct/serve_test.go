package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/smcct/smcct/reference"
	"github.com/spf13/cobra"
)

// Signals and exit codes belong to a process, so these tests run the built binary.

// binary builds the command into the test's temporary directory, removed with it; the
// build cache makes this a link step after the first time.
func binary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "smcct")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// server is one `smcct serve` subprocess.
type server struct {
	cmd    *exec.Cmd
	banner []string
	addr   string
	stderr *syncBuffer
	exited chan error
}

type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// serve starts the binary on a kernel-chosen loopback port and reads the whole banner (it
// ends with the v2 SDK hint line). The process is killed at cleanup if still running.
func serve(t *testing.T, bin string, args ...string) *server {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	s := &server{cmd: cmd, stderr: &syncBuffer{}, exited: make(chan error, 1)}
	cmd.Stderr = s.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); <-s.exited; s.exited <- nil })
	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
		s.exited <- cmd.Wait()
	}()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("serve exited before its banner; stderr: %s", s.stderr)
			}
			s.banner = append(s.banner, l)
			if a, ok := strings.CutPrefix(l, "smcct reference listening on http://"); ok {
				s.addr = a
			}
			if strings.Contains(l, "v2 SDKs:") {
				go func() { // keep draining so a chatty server never blocks on stdout
					for range lines {
					}
				}()
				return s
			}
		case <-deadline:
			t.Fatalf("no banner after 10s; stderr: %s", s.stderr)
		}
	}
}

func (s *server) get(t *testing.T, path string) (int, map[string]any) {
	t.Helper()
	resp, err := http.Get("http://" + s.addr + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var v map[string]any
	_ = json.Unmarshal(body, &v)
	return resp.StatusCode, v
}

func (s *server) signal(t *testing.T, sig syscall.Signal) error {
	t.Helper()
	if err := s.cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-s.exited:
		s.exited <- err
		return err
	case <-time.After(10 * time.Second):
		t.Fatalf("still running 10s after %v", sig)
		return nil
	}
}

func TestServeBannerNamesURLAndCredentials(t *testing.T) {
	s := serve(t, binary(t), "--clock", "virtual")
	text := strings.Join(s.banner, "\n")
	for _, want := range []string{
		"http://" + s.addr,
		"AccessKeyId smcct / secret smcct-secret",
		"smcct-other / smcct-other-secret",
		"http://" + s.addr + "/_smcct/",
		`client.Domain = "` + s.addr + `"`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("banner lacks %q:\n%s", want, text)
		}
	}
	if !strings.HasPrefix(s.addr, "127.0.0.1:") || strings.HasSuffix(s.addr, ":0") {
		t.Errorf("banner address %q is not the bound loopback port", s.addr)
	}
}

func TestServeControlPlaneSwitch(t *testing.T) {
	cases := []struct {
		name   string
		args   []string
		status int
		reason string
	}{
		{"default on loopback", nil, 200, "loopback serve offers the control plane by default"},
		{"turned off", []string{"--control=false"}, 404, "--control=false hides every /_smcct/ route"},
	}
	bin := binary(t)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := serve(t, bin, tc.args...)
			if got, _ := s.get(t, "/_smcct/clock"); got != tc.status {
				t.Fatalf("GET /_smcct/clock answered %d, want %d: %s", got, tc.status, tc.reason)
			}
			hasLine := strings.Contains(strings.Join(s.banner, "\n"), "control:")
			if hasLine != (tc.status == 200) {
				t.Errorf("banner control line present=%v, control served=%v", hasLine, tc.status == 200)
			}
		})
	}
}

func TestServeClockModes(t *testing.T) {
	bin := binary(t)
	virtual := serve(t, bin, "--clock", "virtual")
	_, v := virtual.get(t, "/_smcct/clock")
	if v["virtual"] != true || v["now"] != reference.DefaultStart.Format(time.RFC3339) {
		t.Errorf("--clock virtual: %v, want virtual at %s", v, reference.DefaultStart.Format(time.RFC3339))
	}
	wall := serve(t, bin, "--clock", "real")
	_, r := wall.get(t, "/_smcct/clock")
	now, err := time.Parse(time.RFC3339, fmt.Sprint(r["now"]))
	if r["virtual"] != false || err != nil || time.Since(now).Abs() > time.Minute {
		t.Errorf("--clock real: %v, want wall time near %s", r, time.Now().UTC().Format(time.RFC3339))
	}
}

func TestServeStopsCleanlyOnSignals(t *testing.T) {
	bin := binary(t)
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		t.Run(sig.String(), func(t *testing.T) {
			s := serve(t, bin, "--log-level", "info")
			if err := s.signal(t, sig); err != nil {
				t.Fatalf("exit after %v: %v, want status 0; stderr %s", sig, err, s.stderr)
			}
			if !strings.Contains(s.stderr.String(), "stopped") {
				t.Errorf("no shutdown log line after %v: %s", sig, s.stderr)
			}
		})
	}
}

func TestServeRejectsBadFlags(t *testing.T) {
	cases := []struct {
		args   []string
		want   string
		reason string
	}{
		{[]string{"--clock", "sundial"}, "--clock must be real or virtual", "an unknown clock mode is named"},
		{[]string{"--log-level", "loud"}, "--log-level", "an unknown log level is named"},
		{[]string{"--fixtures", "/nonexistent/fixtures.yaml"}, "no such file", "a missing fixtures file is reported"},
		{[]string{"--addr", "127.0.0.1:notaport"}, "notaport", "an unusable address is reported"},
	}
	bin := binary(t)
	for _, tc := range cases {
		t.Run(tc.args[0], func(t *testing.T) {
			cmd := exec.Command(bin, append([]string{"serve"}, tc.args...)...)
			out, err := cmd.CombinedOutput()
			ee, ok := err.(*exec.ExitError)
			if !ok || ee.ExitCode() != 2 || !strings.Contains(string(out), tc.want) {
				t.Fatalf("%v: exit %v, output %q; want status 2 mentioning %q (%s)", tc.args, err, out, tc.want, tc.reason)
			}
		})
	}
}

// TestServeOptionsKeepControlOffTheNetwork checks the decision without binding a public
// address: a non-loopback address needs confirming, and there the control plane, which
// rewrites state, is on only when asked for by name and behind a token.
func TestServeOptionsKeepControlOffTheNetwork(t *testing.T) {
	cases := []struct {
		addr                 string
		control, set, remote bool
		token                string
		noControl            bool
		err                  string
		reason               string
	}{
		{"127.0.0.1:8080", true, false, false, "", false, "", "IPv4 loopback"},
		{"[::1]:8080", true, false, false, "", false, "", "IPv6 loopback"},
		{"localhost:8080", true, false, false, "", false, "", "the loopback name"},
		{"127.0.0.1:8080", false, true, false, "", true, "", "--control=false wins on loopback"},
		{"0.0.0.0:8080", true, false, false, "", true, "--allow-remote", "every interface must be confirmed"},
		{":8080", true, false, false, "", true, "--allow-remote", "an empty host is every interface"},
		{"192.0.2.10:8080", true, false, false, "", true, "--allow-remote", "a routable address must be confirmed"},
		{"garbage", true, false, false, "", true, "--allow-remote", "an unparsable address is not trusted"},
		{"0.0.0.0:8080", true, false, true, "", true, "", "confirmed: the API only, control off by default"},
		{"0.0.0.0:8080", true, true, true, "", true, "--control-token", "control asked for by name still needs a token"},
		{"0.0.0.0:8080", true, true, true, "t0ken", false, "", "control by name, behind a token"},
	}
	for _, tc := range cases {
		f := serveFlags{addr: tc.addr, control: tc.control, controlSet: tc.set, allowRemote: tc.remote, controlToken: tc.token,
			clock: "virtual", logLevel: "info", timeScale: 1, readTimeout: time.Second, writeTimeout: time.Second,
			idleTimeout: time.Second, inflightMiB: 1, nonceMiB: 1}
		opts, err := serveOptions(&cobra.Command{}, f)
		if (err != nil) != (tc.err != "") || err != nil && !strings.Contains(err.Error(), tc.err) {
			t.Errorf("%s: err %v, want one naming %q (%s)", tc.addr, err, tc.err, tc.reason)
			continue
		}
		if err == nil && opts.NoControl != tc.noControl {
			t.Errorf("%s control=%v: NoControl=%v, want %v (%s)", tc.addr, tc.control, opts.NoControl, tc.noControl, tc.reason)
		}
	}
}

// TestServeWarnsLoudlyOffLoopback: an unconfirmed non-loopback address is refused before
// anything is bound, and the warning a confirmed one prints names what is exposed. (No test
// binds a non-loopback address: nothing smcct's tests serve may leave this machine.)
func TestServeWarnsLoudlyOffLoopback(t *testing.T) {
	out, err := exec.Command(binary(t), "serve", "--addr", "0.0.0.0:0").CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 2 || !strings.Contains(string(out), "--allow-remote") {
		t.Fatalf("unconfirmed 0.0.0.0: %v %s, want exit 2 naming --allow-remote", err, out)
	}
	for _, control := range []bool{false, true} {
		var b strings.Builder
		warnRemote(&b, "0.0.0.0:8080", control)
		want := []string{"WARNING: listening on 0.0.0.0:8080", "public fixture credentials", "control plane is off"}
		if control {
			want[2] = "control plane is ON"
		}
		for _, w := range want {
			if !strings.Contains(b.String(), w) {
				t.Errorf("control=%v: warning lacks %q:\n%s", control, w, b.String())
			}
		}
	}
}

// TestServeClosesStalledAndIdleConnections: a request whose body stops arriving is cut off
// by the read timeout, and an idle keep-alive connection by the idle timeout.
func TestServeClosesStalledAndIdleConnections(t *testing.T) {
	s := serve(t, binary(t), "--read-timeout", "300ms", "--idle-timeout", "300ms")
	for _, tc := range []struct {
		name, send string
	}{
		{"stalled body", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1048576\r\n\r\nabc"},
		{"idle keep-alive", ""},
	} {
		c, err := net.Dial("tcp", s.addr)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.WriteString(c, tc.send)
		_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
		start := time.Now()
		_, err = io.ReadAll(c) // returns once the server closes the connection
		c.Close()
		if err != nil || time.Since(start) > 3*time.Second {
			t.Errorf("%s: connection still open after %s (%v)", tc.name, time.Since(start), err)
		}
	}
}
