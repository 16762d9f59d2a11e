package flat

import (
	"reflect"
	"strconv"
	"testing"
)

// A released slab must hold no node, so that a pooled slab keeps no request's strings
// alive, including when the request needed more nodes than the pooled slab holds.
func TestReleaseSlabClearsEveryUsedNode(t *testing.T) {
	cases := []struct {
		nodes  int
		reason string
	}{
		{0, "nothing decoded"},
		{2, "the pooled slab partly used"},
		{4, "the pooled slab exactly full"},
		{9, "spilled into two more slabs"},
	}
	for _, tc := range cases {
		d := &decoder{chunk: 4}
		d.takeSlab()
		pooled := d.pooled
		for i := range tc.nodes {
			d.newNode(&d.root, &Shape{}, "P"+strconv.Itoa(i), "P"+strconv.Itoa(i), 0)
		}
		d.releaseSlab()
		for i, n := range (*pooled)[:cap(*pooled)] {
			if n != (node{}) {
				t.Errorf("%s: node %d still holds %q", tc.reason, i, n.wire)
			}
		}
	}
}

// Decoding twice in a row reuses the slab; the second result must not see the first.
func TestDecodeReusesSlabCleanly(t *testing.T) {
	first := q("Tag.1.Key", "a", "Tag.1.Value", "b", "DataDisk.1.Size", "5", "Name", "x")
	second := q("Tag.1.Key", "c", "JobId.1", "j")
	want, _, _ := Decode(second, testShapes(), Limits{})
	Decode(first, testShapes(), Limits{})
	got, unknown, problems := Decode(second, testShapes(), Limits{})
	if !reflect.DeepEqual(got, want) || len(unknown)+len(problems) > 0 {
		t.Fatalf("after another decode: %v %v %v, alone %v", got, unknown, problems, want)
	}
}
