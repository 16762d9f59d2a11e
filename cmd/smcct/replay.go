package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"os/signal"
	"syscall"

	"github.com/smcct/smcct/recorder"
	"github.com/spf13/cobra"
)

type replayOptions struct {
	cassette, addr string
	strict         bool
	log            io.Writer // one line per miss; nil means the command's output
}

func newReplayCmd() *cobra.Command {
	var o replayOptions
	cmd := &cobra.Command{
		Use:   "replay",
		Short: "Serve recorded responses from a cassette file or directory, to any client",
		Long: `replay listens on --addr (loopback only) and answers each request with the next unplayed
recording of the same call (Version, Action and business parameters; signatures, nonces,
timestamps and credentials are ignored). A request with no recording gets an error in the
service's envelope naming the closest recording and the differences. On SIGINT or SIGTERM it
lists recordings never replayed; with --strict they make the exit status 1.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			o.log = cmd.ErrOrStderr() // logs go to stderr, as serve's do
			return runReplay(ctx, o, cmd.OutOrStdout(), nil)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.cassette, "cassette", "", "cassette file (.yaml) or directory of cassettes (required)")
	f.StringVar(&o.addr, "addr", "127.0.0.1:8078", "listen address (127.0.0.1 or another loopback address)")
	f.BoolVar(&o.strict, "strict", false, "exit 1 if some recordings were never replayed")
	return cmd
}

func runReplay(ctx context.Context, o replayOptions, out io.Writer, ready func(addr string)) error {
	if o.cassette == "" {
		return errors.New("--cassette is required")
	}
	rec, err := recorder.Open(o.cassette, recorder.Replay, nil)
	if err != nil {
		return err
	}
	logw := o.log
	if logw == nil {
		logw = out
	}
	logger := log.New(logw, "smcct replay: ", log.LstdFlags)
	ln, err := listenLoopback(o.addr)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "replaying %d interactions from %s on http://%s\n", rec.Len(), o.cassette, ln.Addr())
	if slow := rec.SlowFiles(); len(slow) > 0 {
		fmt.Fprintf(out, "%d cassette files hold YAML outside what go-vcr writes and loaded slowly, first %s\n", len(slow), slow[0])
	}
	serveErr := serveUntil(ctx, ln, rec.Handler(logger.Printf), ready)
	if err := rec.Stop(); err != nil {
		var unused *recorder.UnusedError
		if !errors.As(err, &unused) {
			return err
		}
		fmt.Fprintln(out, err)
		if o.strict {
			return &exitError{code: 1, msg: fmt.Sprintf("%d recordings never replayed", len(unused.Unused))}
		}
	}
	return serveErr
}
