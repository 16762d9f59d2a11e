package reference

import (
	"bytes"
	"reflect"
	"testing"
)

// fillSource sets every string field of the view to s and every number to n, through
// reflection, so that a field added to sourceView but not to appendJSON breaks the
// comparison.
func fillSource(s string, n int) *sourceServer {
	src := &sourceServer{}
	rv := reflect.ValueOf(&src.sourceView).Elem()
	for i := range rv.NumField() {
		switch f := rv.Field(i); f.Kind() {
		case reflect.String:
			f.SetString(s + rv.Type().Field(i).Name)
		case reflect.Int:
			f.SetInt(int64(n + i))
		}
	}
	part := sourcePart{Path: s + "/", Device: s + "dev", SizeBytes: int64(n) << 30, Need: n%2 == 0, CanBlock: n%3 == 0}
	src.SystemDiskParts.SystemDiskPart = []sourcePart{part, part}
	d := sourceDataDisk{Index: n, Size: n * 10, Path: s + "/dev/vdb"}
	d.Parts.Part = []sourcePart{part}
	src.DataDisks.DataDisk = []sourceDataDisk{d, {Index: 2}}
	src.Tags.Tag = []smcTag{{Key: s + "k", Value: s}, {Key: "empty"}}
	return src
}

// TestSourcePageJSONMatchesMap compares the hand encoding of a DescribeSourceServers page
// with encoding/json over the map of views the handler used to return.
func TestSourcePageJSONMatchesMap(t *testing.T) {
	pages := []struct {
		name    string
		sources []*sourceServer
	}{
		{"empty page", nil},
		{"zero source: nil lists must still be []", []*sourceServer{{}}},
		{"plain ASCII", []*sourceServer{fillSource("plain-", 3)}},
		{"quotes, backslashes and HTML characters", []*sourceServer{fillSource(`a"b\c<d>&e'`, 4), fillSource("x", 1)}},
		{"control characters and escapes", []*sourceServer{fillSource("\b\f\n\r\t\x00\x01\x1f\x7f", 5)}},
		{"invalid UTF-8 and separators", []*sourceServer{fillSource("bad\xff\xc3(x\u2028y\u2029z", 6)}},
		{"multi-byte text", []*sourceServer{fillSource("迁移-é-🚀", 8)}},
	}
	for _, tc := range pages {
		t.Run(tc.name, func(t *testing.T) {
			got := sourcePageJSON(tc.sources, 42, 3, 10)
			views := make([]sourceView, len(tc.sources))
			for i, src := range tc.sources {
				views[i] = src.view()
			}
			want := reflectJSON(t, map[string]any{"TotalCount": 42, "PageNumber": 3, "PageSize": 10,
				"SourceServers": map[string]any{"SourceServer": views}})
			if !bytes.Equal(got, want) {
				t.Fatalf("page differs\n got %s\nwant %s", got, want)
			}
		})
	}
}
