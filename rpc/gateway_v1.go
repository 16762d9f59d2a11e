package rpc

import (
	"net/http"

	"github.com/smcct/smcct/rpc/flat"
)

// v1Common is what a v1 request says in its common parameters: the first value of each,
// as url.Values.Get gives it, read in one pass over the sorted parameters (a dozen binary
// searches cost a tenth of admitting a request).
type v1Common struct {
	action, version, format                       string
	accessKeyID, signatureMethod, signatureVer    string
	timestamp, nonce, securityToken, signatureVal string
	signatures                                    flat.Params // every Signature sent
}

func readV1Common(p flat.Params) v1Common {
	var c v1Common
	for i := range p {
		name := p[i].Name
		if i > 0 && p[i-1].Name == name {
			continue // a repeated name: the first value counts
		}
		var dst *string
		switch name {
		case "Action":
			dst = &c.action
		case "Version":
			dst = &c.version
		case "Format":
			dst = &c.format
		case "AccessKeyId":
			dst = &c.accessKeyID
		case "SignatureMethod":
			dst = &c.signatureMethod
		case "SignatureVersion":
			dst = &c.signatureVer
		case "Timestamp":
			dst = &c.timestamp
		case "SignatureNonce":
			dst = &c.nonce
		case "SecurityToken":
			dst = &c.securityToken
		case "Signature":
			dst = &c.signatureVal
			c.signatures = p[i:].Run(name)
		default:
			continue
		}
		*dst = p[i].Value
	}
	return c
}

// missing names the first signature-v1 parameter that is absent or empty, in the order
// the gateway reports them.
func (c *v1Common) missing() string {
	for _, f := range []struct{ name, value string }{
		{"AccessKeyId", c.accessKeyID}, {"Signature", c.signatureVal},
		{"SignatureMethod", c.signatureMethod}, {"Timestamp", c.timestamp},
		{"SignatureNonce", c.nonce},
	} {
		if f.value == "" {
			return f.name
		}
	}
	return ""
}

// admitV1 checks a request signed with signature v1 (HMAC-SHA1 in the parameters).
func (g *Gateway) admitV1(call *Call, r *http.Request, w wire, c *v1Common) *Error {
	call.Signer = V1
	if e := g.route(call, c.version, c.action); e != nil {
		return e
	}
	if name := c.missing(); name != "" {
		return g.err("Missing" + name)
	}
	if c.signatureMethod != SignatureMethodV1 {
		return g.err("InvalidSignatureMethod")
	}
	// gateway.yaml has no MissingSignatureVersion: an absent version is not a valid one.
	if c.signatureVer != SignatureVersionV1 {
		return g.err("InvalidSignatureVersion")
	}
	if e := g.nonceLength(c.nonce, g.Limits.withDefaults()); e != nil {
		return e
	}
	call.AccessKeyID, call.Nonce, call.SecurityToken = c.accessKeyID, c.nonce, c.securityToken
	expires, e := g.clock(call, c.timestamp)
	if e != nil {
		return e
	}
	secret, e := g.secret(call)
	if e != nil {
		return e
	}
	if sts, ok := verifyV1(r.Method, w.params, c.signatures, secret); !ok {
		return g.err("SignatureDoesNotMatch", sts)
	}
	return g.useNonce(call, expires)
}
