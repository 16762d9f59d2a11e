package recorder

import (
	"errors"
	"net/http"
	"runtime"
	"slices"
	"strings"
	"sync"
	"unsafe"

	"gopkg.in/dnaeon/go-vcr.v3/cassette"
)

// This file reads go-vcr's cassette schema with the YAML subset reader of decode.go.

// decodeCassette decodes a whole cassette file. A wrong format version is
// cassette.ErrUnsupportedCassetteFormat, as go-vcr reports it.
func decodeCassette(data string) ([]*cassette.Interaction, error) {
	if !readableInParallel(data) {
		return nil, errUnsupported
	}
	inters, err := decodeDocument(&decoder{s: data})
	if errors.Is(err, errUnsupported) && len(data) >= parallelBytes {
		// The pieces may have been cut wrongly (another list at the items' indentation
		// after the interactions): one more try in one piece before giving up.
		inters, err = decodeDocument(&decoder{s: data, sequential: true})
	}
	return inters, err
}

func decodeDocument(d *decoder) ([]*cassette.Interaction, error) {
	if strings.HasPrefix(d.s, "---\n") {
		d.pos = 4
	}
	version := cassette.CassetteFormatV2 // go-vcr's default when the file names none
	var inters []*cassette.Interaction
	err := d.mapping(0, func(key, rest string, indent int) error {
		switch key {
		case "version":
			n, set, err := d.optInt(rest, indent)
			if set {
				version = int(n) // a null leaves go-vcr's default, as yaml.v3 leaves any int
			}
			return err
		case "interactions":
			var err error
			inters, err = d.interactions(rest, indent)
			return err
		case "mu": // a field of go-vcr's Cassette that yaml.v3 would try to fill
			return errUnsupported
		}
		return d.skip(rest, indent)
	})
	if err != nil {
		return nil, err
	}
	if d.pos < len(d.s) {
		return nil, errUnsupported // a second document, or something less indented than 0
	}
	if version != cassette.CassetteFormatV2 {
		return nil, cassette.ErrUnsupportedCassetteFormat
	}
	return inters, nil
}

// readableInParallel is yamlReadable over pieces of a large file cut at line ends.
func readableInParallel(data string) bool {
	n := pieces()
	if n < 2 || len(data) < parallelBytes {
		return yamlReadable(data)
	}
	ok := make([]bool, n)
	var wg sync.WaitGroup
	start := 0
	for k := range n {
		end := len(data)
		if k < n-1 {
			at := len(data) * (k + 1) / n
			if i := strings.IndexByte(data[at:], '\n'); i >= 0 {
				end = at + i + 1
			}
		}
		end = max(end, start)
		piece := data[start:end]
		wg.Go(func() { ok[k] = yamlReadable(piece) })
		start = end
	}
	wg.Wait()
	return !slices.Contains(ok, false)
}

// interactions reads the list of interactions. A large list is cut at item boundaries and
// the pieces are read in parallel, each into its own slice, joined in order.
func (d *decoder) interactions(rest string, parent int) ([]*cassette.Interaction, error) {
	_, k, err := d.value(rest, parent)
	switch {
	case err != nil:
		return nil, err
	case k == kNull:
		return nil, nil
	case k == kEmptySeq:
		return []*cassette.Interaction{}, nil
	case k != kBlock:
		return nil, errUnsupported
	}
	first, _, _ := d.peek()
	var cuts []int
	if !d.sequential {
		cuts = itemCuts(d.s, d.pos, first.indent, pieces())
	}
	if len(cuts) == 0 {
		return d.items(parent)
	}
	parts := make([][]*cassette.Interaction, len(cuts)+1)
	errs := make([]error, len(cuts)+1)
	var wg sync.WaitGroup
	start := d.pos
	for i, end := range cuts {
		from := start
		wg.Go(func() {
			sub := &decoder{s: d.s[:end], pos: from, sequential: true}
			parts[i], errs[i] = sub.items(parent)
			if errs[i] == nil && sub.pos != end {
				errs[i] = errUnsupported // the list ended before the cut: not a plain list
			}
		})
		start = end
	}
	d.pos = start
	parts[len(cuts)], errs[len(cuts)] = d.items(parent)
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return slices.Concat(parts...), nil
}

// parallelBytes is the smallest file worth reading in pieces, and pieces how many; both
// are variables for tests.
var (
	parallelBytes = 4 << 20
	pieces        = func() int { return runtime.GOMAXPROCS(0) }
)

// itemCuts returns up to n-1 positions after from, spread over s, where a line holding a
// list item at indentation indent starts. Inside the list, such a line is always an item:
// anything nested in an item (block scalars too) is indented further.
func itemCuts(s string, from, indent, n int) []int {
	if n < 2 || len(s)-from < parallelBytes {
		return nil
	}
	marker := "\n" + strings.Repeat(" ", indent) + "- "
	var cuts []int
	last := from
	for k := 1; k < n; k++ {
		at := from + (len(s)-from)*k/n
		i := strings.Index(s[max(at, last+1):], marker)
		if i < 0 {
			break
		}
		cut := max(at, last+1) + i + 1
		cuts = append(cuts, cut)
		last = cut
	}
	return cuts
}

