package flat

import (
	"encoding/json"
	"net/url"
	"reflect"
	"testing"
)

func TestEncode(t *testing.T) {
	type myInt int32
	cases := []struct {
		reason string
		in     map[string]any
		want   url.Values
	}{
		{"scalars become their wire text", map[string]any{"S": "x", "I": 40, "B": true, "F": 0.25, "N": json.Number("7")},
			q("S", "x", "I", "40", "B", "true", "F", "0.25", "N", "7")},
		{"an integral float has no fraction", map[string]any{"F": float64(40)}, q("F", "40")},
		{"typed ints and slices go through reflection", map[string]any{"I": myInt(3), "L": []string{"a", "b"}, "U": uint8(9)},
			q("I", "3", "L.1", "a", "L.2", "b", "U", "9")},
		{"nil and empty lists send nothing", map[string]any{"A": nil, "L": []any{}, "M": map[string]any{}}, url.Values{}},
		{"golden: nested lists", map[string]any{"DataDisk": []any{map[string]any{"Part": []any{nil, map[string]any{"SizeBytes": int64(2048)}}}}},
			q("DataDisk.1.Part.2.SizeBytes", "2048")},
		{"golden: flat object", map[string]any{"Disks": map[string]string{"Mode": "x"}, "D": map[string]any{"System": map[string]any{"Part": []map[string]any{{"Path": "/boot"}}}}},
			q("Disks.Mode", "x", "D.System.Part.1.Path", "/boot")},
		{"pointers are followed, nil pointers dropped", map[string]any{"P": ptr(5), "Q": (*int)(nil)}, q("P", "5")},
	}
	for _, c := range cases {
		if got := Encode(c.in); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: got %v, want %v", c.reason, got, c.want)
		}
	}
}

func ptr[T any](v T) *T { return &v }

func TestRoundTrip(t *testing.T) {
	objs := []map[string]any{
		{"Name": "n", "Size": int64(40), "RunOnce": true, "Ratio": 1.5},
		{"JobId": []any{"j-1", "j-2", "j-3"}},
		{"Tag": []any{map[string]any{"Key": "k1", "Value": "v1"}, map[string]any{"Key": "k2"}}},
		{"DataDisk": []any{
			map[string]any{"Size": int64(100), "Index": int64(1), "Part": []any{map[string]any{"SizeBytes": int64(1024), "Block": true, "Device": "0_1"}}},
			map[string]any{"Size": int64(200), "Index": int64(2)},
		}},
		{"Disks": map[string]any{"System": map[string]any{"Size": int64(40), "Part": []any{map[string]any{"Path": "/boot", "SizeBytes": int64(1)}}}}},
		{"Schedule": `{"a":[1,2]}`},
	}
	for _, obj := range objs {
		back, unknown, problems := Decode(Encode(obj), testShapes(), Limits{})
		if len(unknown)+len(problems) > 0 {
			t.Errorf("%v: unknown %v problems %v", obj, unknown, problems)
		}
		if s, ok := obj["Schedule"]; ok {
			// json style: the text goes out and the value comes back.
			want, _ := decodeJSON(s.(string))
			obj = map[string]any{"Schedule": want}
		}
		if !reflect.DeepEqual(back, obj) {
			t.Errorf("round trip:\n got %#v\nwant %#v", back, obj)
		}
	}
}
