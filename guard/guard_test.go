package guard

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestCheck(t *testing.T) {
	g := New([]string{"devbox.internal:8080"}, "")
	tokened := New(nil, "s3cret")
	cases := []struct {
		reason string
		g      *Guard
		method string
		host   string
		header map[string]string
		body   string
		want   int // 0: allowed
	}{
		{"a plain local GET is the local user", g, "GET", "127.0.0.1:8080", nil, "", 0},
		{"localhost with a port is loopback", g, "GET", "localhost:8080", nil, "", 0},
		{"LOCALHOST is the same name", g, "GET", "LOCALHOST:8080", nil, "", 0},
		{"the IPv6 loopback literal is loopback", g, "GET", "[::1]:8080", nil, "", 0},
		{"any 127/8 address is loopback", g, "GET", "127.0.0.2", nil, "", 0},
		{"a name the user allowed passes, whatever its port", g, "GET", "devbox.internal:9999", nil, "", 0},
		{"a foreign Host is DNS rebinding", g, "GET", "evil.example:8080", nil, "", 403},
		{"an empty Host is no loopback name", g, "GET", "", nil, "", 403},
		{"a name that only starts like localhost is foreign", g, "GET", "localhost.evil.example", nil, "", 403},
		{"a foreign Origin is a web page", g, "POST", "127.0.0.1:8080", map[string]string{"Origin": "http://evil.example"}, "", 403},
		{"the server's own Origin is allowed", g, "POST", "127.0.0.1:8080", map[string]string{"Origin": "http://127.0.0.1:8080"}, "", 0},
		{"an Origin on another port is another origin", g, "POST", "127.0.0.1:8080", map[string]string{"Origin": "http://127.0.0.1:9090"}, "", 403},
		{"the opaque null Origin is refused", g, "POST", "127.0.0.1:8080", map[string]string{"Origin": "null"}, "", 403},
		{"a cross-site fetch without Origin is refused", g, "GET", "127.0.0.1:8080", map[string]string{"Sec-Fetch-Site": "cross-site"}, "", 403},
		{"a same-origin fetch is allowed", g, "GET", "127.0.0.1:8080", map[string]string{"Sec-Fetch-Site": "same-origin"}, "", 0},
		{"a JSON body is allowed", g, "POST", "127.0.0.1:8080", map[string]string{"Content-Type": "application/json"}, "{}", 0},
		{"a JSON body with a charset is allowed", g, "POST", "127.0.0.1:8080", map[string]string{"Content-Type": "application/json; charset=utf-8"}, "{}", 0},
		{"a YAML body is allowed", g, "POST", "127.0.0.1:8080", map[string]string{"Content-Type": "application/yaml"}, "a: 1", 0},
		{"text/plain is a browser's simple request", g, "POST", "127.0.0.1:8080", map[string]string{"Content-Type": "text/plain"}, "{}", 415},
		{"a yaml parameter does not make text/plain YAML", g, "POST", "127.0.0.1:8080", map[string]string{"Content-Type": "text/plain; x=yaml"}, "a: 1", 415},
		{"a form body is not parsed by any route", g, "POST", "127.0.0.1:8080", map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, "a=1", 415},
		{"a body without a Content-Type is refused", g, "POST", "127.0.0.1:8080", nil, "{}", 415},
		{"a bodiless POST needs no Content-Type", g, "POST", "127.0.0.1:8080", nil, "", 0},
		{"a token server refuses a request without it", tokened, "GET", "127.0.0.1:8080", nil, "", 401},
		{"a token server refuses a wrong token", tokened, "GET", "127.0.0.1:8080", map[string]string{TokenHeader: "guess"}, "", 401},
		{"a token server accepts its token", tokened, "GET", "127.0.0.1:8080", map[string]string{TokenHeader: "s3cret"}, "", 0},
		{"the Host check comes before the token", tokened, "GET", "evil.example", map[string]string{TokenHeader: "s3cret"}, "", 403},
	}
	for _, tc := range cases {
		t.Run(tc.reason, func(t *testing.T) {
			var r *http.Request
			if tc.body != "" {
				r = httptest.NewRequest(tc.method, "/_smcct/reset", strings.NewReader(tc.body))
			} else {
				r = httptest.NewRequest(tc.method, "/_smcct/reset", nil)
			}
			r.Host = tc.host
			for k, v := range tc.header {
				r.Header.Set(k, v)
			}
			got := 0
			if ref := tc.g.Check(r); ref != nil {
				got = ref.Status
				if ref.Message == "" {
					t.Error("a refusal without a message")
				}
			}
			if got != tc.want {
				t.Fatalf("status %d, want %d", got, tc.want)
			}
		})
	}
}

func TestIsLoopbackAddr(t *testing.T) {
	for _, tc := range []struct {
		addr   string
		want   bool
		reason string
	}{
		{"127.0.0.1:8080", true, "IPv4 loopback"},
		{"[::1]:0", true, "IPv6 loopback"},
		{"localhost:8080", true, "the loopback name"},
		{"0.0.0.0:8080", false, "every IPv4 interface"},
		{":8080", false, "an empty host binds every interface"},
		{"[::]:8080", false, "every IPv6 interface"},
		{"192.168.1.5:8080", false, "a LAN address"},
		{"127.0.0.1", false, "no port: not a listen address"},
	} {
		if got := IsLoopbackAddr(tc.addr); got != tc.want {
			t.Errorf("IsLoopbackAddr(%q) = %v: %s", tc.addr, got, tc.reason)
		}
	}
}
