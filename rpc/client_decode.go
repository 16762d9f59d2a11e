package rpc

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
)

// decode reads a response within MaxResponse and turns error statuses into *Error.
func (c *Client) decode(resp *http.Response) (*Response, error) {
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, c.cfg.MaxResponse+1))
	if err != nil {
		return nil, fmt.Errorf("rpc: reading response: %w", err)
	}
	if int64(len(body)) > c.cfg.MaxResponse {
		return nil, fmt.Errorf("rpc: response over %d bytes", c.cfg.MaxResponse)
	}
	r := &Response{Status: resp.StatusCode, Header: resp.Header, Body: body, RequestID: resp.Header.Get(HeaderRequestID)}
	if (!c.cfg.NoDecode || resp.StatusCode >= 400) && !isXMLBody(body) && len(bytes.TrimSpace(body)) > 0 {
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.UseNumber()
		var m map[string]any
		if dec.Decode(&m) == nil {
			r.Data = m
			if id, ok := m["RequestId"].(string); ok {
				r.RequestID = id
			}
		}
	}
	if resp.StatusCode < 400 {
		return r, nil
	}
	return r, decodeError(r)
}

// decodeError reads an error envelope, JSON or XML. A body in neither form keeps its text
// as the Message, as the v1 SDK does, so the caller still sees what came back.
func decodeError(r *Response) *Error {
	e := &Error{}
	if isXMLBody(r.Body) {
		var x struct {
			RequestID string `xml:"RequestId"`
			HostID    string `xml:"HostId"`
			Code      string `xml:"Code"`
			Message   string `xml:"Message"`
			Recommend string `xml:"Recommend"`
		}
		if xml.Unmarshal(r.Body, &x) == nil {
			e = &Error{RequestID: x.RequestID, HostID: x.HostID, Code: x.Code, Message: x.Message, Recommend: x.Recommend}
		}
	} else {
		_ = json.Unmarshal(r.Body, e) // a non-JSON body leaves Code empty: handled below
	}
	e.Status = r.Status
	if e.Code == "" {
		e.Message = string(r.Body)
	}
	if e.RequestID == "" {
		e.RequestID = r.RequestID
	}
	return e
}
