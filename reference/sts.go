package reference

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/smcct/smcct/ram"
)

// Temporary credentials carry everything about their session in the SecurityToken, signed
// with the server's key: the reference keeps no session table, so no number of AssumeRole
// calls can grow its memory, and a token outlives a restart when the key does.

const (
	stsKeyPrefix   = "STS."
	stsTokenPrefix = "smcct-sts."
)

// stsSession is what a token says: whose session of which role, until when, narrowed by
// which policy.
type stsSession struct {
	KeyID   string `json:"k"`
	Account string `json:"a"` // the role's account
	Role    string `json:"r"`
	Name    string `json:"s"` // RoleSessionName
	Expires int64  `json:"e"` // Unix seconds, business time
	Policy  string `json:"p,omitempty"`

	policy *ram.Policy // Policy, parsed
}

type stsIssuer struct{ key []byte }

func newSTSIssuer(key []byte) *stsIssuer { return &stsIssuer{key: key} }

func (s *stsIssuer) mac(parts ...string) []byte {
	m := hmac.New(sha256.New, s.key)
	for _, p := range parts {
		m.Write([]byte(p))
		m.Write([]byte{0})
	}
	return m.Sum(nil)
}

const alnum = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

func alnumOf(b []byte, n int) string {
	out := make([]byte, n)
	for i := range out {
		out[i] = alnum[int(b[i%len(b)]+byte(i/len(b)))%len(alnum)]
	}
	return string(out)
}

// secretOf is a temporary key's secret: derived from the key ID, so nothing is stored.
func (s *stsIssuer) secretOf(keyID string) string {
	return alnumOf(s.mac("secret", keyID), 40)
}

// issue mints the credentials of a session. The key ID depends on who asked for what and
// when, so a repeated run mints the same credentials and two sessions never share a key.
func (s *stsIssuer) issue(caller string, sess stsSession) (keyID, secret, token string) {
	sess.KeyID = stsKeyPrefix + alnumOf(s.mac("key", caller, sess.Account, sess.Role, sess.Name,
		strconv.FormatInt(sess.Expires, 10), sess.Policy), 24)
	payload, _ := json.Marshal(sess)
	sig := s.mac("token", string(payload))
	token = stsTokenPrefix + base64.RawURLEncoding.EncodeToString(payload) + "." + base64.RawURLEncoding.EncodeToString(sig)
	return sess.KeyID, s.secretOf(sess.KeyID), token
}

var errMalformed = errors.New("malformed token")

// open reads and verifies a token; it does not judge its age or its key.
func (s *stsIssuer) read(token string) (*stsSession, error) {
	body, ok := strings.CutPrefix(token, stsTokenPrefix)
	if !ok {
		return nil, errMalformed
	}
	enc, encSig, ok := strings.Cut(body, ".")
	if !ok {
		return nil, errMalformed
	}
	payload, err1 := base64.RawURLEncoding.DecodeString(enc)
	sig, err2 := base64.RawURLEncoding.DecodeString(encSig)
	if err1 != nil || err2 != nil || !hmac.Equal(sig, s.mac("token", string(payload))) {
		return nil, errMalformed
	}
	var sess stsSession
	if err := json.Unmarshal(payload, &sess); err != nil || sess.KeyID == "" || sess.Account == "" {
		return nil, errMalformed
	}
	if sess.Policy != "" {
		p, err := ram.Parse([]byte(sess.Policy), ram.Identity)
		if err != nil {
			return nil, errMalformed
		}
		sess.policy = p
	}
	return &sess, nil
}

// check answers the gateway for a temporary key: the secret, or the code refusing it.
func (s *stsIssuer) check(keyID, token string, now time.Time) (secret, refusal string) {
	if token == "" {
		return "", "MissingSecurityToken"
	}
	sess, err := s.read(token)
	switch {
	case err != nil:
		return "", "InvalidSecurityToken.Malformed"
	case sess.KeyID != keyID:
		return "", "InvalidSecurityToken.MismatchWithAccessKey"
	case !now.Before(time.Unix(sess.Expires, 0)):
		return "", "InvalidSecurityToken.Expired"
	}
	return s.secretOf(keyID), ""
}

// open returns the session of a token the gateway accepted for keyID.
func (s *stsIssuer) open(keyID, token string) (*stsSession, error) {
	sess, err := s.read(token)
	if err != nil {
		return nil, err
	}
	if sess.KeyID != keyID {
		return nil, fmt.Errorf("the token belongs to %s", sess.KeyID)
	}
	return sess, nil
}

// defaultTokenKey is the key of a server that was given none: derived from its fixtures, so
// that two references on the same fixtures (a recording and its replay) issue the same
// credentials. The reference is a test double on loopback; its tokens protect nothing.
func defaultTokenKey(fixtures []byte) []byte {
	sum := sha256.Sum256(append([]byte("smcct sts token key\x00"), fixtures...))
	return sum[:]
}
