package rpc

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"net/url"
	"sync"

	"github.com/smcct/smcct/rpc/flat"
)

// Signature v1 values the gateway accepts (SignatureMethod and SignatureVersion).
const (
	SignatureMethodV1  = "HMAC-SHA1"
	SignatureVersionV1 = "1.0"
)

// StringToSignV1 is `METHOD&%2F&pe(canonical query)` over every parameter but Signature.
// params must hold query and form-body parameters merged, as the SDK signs both.
func StringToSignV1(method string, params url.Values) string {
	return string(appendStringToSignV1(nil, method, flat.FromValues(params)))
}

// appendStringToSignV1 appends the string to sign of sorted params.
func appendStringToSignV1(dst []byte, method string, params flat.Params) []byte {
	dst = append(dst, method...)
	dst = append(dst, "&%2F&"...)
	return appendCanonicalQuery(dst, params, "Signature", twice)
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
	p := flat.FromValues(params)
	if stringToSign, ok = verifyV1(method, p, p.Run("Signature"), secret); ok {
		stringToSign = string(appendStringToSignV1(nil, method, p))
	}
	return stringToSign, ok
}

// signBufs recycles the buffers strings to sign are built in: the gateway builds one per
// request and they are a few KiB each.
var signBufs = sync.Pool{New: func() any { return new([]byte) }}

// verifyV1 is VerifyV1 over sorted params, whose Signature values are signatures. The
// string to sign is returned only on a mismatch: a match needs no copy of it.
func verifyV1(method string, params, signatures flat.Params, secret string) (stringToSign string, ok bool) {
	bp := signBufs.Get().(*[]byte)
	defer putSignBuf(bp)
	// The first sha1BlockSize bytes are room for the HMAC inner pad, so that hmacSHA1 can
	// hash pad and message as one slice.
	buf := appendStringToSignV1(append((*bp)[:0], make([]byte, sha1BlockSize)...), method, params)
	*bp = buf
	if len(signatures) == 1 && signatureEqual(signatures[0].Value, hmacSHA1(secret, buf)) {
		return "", true
	}
	return string(buf[sha1BlockSize:]), false
}

func putSignBuf(bp *[]byte) {
	if cap(*bp) <= 64<<10 { // an outsized request's buffer is left to the collector
		signBufs.Put(bp)
	}
}

// signatureEqual compares a base64 signature with a MAC in constant time. It decodes as
// base64.StdEncoding.DecodeString does (newlines ignored, loose trailing bits), but into
// a stack buffer.
func signatureEqual(sig string, mac [sha1.Size]byte) bool {
	var buf [48]byte
	if base64.StdEncoding.DecodedLen(len(sig)) > len(buf) {
		got, err := base64.StdEncoding.DecodeString(sig)
		return err == nil && hmac.Equal(got, mac[:])
	}
	var src [64]byte
	n, err := base64.StdEncoding.Decode(buf[:], append(src[:0], sig...))
	return err == nil && hmac.Equal(buf[:n], mac[:])
}
