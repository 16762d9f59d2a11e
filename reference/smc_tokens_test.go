package reference

import (
	"testing"
	"time"
)

func TestAccessTokenLifecycle(t *testing.T) {
	srv := newSMCServer(t)
	body := must(t, srv, defaultAcct, "CreateAccessToken", p{"Name": "import01", "Count": "5", "TimeToLiveInDays": "2"})
	id, code := body["AccessTokenId"].(string), body["AccessTokenCode"].(string)
	if len(code) != 32 || id[:3] != "at-" {
		t.Fatalf("a token has an at- ID and a 32-character code: %q %q", id, code)
	}
	other := must(t, srv, defaultAcct, "CreateAccessToken", nil)["AccessTokenId"].(string)
	status := func(id string) any {
		list := wrapped(must(t, srv, defaultAcct, "ListAccessTokens", p{"AccessTokenId.1": id}), "AccessTokens", "AccessToken")
		if len(list) != 1 {
			t.Fatalf("token %s listed %d times", id, len(list))
		}
		return list[0]["Status"]
	}
	if got := status(id); got != "unactivated" {
		t.Errorf("a new token is unactivated (no agent used it), got %v", got)
	}
	list := wrapped(must(t, srv, defaultAcct, "ListAccessTokens", p{"AccessTokenId.1": other}), "AccessTokens", "AccessToken")
	if list[0]["Count"] != "100" || list[0]["TimeToLiveInDays"] != "30" {
		t.Errorf("defaults Count 100 and 30 days: %v", list[0])
	}
	advance(srv, 2*24*time.Hour)
	if got := status(id); got != "expired" {
		t.Errorf("after its lifetime a token is expired, got %v", got)
	}
	must(t, srv, defaultAcct, "DisableAccessToken", p{"AccessTokenId": other})
	if got := status(other); got != "expired" {
		t.Errorf("a disabled token shows expired (the contract's effect), got %v", got)
	}
	if n := len(wrapped(must(t, srv, defaultAcct, "ListAccessTokens", p{"Status": "expired"}), "AccessTokens", "AccessToken")); n != 2 {
		t.Errorf("status filter: %d", n)
	}
	must(t, srv, defaultAcct, "DeleteAccessToken", p{"AccessTokenId": id})
	fails(t, srv, defaultAcct, "DeleteAccessToken", p{"AccessTokenId": id}, "InvalidAccessTokenId.NotFound")
	fails(t, srv, otherAcct, "DisableAccessToken", p{"AccessTokenId": other}, "InvalidAccessTokenId.NotFound")
}
