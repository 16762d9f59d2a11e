package loadgen

import (
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"

	"github.com/smcct/smcct/rpc"
)

// Render writes one HTTP/1.1 request as bytes. target is the request-target ("/?a=b"),
// header may be nil, and Host and Content-Length are always set from host and body.
func Render(method, host, target string, header http.Header, body []byte) []byte {
	b := make([]byte, 0, len(method)+len(target)+len(host)+len(body)+96+64*len(header))
	b = append(append(append(append(b, method...), ' '), target...), " HTTP/1.1\r\nHost: "...)
	b = append(append(b, host...), "\r\n"...)
	names := make([]string, 0, len(header))
	for k := range header {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		for _, v := range header[k] {
			b = append(append(append(append(b, k...), ": "...), v...), "\r\n"...)
		}
	}
	b = strconv.AppendInt(append(b, "Content-Length: "...), int64(len(body)), 10)
	b = append(append(b, "\r\n\r\n"...), body...)
	return b
}

// Signer renders signed RPC requests for one key pair, as an SDK would send them, each
// with its own nonce and the current time.
type Signer struct {
	host   string
	client *rpc.Client
}

// NewSigner signs for keyID/secret against host ("127.0.0.1:8080"); region is sent as
// RegionId when a call names none. signer picks v1 (POST /?params, the v1 Go SDK) or v3
// (headers, the v2 SDKs).
func NewSigner(host, keyID, secret, region string, signer rpc.Signer) (*Signer, error) {
	c, err := rpc.NewClient(rpc.Config{Endpoint: "http://" + host, AccessKeyID: keyID,
		AccessKeySecret: secret, RegionID: region, Signer: signer})
	if err != nil {
		return nil, err
	}
	return &Signer{host: host, client: c}, nil
}

// Sign renders one signed call.
func (s *Signer) Sign(version, action string, params url.Values) ([]byte, error) {
	req, err := s.client.NewRequest(version, action, params)
	if err != nil {
		return nil, err
	}
	target := "/"
	if len(req.Query) > 0 {
		target += "?" + req.Query.Encode()
	}
	body := req.Body
	header := req.Header.Clone()
	if req.Form != nil {
		body = []byte(req.Form.Encode())
		header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	return Render(req.Method, s.host, target, header, body), nil
}

// Batch signs n calls; params(i) gives the i-th call's parameters.
func (s *Signer) Batch(n int, version, action string, params func(i int) url.Values) ([][]byte, error) {
	out := make([][]byte, n)
	for i := range out {
		var p url.Values
		if params != nil {
			p = params(i)
		}
		r, err := s.Sign(version, action, p)
		if err != nil {
			return nil, fmt.Errorf("loadgen: signing %s: %w", action, err)
		}
		out[i] = r
	}
	return out, nil
}
