package rpc

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"strings"
	"unicode"
)

// maxXMLDepth bounds nesting when rendering XML; real results nest a handful of levels.
const maxXMLDepth = 64

// xmlResult renders `<ActionResponse><RequestId>..</RequestId>...</ActionResponse>` from
// the JSON of a result object, walking its tokens so field order is kept. Arrays become
// elements repeated under their key: SMC's wrapped lists ({"Jobs":{"Job":[..]}}) and EBS's
// flat arrays then take the POP XML shape.
func xmlResult(action, requestID string, obj []byte) ([]byte, error) {
	root := action + "Response"
	if !xmlName(action) {
		return nil, fmt.Errorf("rpc: action %q is not an XML name", action)
	}
	var b strings.Builder
	b.Grow(len(obj) * 2)
	b.WriteString(xmlProlog + "<" + root + ">")
	writeElement(&b, "RequestId", requestID)
	dec := json.NewDecoder(bytes.NewReader(obj))
	dec.UseNumber()
	if _, err := dec.Token(); err != nil { // the opening brace, checked by marshalObject
		return nil, err
	}
	x := &xmlWalker{dec: dec, b: &b}
	if err := x.fields(0); err != nil {
		return nil, err
	}
	b.WriteString("</" + root + ">")
	return []byte(b.String()), nil
}

type xmlWalker struct {
	dec *json.Decoder
	b   *strings.Builder
}

// fields renders the members of an object whose '{' was consumed, through its '}'.
func (x *xmlWalker) fields(depth int) error {
	for x.dec.More() {
		tok, err := x.dec.Token()
		if err != nil {
			return err
		}
		key, _ := tok.(string)
		if !xmlName(key) {
			return fmt.Errorf("rpc: result key %q is not an XML name", key)
		}
		if err := x.value(key, depth+1); err != nil {
			return err
		}
	}
	_, err := x.dec.Token()
	return err
}

// value renders the next JSON value under name.
func (x *xmlWalker) value(name string, depth int) error {
	if depth > maxXMLDepth {
		return errors.New("rpc: result nested too deeply for XML")
	}
	tok, err := x.dec.Token()
	if err != nil {
		return err
	}
	switch t := tok.(type) {
	case json.Delim:
		return x.container(name, t, depth)
	case string:
		writeElement(x.b, name, t)
	case json.Number:
		writeElement(x.b, name, t.String())
	case bool:
		writeElement(x.b, name, fmt.Sprint(t))
	case nil:
		writeElement(x.b, name, "")
	}
	return nil
}

func (x *xmlWalker) container(name string, d json.Delim, depth int) error {
	if d == '{' {
		x.b.WriteString("<" + name + ">")
		if err := x.fields(depth); err != nil {
			return err
		}
		x.b.WriteString("</" + name + ">")
		return nil
	}
	for x.dec.More() { // '[': each item repeats the element; an empty list renders nothing
		if err := x.value(name, depth+1); err != nil {
			return err
		}
	}
	_, err := x.dec.Token()
	return err
}

func writeElement(b *strings.Builder, name, text string) {
	b.WriteString("<" + name + ">")
	_ = xml.EscapeText(b, []byte(text)) // a strings.Builder never fails
	b.WriteString("</" + name + ">")
}

// xmlName accepts the names results use: a letter or '_' then letters, digits, '_', '-', '.'.
// Colons are refused so no key can smuggle a namespace prefix.
func xmlName(s string) bool {
	if s == "" || strings.HasPrefix(strings.ToLower(s), "xml") {
		return false
	}
	for i, r := range s {
		switch {
		case unicode.IsLetter(r) || r == '_':
		case i > 0 && (unicode.IsDigit(r) || r == '-' || r == '.'):
		default:
			return false
		}
	}
	return true
}
