package recorder

import (
	"encoding/base64"
	"encoding/binary"
	"errors"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
	"unsafe"
)

// A fast reader for the cassettes go-vcr writes. go-vcr's cassette.Load hands the whole file
// to yaml.v3, which builds a node tree of every scalar before decoding it: 13.6 s and 2.4 GB
// for 100,000 interactions (184 MB). This reader knows the one shape go-vcr writes (block
// style, as yaml.v3 emits it) and decodes straight into cassette.Interaction, taking string
// values as substrings of the file wherever they need no unescaping.
//
// It reads a strict subset of YAML: block mappings and sequences, plain, single-quoted and
// double-quoted one-line scalars, literal block scalars, `{}`, `[]` and the !!binary tag.
// Anything else (comments, anchors, flow collections with content, folded or multi-line
// quoted scalars, tabs, CRLF, duplicate keys, a value of the wrong kind) is errUnsupported,
// and the caller loads that file with go-vcr instead, so a hand-edited cassette still
// loads exactly as go-vcr would load it, only slower. Whatever this reader accepts, it must
// decode exactly as yaml.v3 would: FuzzDecodeCassette and TestDecodeMatchesGoVCR check it.

// errUnsupported marks YAML outside the subset; it is never shown to users.
var errUnsupported = errors.New("recorder: cassette YAML outside the fast reader's subset")

// yamlReadable reports whether s holds only characters yaml.v3 reads as they are: printable
// UTF-8, tabs and line feeds. Carriage returns, Unicode line breaks and byte order marks
// are left to yaml.v3. It looks at eight bytes at a time while they are plain printable
// ASCII, which is nearly all of a cassette.
func yamlReadable(s string) bool {
	const (
		ones  = 0x0101010101010101
		highs = 0x8080808080808080
	)
	i := 0
	for i+8 <= len(s) {
		w := binary.LittleEndian.Uint64(unsafe.Slice(unsafe.StringData(s[i:]), 8))
		// Some byte is below 0x20, is 0x7f, or is 0x80 or above exactly when one of these
		// has a high bit set (the has-less-than and has-zero-byte tricks).
		below := (w - 0x20*ones) &^ w
		del := ((w ^ 0x7f*ones) - ones) &^ (w ^ 0x7f*ones)
		if (below|del|w)&highs == 0 {
			i += 8
			continue
		}
		for end := i + 8; i < end; { // one character at a time, past the word if need be
			n, ok := readableAt(s, i)
			if !ok {
				return false
			}
			i += n
		}
	}
	for i < len(s) {
		n, ok := readableAt(s, i)
		if !ok {
			return false
		}
		i += n
	}
	return true
}

// readableAt checks the character at s[i] and returns its length.
func readableAt(s string, i int) (int, bool) {
	c := s[i]
	if c < utf8.RuneSelf {
		return 1, (c >= 0x20 || c == '\n' || c == '\t') && c != 0x7f
	}
	r, size := utf8.DecodeRuneInString(s[i:])
	// yaml.v3 also takes NEL, LS and PS for line breaks, inside quotes too.
	ok := !(r == utf8.RuneError && size == 1) && r != 0xFEFF && r != 0x2028 && r != 0x2029 &&
		(r >= 0xA0 && r <= 0xD7FF || r >= 0xE000 && r <= 0xFFFD || r >= 0x10000)
	return size, ok
}

// decoder walks the file line by line. pos is the start of the next unread line; a
// sequence item's first line is read as if its "- " were indentation (item).
type decoder struct {
	// sequential turns off reading a long list of interactions in parallel pieces.
	sequential bool
	s          string
	pos        int
	cached     line // the line peek found at cachedAt, to save rescanning it
	cachedAt   int
	item       struct {
		active bool
		indent int
		text   string
		next   int
	}
}

// line is one line of the file, its indentation and its text after the indentation.
type line struct {
	indent int
	text   string
	next   int // where the following line starts
}

