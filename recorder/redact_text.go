package recorder

import (
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"
)

// RedactValues returns a copy of v with every credential parameter replaced by its
// placeholder, for anything that shows a request to people (a failure transcript).
func RedactValues(v url.Values) url.Values { return redactValues(v) }

// The patterns RedactText applies, built from secretParams and secretHeaders so the list of
// what counts as a credential lives once.
var (
	textParamRE  = regexp.MustCompile(`(^|[?&\s;,{("'])(` + alternation(secretParams) + `)=([^&\s"',;)}]*)`)
	jsonParamRE  = regexp.MustCompile(`"(` + alternation(secretParams) + `)"(\s*:\s*)"(?:[^"\\]|\\.)*"`)
	textHeaderRE = regexp.MustCompile(`(?im)^([ \t]*)(authorization|` + strings.ToLower(alternation(secretHeaders)) + `)([ \t]*:[ \t]*)([^\r\n]*)$`)
)

func alternation(m map[string]string) string {
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, regexp.QuoteMeta(k))
	}
	sort.Strings(names)
	return strings.Join(names, "|")
}

// RedactText removes credentials from free text that shows requests: query or form strings
// (AccessKeyId=..., Signature=...), JSON fields ("SecurityToken": "..."), and header lines
// (Authorization: ..., x-acs-security-token: ...). Like Redact it keeps the rest readable
// and is idempotent. It is for text whose structure is unknown, such as a report written
// by another tool; structured requests go through Redact or RedactValues.
func RedactText(s string) string {
	s = textParamRE.ReplaceAllStringFunc(s, func(m string) string {
		g := textParamRE.FindStringSubmatch(m)
		return g[1] + g[2] + "=" + secretParams[g[2]]
	})
	s = jsonParamRE.ReplaceAllStringFunc(s, func(m string) string {
		g := jsonParamRE.FindStringSubmatch(m)
		return `"` + g[1] + `"` + g[2] + `"` + secretParams[g[1]] + `"`
	})
	return textHeaderRE.ReplaceAllStringFunc(s, func(m string) string {
		g := textHeaderRE.FindStringSubmatch(m)
		name := http.CanonicalHeaderKey(g[2])
		v := RedactedSecret
		if name == "Authorization" {
			v = redactAuthorization(g[4])
		} else if p, ok := secretHeaders[name]; ok {
			v = p
		}
		return g[1] + g[2] + g[3] + v
	})
}
