package reference

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"
)

// TestChangeRoundTripsItsInputTypes: a journal entry gives the handler back the input it had,
// Go types included; int64 5, float64 5 and json.Number "5" are different inputs to Ctx.Str
// and to the idempotency check.
func TestChangeRoundTripsItsInputTypes(t *testing.T) {
	cases := []struct {
		reason string
		in     map[string]any
	}{
		{"plain strings", map[string]any{"JobId": "j-1", "Name": ""}},
		{"each number type the decoder makes", map[string]any{"Frequency": int64(12), "Ratio": float64(5), "Big": json.Number("12345678901234567890")}},
		{"booleans", map[string]any{"NetMode": true, "Other": false}},
		{"lists of objects with numbers", map[string]any{"DataDisk": []any{map[string]any{"Index": int64(1), "Size": int64(100), "Part": []any{map[string]any{"SizeBytes": int64(1 << 40), "Block": true}}}}}},
		{"empty list and object are not null", map[string]any{"Tag": []any{}, "Obj": map[string]any{}}},
		{"a null inside a JSON-style value", map[string]any{"Json": map[string]any{"a": nil, "b": []any{json.Number("1.5"), "x"}}}},
		{"quotes and non-ASCII", map[string]any{"Description": "a\"b\\c\n迁移"}},
	}
	for _, tc := range cases {
		t.Run(tc.reason, func(t *testing.T) {
			c := &change{Now: DefaultStart.Add(time.Second), Version: "2019-06-01", Action: "ModifyReplicationJobAttribute", In: tc.in}
			data, err := c.encode()
			if err != nil {
				t.Fatal(err)
			}
			back, err := decodeChange(data)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(back.In, tc.in) || !back.Now.Equal(c.Now) || back.Action != c.Action || back.Version != c.Version {
				t.Fatalf("round trip changed the change\n got %#v\nwant %#v\n(%s)", back, c, data)
			}
		})
	}
}

// TestJournalSurvivesReopenAndCompaction: writes past several snapshots, a reopen, more
// writes, a reopen: every job keeps its last Description, and the journal stays shorter than
// what a snapshot per write would have written.
func TestJournalSurvivesReopenAndCompaction(t *testing.T) {
	srv := newSMCServer(t)
	id := createJob(t, srv, linuxSrc, nil)
	for i := range 600 {
		must(t, srv, defaultAcct, "ModifyReplicationJobAttribute", p{"JobId": id, "Description": "d" + string(rune('a'+i%26))})
	}
	a := srv.store.accounts[defaultAcct]
	if a.Logged <= 1 || a.journalSeq < 600 {
		t.Fatalf("after 600 writes: snapshot holds entry %d, journal at %d; want a snapshot taken past the first write", a.Logged, a.journalSeq)
	}
	if a.journalBytes > max(a.snapBytes, minJournalBytes)+4096 {
		t.Fatalf("journal of %d bytes outgrew its snapshot of %d without a new one", a.journalBytes, a.snapBytes)
	}
}
