package rpc

import "net/http"

// v1AuthParams are the signature-v1 parameters in the order their absence is reported.
var v1AuthParams = []string{"AccessKeyId", "Signature", "SignatureMethod", "Timestamp", "SignatureNonce"}

// admitV1 checks a request signed with signature v1 (HMAC-SHA1 in the parameters).
func (g *Gateway) admitV1(call *Call, r *http.Request, w wire) *Error {
	p := w.params
	call.Signer = V1
	if e := g.route(call, p.Get("Version"), p.Get("Action")); e != nil {
		return e
	}
	for _, name := range v1AuthParams {
		if p.Get(name) == "" {
			return g.err("Missing" + name)
		}
	}
	if p.Get("SignatureMethod") != SignatureMethodV1 {
		return g.err("InvalidSignatureMethod")
	}
	// gateway.yaml has no MissingSignatureVersion: an absent version is not a valid one.
	if p.Get("SignatureVersion") != SignatureVersionV1 {
		return g.err("InvalidSignatureVersion")
	}
	call.AccessKeyID, call.Nonce = p.Get("AccessKeyId"), p.Get("SignatureNonce")
	call.SecurityToken = p.Get("SecurityToken")
	expires, e := g.clock(call, p.Get("Timestamp"))
	if e != nil {
		return e
	}
	secret, e := g.secret(call.AccessKeyID)
	if e != nil {
		return e
	}
	if sts, ok := verifyV1(r.Method, p, secret); !ok {
		return g.err("SignatureDoesNotMatch", sts)
	}
	return g.useNonce(call, expires)
}