// items reads list items of interactions until the list ends, allocating them in slabs.
func (d *decoder) items(parent int) ([]*cassette.Interaction, error) {
	var out []*cassette.Interaction
	var slab []cassette.Interaction
	err := d.sequence(parent, func(rest string, _, col int) error {
		if len(slab) == 0 {
			slab = make([]cassette.Interaction, 256)
		}
		in := &slab[0]
		slab = slab[1:]
		out = append(out, in)
		return d.interaction(in, rest, col)
	})
	return out, err
}

// interaction reads one item of the list: a mapping whose first key follows "- ".
func (d *decoder) interaction(in *cassette.Interaction, rest string, indent int) error {
	if rest == "" {
		return errUnsupported
	}
	d.itemLine(rest, indent)
	return d.mapping(indent, func(key, rest string, indent int) error {
		switch key {
		case "id":
			n, err := d.int(rest, indent)
			in.ID = int(n)
			return err
		case "request":
			return d.block(rest, indent, func(indent int) error { return d.request(&in.Request, indent) })
		case "response":
			return d.block(rest, indent, func(indent int) error { return d.response(&in.Response, indent) })
		}
		return d.skip(rest, indent)
	})
}

// itemLine makes the text after a sequence item's "- " the next line to read.
func (d *decoder) itemLine(text string, indent int) {
	d.item.active, d.item.indent, d.item.text, d.item.next = true, indent, text, d.pos
}

// block reads a nested mapping (request, response) with read, given its indentation.
func (d *decoder) block(rest string, parent int, read func(indent int) error) error {
	_, k, err := d.value(rest, parent)
	switch {
	case err != nil:
		return err
	case k == kNull || k == kEmptyMap:
		return nil // the zero Request or Response, as yaml.v3 leaves it
	case k != kBlock:
		return errUnsupported
	}
	l, _, _ := d.peek()
	if l.indent <= parent {
		return errUnsupported
	}
	return read(l.indent)
}

func (d *decoder) request(r *cassette.Request, indent int) error {
	return d.mapping(indent, func(key, rest string, indent int) error {
		var err error
		var n int64
		switch key {
		case "proto":
			r.Proto, err = d.str(rest, indent)
		case "proto_major":
			n, err = d.int(rest, indent)
			r.ProtoMajor = int(n)
		case "proto_minor":
			n, err = d.int(rest, indent)
			r.ProtoMinor = int(n)
		case "content_length":
			r.ContentLength, err = d.int(rest, indent)
		case "transfer_encoding":
			r.TransferEncoding, err = d.strings(rest, indent)
		case "trailer":
			r.Trailer, err = d.header(rest, indent)
		case "host":
			r.Host, err = d.str(rest, indent)
		case "remote_addr":
			r.RemoteAddr, err = d.str(rest, indent)
		case "request_uri":
			r.RequestURI, err = d.str(rest, indent)
		case "body":
			r.Body, err = d.str(rest, indent)
		case "form":
			r.Form, err = d.stringMap(rest, indent)
		case "headers":
			r.Headers, err = d.header(rest, indent)
		case "url":
			r.URL, err = d.str(rest, indent)
		case "method":
			r.Method, err = d.str(rest, indent)
		default:
			err = d.skip(rest, indent)
		}
		return err
	})
}

func (d *decoder) response(r *cassette.Response, indent int) error {
	return d.mapping(indent, func(key, rest string, indent int) error {
		var err error
		var n int64
		switch key {
		case "proto":
			r.Proto, err = d.str(rest, indent)
		case "proto_major":
			n, err = d.int(rest, indent)
			r.ProtoMajor = int(n)
		case "proto_minor":
			n, err = d.int(rest, indent)
			r.ProtoMinor = int(n)
		case "transfer_encoding":
			r.TransferEncoding, err = d.strings(rest, indent)
		case "trailer":
			r.Trailer, err = d.header(rest, indent)
		case "content_length":
			r.ContentLength, err = d.int(rest, indent)
		case "uncompressed":
			r.Uncompressed, err = d.bool(rest, indent)
		case "body":
			r.Body, err = d.str(rest, indent)
		case "headers":
			r.Headers, err = d.header(rest, indent)
		case "status":
			r.Status, err = d.str(rest, indent)
		case "code":
			n, err = d.int(rest, indent)
			r.Code = int(n)
		case "duration":
			r.Duration, err = d.duration(rest, indent)
		default:
			err = d.skip(rest, indent)
		}
		return err
	})
}

func (d *decoder) header(rest string, indent int) (http.Header, error) {
	m, err := d.stringMap(rest, indent)
	return http.Header(m), err
}

// loadCassetteFile decodes one cassette file fast, or with go-vcr (slow is then true) when
// it holds YAML the fast reader does not take.
func loadCassetteFile(path string, data []byte) (inters []*cassette.Interaction, slow bool, err error) {
	inters, err = decodeCassette(unsafeString(data))
	if !errors.Is(err, errUnsupported) {
		return inters, false, err
	}
	c, err := cassette.Load(strings.TrimSuffix(path, ".yaml"))
	if err != nil {
		return nil, true, err
	}
	return c.Interactions, true, nil
}

// unsafeString views a file's bytes as a string without copying them: the decoded
// interactions take their values as substrings, so the file is held once, as read. The
// bytes must never change afterwards.
func unsafeString(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }
