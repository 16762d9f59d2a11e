package recorder

import (
	"net/http"
	"net/url"
	"strings"

	"gopkg.in/dnaeon/go-vcr.v3/cassette"
)

// Placeholders written in place of secrets. They are fixed, so re-recording a cassette
// changes only what the service changed, and they are not shaped like a real key, so the
// cassette scan never mistakes them for one.
const (
	RedactedKeyID     = "REDACTED-ACCESS-KEY-ID"
	RedactedSignature = "REDACTED-SIGNATURE"
	RedactedToken     = "REDACTED-SECURITY-TOKEN"
	RedactedSecret    = "REDACTED-SECRET"
)

// minScrubLen is the shortest literal secret scrubbed from free text.
const minScrubLen = 8

// secretParams maps each credential-bearing RPC parameter to its placeholder. The nonce
// and timestamp are not secret and stay, which keeps a cassette readable as a trace.
var secretParams = map[string]string{
	"AccessKeyId":   RedactedKeyID,
	"Signature":     RedactedSignature,
	"SecurityToken": RedactedToken,
	"BearerToken":   RedactedToken,
}

// secretHeaders maps credential-bearing headers (canonical form) to their placeholder.
// Authorization is handled apart: its scheme and signed-header list stay readable.
var secretHeaders = map[string]string{
	"X-Acs-Security-Token":  RedactedToken,
	"X-Acs-Accesskey-Id":    RedactedKeyID,
	"X-Acs-Bearer-Token":    RedactedToken,
	"X-Smcct-Control-Token": RedactedSecret, // guard.TokenHeader
	"Cookie":                RedactedSecret,
	"Set-Cookie":            RedactedSecret,
}

// Redact removes credentials from an interaction in place: the URL, RequestURI, form, body
// and headers of the request, and any literal secret (an AccessKey ID or secret the caller
// used) wherever it appears, response included. It is idempotent, so it can run as a go-vcr
// AfterCaptureHook and again as a BeforeSaveHook.
func Redact(i *cassette.Interaction, secrets ...string) {
	rq := &i.Request
	rq.URL = redactURL(rq.URL)
	rq.RequestURI = redactURL(rq.RequestURI)
	rq.Form = redactValues(rq.Form)
	if isForm(rq.Headers.Get("Content-Type")) && rq.Body != "" {
		if v, err := url.ParseQuery(rq.Body); err == nil {
			rq.Body = redactValues(v).Encode()
		}
	}
	rq.Headers = redactHeaders(rq.Headers)
	i.Response.Headers = redactHeaders(i.Response.Headers)
	scrub(i, secrets)
}

// Hook adapts Redact to go-vcr's recorder.HookFunc for callers that record with go-vcr's
// own recorder.
func Hook(secrets ...string) func(*cassette.Interaction) error {
	return func(i *cassette.Interaction) error {
		Redact(i, secrets...)
		return nil
	}
}

func redactURL(raw string) string {
	if raw == "" {
		return raw
	}
	u, err := url.Parse(raw)
	if err != nil {
		return raw // scrub still removes literal secrets
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil || !hasSecretParam(q) {
		return raw
	}
	u.RawQuery = redactValues(q).Encode()
	return u.String()
}

func hasSecretParam(v url.Values) bool {
	for k := range secretParams {
		if _, ok := v[k]; ok {
			return true
		}
	}
	return false
}

// redactValues returns a redacted copy; the live request's values are never touched.
func redactValues(v url.Values) url.Values {
	if v == nil {
		return nil
	}
	out := make(url.Values, len(v))
	for k, vs := range v {
		if p, ok := secretParams[k]; ok {
			out[k] = []string{p}
			continue
		}
		out[k] = append([]string(nil), vs...)
	}
	return out
}

func redactHeaders(h http.Header) http.Header {
	if h == nil {
		return nil
	}
	out := h.Clone()
	for k := range out {
		ck := http.CanonicalHeaderKey(k)
		if p, ok := secretHeaders[ck]; ok {
			out[k] = []string{p}
		}
		if ck == "Authorization" {
			for j, v := range out[k] {
				out[k][j] = redactAuthorization(v)
			}
		}
	}
	return out
}

// redactAuthorization keeps the scheme and SignedHeaders of an ACS3 Authorization value
// and replaces Credential and Signature. Anything else keeps only its scheme.
func redactAuthorization(v string) string {
	scheme, rest, ok := strings.Cut(strings.TrimSpace(v), " ")
	if !ok {
		return RedactedSecret
	}
	var parts []string
	for _, part := range strings.Split(rest, ",") {
		k, _, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "Credential":
			parts = append(parts, "Credential="+RedactedKeyID)
		case "Signature":
			parts = append(parts, "Signature="+RedactedSignature)
		case "SignedHeaders":
			parts = append(parts, strings.TrimSpace(part))
		}
	}
	if len(parts) == 0 {
		return scheme + " " + RedactedSecret
	}
	return scheme + " " + strings.Join(parts, ",")
}

// scrub replaces every literal secret in every text field. Values shorter than
// minScrubLen are left alone: a short test key such as "smcct" also occurs inside resource
// IDs, and replacing it there would corrupt the recording (real AccessKey IDs and secrets
// are 20-30 characters, and the structural redaction above still covers short ones where
// they act as credentials).
func scrub(i *cassette.Interaction, secrets []string) {
	var pairs []string
	for _, s := range secrets {
		if len(s) >= minScrubLen {
			pairs = append(pairs, s, RedactedSecret, url.QueryEscape(s), RedactedSecret)
		}
	}
	if len(pairs) == 0 {
		return
	}
	r := strings.NewReplacer(pairs...)
	rq, rs := &i.Request, &i.Response
	for _, p := range []*string{&rq.URL, &rq.RequestURI, &rq.Body, &rq.Host, &rs.Body} {
		*p = r.Replace(*p)
	}
	for _, h := range []http.Header{rq.Headers, rs.Headers} {
		for _, vs := range h {
			for j := range vs {
				vs[j] = r.Replace(vs[j])
			}
		}
	}
	for _, vs := range rq.Form {
		for j := range vs {
			vs[j] = r.Replace(vs[j])
		}
	}
}
