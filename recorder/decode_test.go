package recorder

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"gopkg.in/dnaeon/go-vcr.v3/cassette"
	"gopkg.in/yaml.v3"
)

// goVCRDecode is what go-vcr's cassette.Load makes of data: its Cassette, filled by yaml.v3.
func goVCRDecode(data []byte) ([]*cassette.Interaction, error) {
	c := cassette.New("in-memory")
	if err := yaml.Unmarshal(data, c); err != nil {
		return nil, err
	}
	if c.Version != cassette.CassetteFormatV2 {
		return nil, cassette.ErrUnsupportedCassetteFormat
	}
	return c.Interactions, nil
}

// sameInteractions compares two decodings field by field, nil and empty kept apart.
func sameInteractions(t *testing.T, label string, got, want []*cassette.Interaction) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d interactions, go-vcr reads %d", label, len(got), len(want))
	}
	for i := range want {
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Fatalf("%s: interaction %d differs:\n fast:   %#v\n go-vcr: %#v", label, i, got[i], want[i])
		}
	}
}

// TestDecodeMatchesGoVCR: every committed cassette takes the fast path and decodes exactly
// as go-vcr decodes it.
func TestDecodeMatchesGoVCR(t *testing.T) {
	loadCommitted()
	if committed.err != nil || len(committed.files) == 0 {
		t.Skipf("no committed cassettes: %v", committed.err)
	}
	for _, f := range committed.files {
		got, err := decodeCassette(string(f.data))
		if err != nil {
			t.Fatalf("%s: the fast reader refused a cassette go-vcr wrote: %v", f.path, err)
		}
		sameInteractions(t, f.path, got, f.inters)
	}
	rec, err := Open("../cassettes", Replay, nil)
	if err != nil {
		t.Fatal(err)
	}
	if slow := rec.SlowFiles(); len(slow) > 0 {
		t.Errorf("%d committed cassettes loaded through go-vcr, first %s", len(slow), slow[0])
	}
}

// nasty are strings that make yaml.v3 choose every scalar style it has: plain, single and
// double quoted, literal with each chomping and an indentation indicator, and !!binary.
var nasty = []string{"", " ", "plain", "two words", "trailing ", " leading", "a: b", "a:b", "# not a comment",
	"x #y", "'quoted'", `"dq"`, "it's", "line\nbreak", "ends with newline\n", "two\n\n", "\n", "\n\nlead",
	"  indented\nblock", "tab\there", "ctrl\x01char", "bell\a", "nul\x00", "del\x7f", "bad\xffutf8", "héllo wörld",
	"日本語", "emoji 🎉", "\ufeffbom", "\u0085nel", "null", "~", "Null", "true", "False", "yes", "on",
	"123", "-1", "0x1F", "1e3", "1_000", "2026-11-23", "12:30", ".inf", "-", "- item", "? q", "[x]", "{y}", "&a", "*b",
	"!tag", "%p", "@at", "`bt`", "|", ">", "key:", "a\tb", "x\r\ny", "cr\r", "   ", "\t", "a\\b", `{"RequestId":"X"}`,
	"https://example.com/?a=1&b=2", strings.Repeat("long ", 40)}

func pick(r *rand.Rand) string {
	if r.IntN(3) == 0 {
		return nasty[r.IntN(len(nasty))] + nasty[r.IntN(len(nasty))]
	}
	return nasty[r.IntN(len(nasty))]
}

// pickKey is a header or form name: nasty, but never one yaml.v3 can only write as a complex
// key ("? "), which the fast reader leaves to go-vcr (names with line breaks or NEL, invalid UTF-8,
// carriage returns, over 128 bytes).
func pickKey(r *rand.Rand) string {
	for {
		k := pick(r)
		if len(k) <= 128 && !strings.ContainsAny(k, "\n\r\u0085") && utf8.ValidString(k) {
			return k
		}
	}
}

func randHeader(r *rand.Rand) http.Header {
	switch r.IntN(4) {
	case 0:
		return nil
	case 1:
		return http.Header{}
	}
	h := http.Header{}
	for range 1 + r.IntN(3) {
		var vs []string
		if r.IntN(8) > 0 {
			for range r.IntN(3) {
				vs = append(vs, pick(r))
			}
		}
		h[pickKey(r)] = vs
	}
	return h
}

func randStrings(r *rand.Rand) []string {
	switch r.IntN(3) {
	case 0:
		return nil
	case 1:
		return []string{}
	}
	return []string{pick(r), pick(r)}
}

