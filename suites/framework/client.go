package framework

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/smcct/smcct/recorder"
	"github.com/smcct/smcct/rpc"
	"github.com/smcct/smcct/spec"
)

// ClientOptions change how a client talks, for protocol specs.
type ClientOptions struct {
	Signer rpc.Signer // 0: the target's
	Method string     // "": POST
	InBody bool
	Format rpc.Format
}

// Client is a signed client for one account of a target. Every response it receives is
// checked against the contract; a response that breaks it fails the running spec.
type Client struct {
	t    *Target
	rc   *rpc.Client
	cred Credentials
	opts ClientOptions
}

// NewClient returns a client of the target for one AccessKey pair.
func (t *Target) NewClient(cred Credentials, opts ClientOptions) (*Client, error) {
	signer := opts.Signer
	if signer == 0 {
		signer = t.Signer
	}
	rc, err := rpc.NewClient(rpc.Config{
		Endpoint: t.Endpoint, AccessKeyID: cred.AccessKeyID, AccessKeySecret: cred.Secret, SecurityToken: cred.Token,
		Signer: signer, Method: opts.Method, InBody: opts.InBody, RegionID: t.Region,
		Format: opts.Format, HTTPClient: t.HTTP, Now: t.Now, Nonce: t.Nonce,
	})
	if err != nil {
		return nil, err
	}
	return &Client{t: t, rc: rc, cred: cred, opts: opts}, nil
}

// RPC is the underlying rpc.Client, for building requests by hand (NewRequest, Sign).
func (c *Client) RPC() *rpc.Client { return c.rc }

// Result is one exchange: what was sent and what came back.
type Result struct {
	Action   *spec.Action
	Request  *rpc.Request
	Response *rpc.Response
	// Err is the service error of a 4xx/5xx answer, nil on success.
	Err *rpc.Error
	// Problem is why the answer breaks the contract's envelope or response schema; "" if not.
	Problem string
}

// OK reports whether the call succeeded.
func (r *Result) OK() bool {
	return r.Err == nil && r.Response != nil && r.Response.Status == http.StatusOK
}

// Str returns a top-level string field of a JSON success body, "" if absent.
func (r *Result) Str(field string) string {
	if r.Response == nil || r.Response.Data == nil {
		return ""
	}
	switch v := r.Response.Data[field].(type) {
	case string:
		return v
	case json.Number:
		return v.String()
	}
	return ""
}

// Transcript renders the exchange for a failure report.
func (r *Result) Transcript() string {
	var b strings.Builder
	if r.Request != nil {
		fmt.Fprintf(&b, "request: %s /?%s\n", r.Request.Method, redact(r.Request.Query))
		if r.Request.Form != nil {
			fmt.Fprintf(&b, "  form: %s\n", redact(r.Request.Form))
		}
		for _, h := range []string{rpc.HeaderAction, rpc.HeaderVersion, rpc.HeaderDate} {
			if v := r.Request.Header.Get(h); v != "" {
				fmt.Fprintf(&b, "  %s: %s\n", h, v)
			}
		}
	}
	if r.Response != nil {
		body := r.Response.Body
		if len(body) > 2048 {
			body = append(body[:2048:2048], "..."...)
		}
		fmt.Fprintf(&b, "response: %d %s\n", r.Response.Status, body)
	}
	if r.Problem != "" {
		fmt.Fprintf(&b, "contract: %s\n", r.Problem)
	}
	return b.String()
}

// redact shows parameters sorted, with the credentials (AccessKeyId, Signature,
// SecurityToken) replaced as the recorder replaces them: a report may be published.
func redact(v url.Values) string {
	v = recorder.RedactValues(v)
	keys := make([]string, 0, len(v))
	for k := range v {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, k+"="+strings.Join(v[k], ","))
	}
	return strings.Join(parts, "&")
}

// Call signs and sends one action with its own parameters (common ones are added).
func (c *Client) Call(ctx context.Context, a *spec.Action, params url.Values) (*Result, error) {
	req, err := c.rc.NewRequest(a.Product.Version, a.Name, params)
	if err != nil {
		return nil, err
	}
	return c.Send(ctx, a, req)
}

// CallAnyRegion is Call for a read whose RegionId is only an optional filter
// (DescribeReplicationJobs): unless params name a region, it sends none, where Call would
// send the client's and miss what lives in other regions.
func (c *Client) CallAnyRegion(ctx context.Context, a *spec.Action, params url.Values) (*Result, error) {
	if p, ok := a.Param("RegionId"); !ok || p.Required || p.Filter == nil || params.Has("RegionId") {
		return c.Call(ctx, a, params)
	}
	req, err := c.rc.NewRequest(a.Product.Version, a.Name, params)
	if err != nil {
		return nil, err
	}
	req.Query.Del("RegionId")
	if req.Form != nil {
		req.Form.Del("RegionId")
	}
	if err := c.rc.Sign(req); err != nil {
		return nil, err
	}
	return c.Send(ctx, a, req)
}

