package reference

import (
	"testing"
	"time"
)

// TestStoreAdvancesAfterWrites pins the rule that lets reads within one second skip the
// lifecycle walk: any write (failed ones too) or a later time makes the next call advance.
// A token expiring at a given time is the probe: only advance turns it "expired".
func TestStoreAdvancesAfterWrites(t *testing.T) {
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	status := func(st *Store, now time.Time) string {
		var got string
		_ = st.with("a", now, nil, func(a *Account) error { got = a.SMC.Tokens[0].Status; return nil })
		return got
	}
	cases := []struct {
		name    string
		expires time.Time // set by a write at t0, after a read has settled the account
		readAt  time.Time
		want    string
	}{
		{"a write at the settled time is advanced before the next read", t0, t0, "expired"},
		{"nothing due yet: the read leaves the token as it is", t0.Add(time.Second), t0, "unactivated"},
		{"a read in a later second advances again", t0.Add(time.Second), t0.Add(time.Second), "expired"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			st := newStore(nil)
			st.accounts["a"] = newAccount("a", "a")
			tok := &accessToken{tokenView: tokenView{Status: "unactivated"}, ExpiresAt: t0.Add(time.Hour)}
			st.accounts["a"].SMC.Tokens = []*accessToken{tok}
			if got := status(st, t0); got != "unactivated" {
				t.Fatalf("settling read: %s", got)
			}
			_ = st.with("a", t0, &change{Now: t0}, func(a *Account) error { tok.ExpiresAt = tc.expires; return nil })
			if got := status(st, tc.readAt); got != tc.want {
				t.Fatalf("status %q, want %q", got, tc.want)
			}
		})
	}
}
