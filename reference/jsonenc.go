package reference

import (
	"errors"
	"math"
	"strconv"
	"sync"
	"unicode/utf8"
)

// Hand-written JSON for the hottest read. encoding/json spends most of a 10-job page on
// reflection, and a json.Marshaler would not help: its output is re-scanned byte by byte.
// These helpers reproduce encoding/json's output exactly (with HTML escaping off, as
// rpc's envelope uses it), so a body built here is byte-identical to the reflective one.

// encodedObject is a result that already holds its compact JSON object encoding. rpc's
// envelope takes it without re-encoding; MarshalJSON keeps json.Marshal callers correct.
type encodedObject []byte

// CompactJSONObject is the envelope's fast path; the bytes are trusted as they are.
func (o encodedObject) CompactJSONObject() []byte { return o }

func (o encodedObject) MarshalJSON() ([]byte, error) { return o, nil }

// objectBuffers recycles the buffers of encoded results: a 10-job page is ~10 KB, and the
// envelope has copied it into the response body by the time serveRPC releases it.
var objectBuffers = sync.Pool{New: func() any { return new([]byte) }}

// maxPooledObject keeps a rare huge page (PageSize 100 of long descriptions) from pinning
// its buffer in the pool.
const maxPooledObject = 64 << 10

func newObjectBuffer(size int) []byte {
	b := (*objectBuffers.Get().(*[]byte))[:0]
	if cap(b) < size {
		b = make([]byte, 0, size)
	}
	return b
}

// releaseResult recycles a handler result's buffer; call it only once the response that
// carried the result is written and nothing else holds the result.
func releaseResult(result any) {
	if o, ok := result.(encodedObject); ok && cap(o) <= maxPooledObject {
		b := []byte(o)[:0]
		objectBuffers.Put(&b)
	}
}

const hexDigits = "0123456789abcdef"

// appendJSONString quotes s the way encoding/json does without HTML escaping: short
// escapes for the usual control characters, \u00XX for the rest, U+FFFD for invalid
// UTF-8 and \u2028/\u2029 escaped for JSONP's sake.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = appendJSONEscape(append(b, s[start:i]...), c)
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(append(b, s[start:i]...), `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(append(b, s[start:i]...), '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	return append(append(b, s[start:]...), '"')
}

func appendJSONEscape(b []byte, c byte) []byte {
	switch c {
	case '\\', '"':
		return append(b, '\\', c)
	case '\b':
		return append(b, '\\', 'b')
	case '\f':
		return append(b, '\\', 'f')
	case '\n':
		return append(b, '\\', 'n')
	case '\r':
		return append(b, '\\', 'r')
	case '\t':
		return append(b, '\\', 't')
	}
	return append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
}

var errJSONFloat = errors.New("reference: NaN or infinite number in a result")

// appendJSONFloat formats f as encoding/json does: ES6 number form, exponents only
// outside [1e-6, 1e21) and without a padded exponent.
func appendJSONFloat(b []byte, f float64) ([]byte, error) {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return b, errJSONFloat
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if n := len(b); format == 'e' && n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
		b[n-2] = b[n-1]
		b = b[:n-1]
	}
	return b, nil
}

// The field helpers write `,"key":value`; keys are plain ASCII names needing no escapes.
func appendKey(b []byte, key string) []byte {
	return append(append(append(b, ',', '"'), key...), '"', ':')
}

func appendStrField(b []byte, key, v string) []byte {
	return appendJSONString(appendKey(b, key), v)
}

func appendIntField(b []byte, key string, v int64) []byte {
	return strconv.AppendInt(appendKey(b, key), v, 10)
}

func appendBoolField(b []byte, key string, v bool) []byte {
	return strconv.AppendBool(appendKey(b, key), v)
}
