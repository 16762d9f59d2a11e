package rpc

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Config configures a Client. Only Endpoint and the key pair are required.
type Config struct {
	// Endpoint is the base URL, e.g. http://127.0.0.1:8080.
	Endpoint        string
	AccessKeyID     string
	AccessKeySecret string
	SecurityToken   string
	Signer          Signer // V1 (default) or V3
	Method          string // POST (default) or GET
	// InBody sends the action's parameters as a form body instead of in the query.
	InBody bool
	// RegionID is sent as RegionId when a call has none, as the v1 SDK does.
	RegionID   string
	Format     Format // JSON (default) or XML
	HTTPClient *http.Client
	// Now and Nonce fix the clock and nonce, for tests; nil means wall clock and random.
	Now   func() time.Time
	Nonce func() string
	// MaxResponse bounds the bytes read from a response body (default 16 MiB).
	MaxResponse int64
	// NoDecode leaves Response.Data nil for successes, so that a load generator measures the
	// server rather than its own JSON decoding. Error bodies are still decoded.
	NoDecode bool
}

// Client is a signed RPC client for any action of either product. Call covers the normal
// case; NewRequest, Sign and Send let negative tests send anything, valid or not.
type Client struct {
	cfg  Config
	base *url.URL
}

// Request is exactly what Send puts on the wire; tests may change any part of it.
type Request struct {
	Method string
	Query  url.Values
	// Form, when not nil, is sent as an application/x-www-form-urlencoded body.
	Form url.Values
	// Body is sent as is when Form is nil.
	Body   []byte
	Header http.Header
}

// Response is a decoded service response.
type Response struct {
	Status    int
	Header    http.Header
	Body      []byte
	RequestID string
	// Data is the JSON body decoded (numbers as json.Number); nil for XML or non-JSON bodies.
	Data map[string]any
}

// NewClient checks cfg and returns a client.
func NewClient(cfg Config) (*Client, error) {
	u, err := url.Parse(cfg.Endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("rpc: endpoint %q is not an http(s) URL", cfg.Endpoint)
	}
	if cfg.AccessKeyID == "" || cfg.AccessKeySecret == "" {
		return nil, errors.New("rpc: AccessKeyID and AccessKeySecret are required")
	}
	if cfg.Signer == 0 {
		cfg.Signer = V1
	}
	if cfg.Signer != V1 && cfg.Signer != V3 {
		return nil, fmt.Errorf("rpc: unknown signer %d", cfg.Signer)
	}
	if cfg.Method == "" {
		cfg.Method = http.MethodPost
	}
	if cfg.Format == "" {
		cfg.Format = JSON
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 30 * time.Second}
	}
	if cfg.MaxResponse <= 0 {
		cfg.MaxResponse = 16 << 20
	}
	return &Client{cfg: cfg, base: u}, nil
}

// Call sends a signed request for one action and decodes the answer. A service error
// (HTTP 4xx/5xx) comes back as a *Error, together with the Response.
func (c *Client) Call(ctx context.Context, version, action string, params url.Values) (*Response, error) {
	req, err := c.NewRequest(version, action, params)
	if err != nil {
		return nil, err
	}
	return c.Send(ctx, req)
}

// NewRequest builds a signed request as the SDK of the configured signer would.
func (c *Client) NewRequest(version, action string, params url.Values) (*Request, error) {
	req := &Request{Method: c.cfg.Method, Query: url.Values{}, Header: http.Header{}}
	own := cloneValues(params)
	if own.Get("RegionId") == "" && c.cfg.RegionID != "" {
		own.Set("RegionId", c.cfg.RegionID)
	}
	if c.cfg.InBody {
		req.Form = own
	} else {
		req.Query = own
	}
	if c.cfg.Signer == V1 {
		c.commonV1(req.Query, version, action)
	} else {
		c.headersV3(req, version, action)
	}
	return req, c.Sign(req)
}

