package loadgen

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Result is one timed run: how many requests were answered in how long, and how.
type Result struct {
	Requests int
	Elapsed  time.Duration
	// Non2xx counts answers whose status was not 2xx; FirstBad quotes the first of them.
	Non2xx   int
	FirstBad string
	// CPU is the user and system time this process spent during the run: client and
	// servers in the process together. Unlike Elapsed, it hardly moves when other
	// processes compete for the cores.
	CPU time.Duration
	// Latencies are sorted, one per request.
	Latencies []time.Duration
}

// Rate is requests per second.
func (r Result) Rate() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Requests) / r.Elapsed.Seconds()
}

// CPUPerRequest is CPU divided by Requests.
func (r Result) CPUPerRequest() time.Duration {
	if r.Requests == 0 {
		return 0
	}
	return r.CPU / time.Duration(r.Requests)
}

// Quantile returns the latency below which a fraction q of the requests finished.
func (r Result) Quantile(q float64) time.Duration {
	if len(r.Latencies) == 0 {
		return 0
	}
	i := int(q * float64(len(r.Latencies)))
	return r.Latencies[min(i, len(r.Latencies)-1)]
}

// Run sends every request in reqs once, over conns keep-alive connections to addr, one
// request in flight per connection, and times it from the first write to the last answer.
// Connections are opened before the clock starts. A connection the server closes (it
// answered "Connection: close", or went away between requests) is opened again; a request
// that cannot be sent or answered on a fresh connection fails the run.
func Run(addr string, conns int, reqs [][]byte) (Result, error) {
	if conns < 1 {
		conns = 1
	}
	conns = min(conns, max(len(reqs), 1))
	workers := make([]*worker, conns)
	for i := range workers {
		w := &worker{addr: addr, lat: make([]time.Duration, 0, len(reqs)/conns+1)}
		if err := w.dial(); err != nil {
			for _, o := range workers[:i] {
				o.close()
			}
			return Result{}, err
		}
		workers[i] = w
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	cpu0 := ProcessCPU()
	start := time.Now()
	for _, w := range workers {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= len(reqs) || w.err != nil {
					return
				}
				w.do(reqs[i])
			}
		})
	}
	wg.Wait()
	res := Result{Elapsed: time.Since(start), CPU: ProcessCPU() - cpu0}
	var errs []error
	for _, w := range workers {
		w.close()
		res.Requests += len(w.lat)
		res.Non2xx += w.non2xx
		if res.FirstBad == "" {
			res.FirstBad = w.firstBad
		}
		res.Latencies = append(res.Latencies, w.lat...)
		if w.err != nil {
			errs = append(errs, w.err)
		}
	}
	slices.Sort(res.Latencies)
	return res, errors.Join(errs...)
}

// worker owns one connection and the figures of the requests it sent.
type worker struct {
	addr     string
	conn     net.Conn
	br       *bufio.Reader
	lat      []time.Duration
	non2xx   int
	firstBad string
	err      error
}

func (w *worker) dial() error {
	c, err := net.Dial("tcp", w.addr)
	if err != nil {
		return fmt.Errorf("loadgen: %w", err)
	}
	w.conn = c
	if w.br == nil {
		w.br = bufio.NewReaderSize(c, 32<<10)
	} else {
		w.br.Reset(c)
	}
	return nil
}

func (w *worker) close() {
	if w.conn != nil {
		_ = w.conn.Close()
		w.conn = nil
	}
}

// do sends one request and reads its answer, once more on a new connection if the old
// one turned out to be closed before anything was answered.
func (w *worker) do(req []byte) {
	t0 := time.Now()
	a, err := w.roundTrip(req)
	if err != nil && errors.Is(err, errStale) {
		w.close()
		if err = w.dial(); err == nil {
			a, err = w.roundTrip(req)
		}
	}
	if err != nil {
		w.err = err
		return
	}
	w.lat = append(w.lat, time.Since(t0))
	if a.status < 200 || a.status > 299 {
		w.non2xx++
		if w.firstBad == "" {
			w.firstBad = fmt.Sprintf("%d %s", a.status, a.body)
		}
	}
	if a.close {
		w.close()
		w.err = w.dial()
	}
}

// errStale is a connection the server closed while it was idle.
var errStale = errors.New("loadgen: connection closed by the server before answering")

type answer struct {
	status int
	close  bool
	body   []byte // kept only for answers that are not 2xx, and only the first bytes
}

