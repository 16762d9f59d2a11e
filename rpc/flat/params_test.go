package flat

import (
	"net/url"
	"reflect"
	"testing"
)

func TestParamsLookups(t *testing.T) {
	p := SortParams(Params{
		{"Tag.2.Key", "b"}, {"Name", "x"}, {"Tag.1.Key", "a"}, {"Dup", "first"},
		{"Empty", ""}, {"Dup", "second"}, {"Tag-x", "dash"},
	})
	cases := []struct {
		name, get string
		has       bool
		run       int
		reason    string
	}{
		{"Name", "x", true, 1, "a name sent once"},
		{"Dup", "first", true, 2, "a repeated name: Get is the first sent, as url.Values"},
		{"Empty", "", true, 1, "an empty value is still sent"},
		{"Missing", "", false, 0, "a name not sent"},
		{"Tag", "", false, 0, "a prefix of sent names is not itself sent"},
	}
	for _, tc := range cases {
		if got := p.Get(tc.name); got != tc.get {
			t.Errorf("Get(%s) = %q, want %q: %s", tc.name, got, tc.get, tc.reason)
		}
		if got := p.Has(tc.name); got != tc.has {
			t.Errorf("Has(%s) = %v: %s", tc.name, got, tc.reason)
		}
		if got := len(p.Run(tc.name)); got != tc.run {
			t.Errorf("Run(%s) has %d pairs, want %d: %s", tc.name, got, tc.run, tc.reason)
		}
	}
	prefixes := []struct {
		prefix string
		want   bool
		reason string
	}{
		{"Tag.", true, "list items follow their parameter"},
		{"Tag.3", false, "no such item"},
		{"Ta", true, "any prefix"},
		{"Zed", false, "beyond every name"},
		{"Tag-", true, "a name that sorts between Tag and Tag.1"},
	}
	for _, tc := range prefixes {
		if got := p.HasPrefix(tc.prefix); got != tc.want {
			t.Errorf("HasPrefix(%s) = %v: %s", tc.prefix, got, tc.reason)
		}
	}
}

func TestParamsRoundTripValues(t *testing.T) {
	v := url.Values{"B": {"2", "1"}, "A": {""}, "C.1": {"x"}}
	p := FromValues(v)
	want := Params{{"A", ""}, {"B", "2"}, {"B", "1"}, {"C.1", "x"}}
	if !reflect.DeepEqual(p, want) {
		t.Fatalf("FromValues = %v, want %v (sorted by name, repeated values in the order sent)", p, want)
	}
	if back := p.Values(); !reflect.DeepEqual(back, v) {
		t.Fatalf("Values = %v, want %v", back, v)
	}
	var names []string
	for name, run := range p.Runs {
		names = append(names, name+"×"+string(rune('0'+len(run))))
	}
	if got := []string{"A×1", "B×2", "C.1×1"}; !reflect.DeepEqual(names, got) {
		t.Fatalf("Runs = %v, want %v", names, got)
	}
}
