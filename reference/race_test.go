package reference

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/smcct/smcct/rpc"
	"github.com/smcct/smcct/spec"
)

// The race test hammers a few objects with conflicting lifecycle calls over HTTP while
// another goroutine moves the clock, then checks the outcome without assuming any order
// beyond causality: a call that was answered before another was sent came first.

// raceOp is one call and its outcome. sent and recv come from one counter, so recv(a) <
// sent(b) means a finished before b began.
type raceOp struct {
	action, obj string
	ok          bool
	sent, recv  int64
}

type raceLog struct {
	mu  sync.Mutex
	seq atomic.Int64
	ops []raceOp
	bad []string // answers no documented contract allows
}

// raceTarget is one action the racers may call: its version, client and parameters.
type raceTarget struct {
	version, action, idParam string
	client                   *rpc.Client
	extra                    url.Values
	objs                     []string // the objects it is called on, one picked at random
}

func (l *raceLog) do(ctx context.Context, cat *spec.Catalog, tg raceTarget, obj string) {
	q := url.Values{tg.idParam: {obj}}
	for k, v := range tg.extra {
		q[k] = v
	}
	sent := l.seq.Add(1)
	_, err := tg.client.Call(ctx, tg.version, tg.action, q)
	recv := l.seq.Add(1)
	l.mu.Lock()
	defer l.mu.Unlock()
	l.ops = append(l.ops, raceOp{action: tg.action, obj: obj, ok: err == nil, sent: sent, recv: recv})
	if err == nil {
		return
	}
	e, isAPI := rpc.AsError(err)
	a, _ := cat.Lookup(tg.version, tg.action)
	switch {
	case !isAPI:
		l.bad = append(l.bad, fmt.Sprintf("%s %s: transport error %v", tg.action, obj, err))
	case e.Status >= 500:
		l.bad = append(l.bad, fmt.Sprintf("%s %s: %d %s %s", tg.action, obj, e.Status, e.Code, e.Message))
	default:
		if doc, ok := a.Error(e.Code); !ok || doc.Status != e.Status {
			l.bad = append(l.bad, fmt.Sprintf("%s %s: undocumented %d %s", tg.action, obj, e.Status, e.Code))
		}
	}
}

// race runs workers goroutines of n random calls each on random objects, with a clock
// mover advancing business time by up to maxStep at a time (at most maxTicks times, which
// bounds how far business time can go) until the workers finish.
func race(t *testing.T, base string, cat *spec.Catalog, targets []raceTarget, maxStep time.Duration) *raceLog {
	t.Helper()
	const workers, n, maxTicks = 16, 60, 400
	l := &raceLog{}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	done := make(chan struct{})
	var mover sync.WaitGroup
	mover.Go(func() {
		for range maxTicks {
			select {
			case <-done:
				return
			default:
			}
			by := time.Duration(rand.Int64N(int64(maxStep)))
			resp, err := http.Post(fmt.Sprintf("%s/_smcct/clock/advance?by=%s", base, by), "", nil)
			if err != nil {
				t.Errorf("advance: %v", err)
				return
			}
			resp.Body.Close()
		}
	})
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for range n {
				tg := targets[rand.IntN(len(targets))]
				l.do(ctx, cat, tg, tg.objs[rand.IntN(len(tg.objs))])
			}
		})
	}
	wg.Wait()
	close(done)
	mover.Wait()
	for _, b := range l.bad {
		t.Error(b)
	}
	return l
}

// count returns how many calls of action on obj succeeded.
func (l *raceLog) count(action, obj string) int {
	n := 0
	for _, op := range l.ops {
		if op.ok && op.action == action && op.obj == obj {
			n++
		}
	}
	return n
}

// after reports successful calls of one of actions on obj sent after a success of first
// had been answered: first must have ruled them out.
func (l *raceLog) after(t *testing.T, first, obj string, actions ...string) {
	t.Helper()
	for _, a := range l.ops {
		if !a.ok || a.action != first || a.obj != obj {
			continue
		}
		for _, b := range l.ops {
			if b.ok && b.obj == obj && b.sent > a.recv && contains(actions, b.action) {
				t.Errorf("%s %s succeeded after %s had been acknowledged", b.action, obj, first)
			}
		}
	}
}

