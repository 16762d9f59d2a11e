package flat

import (
	"encoding/json"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// testShapes mirrors the parameters of CreateReplicationJob (repeat lists nested two deep)
// and the v2 Disks flat object, plus one of each scalar kind.
func testShapes() map[string]*Shape {
	part := &Shape{Kind: Object, Fields: map[string]*Shape{
		"SizeBytes": {Kind: Integer}, "Block": {Kind: Boolean}, "Device": {Kind: String},
	}}
	return map[string]*Shape{
		"Name":           {Kind: String},
		"Size":           {Kind: Integer},
		"Ratio":          {Kind: Number},
		"RunOnce":        {Kind: Boolean},
		"Schedule":       {Kind: JSON},
		"JobId":          {Kind: Array, Elem: &Shape{Kind: String}},
		"Tag":            {Kind: Array, MaxItems: 3, Elem: &Shape{Kind: Object, Fields: map[string]*Shape{"Key": {Kind: String}, "Value": {Kind: String}}}},
		"DataDisk":       {Kind: Array, MaxItems: 16, Elem: &Shape{Kind: Object, Fields: map[string]*Shape{"Size": {Kind: Integer}, "Index": {Kind: Integer}, "Part": {Kind: Array, Elem: part}}}},
		"SystemDiskPart": {Kind: Array, Elem: part},
		"Disks": {Kind: Object, Fields: map[string]*Shape{
			"System": {Kind: Object, Fields: map[string]*Shape{
				"Size": {Kind: Integer},
				"Part": {Kind: Array, Elem: &Shape{Kind: Object, Fields: map[string]*Shape{"Path": {Kind: String}, "SizeBytes": {Kind: Integer}}}},
			}},
			"Data": {Kind: Array, Elem: &Shape{Kind: Object, Fields: map[string]*Shape{"DiskId": {Kind: String}}}},
		}},
	}
}

func q(pairs ...string) url.Values {
	v := url.Values{}
	for i := 0; i+1 < len(pairs); i += 2 {
		v.Add(pairs[i], pairs[i+1])
	}
	return v
}

func TestDecodeValues(t *testing.T) {
	cases := []struct {
		reason string
		in     url.Values
		want   map[string]any
	}{
		{"a string stays text", q("Name", "my job"), map[string]any{"Name": "my job"}},
		{"an empty string is a value", q("Name", ""), map[string]any{"Name": ""}},
		{"integers become int64", q("Size", "-40"), map[string]any{"Size": int64(-40)}},
		{"numbers become float64", q("Ratio", "0.5"), map[string]any{"Ratio": 0.5}},
		{"booleans are exactly true or false", q("RunOnce", "false"), map[string]any{"RunOnce": false}},
		{"json keeps numbers exact", q("Schedule", `{"At":[1,"x"]}`), map[string]any{"Schedule": map[string]any{"At": []any{json.Number("1"), "x"}}}},
		{"scalar lists come back in index order", q("JobId.2", "j-2", "JobId.1", "j-1"), map[string]any{"JobId": []any{"j-1", "j-2"}}},
		{"a scalar list may be sent as one bare value", q("JobId", "j-1"), map[string]any{"JobId": []any{"j-1"}}},
		{"indexes sort numerically, not as text", q("JobId.1", "a", "JobId.2", "b", "JobId.3", "c", "JobId.4", "d", "JobId.5", "e", "JobId.6", "f", "JobId.7", "g", "JobId.8", "h", "JobId.9", "i", "JobId.10", "j"),
			map[string]any{"JobId": []any{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j"}}},
		{"golden: nested list fields", q("DataDisk.1.Part.2.SizeBytes", "2048", "DataDisk.1.Part.1.SizeBytes", "1024", "DataDisk.1.Size", "100"),
			map[string]any{"DataDisk": []any{map[string]any{"Size": int64(100), "Part": []any{
				map[string]any{"SizeBytes": int64(1024)}, map[string]any{"SizeBytes": int64(2048)}}}}}},
		{"golden: flat object with a list inside", q("Disks.System.Part.1.Path", "/boot", "Disks.System.Size", "40", "Disks.Data.1.DiskId", "d-1"),
			map[string]any{"Disks": map[string]any{
				"System": map[string]any{"Size": int64(40), "Part": []any{map[string]any{"Path": "/boot"}}},
				"Data":   []any{map[string]any{"DiskId": "d-1"}},
			}}},
		{"MaxItems itself is accepted", q("Tag.3.Key", "k", "Tag.2.Key", "k", "Tag.1.Key", "k"),
			map[string]any{"Tag": []any{map[string]any{"Key": "k"}, map[string]any{"Key": "k"}, map[string]any{"Key": "k"}}}},
	}
	for _, c := range cases {
		obj, unknown, problems := Decode(c.in, testShapes(), Limits{})
		if len(unknown) > 0 || len(problems) > 0 {
			t.Errorf("%s: unexpected unknown %v problems %v", c.reason, unknown, problems)
		}
		if !reflect.DeepEqual(obj, c.want) {
			t.Errorf("%s:\n got %#v\nwant %#v", c.reason, obj, c.want)
		}
	}
}

func TestDecodeProblems(t *testing.T) {
	cases := []struct {
		reason string
		in     url.Values
		want   []Problem // Kind and Param only
		keep   []string  // top-level names still decoded
	}{
		{"a non-integer is WrongType", q("Size", "4x"), []Problem{{Kind: WrongType, Param: "Size"}}, nil},
		{"an integer must fit in 64 bits", q("Size", "99999999999999999999"), []Problem{{Kind: WrongType, Param: "Size"}}, nil},
		{"NaN is not a number here", q("Ratio", "NaN"), []Problem{{Kind: WrongType, Param: "Ratio"}}, nil},
		{"only true and false are booleans", q("RunOnce", "True"), []Problem{{Kind: WrongType, Param: "RunOnce"}}, nil},
		{"json must be one whole value", q("Schedule", `{"a":1} x`), []Problem{{Kind: WrongType, Param: "Schedule"}}, nil},
		{"a nested wrong type names the full wire name and keeps the rest", q("DataDisk.1.Part.2.SizeBytes", "big", "DataDisk.1.Size", "1", "DataDisk.1.Part.1.SizeBytes", "1"),
			[]Problem{{Kind: WrongType, Param: "DataDisk.1.Part.2.SizeBytes"}}, []string{"DataDisk"}},
		{"index 0 is not a list index", q("JobId.0", "j"), []Problem{{Kind: BadIndex, Param: "JobId.0"}}, nil},
		{"a leading zero would alias another item", q("JobId.01", "j"), []Problem{{Kind: BadIndex, Param: "JobId.01"}}, nil},
		{"indexes are decimal numbers", q("JobId.x", "j"), []Problem{{Kind: BadIndex, Param: "JobId.x"}}, nil},
		{"indexes have no sign", q("JobId.-1", "j"), []Problem{{Kind: BadIndex, Param: "JobId.-1"}}, nil},
		{"a gap names the missing index", q("Tag.1.Key", "a", "Tag.3.Key", "c"), []Problem{{Kind: Gap, Param: "Tag.2"}}, nil},
		{"a list must start at 1", q("JobId.2", "j"), []Problem{{Kind: Gap, Param: "JobId.1"}}, nil},
		{"beyond MaxItems is TooMany on the list, reported once", q("Tag.1.Key", "a", "Tag.4.Key", "d", "Tag.5.Key", "e"), []Problem{{Kind: TooMany, Param: "Tag"}}, []string{"Tag"}},
		{"beyond Limits.MaxIndex is a bad index", q("JobId.1001", "j"), []Problem{{Kind: BadIndex, Param: "JobId.1001"}}, nil},
		{"a huge index costs nothing", q("JobId.99999999999999999999", "j"), []Problem{{Kind: BadIndex, Param: "JobId.99999999999999999999"}}, nil},
		{"a parameter given twice", q("Name", "a", "Name", "b"), []Problem{{Kind: Repeated, Param: "Name"}}, nil},
		{"a scalar has no parts", q("Size.Foo", "1"), []Problem{{Kind: BadShape, Param: "Size.Foo"}}, nil},
		{"a scalar is not a list", q("Size.1", "1"), []Problem{{Kind: BadShape, Param: "Size.1"}}, nil},
		{"deeper than the shape", q("DataDisk.1.Size.2", "1"), []Problem{{Kind: BadShape, Param: "DataDisk.1.Size.2"}}, nil},
		{"an object list item needs a field", q("Tag.1", "x"), []Problem{{Kind: BadShape, Param: "Tag.1"}}, []string{"Tag"}},
		{"an object needs fields", q("Disks", "x"), []Problem{{Kind: BadShape, Param: "Disks"}}, nil},
		{"a list of objects cannot be one value", q("Tag", "x"), []Problem{{Kind: BadShape, Param: "Tag"}}, nil},
		{"an empty name part", q("Tag..Key", "x"), []Problem{{Kind: BadShape, Param: "Tag..Key"}}, nil},
		{"bare and indexed forms of one list conflict", q("JobId", "a", "JobId.1", "b"), []Problem{{Kind: Conflict, Param: "JobId"}}, nil},
		{"json cannot be addressed as a list", q("Schedule.1", "x"), []Problem{{Kind: BadShape, Param: "Schedule.1"}}, nil},
		{"problems sort by wire name, numerically", q("JobId.1", "a", "DataDisk.10.Size", "x", "DataDisk.2.Size", "y", "DataDisk.1.Size", "1", "DataDisk.3.Size", "1", "DataDisk.4.Size", "1", "DataDisk.5.Size", "1", "DataDisk.6.Size", "1", "DataDisk.7.Size", "1", "DataDisk.8.Size", "1", "DataDisk.9.Size", "1"),
			[]Problem{{Kind: WrongType, Param: "DataDisk.2.Size"}, {Kind: WrongType, Param: "DataDisk.10.Size"}}, []string{"DataDisk", "JobId"}},
	}
	for _, c := range cases {
		obj, _, problems := Decode(c.in, testShapes(), Limits{})
		got := make([]Problem, len(problems))
		for i, p := range problems {
			got[i] = Problem{Kind: p.Kind, Param: p.Param}
			if p.Detail == "" {
				t.Errorf("%s: problem %v has no detail", c.reason, p)
			}
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: got %v, want %v", c.reason, got, c.want)
		}
		var keys []string
		for k := range obj {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		if strings.Join(keys, ",") != strings.Join(c.keep, ",") {
			t.Errorf("%s: decoded %v, want %v", c.reason, keys, c.keep)
		}
	}
}

func TestDecodeFailedItemKeepsIndexes(t *testing.T) {
	// A bad item becomes nil rather than vanishing, so validation still reports later items
	// under their own wire index.
	obj, _, problems := Decode(q("DataDisk.1.Size", "x", "DataDisk.2.Size", "5"), testShapes(), Limits{})
	if len(problems) != 1 || problems[0].Param != "DataDisk.1.Size" {
		t.Fatalf("problems %v", problems)
	}
	want := []any{map[string]any{}, map[string]any{"Size": int64(5)}}
	if !reflect.DeepEqual(obj["DataDisk"], want) {
		t.Errorf("got %#v", obj["DataDisk"])
	}
	obj, _, _ = Decode(q("JobId.1", "a", "JobId.2", "b"), map[string]*Shape{"JobId": {Kind: Array, Elem: &Shape{Kind: Integer}}}, Limits{})
	if !reflect.DeepEqual(obj["JobId"], []any{nil, nil}) {
		t.Errorf("failed scalar items should be nil placeholders, got %#v", obj["JobId"])
	}
}

func TestDecodeUnknown(t *testing.T) {
	obj, unknown, problems := Decode(q("Foo", "1", "Tag.1.Colour", "red", "Tag.1.Key", "k", "Disks.Other", "x", "Bar.2", "y"), testShapes(), Limits{})
	if len(problems) != 0 {
		t.Fatalf("problems %v", problems)
	}
	want := []string{"Bar.2", "Disks.Other", "Foo", "Tag.1.Colour"}
	if !reflect.DeepEqual(unknown, want) {
		t.Errorf("unknown %v, want %v", unknown, want)
	}
	if _, ok := obj["Disks"]; ok {
		t.Errorf("an unknown field must not leave an empty object behind: %#v", obj)
	}
	if !reflect.DeepEqual(obj["Tag"], []any{map[string]any{"Key": "k"}}) {
		t.Errorf("Tag %#v", obj["Tag"])
	}
}

func TestDecodeLimits(t *testing.T) {
	cases := []struct {
		reason string
		in     url.Values
		lim    Limits
		param  string
	}{
		{"too many parameters rejects the request as a whole", q("Name", "a", "Size", "1", "Ratio", "1"), Limits{MaxParams: 2}, ""},
		{"a long value", q("Name", strings.Repeat("x", 11)), Limits{MaxValueLen: 10}, "Name"},
		{"a deep name", q("DataDisk.1.Part.1.SizeBytes", "1"), Limits{MaxDepth: 3}, "DataDisk.1.Part.1.SizeBytes"},
	}
	for _, c := range cases {
		_, _, problems := Decode(c.in, testShapes(), c.lim)
		if len(problems) != 1 || problems[0].Kind != TooLarge || problems[0].Param != c.param {
			t.Errorf("%s: got %v", c.reason, problems)
		}
	}
	// The limit value itself passes.
	if _, _, p := Decode(q("Name", strings.Repeat("x", 10)), testShapes(), Limits{MaxValueLen: 10}); len(p) != 0 {
		t.Errorf("a value of exactly MaxValueLen: %v", p)
	}
	if _, _, p := Decode(q("JobId.1000", "x"), testShapes(), Limits{}); len(p) != 1 || p[0].Kind != Gap {
		t.Errorf("index 1000 is within the default limit and only leaves a gap: %v", p)
	}
}

func TestCompareNames(t *testing.T) {
	cases := []struct {
		a, b string
		want int
	}{
		{"Tag.2", "Tag.10", -1},
		{"Tag", "Tag.1", -1},
		{"A.1.B", "A.1.B", 0},
		{"Tag.10.Key", "Tag.9.Value", 1},
		{"Tag.01", "Tag.1", -1}, // same value: text order decides, never 0 for different names
		{"", "A", -1},
		{"Tag.9", "Tag.-x", -1}, // numbers first, even before text that byte order puts ahead
		{"02", "0A", -1},        // with the two above, a cycle once made sorting depend on input order
	}
	for _, c := range cases {
		if got := CompareNames(c.a, c.b); got != c.want {
			t.Errorf("CompareNames(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
}

// CompareNames must be a total order: for any three names, sorting them in every starting
// order gives the same result.
func FuzzCompareNamesTotal(f *testing.F) {
	f.Add("0A", "02", "1")
	f.Add("Tag.-x", "Tag.9", "Tag.09")
	f.Fuzz(func(t *testing.T, a, b, c string) {
		want := []string{a, b, c}
		slices.SortFunc(want, CompareNames)
		for _, start := range [][]string{{a, c, b}, {b, a, c}, {b, c, a}, {c, a, b}, {c, b, a}} {
			got := slices.Clone(start)
			slices.SortFunc(got, CompareNames)
			if !slices.Equal(got, want) {
				t.Fatalf("sorting %q gives %q, sorting %q gives %q", start, got, []string{a, b, c}, want)
			}
		}
	})
}

// Skip passes over a name given exactly, and only then; skipped names do not count
// against MaxParams.
func TestDecodeSkip(t *testing.T) {
	shapes := testShapes()
	shapes["Format"] = Skip
	cases := []struct {
		reason  string
		in      url.Values
		unknown []string
	}{
		{"the exact name is passed over", q("Format", "JSON", "Name", "a"), nil},
		{"a list item of a skipped name is unknown", q("Format.1", "JSON"), []string{"Format.1"}},
		{"a field of a skipped name is unknown", q("Format.Kind", "x"), []string{"Format.Kind"}},
		{"a repeated skipped name is still passed over", q("Format", "JSON", "Format", "XML"), nil},
	}
	for _, tc := range cases {
		obj, unknown, problems := Decode(tc.in, shapes, Limits{})
		if len(problems) > 0 || !reflect.DeepEqual(unknown, tc.unknown) {
			t.Errorf("%s: unknown %v problems %v, want unknown %v", tc.reason, unknown, problems, tc.unknown)
		}
		if _, ok := obj["Format"]; ok {
			t.Errorf("%s: a skipped name was decoded: %v", tc.reason, obj)
		}
	}
	in := q("Format", "JSON", "Name", "a", "Size", "1")
	if _, _, p := Decode(in, shapes, Limits{MaxParams: 2}); len(p) != 0 {
		t.Errorf("two parameters of the decoder's own and one skipped fit MaxParams 2: %v", p)
	}
}