func (c *Client) commonV1(q url.Values, version, action string) {
	q.Set("Action", action)
	q.Set("Version", version)
	q.Set("Format", string(c.cfg.Format))
	q.Set("AccessKeyId", c.cfg.AccessKeyID)
	q.Set("SignatureMethod", SignatureMethodV1)
	q.Set("SignatureVersion", SignatureVersionV1)
	q.Set("SignatureType", "") // the v1 SDK sends and signs it empty
	q.Set("SignatureNonce", c.nonce())
	q.Set("Timestamp", c.timestamp())
	if c.cfg.SecurityToken != "" {
		q.Set("SecurityToken", c.cfg.SecurityToken)
	}
}

func (c *Client) headersV3(req *Request, version, action string) {
	h := req.Header
	h.Set(HeaderAction, action)
	h.Set(HeaderVersion, version)
	h.Set(HeaderDate, c.timestamp())
	h.Set(HeaderNonce, c.nonce())
	h.Set("Accept", "application/json")
	if c.cfg.SecurityToken != "" {
		h.Set("x-acs-accesskey-id", c.cfg.AccessKeyID)
		h.Set(HeaderSecurityToken, c.cfg.SecurityToken)
	}
	if c.cfg.Format == XML {
		req.Query.Set("Format", string(XML))
	}
}

// Sign (re)signs req with the client's signer and key over its current contents, so a test
// can change a Timestamp or nonce and still send a valid signature.
func (c *Client) Sign(req *Request) error {
	if c.cfg.Signer == V1 {
		all := cloneValues(req.Query)
		for k, vs := range req.Form {
			all[k] = append(all[k], vs...)
		}
		SignV1(req.Method, all, c.cfg.AccessKeySecret)
		req.Query.Set("Signature", all.Get("Signature"))
		return nil
	}
	hr, body, err := c.httpRequest(context.Background(), req)
	if err != nil {
		return err
	}
	SignV3(hr, body, c.cfg.AccessKeyID, c.cfg.AccessKeySecret)
	req.Header.Set(HeaderContentSHA256, hr.Header.Get(HeaderContentSHA256))
	req.Header.Set("Authorization", hr.Header.Get("Authorization"))
	return nil
}

// Send puts req on the wire unchanged and decodes the response.
func (c *Client) Send(ctx context.Context, req *Request) (*Response, error) {
	hr, _, err := c.httpRequest(ctx, req)
	if err != nil {
		return nil, err
	}
	resp, err := c.cfg.HTTPClient.Do(hr)
	if err != nil {
		return nil, fmt.Errorf("rpc: %s: %w", req.Query.Get("Action")+req.Header.Get(HeaderAction), err)
	}
	return c.decode(resp)
}

func (c *Client) httpRequest(ctx context.Context, req *Request) (*http.Request, []byte, error) {
	u := *c.base
	if u.Path == "" {
		u.Path = "/"
	}
	u.RawQuery = req.Query.Encode()
	body := req.Body
	if req.Form != nil {
		body = []byte(req.Form.Encode())
	}
	hr, err := http.NewRequestWithContext(ctx, req.Method, u.String(), bytes.NewReader(body))
	if err != nil {
		return nil, nil, fmt.Errorf("rpc: %w", err)
	}
	for k, vs := range req.Header {
		hr.Header[k] = append([]string(nil), vs...)
	}
	if req.Form != nil && hr.Header.Get("Content-Type") == "" {
		hr.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	return hr, body, nil
}

func (c *Client) nonce() string {
	if c.cfg.Nonce != nil {
		return c.cfg.Nonce()
	}
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms
	return hex.EncodeToString(b[:])
}

func (c *Client) timestamp() string {
	now := time.Now
	if c.cfg.Now != nil {
		now = c.cfg.Now
	}
	return now().UTC().Format("2006-01-02T15:04:05Z")
}

func cloneValues(v url.Values) url.Values {
	out := make(url.Values, len(v)+12)
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

// isXMLBody tells XML error bodies from JSON ones by their first byte, whatever the
// content type claims.
func isXMLBody(b []byte) bool {
	t := bytes.TrimSpace(b)
	return len(t) > 0 && t[0] == '<' && !strings.HasPrefix(string(t), "<!DOCTYPE")
}
