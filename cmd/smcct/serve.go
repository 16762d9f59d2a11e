package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/smcct/smcct/guard"
	"github.com/smcct/smcct/reference"
	"github.com/smcct/smcct/rpc"
)

type serveFlags struct {
	addr, fixtures, state, clock string
	timeScale                    float64
	strict, control              bool
	logLevel                     string

	// controlSet: --control was given, which a non-loopback address needs to serve it.
	controlSet                             bool
	allowRemote                            bool
	allowHosts                             []string
	controlToken                           string
	readTimeout, writeTimeout, idleTimeout time.Duration
	inflightMiB, nonceMiB                  int64
}

// controlTokenEnv supplies --control-token without putting it on the command line, where
// every user of the machine can read it.
const controlTokenEnv = "SMCCT_CONTROL_TOKEN"

func newServeCmd() *cobra.Command {
	var f serveFlags
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the reference implementation of smc 2019-06-01 and ebs 2021-07-30",
		Long: `Serve both products on one listener (Version picks the product), with signature checks,
state, the documented error codes and a control plane under /_smcct/.

The reference is for this machine: it listens on 127.0.0.1, and its fixture credentials are
public. Another address needs --allow-remote, and there the control plane stays off unless
--control is given too, with --control-token. The control plane answers only requests whose
Host is a loopback name (or one of --allow-host), that come from no web page (no foreign
Origin), and whose bodies are labelled application/json or application/yaml.`,
		RunE: func(cmd *cobra.Command, _ []string) error {
			f.controlSet = cmd.Flags().Changed("control")
			return runServe(cmd, f)
		},
	}
	serveFlagSet(cmd.Flags(), &f)
	return cmd
}

// serveFlagSet registers serve's flags; smcct bench parses them too, so that what it
// measures is configured as serve configures it.
func serveFlagSet(fl *pflag.FlagSet, f *serveFlags) {
	fl.StringVar(&f.addr, "addr", "127.0.0.1:8080", "listen address")
	fl.StringVar(&f.fixtures, "fixtures", "", "fixtures YAML (default: the embedded fixtures/default.yaml)")
	fl.StringVar(&f.state, "state", "", "bbolt file that keeps state across restarts (every acknowledged write is durable)")
	fl.StringVar(&f.clock, "clock", "real", "business clock: real (wall time, see --time-scale) or virtual (moves only via the control plane)")
	fl.Float64Var(&f.timeScale, "time-scale", 1, "with --clock real, how many times faster than wall time business time runs")
	fl.BoolVar(&f.strict, "strict", false, "reject requests that break the contract only by a warning (unknown parameters)")
	fl.BoolVar(&f.control, "control", true, "serve the /_smcct/ control plane (on a non-loopback address only when given explicitly)")
	fl.StringVar(&f.logLevel, "log-level", "info", "debug (every request in detail), info (one line per request), warn or error")
	fl.BoolVar(&f.allowRemote, "allow-remote", false, "confirm listening on a non-loopback --addr, where anyone who reaches it can use the public fixture credentials")
	fl.StringSliceVar(&f.allowHosts, "allow-host", nil, "a Host name the control plane also answers (besides localhost, 127.0.0.1, [::1]); repeatable")
	fl.StringVar(&f.controlToken, "control-token", "", "require this token in the "+guard.TokenHeader+" header of every control request (default $"+controlTokenEnv+")")
	fl.DurationVar(&f.readTimeout, "read-timeout", 30*time.Second, "longest time to read one request, body included: a stalled upload is cut off")
	fl.DurationVar(&f.writeTimeout, "write-timeout", 2*time.Minute, "longest time from a request's headers to the end of its answer (an injected latency is at most 1m)")
	fl.DurationVar(&f.idleTimeout, "idle-timeout", time.Minute, "how long an idle keep-alive connection is kept open")
	fl.Int64Var(&f.inflightMiB, "inflight-mib", reference.DefaultInflightBytes>>20, "MiB of requests over 64 KiB read and handled at once (those over 8 KiB have a quarter as much of their own); beyond it they get Throttling.Resource")
	fl.Int64Var(&f.nonceMiB, "nonce-mib", rpc.DefaultNonceBytes>>20, "MiB for remembering signature nonces for their 15-minute window; when spent, requests get Throttling.Resource")
}

func runServe(cmd *cobra.Command, f serveFlags) error {
	// Catch signals before anything is announced: a supervisor that reads the banner and
	// stops us at once must get a clean shutdown, not the default kill.
	ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	opts, err := serveOptions(cmd, f)
	if err != nil {
		return err
	}
	srv, err := reference.New(opts)
	if err != nil {
		return err
	}
	defer srv.Close()
	ln, err := net.Listen("tcp", f.addr)
	if err != nil {
		return err
	}
	if !guard.IsLoopbackAddr(f.addr) {
		warnRemote(cmd.ErrOrStderr(), ln.Addr().String(), !opts.NoControl)
	}
	printBanner(cmd.OutOrStdout(), ln.Addr().String(), !opts.NoControl)
	hs := httpServer(srv, f, opts.Logger)
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := hs.Shutdown(shutdown); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	opts.Logger.Info("stopped")
	return nil
}

