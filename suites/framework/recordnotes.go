package framework

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"gopkg.in/dnaeon/go-vcr.v3/cassette"

	"github.com/smcct/smcct/rpc"
)

// recordedHost replaces the in-process reference's ephemeral host:port in recordings.
const recordedHost = "reference.smcct.invalid"

// droppedRequestHeaders and droppedResponseHeaders change on every run or say nothing a
// replay needs; keeping them would make every re-recording a diff of the whole directory.
var (
	droppedRequestHeaders  = []string{"User-Agent", "Accept-Encoding", "Content-Length"}
	droppedResponseHeaders = []string{"Date", "Content-Length"}
)

// edit trims and annotates one recorded interaction (recorder.WithEdit). req is the live
// request, credentials intact, so the signature can be checked here and only the verdict
// written down.
func (c *Cassettes) edit(req *http.Request, in *cassette.Interaction) {
	for _, h := range droppedRequestHeaders {
		in.Request.Headers.Del(h)
	}
	for _, h := range droppedResponseHeaders {
		in.Response.Headers.Del(h)
	}
	if in.Request.Headers == nil {
		in.Request.Headers = http.Header{}
	}
	in.Request.Headers.Set(HeaderSeq, strconv.FormatInt(c.seq.Add(1), 10))
	in.Request.RequestURI = "" // the URL holds it all again; matching reads only the URL
	if !c.annotate {
		return
	}
	// A reference recording: the in-process listener's port changes every run, and control
	// answers are indented JSON. Neither matters to a replay; both bloat every diff.
	in.Request.Host = recordedHost
	if u, err := url.Parse(in.Request.URL); err == nil {
		u.Host = recordedHost
		in.Request.URL = u.String()
	}
	body := readAll(req)
	control := strings.Contains(req.URL.Path, "/_smcct/")
	if control && strings.HasPrefix(in.Response.Headers.Get("Content-Type"), "application/json") {
		var b bytes.Buffer
		if json.Compact(&b, []byte(in.Response.Body)) == nil {
			in.Response.Body = b.String()
			in.Response.ContentLength = int64(b.Len())
		}
	}
	if strings.HasSuffix(req.URL.Path, "/_smcct/seed") {
		c.learnKeys(SeededKeys(body))
		return
	}
	if strings.HasSuffix(req.URL.Path, "/_smcct/iam/users") {
		c.learnKeys(UserKeys(body))
		return
	}
	if control {
		return
	}
	key, verdict := c.signature(req, body)
	if key != "" {
		in.Request.Headers.Set(HeaderKey, key)
	}
	in.Request.Headers.Set(HeaderSigned, verdict)
	if tok := requestToken(req, body); tok != "" {
		in.Request.Headers.Set(HeaderToken, c.tokenOwner(tok))
	}
	if id, secret, tok, ok := SessionCredentials([]byte(in.Response.Body)); ok {
		c.mu.Lock()
		c.keys[id], c.tokens[tok] = secret, id
		c.mu.Unlock()
	}
}

// requestToken is the SecurityToken a request carried: a v1 parameter or the v3 header.
func requestToken(req *http.Request, body []byte) string {
	if t := req.Header.Get(rpc.HeaderSecurityToken); t != "" {
		return t
	}
	if t := req.URL.Query().Get("SecurityToken"); t != "" {
		return t
	}
	if isFormRequest(req) {
		form, _ := url.ParseQuery(string(body))
		return form.Get("SecurityToken")
	}
	return ""
}

func (c *Cassettes) tokenOwner(token string) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if id, ok := c.tokens[token]; ok {
		return id
	}
	return "foreign"
}

// UserKeys returns the AccessKey pairs a RAM-user body (POST /_smcct/iam/users) gives.
func UserKeys(body []byte) map[string]string {
	var u struct {
		AccessKeys []struct {
			ID     string `json:"id"`
			Secret string `json:"secret"`
		} `json:"accessKeys"`
	}
	out := map[string]string{}
	if json.Unmarshal(body, &u) != nil {
		return out
	}
	for _, k := range u.AccessKeys {
		if k.ID != "" {
			out[k.ID] = k.Secret
		}
	}
	return out
}

// SessionCredentials reads the temporary credentials of an AssumeRole answer.
func SessionCredentials(body []byte) (id, secret, token string, ok bool) {
	var r struct {
		Credentials struct {
			AccessKeyID     string `json:"AccessKeyId"`
			AccessKeySecret string `json:"AccessKeySecret"`
			SecurityToken   string `json:"SecurityToken"`
		} `json:"Credentials"`
	}
	if json.Unmarshal(body, &r) != nil || r.Credentials.AccessKeyID == "" || r.Credentials.SecurityToken == "" {
		return "", "", "", false
	}
	return r.Credentials.AccessKeyID, r.Credentials.AccessKeySecret, r.Credentials.SecurityToken, true
}

func readAll(req *http.Request) []byte {
	if req.Body == nil {
		return nil
	}
	b, _ := io.ReadAll(req.Body) // the recorder restored it from bytes: it cannot fail
	return b
}

// SeededKeys returns the AccessKey pairs a seed body (the /_smcct/seed shape AddAccount
// sends) gives its accounts. Bodies of any other shape give none.
func SeededKeys(body []byte) map[string]string {
	var seed struct {
		Accounts []struct {
			AccessKeys []struct {
				ID     string `json:"id"`
				Secret string `json:"secret"`
			} `json:"accessKeys"`
		} `json:"accounts"`
	}
	out := map[string]string{}
	if json.Unmarshal(body, &seed) != nil {
		return out
	}
	for _, a := range seed.Accounts {
		for _, k := range a.AccessKeys {
			if k.ID != "" {
				out[k.ID] = k.Secret
			}
		}
	}
	return out
}

func (c *Cassettes) learnKeys(keys map[string]string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for id, secret := range keys {
		c.keys[id] = secret
	}
}

// signature names the key that signed req and whether the signature holds with that key's
// known secret. A spec that forges a signature on purpose records "invalid", so a replay
// into a live reference can forge one again instead of signing correctly.
func (c *Cassettes) signature(req *http.Request, body []byte) (key, verdict string) {
	query, _ := url.ParseQuery(req.URL.RawQuery)
	if auth := req.Header.Get("Authorization"); auth != "" {
		a, err := rpc.ParseAuthorization(auth)
		if err != nil {
			return "", "malformed"
		}
		secret, ok := c.secret(a.Credential)
		if !ok {
			return a.Credential, "unknown-key"
		}
		if _, good := rpc.VerifyV3(req, query, body, a, secret); good {
			return a.Credential, "valid"
		}
		return a.Credential, "invalid"
	}
	params := url.Values{}
	for k, vs := range query {
		params[k] = append(params[k], vs...)
	}
	if isFormRequest(req) {
		form, _ := url.ParseQuery(string(body))
		for k, vs := range form {
			params[k] = append(params[k], vs...)
		}
	}
	key = params.Get("AccessKeyId")
	if !params.Has("Signature") {
		return key, "unsigned"
	}
	secret, ok := c.secret(key)
	if !ok {
		return key, "unknown-key"
	}
	if _, good := rpc.VerifyV1(req.Method, params, secret); good {
		return key, "valid"
	}
	return key, "invalid"
}

func (c *Cassettes) secret(key string) (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s, ok := c.keys[key]
	return s, ok
}

func isFormRequest(req *http.Request) bool {
	return strings.HasPrefix(req.Header.Get("Content-Type"), "application/x-www-form-urlencoded")
}
