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

	"github.com/smcct/smcct/reference"
	"github.com/spf13/cobra"
)

type serveFlags struct {
	addr, fixtures, state, clock string
	timeScale                    float64
	strict, control              bool
	logLevel                     string
}

func newServeCmd() *cobra.Command {
	var f serveFlags
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the reference implementation of smc 2019-06-01 and ebs 2021-07-30",
		Long: `Serve both products on one listener (Version picks the product), with signature checks,
state, the documented error codes and a control plane under /_smcct/ (on by default only on
loopback).`,
		RunE: func(cmd *cobra.Command, _ []string) error { return runServe(cmd, f) },
	}
	fl := cmd.Flags()
	fl.StringVar(&f.addr, "addr", "127.0.0.1:8080", "listen address")
	fl.StringVar(&f.fixtures, "fixtures", "", "fixtures YAML (default: the embedded fixtures/default.yaml)")
	fl.StringVar(&f.state, "state", "", "bbolt file that keeps state across restarts (every acknowledged write is durable)")
	fl.StringVar(&f.clock, "clock", "real", "business clock: real (wall time, see --time-scale) or virtual (moves only via the control plane)")
	fl.Float64Var(&f.timeScale, "time-scale", 1, "with --clock real, how many times faster than wall time business time runs")
	fl.BoolVar(&f.strict, "strict", false, "reject requests that break the contract only by a warning (unknown parameters)")
	fl.BoolVar(&f.control, "control", true, "serve the /_smcct/ control plane (only honoured on a loopback address)")
	fl.StringVar(&f.logLevel, "log-level", "info", "debug, info, warn or error")
	return cmd
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
	printBanner(cmd.OutOrStdout(), ln.Addr().String(), !opts.NoControl)
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second, ErrorLog: slog.NewLogLogger(opts.Logger.Handler(), slog.LevelWarn)}
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

func serveOptions(cmd *cobra.Command, f serveFlags) (reference.Options, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(f.logLevel)); err != nil {
		return reference.Options{}, fmt.Errorf("--log-level: %w", err)
	}
	opts := reference.Options{
		StatePath: f.state,
		Strict:    f.strict,
		Logger:    slog.New(slog.NewTextHandler(cmd.ErrOrStderr(), &slog.HandlerOptions{Level: level})),
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
	opts.NoControl = !f.control || !isLoopback(f.addr)
	return opts, nil
}

// isLoopback reports whether addr listens only on the loopback interface: the control plane
// can rewrite any state, so it is never offered to the network by default.
func isLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	return err == nil && isLoopbackHost(host)
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
