package rpc

import (
	"crypto/sha1"
	"crypto/sha256"
)

// hmacBlockSize is the block size of SHA-1 and SHA-256 alike.
const hmacBlockSize = 64

// sha1BlockSize names the room verifyV1 keeps in front of the string to sign.
const sha1BlockSize = hmacBlockSize

// hmacSHA1 is HMAC-SHA1 keyed with secret + "&" (RFC 2104) over buf[sha1BlockSize:]; it
// overwrites buf's first sha1BlockSize bytes with the inner pad. Built on sha1.Sum rather
// than crypto/hmac because hmac.New allocates five objects per call, the largest single
// cost of checking a v1 signature; tests compare it with crypto/hmac.
func hmacSHA1(secret string, buf []byte) [sha1.Size]byte {
	var key [hmacBlockSize]byte
	if len(secret)+1 > hmacBlockSize {
		long := sha1.Sum([]byte(secret + "&"))
		copy(key[:], long[:])
	} else {
		key[copy(key[:], secret)] = '&'
	}
	padKey(buf, &key, 0x36)
	inner := sha1.Sum(buf)
	var outer [hmacBlockSize + sha1.Size]byte
	padKey(outer[:], &key, 0x5c)
	copy(outer[hmacBlockSize:], inner[:])
	return sha1.Sum(outer[:])
}

// hmacSHA256 is HMAC-SHA256 keyed with secret over buf[hmacBlockSize:], in the same way
// and for the same reason as hmacSHA1 (v3 signs with it).
func hmacSHA256(secret string, buf []byte) [sha256.Size]byte {
	var key [hmacBlockSize]byte
	if len(secret) > hmacBlockSize {
		long := sha256.Sum256([]byte(secret))
		copy(key[:], long[:])
	} else {
		copy(key[:], secret)
	}
	padKey(buf, &key, 0x36)
	inner := sha256.Sum256(buf)
	var outer [hmacBlockSize + sha256.Size]byte
	padKey(outer[:], &key, 0x5c)
	copy(outer[hmacBlockSize:], inner[:])
	return sha256.Sum256(outer[:])
}

// padKey writes key XOR pad into dst's first block.
func padKey(dst []byte, key *[hmacBlockSize]byte, pad byte) {
	for i, k := range key {
		dst[i] = k ^ pad
	}
}
