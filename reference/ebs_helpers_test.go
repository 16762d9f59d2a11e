package reference

import (
	"encoding/json"
	"net/url"
	"testing"
	"time"

	"github.com/smcct/smcct/rpc"
	"github.com/smcct/smcct/spec"
)

// Fixture objects the EBS tests lean on (fixtures/default.yaml).
const (
	ebsAcct  = "1000000000000001"
	ebsOther = "1000000000000002"
	hz, sh   = "cn-hangzhou", "cn-shanghai"
	hzDisk1  = "d-bp1smcctdisk00000001" // cn-hangzhou-h, 100 GiB
	hzDisk2  = "d-bp1smcctdisk00000002" // cn-hangzhou-h, 200 GiB
	hzDisk3  = "d-bp1smcctdisk00000003" // cn-hangzhou-i, 40 GiB, In_use
	hzDisk4  = "d-bp1smcctdisk00000004" // cn-hangzhou-h, 500 GiB
	shDisk1  = "d-uf6smcctdisk00000001" // cn-shanghai-e, 100 GiB
	shDisk2  = "d-uf6smcctdisk00000002" // cn-shanghai-e, 200 GiB
	shDisk3  = "d-uf6smcctdisk00000003" // cn-shanghai-f, 40 GiB
	shDisk4  = "d-uf6smcctdisk00000004" // cn-shanghai-e, 500 GiB
	otherHz  = "d-bp1smcctother0000001" // the other account's, cn-hangzhou-h
)

// ebsReq is a request in wire form, as an SDK sends it.
type ebsReq map[string]string

// ebsT drives the EBS actions of one reference and remembers which actions answered 200
// with a body the contract accepts.
type ebsT struct {
	t   *testing.T
	srv *Server
	ok  map[string]bool
}

func newEBS(t *testing.T) *ebsT {
	t.Helper()
	return &ebsT{t: t, srv: journaledServer(t), ok: map[string]bool{}}
}

func (e *ebsT) action(name string) *spec.Action {
	e.t.Helper()
	prod, ok := e.srv.catalog.ByName("ebs")
	if !ok {
		e.t.Fatal("no ebs product in the catalog")
	}
	a, ok := prod.Action(name)
	if !ok {
		e.t.Fatalf("the contract has no EBS action %s", name)
	}
	return a
}

// call decodes wire parameters with the contract (test requests must be valid: these tests
// are about behaviour), runs the action for acct, and checks the answer against the
// contract: a success body against the action's response schema, an error against its
// documented codes and statuses.
func (e *ebsT) call(acct, action string, r ebsReq) (map[string]any, *rpc.Error) {
	e.t.Helper()
	a := e.action(action)
	q := url.Values{}
	for k, v := range r {
		q.Set(k, v)
	}
	in, vs := a.Decode(q)
	if v, bad := spec.FirstError(vs); bad {
		e.t.Fatalf("%s: test request breaks the contract: %v", action, v)
	}
	res, err := e.srv.invoke(acct, a, in)
	if err != nil {
		re, ok := rpc.AsError(err)
		if !ok {
			e.t.Fatalf("%s: not a service error: %v", action, err)
		}
		body := rpc.ErrorBody(rpc.JSON, a.Product.Host, re) // the envelope the server writes
		if cerr := a.CheckResponse(re.Status, body); cerr != nil {
			e.t.Fatalf("%s: error outside the contract: %v", action, cerr)
		}
		return nil, re
	}
	b, err := json.Marshal(res)
	if err != nil {
		e.t.Fatalf("%s: marshal: %v", action, err)
	}
	var body map[string]any
	if err := json.Unmarshal(b, &body); err != nil {
		e.t.Fatalf("%s: body is not an object: %s", action, b)
	}
	body["RequestId"] = "00000000-0000-4000-8000-000000000000"
	full, _ := json.Marshal(body)
	if cerr := a.CheckResponse(200, full); cerr != nil {
		e.t.Fatalf("%s: %v\nbody: %s", action, cerr, full)
	}
	e.ok[action] = true
	return body, nil
}