// peek returns the next line that is not blank, without consuming it; ok is false at the
// end of the file. Tabs in indentation and carriage returns are unsupported.
func (d *decoder) peek() (line, bool, error) {
	if d.item.active {
		return line{indent: d.item.indent, text: d.item.text, next: d.item.next}, true, nil
	}
	if d.cached.next > 0 && d.cachedAt == d.pos {
		return d.cached, true, nil
	}
	for pos := d.pos; pos < len(d.s); {
		end := strings.IndexByte(d.s[pos:], '\n')
		next := len(d.s)
		if end < 0 {
			end = len(d.s)
		} else {
			end += pos
			next = end + 1
		}
		raw := d.s[pos:end]
		i := 0
		for i < len(raw) && raw[i] == ' ' {
			i++
		}
		if i < len(raw) && (raw[i] == '\t' || raw[i] == '#') || i == 0 && docMarker(raw) {
			return line{}, false, errUnsupported
		}
		if i == len(raw) { // blank
			pos = next
			continue
		}
		d.pos = pos
		d.cached, d.cachedAt = line{indent: i, text: raw[i:], next: next}, pos
		return d.cached, true, nil
	}
	d.pos = len(d.s)
	return line{}, false, nil
}

// docMarker reports a line that starts or ends a YAML document.
func docMarker(raw string) bool {
	return (strings.HasPrefix(raw, "---") || strings.HasPrefix(raw, "...")) &&
		(len(raw) == 3 || raw[3] == ' ' || raw[3] == '\t')
}

// consume moves past a line returned by peek.
func (d *decoder) consume(l line) {
	d.item.active = false
	d.pos = l.next
}

// mapping reads a block mapping whose keys sit at exactly indent (the first key may follow
// a sequence item's "- "). For each key, field reads the value: rest is what follows
// "key:" on the line (trimmed), and indent the key's indentation.
func (d *decoder) mapping(indent int, field func(key, rest string, indent int) error) error {
	var seenBuf [16]string
	seen := seenBuf[:0]
	for {
		l, ok, err := d.peek()
		if err != nil || !ok || l.indent < indent {
			return err
		}
		if l.indent > indent {
			return errUnsupported
		}
		key, rest, err := splitKey(l.text)
		if err != nil {
			return err
		}
		for _, k := range seen {
			if k == key {
				return errUnsupported // yaml.v3 refuses a repeated key
			}
		}
		seen = append(seen, key)
		d.consume(l)
		if err := field(key, rest, indent); err != nil {
			return err
		}
	}
}

// splitKey splits "key: rest" into an unquoted key and the trimmed rest.
func splitKey(text string) (key, rest string, err error) {
	if text == "" {
		return "", "", errUnsupported
	}
	defer func() {
		if err == nil && len(text)-len(rest) > 1000 {
			key, rest, err = "", "", errUnsupported // YAML limits simple keys to 1024 characters
		}
	}()
	switch text[0] {
	case '\'', '"':
		k, n, err := quoted(text)
		if err != nil || n >= len(text) || text[n] != ':' || (n+1 < len(text) && text[n+1] != ' ') {
			return "", "", errUnsupported
		}
		return k, strings.TrimLeft(text[n+1:], " "), nil
	}
	i := strings.Index(text, ":")
	for i >= 0 && i+1 < len(text) && text[i+1] != ' ' {
		j := strings.Index(text[i+1:], ":")
		if j < 0 {
			i = -1
			break
		}
		i += 1 + j
	}
	if i <= 0 {
		return "", "", errUnsupported
	}
	key = text[:i]
	if !plainSafe(key) || isNull(key) || key == "<<" {
		return "", "", errUnsupported
	}
	return key, strings.TrimLeft(text[i+1:], " "), nil
}

// plainSafe reports whether s, read as a plain scalar, means its own text: no indicator
// at its start and no comment or mapping inside.
func plainSafe(s string) bool {
	if s == "" || strings.ContainsAny(s[:1], ",[]{}#&*!|>'\"%@`") {
		return false
	}
	if strings.ContainsAny(s[:1], "-?:") && (len(s) == 1 || s[1] == ' ' || s[1] == '\t') {
		return false // an indicator, not the start of a scalar
	}
	last := s[len(s)-1]
	return last != ' ' && last != '\t' && last != ':' && !strings.Contains(s, " #") &&
		!strings.Contains(s, "\t#") && !strings.Contains(s, ": ") && !strings.Contains(s, ":\t")
}

