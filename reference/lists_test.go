package reference

import (
	"slices"
	"testing"
)

func TestUpsertAll(t *testing.T) {
	src := func(id, name string) *sourceServer {
		s := &sourceServer{}
		s.SourceId, s.Name = id, name
		return s
	}
	names := func(list []*sourceServer) []string {
		var out []string
		for _, s := range list {
			out = append(out, s.SourceId+"="+s.Name)
		}
		return out
	}
	cases := []struct {
		reason      string
		list, items []*sourceServer
		want        []string
	}{
		{"new objects are appended in order", []*sourceServer{src("a", "1")}, []*sourceServer{src("b", "1"), src("c", "1")},
			[]string{"a=1", "b=1", "c=1"}},
		{"a known ID is replaced where it stands", []*sourceServer{src("a", "1"), src("b", "1")}, []*sourceServer{src("a", "2")},
			[]string{"a=2", "b=1"}},
		{"a later item of the same ID wins, at the first one's place", nil, []*sourceServer{src("a", "1"), src("b", "1"), src("a", "2")},
			[]string{"a=2", "b=1"}},
		{"nothing to add changes nothing", []*sourceServer{src("a", "1")}, nil, []string{"a=1"}},
	}
	for _, tc := range cases {
		if got := names(upsertAll(tc.list, tc.items)); !slices.Equal(got, tc.want) {
			t.Errorf("%s: %v, want %v", tc.reason, got, tc.want)
		}
	}
}