// Send puts a prepared request on the wire and checks the answer against the contract.
// a may be nil for requests that name no known action.
func (c *Client) Send(ctx context.Context, a *spec.Action, req *rpc.Request) (*Result, error) {
	resp, err := c.rc.Send(ctx, req)
	if resp == nil {
		return nil, err
	}
	r := &Result{Action: a, Request: req, Response: resp}
	if e, ok := rpc.AsError(err); ok {
		r.Err = e
	}
	r.Problem = checkResponse(a, c.opts.Format, resp, requestRegion(req))
	return r, nil
}

// checkResponse is the contract check every answer gets: the error envelope for errors,
// the action's response schema for successes, in JSON or, when XML was asked for, read
// from XML by the schema (spec.XMLValue).
func checkResponse(a *spec.Action, format rpc.Format, resp *rpc.Response, region string) string {
	if format == rpc.XML {
		return checkXMLResponse(a, resp, region)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		return fmt.Sprintf("a JSON request answered with Content-Type %q", ct)
	}
	var body any
	if err := json.Unmarshal(resp.Body, &body); err != nil {
		return "the body is not JSON: " + err.Error()
	}
	if resp.Status >= 400 {
		return checkErrorEnvelope(a, body, region)
	}
	if resp.Status != http.StatusOK {
		return fmt.Sprintf("success status %d, the contract has only 200", resp.Status)
	}
	if a == nil {
		return ""
	}
	if err := a.Response.VisitJSON(body, openapi3.VisitAsResponse(), openapi3.MultiErrors()); err != nil {
		return "the body breaks the " + a.Name + " response schema: " + oneLine(err.Error())
	}
	return ""
}

// checkErrorEnvelope: every error carries RequestId, Code, Message and Recommend, and a
// HostId that, when the action is known, is the product's documented host for the request's
// region (spec.Product.HostFor). A gateway that cannot tell the product sends no HostId.
func checkErrorEnvelope(a *spec.Action, body any, region string) string {
	m, ok := body.(map[string]any)
	if !ok {
		return "the error body is not a JSON object"
	}
	var missing []string
	for _, f := range []string{"RequestId", "Code", "Message", "Recommend"} {
		if s, ok := m[f].(string); !ok || s == "" {
			missing = append(missing, f)
		}
	}
	if len(missing) > 0 {
		return "the error body lacks " + strings.Join(missing, ", ")
	}
	if h, ok := m["HostId"]; ok && a != nil && h != a.Product.HostFor(region) {
		return fmt.Sprintf("the error's HostId is %q, not the product's host %q", m["HostId"], a.Product.HostFor(region))
	}
	return ""
}

func checkXMLResponse(a *spec.Action, resp *rpc.Response, region string) string {
	if !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/xml") {
		return fmt.Sprintf("Format=XML answered with Content-Type %q", resp.Header.Get("Content-Type"))
	}
	if err := wellFormedXML(resp.Body); err != nil {
		return "Format=XML answered with a body that is not XML: " + err.Error()
	}
	switch {
	case resp.Status >= 400:
		body, err := spec.XMLValue(nil, resp.Body)
		if err != nil {
			return "the XML error body cannot be read: " + err.Error()
		}
		return checkErrorEnvelope(a, body, region)
	case resp.Status != http.StatusOK:
		return fmt.Sprintf("success status %d, the contract has only 200", resp.Status)
	case a == nil:
		return ""
	}
	if err := a.CheckXMLResponse(resp.Body); err != nil {
		return "the XML body breaks the " + a.Name + " response schema: " + oneLine(err.Error())
	}
	return ""
}

func wellFormedXML(b []byte) error {
	d := xml.NewDecoder(bytes.NewReader(b))
	root := false
	for {
		tok, err := d.Token()
		if err != nil {
			if root && errors.Is(err, io.EOF) {
				return nil
			}
			if !root {
				return fmt.Errorf("no root element: %v", err)
			}
			return err
		}
		if _, ok := tok.(xml.StartElement); ok {
			root = true
		}
	}
}

func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 600 {
		s = s[:600] + "..."
	}
	return s
}

// requestRegion is the RegionId a request carries, wherever it travels.
func requestRegion(req *rpc.Request) string {
	if req == nil {
		return ""
	}
	if v := req.Query.Get("RegionId"); v != "" {
		return v
	}
	return req.Form.Get("RegionId")
}
