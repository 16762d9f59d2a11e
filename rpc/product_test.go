package rpc

import "testing"

func TestTestProductLoads(t *testing.T) {
	p := smcTest(t)
	for _, name := range []string{"CreateReplicationJob", "DescribeReplicationJobs", "StopReplicationJob"} {
		if _, ok := p.Action(name); !ok {
			t.Errorf("test product lacks %s", name)
		}
	}
}
