package reference

import (
	"fmt"
	"strconv"
	"time"
)

// Access token bounds from the metadata (Count 1-1000, lifetime 1-90 days), and the
// defaults a seeded token without them gets: the contract's (a test holds them equal).
const (
	defaultTokenCount = 100
	maxTokenCount     = 1000
	defaultTokenDays  = 30
	maxTokenDays      = 90
)

// tokenView is an access token (activation code) as ListAccessTokens returns it. The API
// types every number here as a string.
type tokenView struct {
	AccessTokenId    string `json:"AccessTokenId"`
	Name             string `json:"Name"`
	Description      string `json:"Description"`
	Count            string `json:"Count"`
	RegisteredCount  string `json:"RegisteredCount"`
	TimeToLiveInDays string `json:"TimeToLiveInDays"`
	Status           string `json:"Status"`
	CreationTime     string `json:"CreationTime"`
}

// accessToken is a token with what the list never shows: its code (returned once, by
// Create), its expiry and whether it was disabled. Following the contract, a new token is
// unactivated (activated would mean an agent used it, which the reference never sees), and
// it is expired once disabled or once its lifetime is over.
type accessToken struct {
	tokenView
	Code      string    `json:"runtime_code"`
	ExpiresAt time.Time `json:"runtime_expiresAt"`
	Disabled  bool      `json:"runtime_disabled"`
	Used      bool      `json:"runtime_used"`
}

func newSeededToken(v tokenView, now time.Time) *accessToken {
	t := &accessToken{tokenView: v, Code: tokenCode(v.AccessTokenId)}
	created, ok := parseAPITime(v.CreationTime)
	if !ok {
		created, t.CreationTime = now, fmtTime(now)
	}
	days, err := strconv.Atoi(v.TimeToLiveInDays)
	if err != nil || days < 1 {
		days, t.TimeToLiveInDays = defaultTokenDays, strconv.Itoa(defaultTokenDays)
	}
	t.ExpiresAt = created.Add(time.Duration(days) * 24 * time.Hour)
	t.Disabled = v.Status == "expired" && created.Add(time.Duration(days)*24*time.Hour).After(now)
	t.Used = v.Status == "activated"
	if t.Count == "" {
		t.Count = strconv.Itoa(defaultTokenCount)
	}
	if t.RegisteredCount == "" {
		t.RegisteredCount = "0"
	}
	t.advance(now)
	return t
}

// State reads a state field for the contract's preconditions.
func (t *accessToken) State(field string) string {
	if field == "Status" {
		return t.Status
	}
	return ""
}

// dumpView is the list shape; the code stays out of dumps like it stays out of lists.
func (t *accessToken) dumpView() tokenView { return t.tokenView }

func (t *accessToken) advance(now time.Time) {
	switch {
	case t.Disabled || !now.Before(t.ExpiresAt):
		t.Status = "expired"
	case t.Used:
		t.Status = "activated"
	default:
		t.Status = "unactivated"
	}
}

func (t *accessToken) force(fields map[string]string) error {
	for k, v := range fields {
		if k != "Status" {
			return fmt.Errorf("access token field %q cannot be forced", k)
		}
		switch v {
		case "activated", "unactivated":
			t.Used, t.Disabled = v == "activated", false
		case "expired":
			t.Disabled = true
		default:
			return fmt.Errorf("unknown access token Status %q", v)
		}
		t.Status = v
	}
	return nil
}

// boundedCount reads Count or TimeToLiveInDays within [1, hi], the contract's default when
// absent. The contract types them as integers; the bound is checked again because seeded or
// replayed input reaches handlers without the schema.
func boundedCount(c *Ctx, name string, hi int) (int, error) {
	n := c.Int(name, 0)
	if n < 1 || n > int64(hi) {
		return 0, invalidParam(c, name)
	}
	return int(n), nil
}

func createAccessToken(c *Ctx) (any, error) {
	count, err := boundedCount(c, "Count", maxTokenCount)
	if err != nil {
		return nil, err
	}
	days, err := boundedCount(c, "TimeToLiveInDays", maxTokenDays)
	if err != nil {
		return nil, err
	}
	id := c.Account.NewID("at-")
	t := &accessToken{
		tokenView: tokenView{
			AccessTokenId: id, Name: c.Str("Name"), Description: c.Str("Description"),
			Count: strconv.Itoa(count), RegisteredCount: "0", TimeToLiveInDays: strconv.Itoa(days),
			Status: "unactivated", CreationTime: fmtTime(c.Now),
		},
		Code:      tokenCode(id),
		ExpiresAt: c.Now.Add(time.Duration(days) * 24 * time.Hour),
	}
	s := c.Account.SMC
	s.Tokens = append(s.Tokens, t)
	return map[string]any{"AccessTokenId": id, "AccessTokenCode": t.Code}, nil
}

func listAccessTokens(c *Ctx) (any, error) {
	var match []tokenView
	for _, t := range c.Account.SMC.Tokens {
		if inFilter(c, "AccessTokenId", t.AccessTokenId) && eqFilter(c, "Name", t.Name) && eqFilter(c, "Status", t.Status) {
			match = append(match, t.tokenView)
		}
	}
	page, number, size := paginate(c, match)
	return map[string]any{
		"TotalCount": len(match), "PageNumber": number, "PageSize": size,
		"AccessTokens": map[string]any{"AccessToken": page},
	}, nil
}

// disableAccessToken stops a token from registering sources: it shows expired from now on.
func disableAccessToken(c *Ctx) (any, error) {
	t := c.Account.SMC.token(c.Str("AccessTokenId"))
	t.Disabled = true
	t.advance(c.Now)
	return struct{}{}, nil
}

func deleteAccessToken(c *Ctx) (any, error) {
	s := c.Account.SMC
	id := c.Str("AccessTokenId")
	s.Tokens = without(s.Tokens, func(t *accessToken) bool { return t.AccessTokenId == id })
	return struct{}{}, nil
}

// tokenCode is the 32-character activation code of a token, derived from its ID so that a
// seeded token keeps the code it was created with.
func tokenCode(id string) string { return derivedID("", id, 0) + derivedID("", id, 1)[:12] }
