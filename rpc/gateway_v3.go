package rpc

import (
	"net/http"
	"strings"
)

// v3MustSign are the headers a v3 signature must cover: without them a captured request
// could be replayed as another action, version, time or nonce.
var v3MustSign = []string{"host", HeaderAction, HeaderContentSHA256, HeaderDate, HeaderNonce, HeaderVersion}

// admitV3 checks a request signed with ACS3-HMAC-SHA256 (Authorization and x-acs headers).
func (g *Gateway) admitV3(call *Call, r *http.Request, w wire, header string) *Error {
	call.Signer = V3
	if e := g.route(call, headerGet(r.Header, HeaderVersion), headerGet(r.Header, HeaderAction)); e != nil {
		return e
	}
	auth, err := ParseAuthorization(header)
	if err != nil {
		return g.err("IncompleteSignature")
	}
	if auth.Algorithm != AlgorithmV3 {
		return g.err("InvalidSignatureMethod")
	}
	ts, nonce := headerGet(r.Header, HeaderDate), headerGet(r.Header, HeaderNonce)
	if ts == "" {
		return g.err("MissingTimestamp")
	}
	if nonce == "" {
		return g.err("MissingSignatureNonce")
	}
	if !signsAll(auth.SignedHeaders, v3MustSign) {
		return g.err("IncompleteSignature")
	}
	if e := g.nonceLength(nonce, g.Limits.withDefaults()); e != nil {
		return e
	}
	call.AccessKeyID, call.Nonce = auth.Credential, nonce
	call.SecurityToken = headerGet(r.Header, HeaderSecurityToken)
	expires, e := g.clock(call, ts)
	if e != nil {
		return e
	}
	secret, e := g.secret(call)
	if e != nil {
		return e
	}
	canon, ok := verifyV3(r, w.query, w.body, auth, secret)
	if !ok {
		return g.err("SignatureDoesNotMatch", StringToSignV3(canon))
	}
	return g.useNonce(call, expires)
}

// signsAll reports whether the sorted signed list contains every name of must.
func signsAll(signed, must []string) bool {
	for _, m := range must {
		found := false
		for _, s := range signed {
			if strings.EqualFold(s, m) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}
