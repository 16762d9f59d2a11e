package rpc

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"net/textproto"
	"net/url"
	"sort"
	"strings"

	"github.com/smcct/smcct/rpc/flat"
)

// AlgorithmV3 is the only v3 algorithm the gateway accepts: the v2 SDKs' default.
const AlgorithmV3 = "ACS3-HMAC-SHA256"

// The v3 headers that carry what v1 puts in common parameters.
const (
	HeaderAction        = "x-acs-action"
	HeaderVersion       = "x-acs-version"
	HeaderDate          = "x-acs-date"
	HeaderNonce         = "x-acs-signature-nonce"
	HeaderContentSHA256 = "x-acs-content-sha256"
	HeaderSecurityToken = "x-acs-security-token"
)

// Authorization is a parsed `ACS3-HMAC-SHA256 Credential=..,SignedHeaders=..,Signature=..`.
type Authorization struct {
	Algorithm     string
	Credential    string
	SignedHeaders []string
	Signature     string
}

// String renders the header value the v2 SDKs send.
func (a Authorization) String() string {
	return a.Algorithm + " Credential=" + a.Credential + ",SignedHeaders=" +
		strings.Join(a.SignedHeaders, ";") + ",Signature=" + a.Signature
}

var errAuthorization = errors.New("authorization header is not `ALGORITHM Credential=..,SignedHeaders=..,Signature=..`")

// ParseAuthorization splits an Authorization header. SignedHeaders must be lower-case,
// sorted and unique, as the SDKs produce them, so that one request has one canonical form.
func ParseAuthorization(h string) (Authorization, error) {
	alg, rest, ok := strings.Cut(strings.TrimSpace(h), " ")
	if !ok || alg == "" {
		return Authorization{}, errAuthorization
	}
	a := Authorization{Algorithm: alg}
	var signed string
	seen := 0
	for _, part := range strings.Split(rest, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return Authorization{}, errAuthorization
		}
		switch k {
		case "Credential":
			a.Credential, seen = v, seen|1
		case "SignedHeaders":
			signed, seen = v, seen|2
		case "Signature":
			a.Signature, seen = v, seen|4
		default:
			return Authorization{}, errAuthorization
		}
	}
	if seen != 7 || a.Credential == "" || a.Signature == "" || signed == "" {
		return Authorization{}, errAuthorization
	}
	a.SignedHeaders = strings.Split(signed, ";")
	for i, name := range a.SignedHeaders {
		if name == "" || name != strings.ToLower(name) || i > 0 && name <= a.SignedHeaders[i-1] {
			return Authorization{}, errors.New("SignedHeaders must be lower-case, sorted and unique")
		}
	}
	return a, nil
}

// PayloadHashV3 is hex(sha256(body)), the last line of the canonical request.
func PayloadHashV3(body []byte) string {
	sum := sha256.Sum256(body)
	return hex.EncodeToString(sum[:])
}

// CanonicalRequestV3 builds the v3 canonical request. host stands for the "host" header,
// which Go keeps out of http.Header. Query keys are percent-encoded as the V3 signature
// document says; the v2 SDK core leaves keys raw, which is the same string for every
// SMC and EBS parameter name (letters, digits and dots).
func CanonicalRequestV3(method, path string, query url.Values, header http.Header, host string, signed []string, payloadHash string) string {
	return canonicalRequestV3(method, path, flat.FromValues(query), header, host, signed, payloadHash)
}

func canonicalRequestV3(method, path string, query flat.Params, header http.Header, host string, signed []string, payloadHash string) string {
	return string(appendCanonicalRequestV3(make([]byte, 0, 512), method, path, query, header, host, signed, payloadHash))
}

// appendCanonicalRequestV3 appends the canonical request to dst. Header values are read
// without the allocation http.Header.Values makes to canonicalise a lower-case name.
func appendCanonicalRequestV3(dst []byte, method, path string, query flat.Params, header http.Header, host string, signed []string, payloadHash string) []byte {
	dst = append(dst, method...)
	dst = append(dst, '\n')
	dst = append(dst, canonicalURI(path)...)
	dst = append(dst, '\n')
	dst = appendCanonicalQuery(dst, query, "", once)
	dst = append(dst, '\n')
	for _, name := range signed {
		dst = append(dst, name...)
		dst = append(dst, ':')
		if name == "host" {
			dst = append(dst, strings.TrimSpace(host)...)
		} else {
			dst = appendHeaderValues(dst, headerValues(header, name))
		}
		dst = append(dst, '\n')
	}
	dst = append(dst, '\n')
	for i, name := range signed {
		if i > 0 {
			dst = append(dst, ';')
		}
		dst = append(dst, name...)
	}
	dst = append(dst, '\n')
	return append(dst, payloadHash...)
}

// appendHeaderValues appends a header's values trimmed, sorted and joined by commas.
func appendHeaderValues(dst []byte, vals []string) []byte {
	if len(vals) == 1 { // the usual case needs no copy to sort
		return append(dst, strings.TrimSpace(vals[0])...)
	}
	trimmed := make([]string, len(vals))
	for i, v := range vals {
		trimmed[i] = strings.TrimSpace(v)
	}
	sort.Strings(trimmed)
	return append(dst, strings.Join(trimmed, ",")...)
}

