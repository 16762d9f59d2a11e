package rpc

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/smcct/smcct/rpc/flat"
	"github.com/smcct/smcct/spec"
)

// Format is the response format a request asked for.
type Format string

// The two formats of the RPC gateway. JSON is smcct's default (and the SDKs' choice); the
// older "common parameters" page says XML, but every client sends Format or Accept JSON.
const (
	JSON Format = "JSON"
	XML  Format = "XML"
)

// Signer names a signature version.
type Signer int

// The signature versions: v1 (HMAC-SHA1 in the query, the v1 Go SDK) and v3
// (ACS3-HMAC-SHA256 in headers, the v2 SDKs).
const (
	V1 Signer = iota + 1
	V3
)

func (s Signer) String() string {
	switch s {
	case V1:
		return "v1"
	case V3:
		return "v3"
	}
	return "none"
}

// Call is an admitted request: who called which action of which product, with what.
type Call struct {
	Product *spec.Product
	Action  *spec.Action
	// Params holds query and form-body parameters merged, common ones included, sorted.
	Params        flat.Params
	AccessKeyID   string
	SecurityToken string
	Signer        Signer
	Format        Format
	Nonce         string
	Timestamp     time.Time

	slab *flat.Params // Params' storage, returned to a pool by Release
}

// Release hands the storage of Params back for the next request. Neither the Call's
// Params nor any slice of them may be used afterwards; the strings in them stay valid.
// Calling it is optional (without it the storage is left to the collector) and a second
// call does nothing.
func (c *Call) Release() {
	if c == nil || c.slab == nil {
		return
	}
	putParams(c.slab)
	c.slab, c.Params = nil, nil
}

// Host is the HostId of error bodies: the product's endpoint for the request's RegionId
// (spec.Product.HostFor), or "" before routing.
func (c *Call) Host() string {
	if c == nil || c.Product == nil {
		return ""
	}
	return c.Product.HostFor(c.Params.Get("RegionId"))
}

// Gateway performs the checks the API gateway makes before any product sees a request.
//
// Order of checks (the first failure answers):
//  1. HTTP method GET or POST (UnsupportedHTTPMethod).
//  2. Content-Encoding absent or identity (InvalidParameter.ContentEncoding). Size: raw
//     query, body, parameter count, name and value lengths (InvalidParameter.TooLarge);
//     then query and form parsing (InvalidParameter.Format).
//  3. Format JSON or XML (InvalidParameter.Format). From here on errors are rendered in the
//     format asked for, as the real gateway does.
//  4. Action and Version present (Missing*), Version known (InvalidVersion), Action known
//     (InvalidAction.NotFound). Routing comes before authentication: it needs no secret.
//  5. Authentication fields: v1 AccessKeyId, Signature, SignatureMethod, Timestamp,
//     SignatureNonce present (Missing*), then SignatureMethod HMAC-SHA1
//     (InvalidSignatureMethod) and SignatureVersion 1.0 (InvalidSignatureVersion); v3 a
//     well-formed Authorization (IncompleteSignature) with algorithm ACS3-HMAC-SHA256
//     (InvalidSignatureMethod), x-acs-date and x-acs-signature-nonce present (Missing*),
//     and host, x-acs-action, -version, -date, -signature-nonce, -content-sha256 among
//     the signed headers (IncompleteSignature). Both: SignatureNonce within
//     Limits.MaxNonce (InvalidParameter.TooLarge).
//  6. Timestamp well formed, then within the skew of the wall clock (InvalidTimeStamp.*).
//  7. AccessKeyId known (InvalidAccessKeyId.NotFound); with Keys set, also active
//     (InvalidAccessKeyId.Inactive) and, for a temporary key, its SecurityToken present,
//     well formed, its own and unexpired (MissingSecurityToken, InvalidSecurityToken.*).
//  8. Signature (SignatureDoesNotMatch with the server's string to sign).
//  9. Nonce unused (SignatureNonceUsed): last, so a forged request cannot burn a nonce.
//     A nonce the cache has no room for is refused (Throttling.Resource), never let
//     through unremembered: see NonceCache.
type Gateway struct {
	Catalog *spec.Catalog
	// Lookup finds the product of a Version; nil means Catalog.ByVersion. It lets a caller
	// serve other or fewer products than the catalog holds.
	Lookup func(version string) (*spec.Product, bool)
	// Secrets returns the secret of an AccessKeyId.
	Secrets func(accessKeyID string) (secret string, ok bool)
	// Keys, when set, is asked instead of Secrets: it returns the secret the request must be
	// signed with, or the gateway code that refuses the key (a disabled key, a temporary
	// key's missing, malformed, foreign or expired SecurityToken) with no secret.
	Keys func(accessKeyID, securityToken string) (secret, refusal string)
	// Now is the wall clock for timestamp skew. Never the reference's virtual business
	// clock: clients sign with real time. nil means time.Now.
	Now    func() time.Time
	Nonces *NonceCache
	Limits Limits
}

// Admit runs the gateway checks. The returned Call is never nil: on error it carries what
// was learned before the failure (Format, Product), so the error can be written in the
// client's format with the product's HostId.
func (g *Gateway) Admit(r *http.Request) (*Call, *Error) {
	call := &Call{Format: JSON}
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		return call, g.err("UnsupportedHTTPMethod")
	}
	w, e := g.readWire(r, g.Limits.withDefaults())
	call.slab = w.slab
	if e != nil {
		return call, e
	}
	call.Params = w.params
	if auth := r.Header.Get("Authorization"); auth != "" {
		if e := g.format(call, w.params.Get("Format")); e != nil {
			return call, e
		}
		return call, g.admitV3(call, r, w, auth)
	}
	c := readV1Common(w.params)
	if e := g.format(call, c.format); e != nil {
		return call, e
	}
	return call, g.admitV1(call, r, w, &c)
}