func raceClient(t *testing.T, base, region string) *rpc.Client {
	t.Helper()
	c, err := rpc.NewClient(rpc.Config{Endpoint: base, AccessKeyID: "smcct", AccessKeySecret: "smcct-secret",
		RegionID: region, HTTPClient: &http.Client{Timeout: 10 * time.Second}})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// legalStates checks every object of a dumped kind against the contract's states.
func legalStates(t *testing.T, dump map[string]any, kind string, o *spec.Object) {
	t.Helper()
	for id, obj := range durObjects(dump, kind, o.IDField) {
		for field, allowed := range o.States {
			if v, ok := obj[field].(string); ok && v != "" && !contains(allowed, v) {
				t.Errorf("%s %s: %s %q is not a state of the contract", kind, id, field, v)
			}
		}
	}
}

// TestRacingJobLifecycleCalls: Start, Stop, CutOver and Delete race on four incremental
// jobs while the clock runs. Frequency 168h keeps scheduled runs out of reach (at most 400
// steps of 2m), so every Running comes from a Start the log holds.
func TestRacingJobLifecycleCalls(t *testing.T) {
	srv, ts, c := newHTTPServer(t, Options{})
	var jobs []string
	for i, src := range []string{"s-bp1smcctlinux0000001", "s-bp1smcctlinux0000002", "s-bp1smcctwindows00001", "s-bp1smcctlinux0000003"} {
		resp, err := c.Call(context.Background(), "2019-06-01", "CreateReplicationJob", url.Values{
			"SourceId": {src}, "Name": {fmt.Sprintf("race-%d", i)}, "TargetType": {"Image"}, "ImageName": {fmt.Sprintf("race-img-%d", i)},
			"SystemDiskSize": {"40"}, "RunOnce": {"false"}, "Frequency": {"168"}, "MaxNumberOfImageToKeep": {"1"}})
		if err != nil {
			t.Fatal(err)
		}
		jobs = append(jobs, fmt.Sprint(resp.Data["JobId"]))
	}
	cl := raceClient(t, ts.URL, "cn-hangzhou")
	tg := func(action string, extra url.Values) raceTarget {
		return raceTarget{version: "2019-06-01", action: action, idParam: "JobId", client: cl, extra: extra, objs: jobs}
	}
	// Weighted: deletes are rare and only on half the jobs, so the others live through the
	// whole run and Start/Stop keep colliding on them.
	del := tg("DeleteReplicationJob", nil)
	del.objs = jobs[:2]
	targets := []raceTarget{del, tg("CutOverReplicationJob", url.Values{"SyncData": {"false"}})}
	for range 4 {
		targets = append(targets, tg("StartReplicationJob", nil), tg("StopReplicationJob", nil))
	}
	l := race(t, ts.URL, srv.catalog, targets, 2*time.Minute)
	srv.Clock().Advance(2 * time.Minute) // past Deleting
	dump := srv.store.dump(srv.store.defaultID, srv.Clock().Now())
	left := durObjects(dump, "replicationJobs", "JobId")
	for _, id := range jobs {
		start, stop := l.count("StartReplicationJob", id), l.count("StopReplicationJob", id)
		cut, del := l.count("CutOverReplicationJob", id), l.count("DeleteReplicationJob", id)
		_, exists := left[id]
		switch {
		case del > 1 || cut > 1:
			t.Errorf("%s: %d deletes and %d cut-overs acknowledged; each allows one", id, del, cut)
		case start > 1+stop || stop > start:
			t.Errorf("%s: %d starts and %d stops acknowledged: a start needs the job Ready or Stopped", id, start, stop)
		case exists == (del == 1):
			t.Errorf("%s: exists=%v after %d acknowledged deletes", id, exists, del)
		case exists && cut == 1 && left[id]["Status"] != "Finished":
			t.Errorf("%s: cut over but %v", id, left[id]["Status"])
		}
		l.after(t, "DeleteReplicationJob", id, "StartReplicationJob", "StopReplicationJob", "CutOverReplicationJob", "DeleteReplicationJob")
		l.after(t, "CutOverReplicationJob", id, "StartReplicationJob", "StopReplicationJob")
	}
	smc, _ := srv.catalog.ByName("smc")
	legalStates(t, dump, "replicationJobs", smc.Objects["ReplicationJob"])
	t.Logf("%d calls, %d acknowledged", len(l.ops), l.count2xx())
}

func (l *raceLog) count2xx() int {
	n := 0
	for _, op := range l.ops {
		if op.ok {
			n++
		}
	}
	return n
}

// TestRacingReplicaCalls: Start, Stop, Failover and Delete race on two free pairs and on a
// group holding a third, while the clock runs in steps of up to 20s.
func TestRacingReplicaCalls(t *testing.T) {
	srv, ts, _ := newHTTPServer(t, Options{})
	hz, sh := raceClient(t, ts.URL, "cn-hangzhou"), raceClient(t, ts.URL, "cn-shanghai")
	ctx := context.Background()
	var pairs []string
	for _, d := range [][2]string{{"d-bp1smcctdisk00000001", "d-uf6smcctdisk00000001"},
		{"d-bp1smcctdisk00000002", "d-uf6smcctdisk00000002"}, {"d-bp1smcctdisk00000004", "d-uf6smcctdisk00000004"}} {
		resp, err := hz.Call(ctx, "2021-07-30", "CreateDiskReplicaPair", url.Values{"DiskId": {d[0]}, "SourceZoneId": {"cn-hangzhou-h"},
			"DestinationRegionId": {"cn-shanghai"}, "DestinationZoneId": {"cn-shanghai-e"}, "DestinationDiskId": {d[1]}})
		if err != nil {
			t.Fatal(err)
		}
		pairs = append(pairs, fmt.Sprint(resp.Data["ReplicaPairId"]))
	}
	resp, err := hz.Call(ctx, "2021-07-30", "CreateDiskReplicaGroup", url.Values{"SourceZoneId": {"cn-hangzhou-h"},
		"DestinationRegionId": {"cn-shanghai"}, "DestinationZoneId": {"cn-shanghai-e"}})
	if err != nil {
		t.Fatal(err)
	}
	group := fmt.Sprint(resp.Data["ReplicaGroupId"])
	srv.Clock().Advance(10 * time.Second) // creating -> created
	if _, err := hz.Call(ctx, "2021-07-30", "AddDiskReplicaPair", url.Values{"ReplicaGroupId": {group}, "ReplicaPairId": {pairs[2]}}); err != nil {
		t.Fatal(err)
	}
	free, groups := pairs[:2], []string{group}
	tg := func(c *rpc.Client, action, idParam string, objs []string) raceTarget {
		return raceTarget{version: "2021-07-30", action: action, idParam: idParam, client: c, objs: objs}
	}
	targets := []raceTarget{
		tg(hz, "DeleteDiskReplicaPair", "ReplicaPairId", free),
		tg(hz, "DeleteDiskReplicaGroup", "ReplicaGroupId", groups), tg(sh, "FailoverDiskReplicaGroup", "ReplicaGroupId", groups),
		tg(sh, "FailoverDiskReplicaPair", "ReplicaPairId", free),
	}
	for range 3 {
		targets = append(targets, tg(hz, "StartDiskReplicaPair", "ReplicaPairId", free), tg(hz, "StopDiskReplicaPair", "ReplicaPairId", free),
			tg(hz, "StartDiskReplicaGroup", "ReplicaGroupId", groups), tg(hz, "StopDiskReplicaGroup", "ReplicaGroupId", groups))
	}
	l := race(t, ts.URL, srv.catalog, targets, 20*time.Second)
	srv.Clock().Advance(time.Minute) // past every timed status
	dump := srv.store.dump(srv.store.defaultID, srv.Clock().Now())
	left := durObjects(dump, "replicaPairs", "ReplicaPairId")
	for _, id := range free {
		start, stop, del := l.count("StartDiskReplicaPair", id), l.count("StopDiskReplicaPair", id), l.count("DeleteDiskReplicaPair", id)
		_, exists := left[id]
		switch {
		case del > 1:
			t.Errorf("%s: %d deletes acknowledged; deleting is not a state delete accepts", id, del)
		case start > 1+stop || stop > start:
			t.Errorf("%s: %d starts and %d stops acknowledged: start and stop must alternate", id, start, stop)
		case exists == (del == 1):
			t.Errorf("%s: exists=%v (status %v) after %d acknowledged deletes", id, exists, left[id]["Status"], del)
		}
		l.after(t, "DeleteDiskReplicaPair", id, "StartDiskReplicaPair", "StopDiskReplicaPair", "DeleteDiskReplicaPair")
		l.after(t, "FailoverDiskReplicaPair", id, "StartDiskReplicaPair", "StopDiskReplicaPair")
	}
	if n := l.count("DeleteDiskReplicaGroup", group); n != 0 {
		t.Errorf("a group that still holds a pair was deleted %d times", n)
	}
	l.after(t, "FailoverDiskReplicaGroup", group, "StartDiskReplicaGroup")
	ebs, _ := srv.catalog.ByName("ebs")
	legalStates(t, dump, "replicaPairs", ebs.Objects["ReplicaPair"])
	legalStates(t, dump, "replicaGroups", ebs.Objects["ReplicaGroup"])
	t.Logf("%d calls, %d acknowledged", len(l.ops), l.count2xx())
}

// TestFailoverDoesNotUndoAnAcknowledgedDelete is the sequential form of what the race above
// once found: a failover accepted on a deleting pair brought it back. The contract now
// refuses it (x-acs-choices), so a 200 for DeleteDiskReplicaPair ends with the pair gone.
func TestFailoverDoesNotUndoAnAcknowledgedDelete(t *testing.T) {
	srv, ts, _ := newHTTPServer(t, Options{})
	hz, sh := raceClient(t, ts.URL, "cn-hangzhou"), raceClient(t, ts.URL, "cn-shanghai")
	ctx := context.Background()
	resp, err := hz.Call(ctx, "2021-07-30", "CreateDiskReplicaPair", url.Values{"DiskId": {"d-bp1smcctdisk00000001"},
		"SourceZoneId": {"cn-hangzhou-h"}, "DestinationRegionId": {"cn-shanghai"}, "DestinationZoneId": {"cn-shanghai-e"},
		"DestinationDiskId": {"d-uf6smcctdisk00000001"}})
	if err != nil {
		t.Fatal(err)
	}
	id := url.Values{"ReplicaPairId": {fmt.Sprint(resp.Data["ReplicaPairId"])}}
	steps := []struct {
		c      *rpc.Client
		action string
		wait   time.Duration
		code   string
	}{
		{hz, "StartDiskReplicaPair", 10 * time.Minute, ""},                            // a first full sync, which failover needs
		{sh, "FailoverDiskReplicaPair", 20 * time.Second, ""},                         // to failovered, a state delete accepts
		{hz, "DeleteDiskReplicaPair", time.Second, ""},                                // deleting, for a few more seconds
		{sh, "FailoverDiskReplicaPair", time.Minute, "OperationDenied.InvalidStatus"}, // refused on deleting
	}
	for _, s := range steps {
		_, err := s.c.Call(ctx, "2021-07-30", s.action, id)
		if e, _ := rpc.AsError(err); (s.code == "" && err != nil) || (s.code != "" && (e == nil || e.Code != s.code)) {
			t.Fatalf("%s: %v, want %q", s.action, err, s.code)
		}
		srv.Clock().Advance(s.wait)
	}
	pairs := durObjects(srv.store.dump(srv.store.defaultID, srv.Clock().Now()), "replicaPairs", "ReplicaPairId")
	if p, ok := pairs[id.Get("ReplicaPairId")]; ok {
		t.Fatalf("the pair survived its acknowledged delete as %v: the failover replaced deleting", p["Status"])
	}
}
