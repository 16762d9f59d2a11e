package flat

import (
	"net/url"
	"reflect"
	"testing"
)

// FuzzDecode feeds arbitrary query strings to the decoder: it must not panic, must build no
// more values than the names it was given allow, and what it decodes cleanly must survive
// Encode and Decode again unchanged.
func FuzzDecode(f *testing.F) {
	for _, seed := range []string{
		"DataDisk.1.Part.2.SizeBytes=1&DataDisk.1.Part.1.SizeBytes=2",
		"Disks.System.Part.1.Path=%2Fboot&Disks.System.Size=40",
		"Tag.1.Key=a&Tag.3.Key=b&JobId=x&JobId.1=y",
		"Name=a&Name=b&Size=1e3&RunOnce=TRUE&Schedule=%7B%22a%22%3A1%7D",
		"JobId.0=a&JobId.01=b&JobId.99999999999999999999=c&Size.1=x&Tag..Key=y",
	} {
		f.Add(seed)
	}
	shapes := testShapes()
	f.Fuzz(func(t *testing.T, raw string) {
		values, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		obj, unknown, problems := Decode(values, shapes, Limits{})
		params := 0
		for _, vs := range values {
			params += len(vs)
		}
		// One node for obj itself, then at most one per name part of each parameter.
		if n := countNodes(obj); n > 1+params*(DefaultLimits.MaxDepth+2) {
			t.Fatalf("%d values built from %d parameters", n, params)
		}
		if len(unknown)+len(problems) > params+1 {
			t.Fatalf("%d unknown and %d problems from %d parameters", len(unknown), len(problems), params)
		}
		if len(problems) > 0 {
			return
		}
		if _, ok := obj["Schedule"]; ok {
			return // a json value re-encodes as flat fields, not as JSON text
		}
		back, _, problems := Decode(Encode(obj), shapes, Limits{})
		if len(problems) > 0 || !reflect.DeepEqual(back, obj) {
			t.Fatalf("round trip of %#v: got %#v, problems %v", obj, back, problems)
		}
	})
}

// countNodes counts every value in a decoded tree, a proxy for what the decoder allocated.
func countNodes(v any) int {
	switch x := v.(type) {
	case map[string]any:
		n := 1
		for _, e := range x {
			n += countNodes(e)
		}
		return n
	case []any:
		n := 1
		for _, e := range x {
			n += countNodes(e)
		}
		return n
	}
	return 1
}

// BenchmarkDecode decodes a CreateReplicationJob-like request of 30 parameters, the kind the
// v1 SDK sends: scalars, two-level DataDisk.N.Part.M lists, SystemDiskPart and Tag lists.
func BenchmarkDecode(b *testing.B) {
	values := q(
		"Name", "my job", "Size", "40", "RunOnce", "true", "Ratio", "0.5",
		"Schedule", `{"At":"2026-01-01T00:00:00Z"}`,
		"JobId.1", "j-1", "JobId.2", "j-2",
		"Tag.1.Key", "k1", "Tag.1.Value", "v1", "Tag.2.Key", "k2", "Tag.2.Value", "v2",
		"DataDisk.1.Size", "100", "DataDisk.1.Index", "1",
		"DataDisk.1.Part.1.SizeBytes", "1024", "DataDisk.1.Part.1.Block", "true", "DataDisk.1.Part.1.Device", "0_1",
		"DataDisk.1.Part.2.SizeBytes", "2048", "DataDisk.1.Part.2.Block", "false", "DataDisk.1.Part.2.Device", "0_2",
		"DataDisk.2.Size", "200", "DataDisk.2.Index", "2", "JobId.3", "j-3", "JobId.4", "j-4", "Tag.3.Key", "k3",
		"SystemDiskPart.1.SizeBytes", "512", "SystemDiskPart.1.Block", "false", "SystemDiskPart.1.Device", "0_0",
		"Disks.System.Size", "40", "Disks.System.Part.1.Path", "/boot", "Disks.System.Part.1.SizeBytes", "1",
	)
	if n := len(values); n != 30 {
		b.Fatalf("benchmark request has %d parameters, want 30", n)
	}
	shapes := testShapes()
	b.ReportAllocs()
	for b.Loop() {
		_, unknown, problems := Decode(values, shapes, Limits{})
		if len(unknown)+len(problems) > 0 {
			b.Fatal(unknown, problems)
		}
	}
}
