package rpc

import (
	"crypto/hmac"
	"crypto/sha1"
	"net/url"
	"testing"
	"time"
)

// benchVector loads one golden vector and a gateway that admits it over and over: the
// nonce cache is off here (BenchmarkNonceUse measures it on its own).
func benchVector(b *testing.B, name string) (vector, *Gateway) {
	b.Helper()
	t := &testing.T{}
	for _, v := range loadVectorsB(b) {
		if v.Name == name {
			g := testGateway(t, v.signedAt(t).Add(time.Minute))
			g.Nonces = nil
			return v, g
		}
	}
	b.Fatalf("no vector %s", name)
	return vector{}, nil
}

func loadVectorsB(b *testing.B) []vector {
	t := &testing.T{}
	vs := loadVectors(t)
	if t.Failed() {
		b.Fatal("vectors missing")
	}
	return vs
}

// benchAdmitDecode is what the reference does per request before the schema and business
// logic: the gateway checks (signature included), then decoding the action's own
// parameters, through the same calls the reference makes.
func benchAdmitDecode(b *testing.B, name string) { benchAdmit(b, name, true) }

func benchAdmit(b *testing.B, name string, decode bool) {
	v, g := benchVector(b, name)
	r := v.request()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		call, e := g.Admit(r)
		if e != nil {
			b.Fatal(e)
		}
		if decode {
			_, unknown, problems := call.Action.Unflatten(call.Params)
			if len(unknown)+len(problems) > 0 {
				b.Fatalf("decode: %v %v", unknown, problems)
			}
		}
		call.Release() // as the reference does once it has answered
	}
}

func BenchmarkAdmitDecodeCreateReplicationJobV1(b *testing.B) {
	benchAdmitDecode(b, "v1-smc-CreateReplicationJob")
}

func BenchmarkAdmitOnlyCreateReplicationJobV1(b *testing.B) {
	benchAdmit(b, "v1-smc-CreateReplicationJob", false)
}

// BenchmarkUnflattenCreateReplicationJob is the decode half of the above on its own, over
// parameters the gateway has admitted once.
func BenchmarkUnflattenCreateReplicationJob(b *testing.B) {
	v, g := benchVector(b, "v1-smc-CreateReplicationJob")
	call, e := g.Admit(v.request())
	if e != nil {
		b.Fatal(e)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, unknown, problems := call.Action.Unflatten(call.Params); len(unknown)+len(problems) > 0 {
			b.Fatalf("decode: %v %v", unknown, problems)
		}
	}
}

func BenchmarkAdmitDecodeDescribeReplicationJobsV1(b *testing.B) {
	benchAdmitDecode(b, "v1-smc-DescribeReplicationJobs")
}

func BenchmarkAdmitDecodeCreateReplicationJobV3(b *testing.B) {
	benchAdmitDecode(b, "v3-smc-CreateReplicationJob")
}

// benchHMAC is the floor: one HMAC-SHA1 over the same string to sign, nothing else.
func benchHMAC(b *testing.B, name string) {
	v, _ := benchVector(b, name)
	sts := []byte(StringToSignV1(v.Method, v.request().URL.Query()))
	key := []byte(testSecret + "&")
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		m := hmac.New(sha1.New, key)
		m.Write(sts)
		m.Sum(nil)
	}
}

func BenchmarkHMACSHA1CreateReplicationJob(b *testing.B) {
	benchHMAC(b, "v1-smc-CreateReplicationJob")
}

func BenchmarkHMACSHA1DescribeReplicationJobs(b *testing.B) {
	benchHMAC(b, "v1-smc-DescribeReplicationJobs")
}

func BenchmarkNonceUse(b *testing.B) {
	c := NewNonceCache(0)
	ids := make([]string, 1<<16)
	for i := range ids {
		ids[i] = url.QueryEscape(time.Duration(i).String())
	}
	now := time.Now()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		c.Use("k", ids[i%len(ids)], now.Add(time.Duration(i)), now.Add(time.Duration(i)))
		i++
	}
}
