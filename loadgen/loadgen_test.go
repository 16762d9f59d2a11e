package loadgen

import (
	"bufio"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/smcct/smcct/rpc"
)

func TestReadAnswer(t *testing.T) {
	cases := []struct {
		name, wire string
		status     int
		close      bool
		body       string // kept only for non-2xx answers
		rest       string // what must be left unread: the next answer
	}{
		{"a sized 2xx body is skipped", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhelloNEXT", 200, false, "", "NEXT"},
		{"header names in any case", "HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nokNEXT", 200, false, "", "NEXT"},
		{"a chunked body with a trailer", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2;x=y\r\nde\r\n0\r\nT: v\r\n\r\nNEXT", 200, false, "", "NEXT"},
		{"a 4xx body is quoted", "HTTP/1.1 404 Not Found\r\nContent-Length: 7\r\n\r\nmissingNEXT", 404, false, "missing", "NEXT"},
		{"a chunked 5xx body is quoted", "HTTP/1.1 500 Oops\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n1\r\nc\r\n0\r\n\r\nNEXT", 500, false, "abc", "NEXT"},
		{"Connection: close is noticed", "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\nNEXT", 200, true, "", "NEXT"},
		{"no framing reads to the end and closes", "HTTP/1.1 503 Busy\r\n\r\nbusy", 503, true, "busy", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			br := bufio.NewReader(strings.NewReader(tc.wire))
			a, err := readAnswer(br)
			if err != nil {
				t.Fatal(err)
			}
			if a.status != tc.status || a.close != tc.close || string(a.body) != tc.body {
				t.Errorf("got status %d close %v body %q, want %d %v %q", a.status, a.close, a.body, tc.status, tc.close, tc.body)
			}
			rest := make([]byte, 16)
			n, _ := br.Read(rest)
			if string(rest[:n]) != tc.rest {
				t.Errorf("left %q unread, want %q", rest[:n], tc.rest)
			}
		})
	}
}

func TestReadAnswerRefusesWhatIsNotHTTP(t *testing.T) {
	for _, wire := range []string{"SSH-2.0-OpenSSH\r\n", "HTTP/1.1 2x0 OK\r\n\r\n", "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"} {
		if _, err := readAnswer(bufio.NewReader(strings.NewReader(wire))); err == nil {
			t.Errorf("%q: no error", wire)
		}
	}
}

// TestRunCountsEveryAnswer: every request is sent once, answers that are not 2xx are counted
// and quoted, and a server that closes connections does not stop the run.
func TestRunCountsEveryAnswer(t *testing.T) {
	var mu sync.Mutex
	seen := map[string]int{}
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen[r.URL.Query().Get("i")]++
		mu.Unlock()
		i := r.URL.Query().Get("i")
		if strings.HasSuffix(i, "7") {
			w.Header().Set("Connection", "close")
		}
		if strings.HasSuffix(i, "3") {
			http.Error(w, "no threes", http.StatusTeapot)
			return
		}
		fmt.Fprint(w, strings.Repeat("x", 5000)) // chunked: over net/http's buffer
	}))
	defer ts.Close()
	host := strings.TrimPrefix(ts.URL, "http://")
	reqs := make([][]byte, 200)
	for i := range reqs {
		reqs[i] = Render("GET", host, fmt.Sprintf("/?i=%d", i), nil, nil)
	}
	res, err := Run(host, 8, reqs)
	if err != nil {
		t.Fatal(err)
	}
	if res.Requests != 200 || res.Non2xx != 20 || !strings.HasPrefix(res.FirstBad, "418 no threes") {
		t.Errorf("got %d requests, %d non-2xx (%q); want 200, 20, a quoted 418", res.Requests, res.Non2xx, res.FirstBad)
	}
	if len(seen) != 200 {
		t.Errorf("server saw %d distinct requests, want 200", len(seen))
	}
	for i, n := range seen {
		if n != 1 {
			t.Errorf("request %s arrived %d times", i, n)
		}
	}
	if res.Rate() <= 0 || res.Quantile(0.99) < res.Quantile(0.5) {
		t.Errorf("rate %f, p50 %s, p99 %s", res.Rate(), res.Quantile(0.5), res.Quantile(0.99))
	}
}

// TestSignerRendersVerifiableRequests: each rendered request carries a valid v1 signature
// over what the server parses, with its own nonce.
func TestSignerRendersVerifiableRequests(t *testing.T) {
	nonces := map[string]bool{}
	var mu sync.Mutex
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if _, ok := rpc.VerifyV1(r.Method, q, "secret"); !ok || q.Get("Name") != "a b&c" {
			http.Error(w, "bad signature or parameters", http.StatusForbidden)
			return
		}
		mu.Lock()
		nonces[q.Get("SignatureNonce")] = true
		mu.Unlock()
	}))
	defer ts.Close()
	host := strings.TrimPrefix(ts.URL, "http://")
	s, err := NewSigner(host, "key", "secret", "cn-hangzhou", rpc.V1)
	if err != nil {
		t.Fatal(err)
	}
	reqs, err := s.Batch(50, "2019-06-01", "DescribeSourceServers", func(int) url.Values { return url.Values{"Name": {"a b&c"}} })
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(host, 4, reqs)
	if err != nil || res.Non2xx != 0 {
		t.Fatalf("err %v, non-2xx %d: %s", err, res.Non2xx, res.FirstBad)
	}
	if len(nonces) != 50 {
		t.Errorf("%d distinct nonces in 50 requests", len(nonces))
	}
}

// TestCompareAlternates: targets take turns, reversed on odd rounds, and ratios divide by
// the first target's rate of the same round.
func TestCompareAlternates(t *testing.T) {
	ts := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer ts.Close()
	host := strings.TrimPrefix(ts.URL, "http://")
	target := func(name string) Target {
		return Target{Name: name, Addr: host, Requests: func(n int) ([][]byte, error) {
			out := make([][]byte, n)
			for i := range out {
				out[i] = Render("GET", host, "/", nil, nil)
			}
			return out, nil
		}}
	}
	var order []string
	cmp, err := Compare([]Target{target("a"), target("b")}, Options{Conns: 2, Rounds: 3, Round: 10 * time.Millisecond,
		Warmup: 10, MinRequests: 20, Progress: func(_ int, name string, _ Result) { order = append(order, name) }})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(order, ""); got != "abbaab" {
		t.Errorf("order %s, want abbaab", got)
	}
	if r := cmp.Ratios(1); len(r) != 3 || r[0] != cmp.Series[1].Rounds[0].Rate()/cmp.Series[0].Rounds[0].Rate() {
		t.Errorf("ratios %v", r)
	}
	for _, s := range cmp.Series {
		for _, r := range s.Rounds {
			if r.Requests < 20 {
				t.Errorf("%s: a round of %d requests, want at least 20", s.Name, r.Requests)
			}
		}
	}
}

func TestMedian(t *testing.T) {
	for _, tc := range []struct {
		in   []float64
		want float64
	}{{nil, 0}, {[]float64{3}, 3}, {[]float64{3, 1, 2}, 2}, {[]float64{4, 1, 3, 2}, 2.5}} {
		if got := Median(tc.in); got != tc.want {
			t.Errorf("Median(%v) = %v, want %v", tc.in, got, tc.want)
		}
	}
}