func isNull(s string) bool { return s == "~" || s == "null" || s == "Null" || s == "NULL" }

// kind is what a value turned out to be.
type kind int

const (
	kNull   kind = iota // nothing, ~ or null: yaml.v3 leaves the zero value
	kPlain              // a plain scalar
	kQuoted             // a quoted or literal scalar, or !!binary: always a string
	kBlock              // a block collection starts on the next line
	kEmptyMap
	kEmptySeq
)

// value classifies the value after "key:" (or "- "). For scalars it returns the text; for
// kBlock the caller reads the collection. parent is the indentation of the key or item.
func (d *decoder) value(rest string, parent int) (string, kind, error) {
	if rest == "" {
		l, ok, err := d.peek()
		if err != nil {
			return "", kNull, err
		}
		if ok && (l.indent > parent || l.indent == parent && isSeqItem(l.text)) {
			return "", kBlock, nil
		}
		return "", kNull, nil
	}
	switch rest[0] {
	case ' ', '\t':
		return "", kNull, errUnsupported // a tab among the separating spaces
	case '\'', '"':
		s, n, err := quoted(rest)
		if err != nil || n != len(rest) {
			return "", kNull, errUnsupported
		}
		return s, kQuoted, nil
	case '|':
		s, err := d.literal(rest, parent)
		return s, kQuoted, err
	case '!':
		if t, ok := strings.CutPrefix(rest, "!!binary "); ok {
			s, k, err := d.value(strings.TrimLeft(t, " "), parent)
			if err != nil || (k != kPlain && k != kQuoted) {
				return "", kNull, errUnsupported
			}
			b, err := base64.StdEncoding.DecodeString(s)
			if err != nil {
				return "", kNull, errUnsupported // yaml.v3 fails the whole load: let it say so
			}
			return string(b), kQuoted, nil
		}
		return "", kNull, errUnsupported
	case '{', '[':
		switch rest {
		case "{}":
			return "", kEmptyMap, nil
		case "[]":
			return "", kEmptySeq, nil
		}
		return "", kNull, errUnsupported
	}
	if !plainSafe(rest) {
		return "", kNull, errUnsupported
	}
	if l, ok, err := d.peek(); err != nil || ok && l.indent > parent {
		return "", kNull, errUnsupported // a plain scalar continued on the next line
	}
	if isNull(rest) {
		return "", kNull, nil
	}
	return rest, kPlain, nil
}

func isSeqItem(text string) bool { return text == "-" || strings.HasPrefix(text, "- ") }

// quoted reads a one-line quoted scalar at the start of s and returns its value and
// length. Multi-line quoted scalars are unsupported.
func quoted(s string) (string, int, error) {
	if s[0] == '\'' {
		for i := 1; i < len(s); i++ {
			if s[i] != '\'' {
				continue
			}
			if i+1 < len(s) && s[i+1] == '\'' {
				return singleQuoted(s)
			}
			return s[1:i], i + 1, nil
		}
		return "", 0, errUnsupported
	}
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '"':
			return s[1:i], i + 1, nil
		case '\\':
			return doubleQuoted(s)
		}
	}
	return "", 0, errUnsupported
}

func singleQuoted(s string) (string, int, error) {
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		if s[i] != '\'' {
			b.WriteByte(s[i])
			continue
		}
		if i+1 < len(s) && s[i+1] == '\'' {
			b.WriteByte('\'')
			i++
			continue
		}
		return b.String(), i + 1, nil
	}
	return "", 0, errUnsupported
}

// doubleQuoted unescapes a double-quoted scalar with YAML's escapes.
func doubleQuoted(s string) (string, int, error) {
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		c := s[i]
		if c == '"' {
			return b.String(), i + 1, nil
		}
		if c != '\\' {
			b.WriteByte(c)
			continue
		}
		i++
		if i >= len(s) {
			break
		}
		if r, ok := yamlEscapes[s[i]]; ok {
			b.WriteRune(r)
			continue
		}
		width := map[byte]int{'x': 2, 'u': 4, 'U': 8}[s[i]]
		if width == 0 || i+width >= len(s) {
			return "", 0, errUnsupported
		}
		v, err := strconv.ParseUint(s[i+1:i+1+width], 16, 32)
		if err != nil {
			return "", 0, errUnsupported
		}
		if !utf8.ValidRune(rune(v)) {
			return "", 0, errUnsupported
		}
		b.WriteRune(rune(v)) // yaml.v3 reads \xXX as a code point too, not a byte
		i += width
	}
	return "", 0, errUnsupported
}