func (w *worker) roundTrip(req []byte) (answer, error) {
	if _, err := w.conn.Write(req); err != nil {
		return answer{}, errStale
	}
	a, err := readAnswer(w.br)
	if err == io.EOF {
		return a, errStale
	}
	return a, err
}

// maxQuoted bounds the body kept from an answer that is not 2xx.
const maxQuoted = 512

// readAnswer reads one HTTP/1.1 response: the status line, the headers that frame the
// body (Content-Length, Transfer-Encoding: chunked, Connection: close), and the body,
// skipped unless the status is not 2xx.
func readAnswer(br *bufio.Reader) (answer, error) {
	line, err := br.ReadSlice('\n')
	if err != nil {
		if err == io.EOF && len(line) == 0 {
			return answer{}, io.EOF
		}
		return answer{}, fmt.Errorf("loadgen: status line: %w", err)
	}
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.")) {
		return answer{}, fmt.Errorf("loadgen: not an HTTP/1.x status line: %q", line)
	}
	a := answer{}
	if a.status, err = strconv.Atoi(string(line[9:12])); err != nil {
		return a, fmt.Errorf("loadgen: status line %q", line)
	}
	length, chunked := int64(-1), false
	for {
		line, err = br.ReadSlice('\n')
		if err != nil {
			return a, fmt.Errorf("loadgen: headers: %w", err)
		}
		if len(line) <= 2 {
			break
		}
		name, value, ok := bytes.Cut(line, []byte(":"))
		if !ok {
			continue
		}
		value = bytes.TrimSpace(value)
		switch {
		case asciiEqualFold(name, "Content-Length"):
			if length, err = strconv.ParseInt(string(value), 10, 64); err != nil || length < 0 {
				return a, fmt.Errorf("loadgen: Content-Length %q", value)
			}
		case asciiEqualFold(name, "Transfer-Encoding"):
			chunked = asciiEqualFold(value, "chunked")
		case asciiEqualFold(name, "Connection"):
			a.close = asciiEqualFold(value, "close")
		}
	}
	keep := a.status < 200 || a.status > 299
	switch {
	case chunked:
		err = readChunked(br, &a, keep)
	case length >= 0:
		err = skip(br, &a, length, keep)
	default: // no framing: the body runs to the end of the connection
		a.close = true
		err = skip(br, &a, 1<<62, keep)
		if err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF) {
			err = nil
		}
	}
	return a, err
}

// skip consumes n bytes of body, keeping the first few when asked.
func skip(br *bufio.Reader, a *answer, n int64, keep bool) error {
	if keep && len(a.body) < maxQuoted {
		take := min(n, int64(maxQuoted-len(a.body)))
		buf := make([]byte, take)
		got, err := io.ReadFull(br, buf)
		a.body = append(a.body, buf[:got]...)
		if err != nil {
			return err
		}
		n -= take
	}
	for n > 0 {
		d, err := br.Discard(int(min(n, 1<<30)))
		n -= int64(d)
		if err != nil {
			return err
		}
	}
	return nil
}

func readChunked(br *bufio.Reader, a *answer, keep bool) error {
	for {
		line, err := br.ReadSlice('\n')
		if err != nil {
			return fmt.Errorf("loadgen: chunk size: %w", err)
		}
		sizeText, _, _ := bytes.Cut(bytes.TrimSpace(line), []byte(";"))
		size, err := strconv.ParseInt(string(sizeText), 16, 64)
		if err != nil || size < 0 {
			return fmt.Errorf("loadgen: chunk size %q", line)
		}
		if size == 0 {
			for { // trailers, then the empty line
				line, err = br.ReadSlice('\n')
				if err != nil {
					return fmt.Errorf("loadgen: trailer: %w", err)
				}
				if len(line) <= 2 {
					return nil
				}
			}
		}
		if err := skip(br, a, size, keep); err != nil {
			return err
		}
		if _, err := br.Discard(2); err != nil {
			return err
		}
	}
}

// asciiEqualFold compares a header name or token with a lower-case-insensitive want.
func asciiEqualFold(b []byte, want string) bool {
	if len(b) != len(want) {
		return false
	}
	for i := range len(b) {
		c, w := b[i], want[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if 'A' <= w && w <= 'Z' {
			w += 'a' - 'A'
		}
		if c != w {
			return false
		}
	}
	return true
}
