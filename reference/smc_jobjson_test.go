package reference

import (
	"bytes"
	"encoding/json"
	"math"
	"reflect"
	"testing"
)

// reflectJSON is the encoding the hand-written one must reproduce: encoding/json without
// HTML escaping, as rpc's envelope runs it.
func reflectJSON(t *testing.T, v any) []byte {
	t.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return bytes.TrimSpace(b.Bytes())
}

// fillJob sets every string field of the view to s and every number to n, through
// reflection, so a field added to jobView but not to appendJSON breaks the comparison.
func fillJob(s string, n int) *replicationJob {
	j := &replicationJob{}
	rv := reflect.ValueOf(&j.jobView).Elem()
	for i := range rv.NumField() {
		switch f := rv.Field(i); f.Kind() {
		case reflect.String:
			f.SetString(s + rv.Type().Field(i).Name)
		case reflect.Int:
			f.SetInt(int64(n + i))
		case reflect.Bool:
			f.SetBool(n%2 == 1)
		}
	}
	j.Progress = float64(n) / 7
	part := jobPart{Device: s + "dev", SizeBytes: int64(n) << 30, Block: n%2 == 0}
	j.SystemDiskParts.SystemDiskPart = []jobPart{part, part}
	d := jobDataDisk{Index: n, Size: n * 10}
	d.Parts.Part = []jobPart{part}
	j.DataDisks.DataDisk = []jobDataDisk{d, {Index: 2}}
	j.ReplicationJobRuns.ReplicationJobRun = []jobRun{{ImageId: s + "m", Type: "Manual", StartTime: s}}
	j.Tags.Tag = []smcTag{{Key: s + "k", Value: s}, {Key: "empty"}}
	return j
}

func TestJobJSONMatchesReflection(t *testing.T) {
	cases := []struct {
		name string
		job  *replicationJob
	}{
		{"zero job: nil lists must still be []", &replicationJob{}},
		{"plain ASCII", fillJob("plain-", 3)},
		{"quotes, backslashes and HTML characters stay as encoding/json leaves them", fillJob(`a"b\c<d>&e'`, 4)},
		{"control characters, short and \\u00XX escapes", fillJob("\b\f\n\r\t\x00\x01\x1f\x7f", 5)},
		{"invalid UTF-8 becomes U+FFFD", fillJob("bad\xff\xc3(\xed\xa0\x80end", 6)},
		{"line and paragraph separators are escaped", fillJob("x\u2028y\u2029z", 7)},
		{"multi-byte text passes through", fillJob("迁移任务-é-🚀", 8)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.job.appendJSON(nil)
			if err != nil {
				t.Fatal(err)
			}
			if want := reflectJSON(t, tc.job.view()); !bytes.Equal(got, want) {
				t.Fatalf("hand encoding differs\n got %s\nwant %s", got, want)
			}
		})
	}
}

func TestJobJSONFloats(t *testing.T) {
	cases := []struct {
		name string
		f    float64
	}{
		{"zero", 0},
		{"negative zero prints as encoding/json does", math.Copysign(0, -1)},
		{"two decimals, the usual progress", 37.25},
		{"whole number has no decimal point", 100},
		{"just below the exponent cutoff", 1e-6},
		{"tiny numbers use an unpadded exponent", 1.5e-7},
		{"huge numbers use an exponent", 1e21},
		{"just under the large cutoff", 999999999999999900000},
		{"negative", -12.5},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := appendJSONFloat(nil, tc.f)
			if err != nil {
				t.Fatal(err)
			}
			if want := reflectJSON(t, tc.f); !bytes.Equal(got, want) {
				t.Fatalf("%v: got %s want %s", tc.f, got, want)
			}
		})
	}
	for _, bad := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		if _, err := (&jobView{Progress: bad}).appendJSON(nil); err == nil {
			t.Errorf("Progress %v: want an error, as encoding/json gives", bad)
		}
	}
}

// TestJobPageJSONMatchesMap compares a whole page with the map result the handler used to
// return, whose keys encoding/json sorts.
func TestJobPageJSONMatchesMap(t *testing.T) {
	pages := []struct {
		name string
		jobs []*replicationJob
	}{
		{"empty page", nil},
		{"one job", []*replicationJob{fillJob("one", 1)}},
		{"several jobs are comma separated", []*replicationJob{fillJob("a", 1), {}, fillJob("c\n", 2)}},
	}
	for _, tc := range pages {
		t.Run(tc.name, func(t *testing.T) {
			got, err := jobPageJSON(tc.jobs, 42, 3, 10)
			if err != nil {
				t.Fatal(err)
			}
			views := make([]jobView, len(tc.jobs))
			for i, j := range tc.jobs {
				views[i] = j.view()
			}
			want := reflectJSON(t, map[string]any{"TotalCount": 42, "PageNumber": 3, "PageSize": 10,
				"ReplicationJobs": map[string]any{"ReplicationJob": views}})
			if !bytes.Equal(got, want) {
				t.Fatalf("page differs\n got %s\nwant %s", got, want)
			}
			if m, err := json.Marshal(got); err != nil || !bytes.Equal(m, want) {
				t.Fatalf("json.Marshal of the result must give the same object: %s %v", m, err)
			}
		})
	}
}
