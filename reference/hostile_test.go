package reference

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/smcct/smcct/rpc"
)

// Hostile input: every request below is correctly signed, so a rejection is about its
// content, not its credentials, and each one asks for a write, so a server that let it
// through would change state. Each must get a 4xx in the service's error envelope, the
// server must keep answering, and GET /_smcct/state must not move.

// hostileCase builds one request. form, when set, moves the parameters to a form body.
type hostileCase struct {
	name   string
	reason string
	params func() url.Values
	form   bool
}

// base is a valid CreateReplicationJob that the cases spoil.
func hostileBase() url.Values {
	return url.Values{"SourceId": {"s-bp1smcctlinux0000001"}, "Name": {"hostile-job"}}
}

func hostileWith(mut func(url.Values)) func() url.Values {
	return func() url.Values {
		v := hostileBase()
		mut(v)
		return v
	}
}

var hostileCases = []hostileCase{
	{"body over 1 MiB", "the gateway bounds the body before parsing it", hostileWith(func(v url.Values) {
		v.Set("Description", strings.Repeat("a", 1<<20+1))
	}), true},
	{"10,000 parameters", "the parameter count is bounded before decoding", hostileWith(func(v url.Values) {
		for i := range 10000 {
			v.Set(fmt.Sprintf("Tag.%d.Key", i+1), "k")
		}
	}), true},
	{"invalid UTF-8 value", "a Name must be text before any pattern applies", hostileWith(func(v url.Values) {
		v.Set("Name", "job\xff\xfe")
	}), false},
	{"invalid UTF-8 name", "an unknown, non-text parameter name is not silently dropped", hostileWith(func(v url.Values) {
		v.Set("Tag.1.K\xffey", "v")
	}), false},
	{"deep nesting", "a name nested past the codec's depth is refused, not recursed into", hostileWith(func(v url.Values) {
		v.Set("DataDisk.1"+strings.Repeat(".Part.1", 200)+".Size", "1")
	}), false},
	{"nesting past the depth limit", "twelve dots but a short name: the depth bound, not the length bound, answers", hostileWith(func(v url.Values) {
		v.Set("DataDisk.1.Part.1.A.1.B.1.C.1.D.1.E", "1")
	}), false},
	{"index 999999999", "a huge list index must not allocate a huge list", hostileWith(func(v url.Values) {
		v.Set("DataDisk.999999999.Size", "100")
		v.Set("DataDisk.999999999.Index", "1")
	}), false},
	{"NUL in value", "a NUL byte is not a name character", hostileWith(func(v url.Values) {
		v.Set("Name", "job\x00evil")
	}), false},
	{"NUL in name", "a NUL byte in a parameter name", hostileWith(func(v url.Values) {
		v.Set("Name\x00", "x")
	}), false},
	{"10 MB JSON parameter", "a JSON-valued parameter is bounded like any other value", hostileWith(func(v url.Values) {
		v.Set("ReplicationParameters", `{"bandwidth_limit":0,"x":"`+strings.Repeat("z", 10<<20)+`"}`)
	}), true},
	{"query over 256 KiB", "the raw query is bounded", hostileWith(func(v url.Values) {
		v.Set("Description", strings.Repeat("q", 300<<10))
	}), false},
}

func TestHostileInputIsRefusedCleanly(t *testing.T) {
	for _, strict := range []bool{false, true} {
		t.Run(fmt.Sprintf("strict=%v", strict), func(t *testing.T) { hostileRun(t, strict) })
	}
}

func hostileRun(t *testing.T, strict bool) {
	_, ts, c := newHTTPServer(t, Options{Strict: strict})
	ctx := context.Background()
	before := durState(t, ts.URL)
	for _, tc := range hostileCases {
		t.Run(tc.name, func(t *testing.T) {
			req, err := c.NewRequest("2019-06-01", "CreateReplicationJob", tc.params())
			if err != nil {
				t.Fatal(err)
			}
			if tc.form { // move the business parameters into the body and sign again
				req.Form = url.Values{}
				for k, v := range tc.params() {
					req.Form[k] = v
					req.Query.Del(k)
				}
				if err := c.Sign(req); err != nil {
					t.Fatal(err)
				}
			}
			resp, err := c.Send(ctx, req)
			hostileWantEnvelope(t, tc, resp, err)
			if _, err := c.Call(ctx, "2019-06-01", "DescribeSourceServers", nil); err != nil {
				t.Fatalf("the server stopped answering after %s: %v", tc.name, err)
			}
		})
	}
	if after := durState(t, ts.URL); !reflect.DeepEqual(before, after) {
		b, _ := json.Marshal(after["replicationJobs"])
		t.Fatalf("hostile requests changed the state; jobs now %s", b)
	}
}

// hostileWantEnvelope checks for a 4xx with Code, Message and RequestId in a JSON body.
func hostileWantEnvelope(t *testing.T, tc hostileCase, resp *rpc.Response, err error) {
	t.Helper()
	e, ok := rpc.AsError(err)
	if !ok || resp == nil {
		t.Fatalf("%s: got %v, want a service error (%s)", tc.name, err, tc.reason)
	}
	if e.Status < 400 || e.Status > 499 {
		t.Fatalf("%s: status %d %s, want a 4xx (%s)", tc.name, e.Status, e.Code, tc.reason)
	}
	var body map[string]any
	if json.Unmarshal(resp.Body, &body) != nil || body["Code"] != e.Code || body["Message"] == "" || body["RequestId"] == "" {
		t.Fatalf("%s: body %.300q is not the service envelope", tc.name, resp.Body)
	}
	t.Logf("%s -> %d %s: %s", tc.name, e.Status, e.Code, e.Message)
}