var yamlEscapes = map[byte]rune{
	'0': 0, 'a': '\a', 'b': '\b', 't': '\t', '\t': '\t', 'n': '\n', 'v': '\v', 'f': '\f',
	'r': '\r', 'e': 0x1b, ' ': ' ', '"': '"', '/': '/', '\\': '\\', 'N': 0x85, '_': 0xa0,
	'L': 0x2028, 'P': 0x2029,
}

// literal reads a literal block scalar ("|", "|-", "|+", "|4-", ...) whose header is rest,
// for a key or item at indentation parent.
func (d *decoder) literal(rest string, parent int) (string, error) {
	chomp, indent := byte(0), 0
	for _, c := range []byte(rest[1:]) {
		switch {
		case (c == '-' || c == '+') && chomp == 0:
			chomp = c
		case c >= '1' && c <= '9' && indent == 0:
			indent = parent + int(c-'0')
		default:
			return "", errUnsupported
		}
	}
	var lines []string
	pos := d.pos
	if d.item.active {
		return "", errUnsupported
	}
	for pos < len(d.s) {
		end := strings.IndexByte(d.s[pos:], '\n')
		next := len(d.s)
		if end < 0 {
			end = len(d.s)
		} else {
			end += pos
			next = end + 1
		}
		raw := d.s[pos:end]
		spaces := len(raw) - len(strings.TrimLeft(raw, " "))
		if spaces < len(raw) && raw[spaces] == '\t' && (indent == 0 || spaces < indent) {
			return "", errUnsupported // yaml.v3 refuses a tab where it still reads indentation
		}
		if spaces == len(raw) && (indent == 0 || spaces <= indent) { // an empty line
			if indent == 0 {
				return "", errUnsupported // empty lines before the indentation is known
			}
			lines = append(lines, "")
			pos = next
			continue
		}
		if indent == 0 {
			if spaces <= parent {
				break
			}
			indent = spaces
		}
		if spaces < indent {
			break
		}
		lines = append(lines, raw[indent:])
		pos = next
	}
	d.pos = pos
	if l, ok, err := d.peek(); err != nil || ok && l.indent > parent {
		return "", errUnsupported // text indented less than the block but more than its key
	}
	content := lines
	trailing := 0
	for len(content) > 0 && content[len(content)-1] == "" {
		content = content[:len(content)-1]
		trailing++
	}
	text := strings.Join(content, "\n")
	switch {
	case chomp == '+':
		if len(content) > 0 {
			text += "\n"
		}
		text += strings.Repeat("\n", trailing)
	case chomp == 0 && len(content) > 0:
		text += "\n"
	}
	return text, nil
}

// skip passes over the value of a key yaml.v3 would ignore, reading it as strictly as any
// other value: what yaml.v3 would refuse there must not load.
func (d *decoder) skip(rest string, parent int) error {
	_, k, err := d.value(rest, parent)
	if err != nil || k != kBlock {
		return err
	}
	l, _, _ := d.peek()
	if isSeqItem(l.text) {
		return d.sequence(parent, func(rest string, dash, col int) error {
			if _, _, err := splitKey(rest); rest != "" && err == nil {
				d.itemLine(rest, col) // a mapping that starts on the item's line
				return d.mapping(col, func(_, rest string, indent int) error { return d.skip(rest, indent) })
			}
			return d.skip(rest, dash)
		})
	}
	if l.indent <= parent {
		return errUnsupported
	}
	return d.mapping(l.indent, func(_, rest string, indent int) error { return d.skip(rest, indent) })
}