// format reads the Format parameter f into call.
func (g *Gateway) format(call *Call, f string) *Error {
	switch {
	case f == "" || strings.EqualFold(f, string(JSON)):
		call.Format = JSON
	case strings.EqualFold(f, string(XML)):
		call.Format = XML
	default:
		return g.err("InvalidParameter.Format")
	}
	return nil
}

// route resolves Version and Action, which both signature versions carry (in parameters
// or x-acs headers).
func (g *Gateway) route(call *Call, version, action string) *Error {
	if action == "" {
		return g.err("MissingAction")
	}
	if version == "" {
		return g.err("MissingVersion")
	}
	lookup := g.Lookup
	if lookup == nil {
		lookup = g.Catalog.ByVersion
	}
	p, ok := lookup(version)
	if !ok {
		return g.err("InvalidVersion")
	}
	call.Product = p
	a, ok := p.Action(action)
	if !ok {
		return g.err("InvalidAction.NotFound")
	}
	call.Action = a
	return nil
}

// clock checks the timestamp against the wall clock and returns the moment a request
// with this timestamp stops being acceptable (when its nonce may be forgotten).
func (g *Gateway) clock(call *Call, ts string) (time.Time, *Error) {
	t, err := parseTimestamp(ts)
	if err != nil {
		return time.Time{}, g.err("InvalidTimeStamp.Format")
	}
	skew := g.skew()
	now := g.now()
	if d := now.Sub(t); d > skew || d < -skew {
		return time.Time{}, g.err("InvalidTimeStamp.Expired")
	}
	call.Timestamp = t
	return t.Add(skew), nil
}

// skew is how far a timestamp may be from the wall clock, either way.
func (g *Gateway) skew() time.Duration {
	if skew := g.Catalog.Gateway.TimestampSkew; skew > 0 {
		return skew
	}
	return 15 * time.Minute
}

// timestampLayout is the one form of Timestamp the gateway accepts: ISO 8601 in UTC.
const timestampLayout = "2006-01-02T15:04:05Z"

// parseTimestamp is time.Parse(timestampLayout, ts) with a fast path for the timestamps
// every client sends: digits in their places and every field in range. Anything else goes
// to time.Parse, which decides and words the error.
func parseTimestamp(ts string) (time.Time, error) {
	if len(ts) != len(timestampLayout) || ts[4] != '-' || ts[7] != '-' || ts[10] != 'T' ||
		ts[13] != ':' || ts[16] != ':' || ts[19] != 'Z' {
		return time.Parse(timestampLayout, ts)
	}
	num := func(i, n int) int {
		v := 0
		for _, c := range []byte(ts[i : i+n]) {
			if c < '0' || c > '9' {
				return -1
			}
			v = v*10 + int(c-'0')
		}
		return v
	}
	year, month, day := num(0, 4), num(5, 2), num(8, 2)
	hour, minute, second := num(11, 2), num(14, 2), num(17, 2)
	if year < 0 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 ||
		minute < 0 || minute > 59 || second < 0 || second > 59 {
		return time.Parse(timestampLayout, ts)
	}
	t := time.Date(year, time.Month(month), day, hour, minute, second, 0, time.UTC)
	if t.Day() != day { // the day does not exist in that month: time.Date moved on
		return time.Parse(timestampLayout, ts)
	}
	return t, nil
}

func (g *Gateway) secret(call *Call) (string, *Error) {
	if g.Keys != nil {
		s, refusal := g.Keys(call.AccessKeyID, call.SecurityToken)
		if refusal != "" {
			return "", g.err(refusal)
		}
		return s, nil
	}
	if g.Secrets != nil {
		if s, ok := g.Secrets(call.AccessKeyID); ok {
			return s, nil
		}
	}
	return "", g.err("InvalidAccessKeyId.NotFound")
}

func (g *Gateway) useNonce(call *Call, expires time.Time) *Error {
	if g.Nonces == nil {
		return nil
	}
	switch g.Nonces.Use(call.AccessKeyID, call.Nonce, expires, g.now()) {
	case NonceUsed:
		return g.err("SignatureNonceUsed")
	case NonceFull:
		return g.err("Throttling.Resource", fmt.Sprintf(
			"%d signature nonces are held for the %s replay window, as many as its memory budget allows", g.Nonces.Cap(), g.skew()))
	}
	return nil
}

// nonceLength refuses a SignatureNonce longer than the limit: the SDKs send 32 to 36
// characters, and a nonce is the one value of a request that outlives it (as a hash).
func (g *Gateway) nonceLength(nonce string, lim Limits) *Error {
	if len(nonce) > lim.MaxNonce {
		return g.err("InvalidParameter.TooLarge", fmt.Sprintf("SignatureNonce over %d bytes", lim.MaxNonce))
	}
	return nil
}

func (g *Gateway) now() time.Time {
	if g.Now != nil {
		return g.Now()
	}
	return time.Now()
}

func (g *Gateway) err(code string, args ...string) *Error {
	return NewError(g.Catalog.Gateway.Error(code), args...)
}
