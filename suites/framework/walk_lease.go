package framework

import (
	"context"
	"fmt"
	"time"

	. "github.com/onsi/ginkgo/v2" //nolint:revive // the DSL reads best unqualified
)

// Leasing: the objects the API cannot create (the profile's source servers and disks) are
// taken by one spec at a time, across the processes of a run (lease.go).

// fixture leases an object the profile lists in state and confirms it through Describe.
func (w *Walker) fixture(ctx context.Context, kind string, state map[string]string) *Obj {
	GinkgoHelper()
	ids := w.f.T.Profile.SourceServers[state["State"]]
	id, ok := w.take(ids...)
	if !ok {
		Skip(fmt.Sprintf("no %s source server came free within %v: the profile lists %d, all in use by other specs", state["State"], w.leaseWait(), len(ids)))
	}
	w.leased = append(w.leased, id)
	o := &Obj{Kind: kind, ID: id, Fixture: true}
	present, err := w.c.Observe(ctx, o)
	if err != nil || !present {
		Skip(fmt.Sprintf("the profile's source server %s is not on the target (%v)", id, err))
	}
	if o.State["State"] != state["State"] {
		Skip(fmt.Sprintf("the profile lists source server %s as %s, the target shows %s", id, state["State"], o.State["State"]))
	}
	return o
}

// Lease takes a free disk pair whose source disk has srcStatus ("" any), and, when like is
// given, the same zones as like; it skips the spec when none is free.
func (w *Walker) Lease(srcStatus string, like ...*DiskPair) *DiskPair {
	GinkgoHelper()
	var pairs []DiskPair
	for _, p := range DiskPairs(w.f.T.Profile.Disks, srcStatus, w.f.T.Profile.Replication) {
		if len(like) == 0 || like[0] == nil || p.SameZones(*like[0]) {
			pairs = append(pairs, p)
		}
	}
	ids := make([]string, len(pairs))
	for i, p := range pairs {
		ids[i] = p.ID()
	}
	id, ok := w.take(ids...)
	if !ok {
		what := "disk pair"
		if srcStatus != "" {
			what = "disk pair whose source disk is " + srcStatus
		}
		if len(like) > 0 && like[0] != nil {
			what += " between " + like[0].Src.Zone + " and " + like[0].Dst.Zone
		}
		Skip(fmt.Sprintf("no %s came free within %v: the profile's disks make %d, all in use by other specs", what, w.leaseWait(), len(pairs)))
	}
	w.leased = append(w.leased, id)
	for i := range pairs {
		if pairs[i].ID() == id {
			return &pairs[i]
		}
	}
	return nil
}

// LeaseTwo takes two free disk pairs between the same zones (a group's member and a pair to
// join it); it skips the spec when no two are free.
func (w *Walker) LeaseTwo() (*DiskPair, *DiskPair) {
	GinkgoHelper()
	pairs := DiskPairs(w.f.T.Profile.Disks, "", w.f.T.Profile.Replication)
	// Never hold one while waiting for the other: two specs doing so would wait for each
	// other until both gave up.
	for deadline := time.Now().Add(w.leaseWait()); ; {
		for i := range pairs {
			first, ok := w.f.T.Leases.Take(pairs[i].ID())
			if !ok {
				continue
			}
			for j := range pairs {
				if j == i || !pairs[j].SameZones(pairs[i]) {
					continue
				}
				if second, ok := w.f.T.Leases.Take(pairs[j].ID()); ok {
					w.leased = append(w.leased, first, second)
					return &pairs[i], &pairs[j]
				}
			}
			w.f.T.Leases.Release(first)
		}
		if time.Now().After(deadline) {
			break
		}
		time.Sleep(leasePoll)
	}
	Skip(fmt.Sprintf("no two disk pairs between the same zones came free within %v: the profile's disks make %d pairs, in use by other specs", w.leaseWait(), len(pairs)))
	return nil, nil
}

// leasePoll is how often a spec looks for a fixture another spec gives back.
const leasePoll = 100 * time.Millisecond

// leaseWait is how long a spec waits for a fixture other specs hold: a spec holds one for
// its own walk, usually seconds to minutes.
func (w *Walker) leaseWait() time.Duration { return min(w.budget, 5*time.Minute) }

// take leases the first free one of ids, waiting while other specs hold them all.
func (w *Walker) take(ids ...string) (string, bool) {
	if len(ids) == 0 {
		return "", false
	}
	for deadline := time.Now().Add(w.leaseWait()); ; time.Sleep(leasePoll) {
		if id, ok := w.f.T.Leases.Take(ids...); ok || time.Now().After(deadline) {
			return id, ok
		}
	}
}

// LeaseSource takes a free source server the profile lists in state.
func (w *Walker) LeaseSource(ctx context.Context, state string) *Obj {
	GinkgoHelper()
	return w.fixture(ctx, "SourceServer", map[string]string{"State": state})
}

// LeaseAmong takes a free one of ids, objects the API cannot create that the caller found
// on the target (what names them in a skip), for the rest of the spec. It waits for one
// to come free as long as wait, or as long as a walk may hold one when wait is 0, then
// skips the spec.
func (w *Walker) LeaseAmong(what string, ids []string, wait time.Duration) string {
	GinkgoHelper()
	if wait <= 0 {
		wait = w.leaseWait()
	}
	for deadline := time.Now().Add(wait); ; time.Sleep(leasePoll) {
		if id, ok := w.f.T.Leases.Take(ids...); ok {
			w.leased = append(w.leased, id)
			return id
		}
		if time.Now().After(deadline) {
			break
		}
	}
	Skip(fmt.Sprintf("no %s came free within %v: %d listed, all in use by other specs", what, wait, len(ids)))
	return ""
}
