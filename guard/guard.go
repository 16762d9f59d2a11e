package guard

import (
	"crypto/subtle"
	"fmt"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strings"
)

// TokenHeader carries the control token when the server was given one.
const TokenHeader = "X-Smcct-Control-Token"

// Media types a control-plane body may carry: the only two the routes parse.
const (
	JSON = "application/json"
	YAML = "application/yaml"
)

// Guard holds what the user allowed beyond the loopback names.
type Guard struct {
	hosts map[string]bool // lower-case host names, without port
	token string
}

// New returns a Guard that also accepts the Host names in hosts (with or without a port)
// and, if token is not empty, requires it in TokenHeader.
func New(hosts []string, token string) *Guard {
	g := &Guard{hosts: map[string]bool{}, token: token}
	for _, h := range hosts {
		g.hosts[strings.ToLower(hostOnly(h))] = true
	}
	return g
}

// Refusal is why a request was refused, with the HTTP status to answer.
type Refusal struct {
	Status  int
	Message string
}

func (r *Refusal) Error() string { return fmt.Sprintf("%d %s", r.Status, r.Message) }

// Check returns nil for a request the local user could have sent, or why not. The order
// puts the checks that need no secret first, so a web page learns nothing about the token.
func (g *Guard) Check(r *http.Request) *Refusal {
	if !g.hostAllowed(r.Host) {
		return &Refusal{http.StatusForbidden, fmt.Sprintf(
			"Host %q is not a loopback name: the control plane answers only localhost, 127.0.0.1 and [::1] (serve --allow-host adds names)", r.Host)}
	}
	if o := r.Header.Get("Origin"); o != "" && !sameOrigin(o, r.Host) {
		return &Refusal{http.StatusForbidden, fmt.Sprintf("Origin %q is not this server: the control plane refuses requests from web pages", o)}
	}
	if site := r.Header.Get("Sec-Fetch-Site"); site != "" && site != "same-origin" && site != "none" {
		return &Refusal{http.StatusForbidden, fmt.Sprintf("Sec-Fetch-Site %q: the control plane refuses requests from web pages", site)}
	}
	if ct := r.Header.Get("Content-Type"); ct != "" || hasBody(r) {
		if mt := MediaType(r); mt != JSON && mt != YAML {
			return &Refusal{http.StatusUnsupportedMediaType, fmt.Sprintf(
				"Content-Type %q: control-plane bodies are %s or %s", ct, JSON, YAML)}
		}
	}
	if g.token != "" && subtle.ConstantTimeCompare([]byte(r.Header.Get(TokenHeader)), []byte(g.token)) != 1 {
		return &Refusal{http.StatusUnauthorized, "missing or wrong " + TokenHeader + " (the server was started with --control-token)"}
	}
	return nil
}

// MediaType is the request's Content-Type without parameters, lower-case; "" if absent or
// malformed.
func MediaType(r *http.Request) string {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil {
		return ""
	}
	return mt
}

func hasBody(r *http.Request) bool {
	return r.ContentLength != 0 && r.Body != nil && r.Body != http.NoBody
}

func (g *Guard) hostAllowed(host string) bool {
	h := strings.ToLower(hostOnly(host))
	return IsLoopbackHost(h) || g.hosts[h]
}

// sameOrigin reports whether an Origin header names this server as the client reached it.
// The scheme is not compared: the listener may sit behind a TLS terminator the client saw.
func sameOrigin(origin, host string) bool {
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" {
		return false // "null" and other opaque origins are never ours
	}
	return strings.EqualFold(u.Host, host)
}

// hostOnly drops the port of host:port, and the brackets of an IPv6 literal.
func hostOnly(hostport string) string {
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		return h
	}
	return strings.TrimSuffix(strings.TrimPrefix(hostport, "["), "]")
}

// IsLoopbackHost reports whether a host name (no port) is this machine: localhost or a
// loopback IP address.
func IsLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// IsLoopbackAddr reports whether a listen address (host:port) binds only the loopback
// interface. An empty host ("":8080) binds every interface.
func IsLoopbackAddr(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	return err == nil && IsLoopbackHost(host)
}
