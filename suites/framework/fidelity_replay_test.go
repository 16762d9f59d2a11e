package framework

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/google/uuid"
	"gopkg.in/dnaeon/go-vcr.v3/cassette"

	"github.com/smcct/smcct/rpc"
)

const wireTime = "2006-01-02T15:04:05Z"

// replayer turns recorded requests back into live ones for a fresh reference: credentials
// the recorder redacted come back from the fixture keys and the keys seed bodies created,
// timestamps move by the time since the recording (a stale one stays stale), nonces are
// replaced one for one (a reused one stays reused), and signatures are made again, forged
// where the recording notes the original was forged.
type replayer struct {
	base   *url.URL
	keys   map[string]string
	shift  time.Duration
	nonces map[string]string
	tokens map[string]string // a live session's SecurityToken, by its AccessKeyId
}

func newReplayer(base string, rt RecordedTarget, now time.Time) *replayer {
	u, _ := url.Parse(base) // httptest's URL always parses
	rp := &replayer{base: u, keys: map[string]string{}, nonces: map[string]string{}, tokens: map[string]string{},
		shift: now.UTC().Truncate(time.Second).Sub(rt.RecordedAt)}
	for _, k := range []Credentials{FixtureDefault, FixtureOther} {
		if k.AccessKeyID == rt.DefaultKey || k.AccessKeyID == rt.OtherKey {
			rp.keys[k.AccessKeyID] = k.Secret
		}
	}
	return rp
}

// live is one request ready to send, and how to map its answer back to the recording.
type live struct {
	method string
	u      *url.URL
	header http.Header
	body   string
	undo   []string // replacer pairs: live value -> recorded value
}

func (rp *replayer) send(c *http.Client, in *cassette.Interaction) (*cassette.Response, error) {
	l, err := rp.build(&in.Request)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequest(l.method, l.u.String(), strings.NewReader(l.body))
	if err != nil {
		return nil, err
	}
	req.Header = l.header
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	got, err := readResponse(resp)
	if err != nil {
		return nil, err
	}
	if id, secret, tok, ok := SessionCredentials([]byte(got.Body)); ok {
		rp.keys[id], rp.tokens[id] = secret, tok
	}
	if len(l.undo) > 0 {
		got.Body = strings.NewReplacer(l.undo...).Replace(got.Body)
	}
	return got, nil
}

func (rp *replayer) build(rq *cassette.Request) (*live, error) {
	u, err := url.Parse(rq.URL)
	if err != nil {
		return nil, err
	}
	u.Scheme, u.Host = rp.base.Scheme, rp.base.Host
	l := &live{method: rq.Method, u: u, header: rq.Headers.Clone(), body: rq.Body}
	for _, h := range []string{HeaderSeq, HeaderKey, HeaderSigned, HeaderToken} {
		l.header.Del(h)
	}
	if strings.Contains(u.Path, "/_smcct/") {
		keys := SeededKeys([]byte(rq.Body))
		if strings.HasSuffix(u.Path, "/_smcct/iam/users") {
			keys = UserKeys([]byte(rq.Body))
		}
		for id, secret := range keys {
			rp.keys[id] = secret
		}
		return l, nil
	}
	if owner := rq.Headers.Get(HeaderToken); owner != "" {
		rp.putToken(l, owner)
	}
	key, verdict := rq.Headers.Get(HeaderKey), rq.Headers.Get(HeaderSigned)
	secret := rp.keys[key]
	switch verdict {
	case "invalid":
		secret += "-forged"
	case "unknown-key":
		secret = "unknown-key-secret"
	}
	sign := verdict == "valid" || verdict == "invalid" || verdict == "unknown-key"
	if auth := l.header.Get("Authorization"); auth != "" {
		return l, rp.v3(l, auth, key, secret, sign)
	}
	return l, rp.v1(l, key, secret, sign)
}