func randInteraction(r *rand.Rand) *cassette.Interaction {
	return &cassette.Interaction{
		Request: cassette.Request{
			Proto: pick(r), ProtoMajor: r.IntN(3) - 1, ProtoMinor: r.IntN(3), ContentLength: r.Int64N(1<<40) - 5,
			TransferEncoding: randStrings(r), Trailer: randHeader(r), Host: pick(r), RemoteAddr: pick(r),
			RequestURI: pick(r), Body: pick(r), Form: map[string][]string(randHeader(r)), Headers: randHeader(r),
			URL: pick(r), Method: pick(r),
		},
		Response: cassette.Response{
			Proto: pick(r), ProtoMajor: 1, ProtoMinor: 1, TransferEncoding: randStrings(r), Trailer: randHeader(r),
			ContentLength: r.Int64N(1000) - 1, Uncompressed: r.IntN(2) == 0, Body: pick(r), Headers: randHeader(r),
			Status: pick(r), Code: r.IntN(600), Duration: time.Duration(r.Int64N(1e12)) * []time.Duration{0, 1, time.Millisecond}[r.IntN(3)],
		},
	}
}

// TestDecodeRandomCassettes writes random interactions with go-vcr's own writer and reads
// them back both ways: whenever the fast reader answers, it answers what go-vcr reads.
func TestDecodeRandomCassettes(t *testing.T) {
	r := rand.New(rand.NewPCG(14, 2026))
	dir := t.TempDir()
	fast, readable := 0, 0
	for n := range 200 {
		inters := make([]*cassette.Interaction, 1+r.IntN(5))
		for i := range inters {
			inters[i] = randInteraction(r)
		}
		path := filepath.Join(dir, fmt.Sprintf("c%d.yaml", n))
		if err := save(path, inters); err != nil {
			t.Fatal(err)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		want, werr := goVCRDecode(data)
		got, err := decodeCassette(string(data))
		if werr != nil {
			// yaml.v3 cannot read back some literal blocks it writes inside lists (a
			// value with a leading space and a line break): neither may the fast reader.
			if err == nil {
				t.Fatalf("%s: go-vcr fails (%v) where the fast reader reads it:\n%s", path, werr, data)
			}
			continue
		}
		readable++
		if errors.Is(err, errUnsupported) {
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		fast++
		sameInteractions(t, path, got, want)
	}
	// Every file holds several nasty strings; most must still take the fast path, or it
	// would only be fast for the easy cassettes.
	if fast < readable*9/10 || readable < 100 {
		t.Errorf("only %d of %d cassettes go-vcr reads took the fast path", fast, readable)
	}
}

// FuzzDecodeCassette: on any input the fast reader either declines, or agrees with go-vcr.
func FuzzDecodeCassette(f *testing.F) {
	f.Add([]byte("---\nversion: 2\ninteractions: []\n"))
	f.Add([]byte("version: 1\n"))
	f.Add([]byte("version: 2\ninteractions:\n- id: 3\n  request:\n    body: |-\n      a\n\n      b\n    headers:\n      X: [a]\n"))
	f.Add([]byte("---\nversion: 2\ninteractions:\n    - id: 0\n      request:\n        url: http://x/?a=1\n        headers:\n            A:\n                - 'b''c'\n                - \"\\x41\\u00e9\"\n      response:\n        body: !!binary AAEC\n        code: 200\n        duration: 1.5s\n        uncompressed: true\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := decodeCassette(string(data))
		if errors.Is(err, errUnsupported) {
			return
		}
		want, werr := goVCRDecode(data)
		if (err == nil) != (werr == nil) || err != nil && !errors.Is(werr, err) {
			t.Fatalf("fast reader: %v; go-vcr: %v", err, werr)
		}
		if err == nil {
			sameInteractions(t, "fuzz", got, want)
		}
	})
}

// TestLoadFallsBackToGoVCR: cassettes outside the fast subset still load, exactly as go-vcr
// reads them.
func TestLoadFallsBackToGoVCR(t *testing.T) {
	lsValue := []*cassette.Interaction{{Request: cassette.Request{Body: "a: b\u2028sep"}, Response: cassette.Response{Body: "ok"}}}
	lsPath := filepath.Join(t.TempDir(), "ls.yaml")
	if err := save(lsPath, lsValue); err != nil {
		t.Fatal(err)
	}
	ls, _ := os.ReadFile(lsPath)
	for _, tc := range []struct{ name, data string }{
		{"a comment and flow mappings, as a person might write", "# edited by hand\nversion: 2\ninteractions:\n  - {id: 0, request: {method: GET, url: 'http://x/?Action=A&Version=1'}, response: {code: 200, body: ok}}\n"},
		{"a line separator, which yaml.v3 folds like a line break", string(ls)},
		{"a header name yaml.v3 writes as a complex key", "version: 2\ninteractions:\n- id: 0\n  request:\n    headers:\n      ? |-\n        a\n        b\n      : [v]\n  response:\n    body: ok\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "c.yaml")
			if err := os.WriteFile(path, []byte(tc.data), 0o644); err != nil {
				t.Fatal(err)
			}
			if _, err := decodeCassette(tc.data); !errors.Is(err, errUnsupported) {
				t.Fatalf("the fast reader took it: %v", err)
			}
			got, slow, err := loadCassetteFile(path, []byte(tc.data))
			if err != nil || !slow {
				t.Fatalf("slow %v, err %v", slow, err)
			}
			want, _ := goVCRDecode([]byte(tc.data))
			sameInteractions(t, path, got, want)
			if len(got) != 1 || got[0].Response.Body != "ok" {
				t.Errorf("got %+v", got)
			}
		})
	}
}

func TestDecodeRefusesOtherVersions(t *testing.T) {
	_, err := decodeCassette("---\nversion: 1\ninteractions: []\n")
	if !errors.Is(err, cassette.ErrUnsupportedCassetteFormat) {
		t.Errorf("version 1: %v, want go-vcr's ErrUnsupportedCassetteFormat", err)
	}
}

// TestYAMLReadable checks the word-at-a-time scan against the plain one, around word edges.
func TestYAMLReadable(t *testing.T) {
	plain := func(s string) bool {
		for i := 0; i < len(s); {
			n, ok := readableAt(s, i)
			if !ok {
				return false
			}
			i += n
		}
		return true
	}
	r := rand.New(rand.NewPCG(1, 2))
	alphabet := []string{"a", "b", " ", "\n", "\t", "\r", "\x00", "\x1f", "\x7f", "é", "日", "🎉", "\u0085", "\u2028", "\ufeff", "\xff", "\xe6\x97"}
	for range 20000 {
		var b strings.Builder
		for range r.IntN(40) {
			if r.IntN(4) == 0 {
				b.WriteString(alphabet[r.IntN(len(alphabet))])
			} else {
				b.WriteString("plain text ")
			}
		}
		s := b.String()
		if got, want := yamlReadable(s), plain(s); got != want {
			t.Fatalf("yamlReadable(%q) = %v, want %v", s, got, want)
		}
	}
}

// TestDecodeInPieces: a list read in parallel pieces decodes as go-vcr reads it, including
// when a cut lands in another list at the items' indentation, which must be read again in
// one piece.
func TestDecodeInPieces(t *testing.T) {
	oldBytes, oldPieces, oldKeys := parallelBytes, pieces, parallelKeys
	parallelBytes, pieces, parallelKeys = 1<<10, func() int { return 4 }, 10
	t.Cleanup(func() { parallelBytes, pieces, parallelKeys = oldBytes, oldPieces, oldKeys })
	path := filepath.Join(t.TempDir(), "big.yaml")
	if err := save(path, realInteractions(t, 150)); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// As long as the interactions, so that some cuts land in it.
	extra := "extra:\n" + strings.Repeat("    - x\n", len(data)/8)
	for _, tc := range []struct{ name, data string }{
		{"interactions", string(data)},
		{"interactions, then another list", string(data) + extra},
		{"another list, then interactions", "---\n" + extra + strings.TrimPrefix(string(data), "---\n")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := decodeCassette(tc.data)
			if err != nil {
				t.Fatal(err)
			}
			want, err := goVCRDecode([]byte(tc.data))
			if err != nil {
				t.Fatal(err)
			}
			sameInteractions(t, tc.name, got, want)
			idx := newIndex()
			if err := idx.add(tc.name, got); err != nil {
				t.Fatal(err)
			}
			var kb keyBuilder
			for i, in := range got {
				k, _, _, _ := kb.key(&in.Request)
				if q := idx.keys[k]; idx.all[idx.queues[q].first].inter != got[i] && idx.queues[q].n == 1 {
					t.Fatalf("interaction %d is not first under its own key", i)
				}
			}
		})
	}
}
