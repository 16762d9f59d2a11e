//go:build !race

package rpc

import "testing"

// The wire path's allocations are part of its speed (docs/wire.md): these bounds hold the
// current counts with a little room, so that a change which brings back per-request maps
// or copies fails here rather than only in a benchmark nobody reads. The race detector
// allocates on its own account, hence the build tag; `make test` runs this file without it
// (the allocs target).
func TestWirePathAllocations(t *testing.T) {
	cases := []struct {
		vector string
		decode bool
		max    float64
		reason string
	}{
		{"v1-smc-CreateReplicationJob", false, 4, "admitting: the Call, the unescape buffer, little else"},
		{"v1-smc-CreateReplicationJob", true, 40, "decoding adds the maps, lists and boxed values of the result"},
		{"v1-smc-DescribeReplicationJobs", true, 14, "a read with a handful of scalars"},
		{"v3-smc-CreateReplicationJob", true, 40, "v3 reads its headers without canonicalising them anew"},
	}
	for _, tc := range cases {
		var v vector
		for _, c := range loadVectors(t) {
			if c.Name == tc.vector {
				v = c
			}
		}
		if v.Name == "" {
			t.Fatalf("no vector %s", tc.vector)
		}
		g := testGateway(t, v.signedAt(t))
		g.Nonces = nil // the same request is admitted again and again
		r := v.request()
		got := testing.AllocsPerRun(200, func() {
			call, e := g.Admit(r)
			if e != nil {
				t.Fatal(e)
			}
			if tc.decode {
				call.Action.Unflatten(call.Params)
			}
			call.Release()
		})
		if got > tc.max {
			t.Errorf("%s (decode %v): %.0f allocations per request, at most %.0f expected: %s", tc.vector, tc.decode, got, tc.max, tc.reason)
		}
	}
}
