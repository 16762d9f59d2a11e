package reference

import (
	"fmt"
	"strings"
	"testing"
)

// seedBody is a POST /_smcct/seed body of n source servers, a tenth of them in one of ten
// workgroups, with a job for every fifth source.
func seedBody(n int) []byte {
	var b strings.Builder
	b.WriteString(`{"sourceServers":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		wg := ""
		if i%10 == 0 {
			wg = fmt.Sprintf("w-seed%02d", i/10%10)
		}
		fmt.Fprintf(&b, `{"SourceId":"s-seed%07d","Name":"seed-%d","State":"Available","WorkgroupId":"%s"}`, i, i, wg)
	}
	b.WriteString(`],"replicationJobs":[`)
	for i := 0; i < n; i += 5 {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"JobId":"j-seed%07d","SourceId":"s-seed%07d","Name":"job-%d","Status":"Ready"}`, i, i, i)
	}
	b.WriteString(`],"workgroups":[`)
	for i := range 10 {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"WorkgroupId":"w-seed%02d","Name":"group-%d"}`, i, i)
	}
	b.WriteString(`]}`)
	return []byte(b.String())
}

// BenchmarkSeed seeds n sources (and n/5 jobs, 10 workgroups) into a fresh reference. The
// time per source must not grow with n: seeding was quadratic (20k sources 2.5 s, 60k more
// than a minute).
func BenchmarkSeed(b *testing.B) {
	for _, n := range []int{5000, 20000, 60000} {
		body := seedBody(n)
		b.Run(fmt.Sprintf("sources=%d", n), func(b *testing.B) {
			for b.Loop() {
				b.StopTimer()
				srv, err := New(Options{})
				if err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				if err := srv.seedAccount("", body); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/source")
		})
	}
}