// canonicalHeaderKeys are the http.Header keys of the lower-case names v3 reads and signs:
// textproto.CanonicalMIMEHeaderKey allocates a new string for each of them on every call.
var canonicalHeaderKeys = func() map[string]string {
	m := map[string]string{}
	for _, name := range []string{HeaderAction, HeaderVersion, HeaderDate, HeaderNonce,
		HeaderContentSHA256, HeaderSecurityToken, "content-type", "authorization"} {
		m[name] = textproto.CanonicalMIMEHeaderKey(name)
	}
	return m
}()

// headerValues is header.Values(name) for a lower-case name, without allocating for the
// names v3 uses.
func headerValues(header http.Header, name string) []string {
	key, ok := canonicalHeaderKeys[name]
	if !ok {
		key = textproto.CanonicalMIMEHeaderKey(name)
	}
	return header[key]
}

// headerGet is header.Get(name) for a lower-case name, as headerValues.
func headerGet(header http.Header, name string) string {
	if vs := headerValues(header, name); len(vs) > 0 {
		return vs[0]
	}
	return ""
}

// canonicalURI is the escaped path with the SDK's RFC 3986 fix-ups; RPC calls use "/".
func canonicalURI(path string) string {
	if path == "" || path == "/" {
		return "/"
	}
	return uriFixups.Replace(path)
}

var uriFixups = strings.NewReplacer("+", "%20", "*", "%2A", "%7E", "~")

// StringToSignV3 is "ACS3-HMAC-SHA256\n" + hex(sha256(canonical request)).
func StringToSignV3(canonicalRequest string) string {
	sum := sha256.Sum256([]byte(canonicalRequest))
	return AlgorithmV3 + "\n" + hex.EncodeToString(sum[:])
}

// SignatureV3 is hex(HMAC-SHA256(secret, stringToSign)); unlike v1 the key has no "&".
func SignatureV3(secret, stringToSign string) string {
	return hex.EncodeToString(macV3(secret, stringToSign))
}

func macV3(secret, stringToSign string) []byte {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(stringToSign))
	return m.Sum(nil)
}

// SignV3 signs req the way the v2 SDKs do: it sets x-acs-content-sha256 from body, signs
// host, content-type (when set) and every x-acs-* header present, and sets Authorization.
// The caller sets x-acs-action, -version, -date and -signature-nonce first.
func SignV3(req *http.Request, body []byte, accessKeyID, secret string) {
	hash := PayloadHashV3(body)
	req.Header.Set(HeaderContentSHA256, hash)
	signed := []string{"host"}
	for k := range req.Header {
		lk := strings.ToLower(k)
		if strings.HasPrefix(lk, "x-acs-") || lk == "content-type" {
			signed = append(signed, lk)
		}
	}
	sort.Strings(signed)
	canon := CanonicalRequestV3(req.Method, req.URL.EscapedPath(), req.URL.Query(), req.Header, hostOf(req), signed, hash)
	auth := Authorization{Algorithm: AlgorithmV3, Credential: accessKeyID, SignedHeaders: signed,
		Signature: SignatureV3(secret, StringToSignV3(canon))}
	req.Header.Set("Authorization", auth.String())
}

// VerifyV3 checks a v3 signature over the request as received: query as parsed from the URL
// and the body as read. It returns the server's canonical request for the error message.
func VerifyV3(r *http.Request, query url.Values, body []byte, auth Authorization, secret string) (canonicalRequest string, ok bool) {
	return verifyV3(r, flat.FromValues(query), body, auth, secret)
}

func verifyV3(r *http.Request, query flat.Params, body []byte, auth Authorization, secret string) (canonicalRequest string, ok bool) {
	var hash [2 * sha256.Size]byte
	sum := sha256.Sum256(body)
	hex.Encode(hash[:], sum[:])
	bp := signBufs.Get().(*[]byte)
	defer putSignBuf(bp)
	canon := appendCanonicalRequestV3((*bp)[:0], r.Method, r.URL.EscapedPath(), query, r.Header, hostOf(r), auth.SignedHeaders, string(hash[:]))
	*bp = canon
	if verifyMacV3(auth.Signature, secret, canon) {
		return "", true
	}
	return string(canon), false
}

// verifyMacV3 is hmac.Equal(hex.DecodeString(sig), macV3(secret, StringToSignV3(canon)))
// with every buffer on the stack: the string to sign has a fixed length, and hex.Decode
// reports the same errors as DecodeString.
func verifyMacV3(sig, secret string, canon []byte) bool {
	var got [sha256.Size]byte
	if len(sig) != hex.EncodedLen(len(got)) {
		return false // decoded or not, it cannot equal a SHA-256 MAC
	}
	var src [2 * sha256.Size]byte
	if _, err := hex.Decode(got[:], append(src[:0], sig...)); err != nil {
		return false
	}
	sum := sha256.Sum256(canon)
	var buf [hmacBlockSize + len(AlgorithmV3) + 1 + 2*sha256.Size]byte
	sts := append(append(buf[:hmacBlockSize], AlgorithmV3...), '\n')
	sts = hex.AppendEncode(sts, sum[:])
	mac := hmacSHA256(secret, sts)
	return hmac.Equal(got[:], mac[:])
}

// hostOf is the Host the client addressed: a server sees it in r.Host, a client in URL.Host.
func hostOf(r *http.Request) string {
	if r.Host != "" {
		return r.Host
	}
	return r.URL.Host
}
