package rpc

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"testing"
)

// hmacSHA1 replaces crypto/hmac for speed, so it must agree with it byte for byte.
func TestHMACSHA1MatchesStdlib(t *testing.T) {
	cases := []struct{ secret, msg, reason string }{
		{"", "", "empty key and message"},
		{"testsecret", "GET&%2F&A%3D1", "an ordinary secret"},
		{strings.Repeat("k", 63), "m", "secret plus '&' fills the block exactly"},
		{strings.Repeat("k", 64), "m", "secret plus '&' one byte over the block: hashed first"},
		{strings.Repeat("k", 200), strings.Repeat("x", 5000), "long key, long message"},
	}
	for _, tc := range cases {
		checkHMACSHA1(t, tc.secret, tc.msg, tc.reason)
	}
}

func checkHMACSHA1(t *testing.T, secret, msg, reason string) {
	t.Helper()
	want := macV1(secret, msg)
	buf := append(make([]byte, sha1BlockSize), msg...)
	if got := hmacSHA1(secret, buf); !hmac.Equal(got[:], want) {
		t.Errorf("%s: hmacSHA1 = %x, crypto/hmac %x", reason, got, want)
	}
}

func FuzzHMACSHA1(f *testing.F) {
	f.Add("testsecret", "GET&%2F&A%3D1")
	f.Fuzz(func(t *testing.T, secret, msg string) { checkHMACSHA1(t, secret, msg, "fuzz") })
}

// signatureEqual must accept exactly what decoding with DecodeString and comparing accepted.
func TestSignatureEqualMatchesDecodeString(t *testing.T) {
	mac := sha1.Sum([]byte("x"))
	good := base64.StdEncoding.EncodeToString(mac[:])
	cases := []struct{ sig, reason string }{
		{good, "the canonical encoding"},
		{good[:10] + "\r\n" + good[10:], "newlines are ignored by the decoder"},
		{good[:26] + "Y=", "other trailing bits: the decoder is not strict"},
		{good[:27], "missing padding"},
		{good + "AAAA", "too long"},
		{strings.Repeat("\n", 80) + good, "long only because of newlines"},
		{"", "empty"},
		{"!!!!", "not base64"},
	}
	for _, tc := range cases {
		checkSignatureEqual(t, tc.sig, mac, tc.reason)
	}
}

func checkSignatureEqual(t *testing.T, sig string, mac [sha1.Size]byte, reason string) {
	t.Helper()
	dec, err := base64.StdEncoding.DecodeString(sig)
	want := err == nil && hmac.Equal(dec, mac[:])
	if got := signatureEqual(sig, mac); got != want {
		t.Errorf("%s: signatureEqual(%q) = %v, DecodeString says %v", reason, sig, got, want)
	}
}

func FuzzSignatureEqual(f *testing.F) {
	f.Add("PopWn21NOiGrkfc9+9VFdiMGqOE=", []byte("x"))
	f.Fuzz(func(t *testing.T, sig string, msg []byte) {
		checkSignatureEqual(t, sig, sha1.Sum(msg), "fuzz")
		dec, err := base64.StdEncoding.DecodeString(sig)
		if err == nil && len(dec) == sha1.Size {
			checkSignatureEqual(t, sig, [sha1.Size]byte(dec), "fuzz, matching")
		}
	})
}

func TestHMACSHA256MatchesStdlib(t *testing.T) {
	cases := []struct{ secret, msg, reason string }{
		{"", "", "empty key and message"},
		{"testsecret", AlgorithmV3 + "\n" + strings.Repeat("ab", 32), "a v3 string to sign"},
		{strings.Repeat("k", 64), "m", "key fills the block exactly"},
		{strings.Repeat("k", 65), "m", "key one byte over the block: hashed first"},
	}
	for _, tc := range cases {
		want := macV3(tc.secret, tc.msg)
		got := hmacSHA256(tc.secret, append(make([]byte, hmacBlockSize), tc.msg...))
		if !hmac.Equal(got[:], want) {
			t.Errorf("%s: hmacSHA256 = %x, crypto/hmac %x", tc.reason, got, want)
		}
	}
}

// verifyMacV3 must accept exactly what decoding with hex.DecodeString and comparing did.
func TestVerifyMacV3MatchesDecodeString(t *testing.T) {
	const secret, canon = "testsecret", "POST\n/\n\nhost:h\n\nhost\nabc"
	good := SignatureV3(secret, StringToSignV3(canon))
	cases := []struct{ sig, reason string }{
		{good, "the signature"},
		{strings.ToUpper(good), "upper-case hex decodes to the same bytes"},
		{good[:62], "one byte short"},
		{good + "00", "one byte long"},
		{"", "empty"},
		{good[:63] + "g", "not hex"},
		{strings.Repeat("0", 64), "well formed, wrong"},
	}
	for _, tc := range cases {
		dec, err := hex.DecodeString(tc.sig)
		want := err == nil && hmac.Equal(dec, macV3(secret, StringToSignV3(canon)))
		if got := verifyMacV3(tc.sig, secret, []byte(canon)); got != want {
			t.Errorf("%s: verifyMacV3 = %v, DecodeString says %v", tc.reason, got, want)
		}
	}
}
