package reference

import (
	"encoding/base64"
	"strconv"
	"strings"
)

// EBS Describe actions page two ways. With NextToken or MaxResults the caller walks a token
// chain and PageNumber/PageSize are ignored (the metadata says so); otherwise it asks for a
// numbered page. Lists are flat arrays in both.
// Defaults (PageSize, MaxResults, PageNumber) are the contract's, which Ctx.Int reads.
const ebsTokenPrefix = "ebs:"

// ebsPage cuts one page out of items and returns the response body with it under key.
func ebsPage(c *Ctx, key string, items []any) (map[string]any, error) {
	if items == nil {
		items = []any{}
	}
	total := len(items)
	body := map[string]any{"TotalCount": int64(total)}
	if c.Has("NextToken") || c.Has("MaxResults") {
		start, err := decodeToken(c, total)
		if err != nil {
			return nil, err
		}
		size := int(c.Int("MaxResults", 1))
		end := min(start+max(size, 1), total)
		body[key] = items[start:end]
		body["NextToken"] = ""
		if end < total {
			body["NextToken"] = encodeToken(end)
		}
		return body, nil
	}
	number := max(c.Int("PageNumber", 1), 1)
	size := max(c.Int("PageSize", 1), 1)
	start := min((number-1)*size, int64(total))
	end := min(start+size, int64(total))
	body[key] = items[start:end]
	body["PageNumber"] = number
	body["PageSize"] = size
	return body, nil
}

// The token is an opaque offset: clients must only hand back what they were given.
func encodeToken(offset int) string {
	return base64.RawURLEncoding.EncodeToString([]byte(ebsTokenPrefix + strconv.Itoa(offset)))
}

func decodeToken(c *Ctx, total int) (int, error) {
	tok := c.Str("NextToken")
	if tok == "" {
		return 0, nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(tok)
	rest, ok := strings.CutPrefix(string(raw), ebsTokenPrefix)
	if err != nil || !ok {
		return 0, ebsInvalidParam(c, "NextToken")
	}
	n, err := strconv.Atoi(rest)
	if err != nil || n < 0 || n > total {
		return 0, ebsInvalidParam(c, "NextToken")
	}
	return n, nil
}
