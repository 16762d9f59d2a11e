package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/smcct/smcct/guard"
	"github.com/smcct/smcct/recorder"
	"github.com/smcct/smcct/spec"
	"github.com/spf13/cobra"
)

type recordOptions struct {
	upstream, cassette, addr, report string
	allowWrites                      bool
	cred                             recorder.Credentials
	log                              io.Writer // violations and failed forwards; nil means out
}

func newRecordCmd() *cobra.Command {
	var o recordOptions
	cmd := &cobra.Command{
		Use:   "record",
		Short: "Run a recording proxy: re-sign client calls for the upstream, record them redacted, check them against the contract",
		Long: `record listens on --addr (loopback only). Point any client at it, signing v1 or v3 with any
credentials: each request is signed again with the upstream credentials, in the client's
signature version, forwarded to --upstream, and the exchange is kept with credentials
redacted. Requests, and responses in JSON or XML, are checked against the contract; violations are
logged on stderr, served as JSON at ` + recorder.ViolationsPath + ` (the shape smcct serve uses),
counted on exit and written to --report if given. SIGINT or SIGTERM saves the cassette (go-vcr
cassette format version 2) and exits.

Requests under /_smcct/ are the proxy's own: they are answered by it, never forwarded or
recorded. To drive an upstream reference's control plane, send them to the upstream.

Write actions (CreateReplicationJob, DeleteSourceServer, ...) are refused with
Smcct.Proxy.WriteRefused and never forwarded, unless --allow-writes is given or the
upstream is on this machine (a loopback address or localhost).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			o.fromEnv()
			o.log = cmd.ErrOrStderr() // logs go to stderr, as serve's do
			return runRecord(ctx, o, cmd.OutOrStdout(), nil)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.upstream, "upstream", "", "upstream endpoint URL, e.g. https://smc.aliyuncs.com (required)")
	f.StringVar(&o.cassette, "cassette", "", "cassette file to write, ending in .yaml (required)")
	f.StringVar(&o.addr, "addr", "127.0.0.1:8079", "listen address (127.0.0.1 or another loopback address)")
	f.StringVar(&o.report, "report", "", "write the violations report (JSON) to this file on exit")
	f.BoolVar(&o.allowWrites, "allow-writes", false, "forward write actions to a remote upstream (they may create, change and delete real resources)")
	// Read from the environment when the proxy starts, never as flag defaults, which
	// --help would print.
	f.StringVar(&o.cred.AccessKeyID, "access-key-id", "", "upstream AccessKey ID (default $ALIBABA_CLOUD_ACCESS_KEY_ID)")
	f.StringVar(&o.cred.AccessKeySecret, "access-key-secret", "", "upstream AccessKey secret (default $ALIBABA_CLOUD_ACCESS_KEY_SECRET)")
	f.StringVar(&o.cred.SecurityToken, "security-token", "", "upstream STS token (default $ALIBABA_CLOUD_SECURITY_TOKEN)")
	return cmd
}

// fromEnv fills the credentials the flags left empty from the environment.
func (o *recordOptions) fromEnv() {
	for _, f := range []struct {
		dst *string
		env string
	}{{&o.cred.AccessKeyID, "ALIBABA_CLOUD_ACCESS_KEY_ID"}, {&o.cred.AccessKeySecret, "ALIBABA_CLOUD_ACCESS_KEY_SECRET"},
		{&o.cred.SecurityToken, "ALIBABA_CLOUD_SECURITY_TOKEN"}} {
		if *f.dst == "" {
			*f.dst = os.Getenv(f.env)
		}
	}
}

// runRecord serves until ctx ends, then saves. ready, if set, gets the bound address (tests
// listen on port 0).
func runRecord(ctx context.Context, o recordOptions, out io.Writer, ready func(addr string)) error {
	up, err := url.Parse(o.upstream)
	if err != nil || (up.Scheme != "http" && up.Scheme != "https") || up.Host == "" {
		return fmt.Errorf("--upstream must be an http(s) URL, got %q", o.upstream)
	}
	if o.cassette == "" {
		return errors.New("--cassette is required")
	}
	if o.cred.AccessKeyID == "" || o.cred.AccessKeySecret == "" {
		return errors.New("upstream credentials missing: set ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET or the flags")
	}
	cat, err := spec.Default()
	if err != nil {
		return err
	}
	rec, err := recorder.Open(o.cassette, recorder.Record, nil,
		recorder.WithSecrets(o.cred.AccessKeyID, o.cred.AccessKeySecret, o.cred.SecurityToken))
	if err != nil {
		return err
	}
	logw := o.log
	if logw == nil {
		logw = out
	}
	logger := log.New(logw, "smcct record: ", log.LstdFlags)
	proxy := &recorder.Proxy{Recorder: rec, Upstream: up, Cred: o.cred, Catalog: cat, Logf: logger.Printf,
		ReadOnly: !o.allowWrites && !guard.IsLoopbackHost(up.Hostname())}
	ln, err := listenLoopback(o.addr)
	if err != nil {
		return err
	}
	mode := "writes forwarded"
	if proxy.ReadOnly {
		mode = "read-only: writes refused, --allow-writes forwards them"
	}
	fmt.Fprintf(out, "recording proxy on http://%s -> %s (%s), cassette %s\n", ln.Addr(), up.Redacted(), mode, o.cassette)
	serveErr := serveUntil(ctx, ln, proxy, ready)
	if err := rec.Stop(); err != nil {
		return err
	}
	rep := proxy.Report()
	fmt.Fprintf(out, "saved %d interactions to %s; %d requests, %d contract violations\n",
		rec.Len(), o.cassette, rep.Requests, len(rep.Violations))
	if o.report != "" {
		data, _ := json.MarshalIndent(rep, "", "  ") // plain structs: cannot fail
		if err := os.WriteFile(o.report, append(data, '\n'), 0o644); err != nil {
			return fmt.Errorf("writing report: %w", err)
		}
	}
	return serveErr
}

// listenLoopback refuses any address that is not loopback: nothing smcct serves is meant
// to leave the machine.
func listenLoopback(addr string) (net.Listener, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("--addr %q: %w", addr, err)
	}
	if !guard.IsLoopbackHost(host) {
		return nil, fmt.Errorf("--addr %q: only loopback addresses (127.0.0.1) are allowed", addr)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen %s: %w", addr, err)
	}
	return ln, nil
}

// serveUntil serves h on ln until ctx is done, then shuts down gracefully so in-flight
// exchanges finish (and are recorded) before the caller saves. A request must arrive whole
// within 30 s and an idle connection goes after a minute, as with serve; there is no write
// deadline, since a recorded upstream may be slow to answer.
func serveUntil(ctx context.Context, ln net.Listener, h http.Handler, ready func(string)) error {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
		IdleTimeout: time.Minute, MaxHeaderBytes: 512 << 10}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	if ready != nil {
		ready(ln.Addr().String())
	}
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
