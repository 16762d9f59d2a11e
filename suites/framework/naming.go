package framework

import (
	"crypto/sha256"
	"encoding/base32"
	"fmt"
	"strings"
)

// naming derives names, tokens and IDs from the spec's full text and a counter, so that a
// re-run of the same spec sends byte-identical parameters (the recorder matches on them) and
// two specs never touch each other's objects.
type naming struct {
	text string
	n    int
}

func newNaming(text string) *naming { return &naming{text: text} }

var lowerB32 = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

func (n *naming) next(kind string, size int) string {
	n.n++
	sum := sha256.Sum256([]byte(fmt.Sprintf("%s\x00%s\x00%d", n.text, kind, n.n)))
	s := lowerB32.EncodeToString(sum[:])
	return s[:size]
}

// Name returns a resource name: prefix, a dash and ten characters from the spec text. It starts
// with a letter when prefix does, as every SMC and EBS name must. On a target that tags its
// runs the name starts with the run ID, which is how smcct sweep finds leftovers.
func (f *F) Name(prefix string) string {
	name := prefix + "-" + f.naming.next("name", 10)
	if f.T != nil && f.T.RunID != "" {
		name = f.T.RunID + "-" + name
	}
	return name
}

// Token returns a ClientToken unique to this spec and call.
func (f *F) Token() string { return "smcct-" + f.naming.next("token", 26) }

// ID returns an object ID in the service's form: the kind's prefix and 20 lower-case
// alphanumerics, for objects a spec seeds or for IDs that must not exist.
func (f *F) ID(prefix string) string {
	return prefix + strings.ReplaceAll(f.naming.next("id", 20), "=", "")
}

// StableID is ID outside a spec: derived from any text, for generated tables.
func StableID(prefix, text string) string {
	return prefix + newNaming(text).next("id", 20)
}

// AccountID returns a 16-digit account ID, as Alibaba Cloud's are, unique to this spec and
// call: for accounts whose ID appears in ARNs (a role's, in AssumeRole's RoleArn).
func (f *F) AccountID() string {
	s := f.naming.next("account", 26)
	var n uint64
	for _, c := range s {
		n = n*32 + uint64(strings.IndexRune("abcdefghijklmnopqrstuvwxyz234567", c))
	}
	return fmt.Sprintf("19%014d", n%1e14)
}