// sequence reads a block sequence of items at indentation >= parent; item reads one item:
// rest follows "- ", dash is the column of the dash and col the column of rest.
func (d *decoder) sequence(parent int, item func(rest string, dash, col int) error) error {
	first, _, err := d.peek()
	if err != nil {
		return err
	}
	at := first.indent
	for {
		l, ok, err := d.peek()
		if err != nil || !ok || l.indent < at {
			return err
		}
		if l.indent > at || !isSeqItem(l.text) {
			if l.indent == parent && at == parent {
				return nil // a compact sequence ended at its parent's next key
			}
			return errUnsupported
		}
		rest := strings.TrimLeft(strings.TrimPrefix(l.text, "-"), " ")
		d.consume(l)
		if err := item(rest, at, at+len(l.text)-len(rest)); err != nil {
			return err
		}
	}
}

// strings reads a list of strings ([]string, a header's values).
func (d *decoder) strings(rest string, parent int) ([]string, error) {
	_, k, err := d.value(rest, parent)
	switch {
	case err != nil:
		return nil, err
	case k == kNull:
		return nil, nil
	case k == kEmptySeq:
		return []string{}, nil
	case k != kBlock:
		return nil, errUnsupported
	}
	out := []string{}
	err = d.sequence(parent, func(rest string, dash, _ int) error {
		s, k, err := d.value(rest, dash)
		if err != nil || (k != kNull && k != kPlain && k != kQuoted) {
			return errUnsupported
		}
		if k != kNull { // yaml.v3 drops a null item of a string list
			out = append(out, s)
		}
		return nil
	})
	return out, err
}

// stringMap reads a map of string lists (http.Header, url.Values).
func (d *decoder) stringMap(rest string, parent int) (map[string][]string, error) {
	_, k, err := d.value(rest, parent)
	switch {
	case err != nil:
		return nil, err
	case k == kNull:
		return nil, nil
	case k == kEmptyMap:
		return map[string][]string{}, nil
	case k != kBlock:
		return nil, errUnsupported
	}
	first, _, _ := d.peek()
	if first.indent <= parent {
		return nil, errUnsupported
	}
	out := map[string][]string{}
	err = d.mapping(first.indent, func(key, rest string, indent int) error {
		vs, err := d.strings(rest, indent)
		out[key] = vs
		return err
	})
	return out, err
}

// str reads a string field.
func (d *decoder) str(rest string, parent int) (string, error) {
	s, k, err := d.value(rest, parent)
	if err != nil || (k != kNull && k != kPlain && k != kQuoted) {
		return "", errUnsupported
	}
	return s, nil
}

// int reads an integer field: plain decimal only, which is all yaml.v3 writes.
func (d *decoder) int(rest string, parent int) (int64, error) {
	n, _, err := d.optInt(rest, parent)
	return n, err
}

// optInt is int that also tells a null (set false), which yaml.v3 leaves as it finds it.
func (d *decoder) optInt(rest string, parent int) (n int64, set bool, err error) {
	s, k, err := d.value(rest, parent)
	if err != nil || k == kNull {
		return 0, false, err
	}
	if k != kPlain || !decimal(s) {
		return 0, false, errUnsupported
	}
	if n, err = strconv.ParseInt(s, 10, 64); err != nil {
		return 0, false, errUnsupported
	}
	return n, true, nil
}

func decimal(s string) bool {
	s = strings.TrimPrefix(s, "-")
	if s == "" || (s[0] == '0' && len(s) > 1) {
		return false
	}
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func (d *decoder) bool(rest string, parent int) (bool, error) {
	s, k, err := d.value(rest, parent)
	if err != nil || k == kNull {
		return false, err
	}
	if k != kPlain || (s != "true" && s != "false") {
		return false, errUnsupported
	}
	return s == "true", nil
}

func (d *decoder) duration(rest string, parent int) (time.Duration, error) {
	s, k, err := d.value(rest, parent)
	if err != nil || k == kNull {
		return 0, err
	}
	if k != kPlain || decimal(s) || !strings.ContainsAny(s, "nuµmsh") {
		return 0, errUnsupported // a number: yaml.v3's reading of it as a Duration differs
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return 0, errUnsupported
	}
	return v, nil
}