// putToken puts back the SecurityToken the recorder redacted: the live token of the session
// the recording names, or one no issuer made for a token the spec damaged on purpose.
func (rp *replayer) putToken(l *live, owner string) {
	tok, ok := rp.tokens[owner]
	if !ok {
		tok = "smcct-sts.not-issued"
	}
	if l.header.Get(rpc.HeaderSecurityToken) != "" {
		l.header.Set(rpc.HeaderSecurityToken, tok)
		return
	}
	if q, err := url.ParseQuery(l.u.RawQuery); err == nil && q.Has("SecurityToken") {
		q.Set("SecurityToken", tok)
		l.u.RawQuery = q.Encode()
		return
	}
	if form, err := url.ParseQuery(l.body); err == nil && form.Has("SecurityToken") {
		form.Set("SecurityToken", tok)
		l.body = form.Encode()
	}
}

func (rp *replayer) v1(l *live, key, secret string, sign bool) error {
	query, err := url.ParseQuery(l.u.RawQuery)
	if err != nil {
		return nil // a deliberately broken query goes out as recorded
	}
	var form url.Values
	if isForm(l.header.Get("Content-Type")) && l.body != "" {
		if form, err = url.ParseQuery(l.body); err != nil {
			form = nil
		}
	}
	for _, v := range []url.Values{query, form} {
		if v == nil {
			continue
		}
		if v.Has("AccessKeyId") && key != "" {
			v.Set("AccessKeyId", key)
		}
		if v.Has("Timestamp") {
			v.Set("Timestamp", rp.time(l, v.Get("Timestamp")))
		}
		if v.Has("SignatureNonce") {
			v.Set("SignatureNonce", rp.nonce(l, v.Get("SignatureNonce")))
		}
	}
	if sign {
		merged := url.Values{}
		for _, v := range []url.Values{query, form} {
			for k, vs := range v {
				merged[k] = append(merged[k], vs...)
			}
		}
		rpc.SignV1(l.method, merged, secret)
		if form != nil && form.Has("Signature") {
			form.Set("Signature", merged.Get("Signature"))
		} else {
			query.Set("Signature", merged.Get("Signature"))
		}
	}
	l.u.RawQuery = query.Encode()
	if form != nil {
		l.body = form.Encode()
	}
	return nil
}

func (rp *replayer) v3(l *live, header, key, secret string, sign bool) error {
	if d := l.header.Get(rpc.HeaderDate); d != "" {
		l.header.Set(rpc.HeaderDate, rp.time(l, d))
	}
	if n := l.header.Get(rpc.HeaderNonce); n != "" {
		l.header.Set(rpc.HeaderNonce, rp.nonce(l, n))
	}
	auth, err := rpc.ParseAuthorization(header)
	if err != nil || !sign {
		return nil // a malformed Authorization goes out as recorded
	}
	if key != "" {
		auth.Credential = key
	}
	query, err := url.ParseQuery(l.u.RawQuery)
	if err != nil {
		return fmt.Errorf("v3 request with an unparsable query %q", l.u.RawQuery)
	}
	canon := rpc.CanonicalRequestV3(l.method, l.u.EscapedPath(), query, l.header, l.u.Host,
		auth.SignedHeaders, rpc.PayloadHashV3([]byte(l.body)))
	auth.Signature = rpc.SignatureV3(secret, rpc.StringToSignV3(canon))
	l.header.Set("Authorization", auth.String())
	return nil
}

// time moves a wire timestamp by the replayer's shift; text that is not a timestamp (a spec
// sending a malformed one) is kept.
func (rp *replayer) time(l *live, recorded string) string {
	t, err := time.Parse(wireTime, recorded)
	if err != nil {
		return recorded
	}
	now := t.Add(rp.shift).Format(wireTime)
	l.undo = append(l.undo, encodings(now, recorded)...)
	return now
}

func (rp *replayer) nonce(l *live, recorded string) string {
	if recorded == "" {
		return ""
	}
	n, ok := rp.nonces[recorded]
	if !ok {
		n = strings.ReplaceAll(uuid.NewString(), "-", "")
		rp.nonces[recorded] = n
	}
	l.undo = append(l.undo, encodings(n, recorded)...)
	return n
}

