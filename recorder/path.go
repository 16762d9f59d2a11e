package recorder

import (
	"crypto/sha256"
	"encoding/hex"
	"path/filepath"
	"strings"
)

// maxSlug keeps every path element well under the 255-byte limit of common filesystems,
// with room for the hash suffix and ".yaml".
const maxSlug = 80

// CassettePath derives a spec's cassette from its place in the suite:
// root/<suite>/<Describe>/<rest-slug>.yaml, where containers are the spec's container texts
// outermost first (containers[0] is the Describe) and it is the It text. Nobody names
// cassettes by hand, so renaming a spec moves its cassette and the old one shows up unused.
func CassettePath(root, suite string, containers []string, it string) string {
	describe := "_" // an It outside any container; no slug can be "_"
	rest := append([]string(nil), containers...)
	if len(rest) > 0 {
		describe, rest = Slug(rest[0]), rest[1:]
	}
	leaf := strings.Join(append(rest, it), " ")
	return filepath.Join(root, Slug(suite), describe, Slug(leaf)+".yaml")
}

// Slug makes s safe as one path element on every common filesystem: lower-case ASCII
// letters, digits and single hyphens (case-insensitive filesystems cannot then merge two
// names), no Windows device name, and a bounded length. A slug that had to be shortened, or
// that lost characters outside ASCII, ends in a hash of s. Texts that differ only in case or
// punctuation share a slug: spec texts must differ in words.
func Slug(s string) string {
	var b strings.Builder
	lossy, hyphen := false, false
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
			hyphen = false
		case r >= 'A' && r <= 'Z':
			b.WriteRune(r + 'a' - 'A')
			hyphen = false
		default:
			if r > 0x7f {
				lossy = true
			}
			if !hyphen && b.Len() > 0 {
				b.WriteByte('-')
				hyphen = true
			}
		}
	}
	out := strings.TrimRight(b.String(), "-")
	if len(out) > maxSlug {
		out, lossy = strings.TrimRight(out[:maxSlug], "-"), true
	}
	if out == "" {
		out, lossy = "x", true
	}
	if lossy {
		sum := sha256.Sum256([]byte(s))
		out += "-" + hex.EncodeToString(sum[:4])
	}
	if isWindowsDevice(out) {
		out += "-"
	}
	return out
}

func isWindowsDevice(s string) bool {
	switch s {
	case "con", "prn", "aux", "nul":
		return true
	}
	if len(s) == 4 && (strings.HasPrefix(s, "com") || strings.HasPrefix(s, "lpt")) {
		return s[3] >= '0' && s[3] <= '9'
	}
	return false
}
