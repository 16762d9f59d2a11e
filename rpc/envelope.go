package rpc

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"

	"github.com/google/uuid"
)

// Content types of the envelopes. The v2 SDKs parse an error body as XML only when the
// content type is exactly the XML one, so neither may gain spaces or other parameters.
const (
	ContentTypeJSON = "application/json;charset=utf-8"
	ContentTypeXML  = "text/xml;charset=utf-8"
)

// HeaderRequestID repeats the RequestId in a header, as the real gateway does.
const HeaderRequestID = "x-acs-request-id"

const xmlProlog = "<?xml version='1.0' encoding='UTF-8'?>"

// NewRequestID returns a RequestId in the service's form: an upper-case UUID.
func NewRequestID() string { return strings.ToUpper(uuid.NewString()) }

// ResultBody renders a success body. value is what a handler returns (a struct or map that
// marshals to a JSON object, or nil) without RequestId; the body gets RequestId first.
func ResultBody(format Format, action, requestID string, value any) ([]byte, error) {
	obj, err := marshalObject(value)
	if err != nil {
		return nil, err
	}
	if format == XML {
		return xmlResult(action, requestID, obj)
	}
	return jsonResult(make([]byte, 0, len(obj)+len(requestID)+16), requestID, obj), nil
}

// jsonResult appends the JSON envelope of an encoded result object to b.
func jsonResult(b []byte, requestID string, obj []byte) []byte {
	b = strconv.AppendQuote(append(b, `{"RequestId":`...), requestID)
	if inner := bytes.TrimSpace(obj[1 : len(obj)-1]); len(inner) > 0 {
		b = append(append(b, ','), inner...)
	}
	return append(b, '}')
}

// bodyBuffers recycles JSON success bodies, which WriteResult has handed to the connection
// by the time it returns (a Writer must not keep what it is given): a 10-job page is 12 KB
// to allocate and clear on every request otherwise.
var bodyBuffers = sync.Pool{New: func() any { return new([]byte) }}

// maxPooledBody keeps a rare huge body from pinning its buffer in the pool.
const maxPooledBody = 64 << 10

// WriteResult writes a 200 success envelope. On error it writes nothing, so the caller can
// still answer with WriteError (InternalError) from the one place errors are written.
func WriteResult(w http.ResponseWriter, format Format, action, requestID string, value any) error {
	if format == XML {
		body, err := ResultBody(format, action, requestID, value)
		if err != nil {
			return err
		}
		write(w, format, http.StatusOK, requestID, body)
		return nil
	}
	obj, err := marshalObject(value)
	if err != nil {
		return err
	}
	buf := bodyBuffers.Get().(*[]byte)
	body := jsonResult((*buf)[:0], requestID, obj)
	write(w, format, http.StatusOK, requestID, body)
	if cap(body) <= maxPooledBody {
		*buf = body[:0]
		bodyBuffers.Put(buf)
	}
	return nil
}

// marshalObject marshals value without HTML escaping (the service sends `&` as is) and
// insists on a JSON object, the only shape an RPC success body has.
func marshalObject(value any) ([]byte, error) {
	if value == nil {
		return []byte("{}"), nil
	}
	// A result that carries its own compact encoding (a hot read's page) is taken as it
	// is: encoding/json would re-scan a Marshaler's output byte by byte.
	if pre, ok := value.(interface{ CompactJSONObject() []byte }); ok {
		out := pre.CompactJSONObject()
		if len(out) < 2 || out[0] != '{' || out[len(out)-1] != '}' {
			return nil, errors.New("rpc: result must marshal to a JSON object")
		}
		return out, nil
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(value); err != nil {
		return nil, fmt.Errorf("rpc: result: %w", err)
	}
	out := bytes.TrimSpace(b.Bytes())
	if string(out) == "null" {
		return []byte("{}"), nil
	}
	if len(out) < 2 || out[0] != '{' {
		return nil, errors.New("rpc: result must marshal to a JSON object")
	}
	return out, nil
}

// ErrorBody renders an error envelope after filling RequestId, HostId and Recommend.
func ErrorBody(format Format, host string, e *Error) []byte {
	c := fillError(host, e)
	if format == XML {
		var b strings.Builder
		b.WriteString(xmlProlog + "<Error>")
		for _, f := range [][2]string{{"RequestId", c.RequestID}, {"HostId", c.HostID}, {"Code", c.Code}, {"Message", c.Message}} {
			writeElement(&b, f[0], f[1])
		}
		b.WriteString("<Recommend><![CDATA[")
		b.WriteString(strings.ReplaceAll(xmlChars(c.Recommend), "]]>", "]]]]><![CDATA[>"))
		b.WriteString("]]></Recommend></Error>")
		return []byte(b.String())
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(c) // only strings: cannot fail
	return bytes.TrimSpace(b.Bytes())
}

// WriteError writes e as the gateway would, with status e.Status (500 if it is not an
// error status). host is the product endpoint for HostId (Call.Host). e is not modified.
func WriteError(w http.ResponseWriter, format Format, host string, e *Error) {
	if e == nil {
		e = &Error{Status: http.StatusInternalServerError, Code: "InternalError"}
	}
	c := fillError(host, e)
	status := c.Status
	if status < 400 || status > 599 {
		status = http.StatusInternalServerError
	}
	write(w, format, status, c.RequestID, ErrorBody(format, host, c))
}

func fillError(host string, e *Error) *Error {
	c := *e
	if c.RequestID == "" {
		c.RequestID = NewRequestID()
	}
	if c.HostID == "" {
		c.HostID = host
	}
	if c.Recommend == "" {
		c.Recommend = Recommend(c.Code, host, c.RequestID)
	}
	return &c
}

// Recommend is the troubleshooting link the gateway puts in error bodies, its query in the
// order real answers show: q, product, requestId. The product name is the first label of
// the endpoint host (smc.aliyuncs.com: Smc).
func Recommend(code, host, requestID string) string {
	var b strings.Builder
	b.WriteString("https://api.aliyun.com/troubleshoot?q=")
	b.WriteString(url.QueryEscape(code))
	if name, _, _ := strings.Cut(host, "."); name != "" {
		b.WriteString("&product=")
		b.WriteString(url.QueryEscape(strings.ToUpper(name[:1]) + name[1:]))
	}
	b.WriteString("&requestId=")
	b.WriteString(url.QueryEscape(requestID))
	return b.String()
}

func write(w http.ResponseWriter, format Format, status int, requestID string, body []byte) {
	h := w.Header()
	if format == XML {
		h.Set("Content-Type", ContentTypeXML)
	} else {
		h.Set("Content-Type", ContentTypeJSON)
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	h.Set(HeaderRequestID, requestID)
	w.WriteHeader(status)
	_, _ = w.Write(body) // a client gone away is not ours to report
}

// xmlChars replaces what XML 1.0 cannot carry even in CDATA (control characters, invalid
// UTF-8) with U+FFFD, as xml.EscapeText does for ordinary text.
func xmlChars(s string) string {
	return strings.Map(func(r rune) rune {
		if r == 0x09 || r == 0x0A || r == 0x0D || r >= 0x20 && r <= 0xD7FF ||
			r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF {
			return r
		}
		return '\uFFFD'
	}, strings.ToValidUTF8(s, "\uFFFD"))
}