// encodings pairs a live value with its recorded one as they appear in answers: raw, and
// percent-encoded once or twice (a v1 string to sign encodes the encoded query).
func encodings(liveV, recordedV string) []string {
	once, onceR := rpc.PercentEncode(liveV), rpc.PercentEncode(recordedV)
	return []string{rpc.PercentEncode(once), rpc.PercentEncode(onceR), once, onceR, liveV, recordedV}
}

func isForm(ct string) bool { return strings.HasPrefix(ct, "application/x-www-form-urlencoded") }

var (
	xmlRequestID = regexp.MustCompile(`<RequestId>([^<]*)</RequestId>`)
	// v3StringToSign is the hash a v3 SignatureDoesNotMatch message quotes: it covers the
	// host and the x-acs headers, which a replay into another listener cannot reproduce.
	v3StringToSign = regexp.MustCompile(`(ACS3-HMAC-SHA256(?:\s|\\n)+)[0-9a-f]{64}`)
)

// compareResponses says how a live answer differs from the recorded one after
// normalisation (RequestId ignored, JSON compared as values), "" when it does not.
func compareResponses(want, got *cassette.Response) string {
	if want.Code != got.Code {
		return fmt.Sprintf("status %d, recorded %d; body %s", got.Code, want.Code, clip(got.Body))
	}
	if w, g := want.Headers.Get("Content-Type"), got.Headers.Get("Content-Type"); w != g {
		return fmt.Sprintf("Content-Type %q, recorded %q", g, w)
	}
	wb, gb := normalBody(want.Body), normalBody(got.Body)
	var wv, gv any
	if json.Unmarshal([]byte(wb), &wv) == nil && json.Unmarshal([]byte(gb), &gv) == nil {
		if d := jsonDiff("$", wv, gv); d != "" {
			return d
		}
		return ""
	}
	if wb != gb {
		return fmt.Sprintf("body %s, recorded %s", clip(gb), clip(wb))
	}
	return ""
}

// normalBody replaces the answer's RequestId, wherever it occurs (a Recommend link carries
// it too), and a v3 canonical-request hash with fixed words.
func normalBody(b string) string {
	b = v3StringToSign.ReplaceAllString(b, "${1}CANONICAL-REQUEST-HASH")
	id := ""
	var m map[string]any
	if json.NewDecoder(bytes.NewReader([]byte(b))).Decode(&m) == nil {
		id, _ = m["RequestId"].(string)
	} else if x := xmlRequestID.FindStringSubmatch(b); x != nil {
		id = x[1]
	}
	if id == "" {
		return b
	}
	return strings.ReplaceAll(b, id, "REQUEST-ID")
}

// jsonDiff names the first place two JSON values differ.
func jsonDiff(path string, want, got any) string {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return fmt.Sprintf("%s: %s, recorded an object", path, clip(fmt.Sprint(got)))
		}
		keys := map[string]bool{}
		for k := range w {
			keys[k] = true
		}
		for k := range g {
			keys[k] = true
		}
		names := make([]string, 0, len(keys))
		for k := range keys {
			names = append(names, k)
		}
		sort.Strings(names)
		for _, k := range names {
			if d := jsonDiff(path+"."+k, w[k], g[k]); d != "" {
				return d
			}
		}
		return ""
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return fmt.Sprintf("%s: %s, recorded %s", path, clip(fmt.Sprint(got)), clip(fmt.Sprint(want)))
		}
		for i := range w {
			if d := jsonDiff(fmt.Sprintf("%s[%d]", path, i), w[i], g[i]); d != "" {
				return d
			}
		}
		return ""
	}
	if !reflect.DeepEqual(want, got) {
		return fmt.Sprintf("%s: %v, recorded %v", path, clip(fmt.Sprint(got)), clip(fmt.Sprint(want)))
	}
	return ""
}

func clip(s string) string {
	if len(s) > 300 {
		return s[:300] + "..."
	}
	return s
}
