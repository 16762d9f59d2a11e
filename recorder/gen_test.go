package recorder

import (
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"

	"gopkg.in/dnaeon/go-vcr.v3/cassette"
)

// genInteractions builds n interactions: distinct calls, each recorded repeat times in a
// row (a polling loop), as the v1 SDK would send them.
func genInteractions(distinct, repeat int) []*cassette.Interaction {
	out := make([]*cassette.Interaction, 0, distinct*repeat)
	for d := 0; d < distinct; d++ {
		for k := 0; k < repeat; k++ {
			q := genQuery(d)
			q.Set("Signature", "REDACTED-SIGNATURE")
			q.Set("SignatureNonce", fmt.Sprintf("nonce-%d-%d", d, k))
			u := "http://127.0.0.1/?" + q.Encode()
			out = append(out, &cassette.Interaction{
				ID: len(out),
				Request: cassette.Request{Method: http.MethodPost, URL: u, RequestURI: "/?" + q.Encode(),
					Headers: http.Header{"User-Agent": {"bench"}}},
				Response: cassette.Response{Code: 200, Status: "200 OK",
					Headers: http.Header{"Content-Type": {"application/json"}},
					Body:    fmt.Sprintf(`{"RequestId":"r","JobId":"j-%d","Round":%d}`, d, k)},
			})
		}
	}
	return out
}

// genQuery is the business part of call d: what a client sends again at replay.
func genQuery(d int) url.Values {
	return url.Values{"Action": {"DescribeReplicationJobs"}, "Version": {"2019-06-01"},
		"RegionId": {"cn-hangzhou"}, "JobId.1": {fmt.Sprintf("j-%d", d)}, "PageSize": {"10"},
		"Format": {"JSON"}, "AccessKeyId": {"REDACTED-ACCESS-KEY-ID"}}
}

// writeCassette saves interactions with go-vcr's writer and returns the path.
func writeCassette(tb testing.TB, dir string, inters []*cassette.Interaction) string {
	tb.Helper()
	path := dir + "/gen.yaml"
	if err := save(path, inters); err != nil {
		tb.Fatal(err)
	}
	return path
}

// liveRequest is call d as a fresh client would send it: new nonce, its own credentials.
func liveRequest(d int, nonce int) *http.Request {
	q := genQuery(d)
	q.Set("AccessKeyId", "someone")
	q.Set("Signature", fmt.Sprintf("sig-%d", nonce))
	q.Set("SignatureNonce", fmt.Sprintf("live-%d", nonce))
	r, _ := http.NewRequest(http.MethodPost, "http://127.0.0.1/?"+q.Encode(), nil)
	return r
}

// realInteractions builds n interactions from the repository's own recordings, copied as
// often as needed; each copy's URL gains a Copy parameter so that every interaction of the
// result is its own call. The result has the size and the YAML forms of real cassettes
// (about 1.8 KB per interaction).
func realInteractions(tb testing.TB, n int) []*cassette.Interaction {
	tb.Helper()
	loadCommitted()
	if committed.err != nil || len(committed.inters) == 0 {
		tb.Skipf("no committed cassettes to copy: %v", committed.err)
	}
	src := committed.inters
	out := make([]*cassette.Interaction, 0, n)
	for copyN := 0; len(out) < n; copyN++ {
		for _, in := range src {
			if len(out) == n {
				break
			}
			c := *in
			if copyN > 0 {
				sep := "?"
				if strings.Contains(c.Request.URL, "?") {
					sep = "&"
				}
				c.Request.URL += sep + "Copy=" + strconv.Itoa(copyN)
			}
			c.ID = len(out)
			out = append(out, &c)
		}
	}
	return out
}

// committed holds the committed cassettes as go-vcr reads them, loaded once per test
// binary: yaml.v3 takes seconds over them, and under the race detector only every fourth
// file is read.
var committed struct {
	once   sync.Once
	files  []committedFile
	inters []*cassette.Interaction // every file's, in order
	err    error
}

type committedFile struct {
	path   string
	data   []byte
	inters []*cassette.Interaction
}

func loadCommitted() {
	committed.once.Do(func() {
		files, err := cassetteFiles("../cassettes")
		if err != nil {
			committed.err = err
			return
		}
		for i, f := range files {
			if raceEnabled && i%4 != 0 {
				continue // a quarter of them: yaml.v3 under the race detector is slow
			}
			data, err := os.ReadFile(f)
			if err != nil {
				committed.err = err
				return
			}
			inters, err := goVCRDecode(data)
			if err != nil {
				committed.err = fmt.Errorf("%s: %w", f, err)
				return
			}
			committed.files = append(committed.files, committedFile{f, data, inters})
			committed.inters = append(committed.inters, inters...)
		}
	})
}
