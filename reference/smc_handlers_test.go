package reference

import (
	"encoding/json"
	"net/url"
	"testing"
	"time"

	"github.com/smcct/smcct/rpc"
	"github.com/smcct/smcct/spec"
)

const (
	defaultAcct = "1000000000000001"
	otherAcct   = "1000000000000002"
	linuxSrc    = "s-bp1smcctlinux0000001" // two data disks, indexes 1 and 2
	linuxSrc2   = "s-bp1smcctlinux0000002"
	offlineSrc  = "s-bp1smcctoffline00001"
	otherSrc    = "s-bp1smcctother0000001"
)

// p is a request in wire form, as an SDK sends it.
type p map[string]string

// newSMCServer is a fresh reference on a virtual clock, keeping durable state whose journal
// is checked when the test ends (journaledServer).
func newSMCServer(t *testing.T) *Server {
	t.Helper()
	return journaledServer(t)
}

func smcAction(t *testing.T, srv *Server, name string) *spec.Action {
	t.Helper()
	prod, ok := srv.catalog.ByName("smc")
	if !ok {
		t.Fatal("no smc product in the catalog")
	}
	a, ok := prod.Action(name)
	if !ok {
		t.Fatalf("the contract has no SMC action %s", name)
	}
	return a
}

// call decodes wire parameters with the contract (they must be valid: these tests are about
// behaviour, not parameter rules), runs the action and checks a success body against the
// action's response schema. It returns the body as generic JSON or the service error.
func call(t *testing.T, srv *Server, acct, action string, params p) (map[string]any, *rpc.Error) {
	t.Helper()
	a := smcAction(t, srv, action)
	q := url.Values{}
	for k, v := range params {
		q.Set(k, v)
	}
	in, vs := a.Decode(q)
	if v, bad := spec.FirstError(vs); bad {
		t.Fatalf("%s: test request breaks the contract: %v", action, v)
	}
	res, err := srv.invoke(acct, a, in)
	if err != nil {
		e, ok := rpc.AsError(err)
		if !ok {
			t.Fatalf("%s: non-service error %v", action, err)
		}
		if e.Code == "InternalError" {
			t.Fatalf("%s: InternalError: %v", action, e)
		}
		return nil, e
	}
	return checkBody(t, a, res), nil
}

func checkBody(t *testing.T, a *spec.Action, res any) map[string]any {
	t.Helper()
	b, err := json.Marshal(res)
	if err != nil {
		t.Fatalf("%s: marshal: %v", a.Name, err)
	}
	var body map[string]any
	if err := json.Unmarshal(b, &body); err != nil {
		t.Fatalf("%s: body is not an object: %s", a.Name, b)
	}
	body["RequestId"] = "00000000-0000-4000-8000-000000000000"
	full, _ := json.Marshal(body)
	if err := a.CheckResponse(200, full); err != nil {
		t.Fatalf("%s: %v\nbody: %s", a.Name, err, full)
	}
	return body
}

// must is call for steps that have to succeed.
func must(t *testing.T, srv *Server, acct, action string, params p) map[string]any {
	t.Helper()
	body, err := call(t, srv, acct, action, params)
	if err != nil {
		t.Fatalf("%s: %v", action, err)
	}
	return body
}

// fails is call for steps that have to fail with code.
func fails(t *testing.T, srv *Server, acct, action string, params p, code string) *rpc.Error {
	t.Helper()
	_, err := call(t, srv, acct, action, params)
	if err == nil {
		t.Fatalf("%s: succeeded, want %s", action, code)
	}
	if err.Code != code {
		t.Fatalf("%s: got %s (%s), want %s", action, err.Code, err.Message, code)
	}
	return err
}

// jobOf returns a job as DescribeReplicationJobs shows it.
func jobOf(t *testing.T, srv *Server, acct, id string) map[string]any {
	t.Helper()
	body := must(t, srv, acct, "DescribeReplicationJobs", p{"JobId.1": id})
	list := wrapped(body, "ReplicationJobs", "ReplicationJob")
	if len(list) != 1 {
		t.Fatalf("job %s: listed %d times", id, len(list))
	}
	return list[0]
}

func sourceOf(t *testing.T, srv *Server, acct, id string) map[string]any {
	t.Helper()
	body := must(t, srv, acct, "DescribeSourceServers", p{"SourceId.1": id})
	list := wrapped(body, "SourceServers", "SourceServer")
	if len(list) != 1 {
		t.Fatalf("source %s: listed %d times", id, len(list))
	}
	return list[0]
}

func wrapped(body map[string]any, outer, inner string) []map[string]any {
	o, _ := body[outer].(map[string]any)
	return objs(o[inner])
}

// createJob makes a job for src and returns its ID; extra parameters override the defaults.
func createJob(t *testing.T, srv *Server, src string, extra p) string {
	t.Helper()
	params := p{"RegionId": "cn-hangzhou", "SourceId": src, "TargetType": "Image",
		"ImageName": "img-" + src[len(src)-4:], "SystemDiskSize": "40"}
	for k, v := range extra {
		if v == "" {
			delete(params, k)
			continue
		}
		params[k] = v
	}
	body := must(t, srv, defaultAcct, "CreateReplicationJob", params)
	id, _ := body["JobId"].(string)
	if id == "" {
		t.Fatalf("CreateReplicationJob returned no JobId: %v", body)
	}
	return id
}

func advance(srv *Server, d time.Duration) { srv.Clock().Advance(d) }

func TestEverySMCActionHasAHandler(t *testing.T) {
	srv := newSMCServer(t)
	prod, _ := srv.catalog.ByName("smc")
	table := smcHandlers()
	for _, a := range prod.Actions() {
		if table[a.Name] == nil {
			t.Errorf("the contract's %s has no handler", a.Name)
		}
	}
	for name := range table {
		if _, ok := prod.Action(name); !ok {
			t.Errorf("handler %s answers an action the contract does not have", name)
		}
	}
}
