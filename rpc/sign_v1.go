package rpc

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"net/url"
	"strings"
)

// Signature v1 values the gateway accepts (SignatureMethod and SignatureVersion).
const (
	SignatureMethodV1  = "HMAC-SHA1"
	SignatureVersionV1 = "1.0"
)

// StringToSignV1 is `METHOD&%2F&pe(canonical query)` over every parameter but Signature.
// params must hold query and form-body parameters merged, as the SDK signs both.
func StringToSignV1(method string, params url.Values) string {
	var b strings.Builder
	b.WriteString(method)
	b.WriteString("&%2F&")
	encodedCanonicalQuery(&b, params, "Signature")
	return b.String()
}

// SignatureV1 is base64(HMAC-SHA1(secret + "&", stringToSign)).
func SignatureV1(secret, stringToSign string) string {
	return base64.StdEncoding.EncodeToString(macV1(secret, stringToSign))
}

func macV1(secret, stringToSign string) []byte {
	key := make([]byte, 0, len(secret)+1)
	key = append(append(key, secret...), '&')
	m := hmac.New(sha1.New, key)
	m.Write([]byte(stringToSign))
	return m.Sum(nil)
}

// SignV1 sets params' Signature for the given method and secret, replacing any old one.
// The caller sets the other common parameters (Timestamp, SignatureNonce, ...) first.
func SignV1(method string, params url.Values, secret string) {
	params.Del("Signature")
	params.Set("Signature", SignatureV1(secret, StringToSignV1(method, params)))
}

// VerifyV1 checks params' Signature and returns the server's string to sign, which a
// SignatureDoesNotMatch message carries so that the v1 SDK can tell a wrong secret from a
// canonicalisation bug. The comparison is constant-time.
func VerifyV1(method string, params url.Values, secret string) (stringToSign string, ok bool) {
	stringToSign = StringToSignV1(method, params)
	got := params["Signature"]
	if len(got) != 1 {
		return stringToSign, false
	}
	sig, err := base64.StdEncoding.DecodeString(got[0])
	if err != nil {
		return stringToSign, false
	}
	return stringToSign, hmac.Equal(sig, macV1(secret, stringToSign))
}