// httpServer bounds what a connection may hold and for how long: headers within 10 s and
// 512 KiB (the longest query the gateway reads is 256 KiB), the whole request within the
// read timeout, the answer within the write timeout, and an idle keep-alive connection
// within the idle timeout. Without them a client that stalls keeps its buffers forever.
func httpServer(h http.Handler, f serveFlags, log *slog.Logger) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: min(10*time.Second, f.readTimeout),
		ReadTimeout:       f.readTimeout,
		WriteTimeout:      f.writeTimeout,
		IdleTimeout:       f.idleTimeout,
		MaxHeaderBytes:    512 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
}

func serveOptions(cmd *cobra.Command, f serveFlags) (reference.Options, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(f.logLevel)); err != nil {
		return reference.Options{}, fmt.Errorf("--log-level: %w", err)
	}
	for _, d := range []struct {
		name string
		v    time.Duration
	}{{"--read-timeout", f.readTimeout}, {"--write-timeout", f.writeTimeout}, {"--idle-timeout", f.idleTimeout}} {
		if d.v <= 0 {
			return reference.Options{}, fmt.Errorf("%s must be positive, not %s", d.name, d.v)
		}
	}
	if f.inflightMiB <= 0 || f.nonceMiB <= 0 {
		return reference.Options{}, errors.New("--inflight-mib and --nonce-mib must be positive")
	}
	token := f.controlToken
	if token == "" {
		token = os.Getenv(controlTokenEnv)
	}
	opts := reference.Options{
		StatePath:     f.state,
		Strict:        f.strict,
		Logger:        slog.New(slog.NewTextHandler(cmd.ErrOrStderr(), &slog.HandlerOptions{Level: level})),
		ControlHosts:  f.allowHosts,
		ControlToken:  token,
		InflightBytes: f.inflightMiB << 20,
		NonceBytes:    f.nonceMiB << 20,
	}
	switch f.clock {
	case "real":
		opts.Clock = reference.NewRealClock(f.timeScale)
	case "virtual":
		opts.Clock = reference.NewVirtualClock(reference.DefaultStart)
	default:
		return opts, fmt.Errorf("--clock must be real or virtual, not %q", f.clock)
	}
	if f.fixtures != "" {
		data, err := os.ReadFile(f.fixtures)
		if err != nil {
			return opts, err
		}
		opts.Fixtures = data
	}
	control, err := controlPlane(f, token)
	opts.NoControl = !control
	return opts, err
}

// controlPlane decides whether to serve the control plane. On loopback it is on unless
// turned off. Any other address must be confirmed with --allow-remote, since anyone who
// reaches it can call the API with the public fixture credentials; there the control plane,
// which rewrites any state and rebinds keys, is on only when asked for by name and behind
// a token.
func controlPlane(f serveFlags, token string) (bool, error) {
	if guard.IsLoopbackAddr(f.addr) {
		return f.control, nil
	}
	if !f.allowRemote {
		return false, fmt.Errorf("--addr %s is not a loopback address: other machines could reach the reference, "+
			"whose fixture credentials are public; give --allow-remote to confirm", f.addr)
	}
	on := f.control && f.controlSet
	if on && token == "" {
		return false, fmt.Errorf("a control plane on the non-loopback address %s needs --control-token (or $%s)", f.addr, controlTokenEnv)
	}
	return on, nil
}

// warnRemote says loudly, on stderr, what listening beyond loopback exposes.
func warnRemote(w io.Writer, addr string, control bool) {
	lines := []string{
		"listening on " + addr + ", which other machines may reach (--allow-remote).",
		"Anyone who reaches it can call the API with the public fixture credentials (smcct / smcct-secret).",
	}
	if control {
		lines = append(lines, "The control plane is ON: it rewrites any state. Requests need the control token and an allowed Host.")
	} else {
		lines = append(lines, "The control plane is off (--control with --control-token turns it on).")
	}
	for _, l := range lines {
		fmt.Fprintln(w, "smcct serve: WARNING: "+l)
	}
}

func printBanner(w io.Writer, addr string, control bool) {
	fmt.Fprintf(w, "smcct reference listening on http://%s\n", addr)
	fmt.Fprintln(w, "  products:    smc 2019-06-01, ebs 2021-07-30 (Version selects)")
	fmt.Fprintln(w, "  credentials: AccessKeyId smcct / secret smcct-secret (second account: smcct-other / smcct-other-secret)")
	if control {
		fmt.Fprintf(w, "  control:     http://%s/_smcct/ (reset, clock/advance, state, seed, objects/{id}/state, faults, violations)\n", addr)
	}
	fmt.Fprintln(w, "  v1 Go SDK:   client.Domain = \""+addr+"\" (HTTP scheme is the SDK default)")
	fmt.Fprintln(w, "  v2 SDKs:     Config{Endpoint: \""+addr+"\", Protocol: \"HTTP\"}")
}
