package reference

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
)

type lockedBuilder struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuilder) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuilder) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestLogLines: at info an error answer's line names its code; at debug the line also
// shows the request as read (signer, format, parameters without the signature) and the
// error's message.
func TestLogLines(t *testing.T) {
	cases := []struct {
		level     slog.Level
		want, not []string
		reason    string
	}{
		{slog.LevelInfo, []string{"action=StopReplicationJob", "status=404", "code=InvalidJobId.NotFound", "accessKeyId=smcc*"},
			[]string{"params=", "message=", "msg=control"}, "info: one line per request, with the error code"},
		{slog.LevelDebug, []string{"code=InvalidJobId.NotFound", "signer=v1", "format=JSON", "version=2019-06-01",
			"JobId=j-nosuch", "Signature=(redacted)", "message=", "requestId=",
			"msg=control method=GET path=/_smcct/state query=\"account=nobody\" status=404"},
			[]string{"smcct-secret"}, "debug: the request as read and the message"},
	}
	for _, tc := range cases {
		var out lockedBuilder
		_, ts, c := newHTTPServer(t, Options{Logger: slog.New(slog.NewTextHandler(&out, &slog.HandlerOptions{Level: tc.level}))})
		_, _ = c.Call(context.Background(), "2019-06-01", "StopReplicationJob", url.Values{"JobId": {"j-nosuch"}})
		resp, err := http.Get(ts.URL + "/_smcct/state?account=nobody")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		line := out.String()
		for _, w := range tc.want {
			if !strings.Contains(line, w) {
				t.Errorf("%s: log lacks %q:\n%s", tc.reason, w, line)
			}
		}
		for _, n := range tc.not {
			if strings.Contains(line, n) {
				t.Errorf("%s: log has %q:\n%s", tc.reason, n, line)
			}
		}
	}
}
