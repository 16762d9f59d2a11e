package reference

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestJobPageMatchesScan: the indexed page of DescribeReplicationJobs is the page a scan of
// every job finds, whatever the filters, the page and the account.
func TestJobPageMatchesScan(t *testing.T) {
	r := rand.New(rand.NewPCG(14, 10))
	regions := []string{"cn-hangzhou", "cn-shanghai", "cn-beijing"}
	pickOf := func(xs []string) string { return xs[r.IntN(len(xs))] }
	for round := range 200 {
		s := newSMCState()
		n := r.IntN(60)
		for i := range n {
			s.addJob(&replicationJob{jobView: jobView{
				JobId: fmt.Sprintf("j-%03d", i), SourceId: fmt.Sprintf("s-%d", r.IntN(5)),
				RegionId: pickOf(regions), Status: pickOf(jobStatuses), Name: fmt.Sprintf("n%d", r.IntN(4)),
			}.filled()})
		}
		if r.IntN(3) == 0 && n > 0 { // a removal, as advance makes it
			i := r.IntN(n)
			s.Jobs = slices.Delete(s.Jobs, i, i+1)
			s.jobsGen++
		}
		s.reindex()
		for range 20 {
			var f jobFilter
			if r.IntN(2) == 0 {
				f.region = pickOf(append(regions, "cn-nowhere"))
			}
			if r.IntN(4) == 0 {
				f.status = pickOf(jobStatuses)
			}
			if r.IntN(5) == 0 {
				f.jobIDs = []string{fmt.Sprintf("j-%03d", r.IntN(70)), fmt.Sprintf("j-%03d", r.IntN(70))}
			}
			if r.IntN(5) == 0 {
				f.sourceIDs = []string{fmt.Sprintf("s-%d", r.IntN(6)), fmt.Sprintf("s-%d", r.IntN(6))}
			}
			if r.IntN(6) == 0 {
				f.name = fmt.Sprintf("n%d", r.IntN(4))
			}
			start, size := r.IntN(70), 1+r.IntN(15)
			got, gotTotal := s.jobPage(f, start, size)
			want, wantTotal := scanPage(s.Jobs, f.matches, start, size)
			if gotTotal != wantTotal || !slices.Equal(got, want) {
				t.Fatalf("round %d, filter %+v, start %d size %d: indexed %d %v, scanned %d %v",
					round, f, start, size, gotTotal, jobIDsOf(got), wantTotal, jobIDsOf(want))
			}
		}
		for _, j := range s.Jobs {
			if s.job(j.JobId) != j {
				t.Fatalf("job(%s) did not find it", j.JobId)
			}
		}
		if s.job("j-none") != nil {
			t.Fatal("job found an ID nobody has")
		}
	}
}

func jobIDsOf(jobs []*replicationJob) []string {
	out := make([]string, len(jobs))
	for i, j := range jobs {
		out[i] = j.JobId
	}
	return out
}
