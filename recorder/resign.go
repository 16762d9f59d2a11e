package recorder

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/smcct/smcct/rpc"
)

// Credentials sign what the proxy forwards upstream.
type Credentials struct {
	AccessKeyID     string
	AccessKeySecret string
	SecurityToken   string // optional STS token
}

// authParams are the v1 common parameters the proxy replaces: whatever the client signed
// with is meaningless upstream.
var authParams = []string{"AccessKeyId", "Signature", "SignatureNonce", "Timestamp",
	"SecurityToken", "SignatureMethod", "SignatureVersion"}

// hopHeaders are connection-scoped (RFC 9110 §7.6.1) and never forwarded.
var hopHeaders = []string{"Connection", "Keep-Alive", "Proxy-Connection", "Proxy-Authorization",
	"Te", "Trailer", "Transfer-Encoding", "Upgrade"}

// isV3 tells the two signature versions apart the way the gateway does: v3 carries an
// ACS3 Authorization header, v1 a Signature parameter.
func isV3(r *http.Request) bool {
	return strings.HasPrefix(strings.TrimSpace(r.Header.Get("Authorization")), "ACS3-")
}

// resign builds the upstream request for a client request whose body has been read: same
// method, path, parameters and placement (query or form), signed again with cred in the
// signature version the client used, with a fresh nonce and timestamp.
func resign(ctx context.Context, r *http.Request, body []byte, upstream *url.URL, cred Credentials, now time.Time) (*http.Request, error) {
	query, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, err
	}
	target := *upstream
	target.Path = strings.TrimSuffix(upstream.Path, "/") + r.URL.Path
	if target.Path == "" {
		target.Path = "/"
	}
	header := r.Header.Clone()
	for _, h := range hopHeaders {
		header.Del(h)
	}
	header.Del("Content-Length")
	header.Del("Accept-Encoding") // let the transport negotiate and decode on its own
	if isV3(r) {
		target.RawQuery = query.Encode()
		return resignV3(ctx, r.Method, &target, header, body, cred, now)
	}
	return resignV1(ctx, r.Method, &target, header, query, body, cred, now)
}

func resignV1(ctx context.Context, method string, target *url.URL, header http.Header, query url.Values, body []byte, cred Credentials, now time.Time) (*http.Request, error) {
	var form url.Values
	if isForm(header.Get("Content-Type")) && len(body) > 0 {
		var err error
		if form, err = url.ParseQuery(string(body)); err != nil {
			return nil, err
		}
	}
	// Common parameters go back where the client put them: the v1 SDK puts them in the
	// query, a hand-made POST may put everything in the body.
	holder := query
	if form != nil && form.Has("Signature") && !query.Has("Signature") {
		holder = form
	}
	for _, k := range authParams {
		query.Del(k)
		form.Del(k)
	}
	holder.Set("AccessKeyId", cred.AccessKeyID)
	holder.Set("SignatureMethod", rpc.SignatureMethodV1)
	holder.Set("SignatureVersion", rpc.SignatureVersionV1)
	holder.Set("SignatureNonce", uuid.NewString())
	holder.Set("Timestamp", now.UTC().Format("2006-01-02T15:04:05Z"))
	if cred.SecurityToken != "" {
		holder.Set("SecurityToken", cred.SecurityToken)
	}
	merged := url.Values{}
	for _, src := range []url.Values{query, form} {
		for k, vs := range src {
			merged[k] = append(merged[k], vs...)
		}
	}
	rpc.SignV1(method, merged, cred.AccessKeySecret)
	holder.Set("Signature", merged.Get("Signature"))
	target.RawQuery = query.Encode()
	if form != nil {
		body = []byte(form.Encode())
	}
	return newRequest(ctx, method, target, header, body)
}

func resignV3(ctx context.Context, method string, target *url.URL, header http.Header, body []byte, cred Credentials, now time.Time) (*http.Request, error) {
	if header.Get(rpc.HeaderAction) == "" || header.Get(rpc.HeaderVersion) == "" {
		return nil, errors.New("v3 request without x-acs-action or x-acs-version")
	}
	header.Del("Authorization")
	header.Set(rpc.HeaderDate, now.UTC().Format("2006-01-02T15:04:05Z"))
	header.Set(rpc.HeaderNonce, uuid.NewString())
	header.Del(rpc.HeaderSecurityToken)
	if cred.SecurityToken != "" {
		header.Set(rpc.HeaderSecurityToken, cred.SecurityToken)
	}
	req, err := newRequest(ctx, method, target, header, body)
	if err != nil {
		return nil, err
	}
	rpc.SignV3(req, body, cred.AccessKeyID, cred.AccessKeySecret)
	return req, nil
}

func newRequest(ctx context.Context, method string, target *url.URL, header http.Header, body []byte) (*http.Request, error) {
	var rd io.Reader
	if len(body) > 0 {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, target.String(), rd)
	if err != nil {
		return nil, err
	}
	req.Header = header
	return req, nil
}