// must runs a step of the default account that has to succeed.
func (e *ebsT) must(action string, r ebsReq) map[string]any {
	e.t.Helper()
	body, err := e.call(ebsAcct, action, r)
	if err != nil {
		e.t.Fatalf("%s %v: %v", action, r, err)
	}
	return body
}

// fails runs a step of the default account that has to fail with code.
func (e *ebsT) fails(action string, r ebsReq, code string) {
	e.t.Helper()
	_, err := e.call(ebsAcct, action, r)
	if err == nil {
		e.t.Fatalf("%s %v: succeeded, want %s", action, r, code)
	}
	if err.Code != code {
		e.t.Fatalf("%s %v: got %s (%s), want %s", action, r, err.Code, err.Message, code)
	}
}

func (e *ebsT) advance(secs int64) { e.srv.Clock().Advance(time.Duration(secs) * time.Second) }

func (e *ebsT) now() int64 { return e.srv.Clock().Now().Unix() }

// group returns a group as DescribeDiskReplicaGroups shows it from region, either site.
func (e *ebsT) group(id, region string) map[string]any {
	e.t.Helper()
	for _, site := range []string{"production", "backup"} {
		body := e.must("DescribeDiskReplicaGroups", ebsReq{"RegionId": region, "GroupIds": id, "Site": site})
		if list := items(body, "ReplicaGroups"); len(list) == 1 {
			return list[0]
		}
	}
	return nil
}

// pair returns a pair as DescribeDiskReplicaPairs shows it from region, either site.
func (e *ebsT) pair(id, region string) map[string]any {
	e.t.Helper()
	for _, site := range []string{"production", "backup"} {
		body := e.must("DescribeDiskReplicaPairs", ebsReq{"RegionId": region, "PairIds": id, "Site": site})
		if list := items(body, "ReplicaPairs"); len(list) == 1 {
			return list[0]
		}
	}
	return nil
}

func items(body map[string]any, key string) []map[string]any {
	list, _ := body[key].([]any)
	out := make([]map[string]any, 0, len(list))
	for _, it := range list {
		m, _ := it.(map[string]any)
		out = append(out, m)
	}
	return out
}

// newGroup creates a cn-hangzhou-h -> cn-shanghai-e group and lets it settle to created.
func (e *ebsT) newGroup(extra ebsReq) string {
	e.t.Helper()
	r := ebsReq{"RegionId": hz, "SourceZoneId": "cn-hangzhou-h",
		"DestinationRegionId": sh, "DestinationZoneId": "cn-shanghai-e"}
	for k, v := range extra {
		r[k] = v
	}
	id := e.must("CreateDiskReplicaGroup", r)["ReplicaGroupId"].(string)
	e.advance(ebsCreateSeconds)
	return id
}

// newPair creates a pair from a cn-hangzhou disk to a cn-shanghai disk.
func (e *ebsT) newPair(src, srcZone, dst, dstZone string) string {
	e.t.Helper()
	body := e.must("CreateDiskReplicaPair", ebsReq{"RegionId": hz, "SourceZoneId": srcZone,
		"DiskId": src, "DestinationRegionId": sh, "DestinationZoneId": dstZone, "DestinationDiskId": dst})
	return body["ReplicaPairId"].(string)
}

// groupWithPair is a created group holding one created pair (hzDisk1 -> shDisk1).
func (e *ebsT) groupWithPair() (group, pair string) {
	e.t.Helper()
	group = e.newGroup(nil)
	pair = e.newPair(hzDisk1, "cn-hangzhou-h", shDisk1, "cn-shanghai-e")
	e.must("AddDiskReplicaPair", ebsReq{"RegionId": hz, "ReplicaGroupId": group, "ReplicaPairId": pair})
	return group, pair
}

// status reads a Status field, failing when the object is not visible.
func status(t *testing.T, obj map[string]any) string {
	t.Helper()
	if obj == nil {
		t.Fatal("object not listed")
	}
	return obj["Status"].(string)
}

func num64(v any) int64 {
	f, _ := v.(float64)
	return int64(f)
}
