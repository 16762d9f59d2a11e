package rpc

import "crypto/sha1"

const sha1BlockSize = 64

// hmacSHA1 is HMAC-SHA1 keyed with secret + "&" (RFC 2104) over buf[sha1BlockSize:]; it
// overwrites buf's first sha1BlockSize bytes with the inner pad. Built on sha1.Sum rather
// than crypto/hmac because hmac.New allocates five objects per call, the largest single
// cost of checking a v1 signature; tests compare it with crypto/hmac.
func hmacSHA1(secret string, buf []byte) [sha1.Size]byte {
	var key [sha1BlockSize]byte
	if len(secret)+1 > sha1BlockSize {
		long := sha1.Sum([]byte(secret + "&"))
		copy(key[:], long[:])
	} else {
		key[copy(key[:], secret)] = '&'
	}
	for i, k := range key {
		buf[i] = k ^ 0x36
	}
	inner := sha1.Sum(buf)
	var outer [sha1BlockSize + sha1.Size]byte
	for i, k := range key {
		outer[i] = k ^ 0x5c
	}
	copy(outer[sha1BlockSize:], inner[:])
	return sha1.Sum(outer[:])
}
