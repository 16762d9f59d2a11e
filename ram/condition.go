package ram

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// Context holds the condition keys of one request, by lower-case key: acs:CurrentTime,
// acs:SourceIp, acs:SecureTransport and whatever else the caller knows. A key may have
// several values; a key that is absent makes positive operators false and negated ones true.
type Context map[string][]string

// Set stores a key's values.
func (c Context) Set(key string, values ...string) { c[strings.ToLower(key)] = values }

func (c Context) get(key string) ([]string, bool) {
	v, ok := c[strings.ToLower(key)]
	return v, ok && len(v) > 0
}

// operator is one condition operator: how it reads the policy's values and compares a
// request value with one of them.
type operator struct {
	// negated operators hold when no policy value matches (and when the key is absent).
	negated bool
	parse   func(string) (any, error)
	test    func(request string, policy any) bool
}

// read parses a condition's policy values once, when the policy is parsed.
func (o operator) read(values []string) ([]any, error) {
	out := make([]any, len(values))
	for i, v := range values {
		pv, err := o.parse(v)
		if err != nil {
			return nil, err
		}
		out[i] = pv
	}
	return out, nil
}

// holds evaluates one condition against the request's keys.
func (c Condition) holds(ctx Context) bool {
	op := operators[c.Operator]
	got, ok := ctx.get(c.Key)
	if !ok {
		return op.negated
	}
	hit := false
	for _, r := range got {
		for _, pv := range c.parsed {
			if op.test(r, pv) {
				hit = true
			}
		}
	}
	return hit != op.negated
}

func asText(v string) (any, error) { return v, nil }

func asNumber(v string) (any, error) {
	f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
	if err != nil {
		return nil, fmt.Errorf("%q is not a number", v)
	}
	return f, nil
}

// timeLayouts are the forms a date condition value may take: ISO 8601 with a zone, with or
// without seconds, or a date alone (midnight UTC).
var timeLayouts = []string{time.RFC3339, "2006-01-02T15:04Z07:00", "2006-01-02"}

func asTime(v string) (any, error) {
	for _, l := range timeLayouts {
		if t, err := time.Parse(l, strings.TrimSpace(v)); err == nil {
			return t, nil
		}
	}
	return nil, fmt.Errorf("%q is not an ISO 8601 time such as 2026-01-01T00:00:00Z", v)
}

func asBool(v string) (any, error) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	return nil, fmt.Errorf("%q is not true or false", v)
}

func asPrefix(v string) (any, error) {
	v = strings.TrimSpace(v)
	if p, err := netip.ParsePrefix(v); err == nil {
		return p.Masked(), nil
	}
	a, err := netip.ParseAddr(v)
	if err != nil {
		return nil, fmt.Errorf("%q is not an IP address or CIDR block", v)
	}
	return netip.PrefixFrom(a, a.BitLen()), nil
}

func compareNumbers(keep func(a, b float64) bool) func(string, any) bool {
	return func(r string, p any) bool {
		f, err := strconv.ParseFloat(strings.TrimSpace(r), 64)
		return err == nil && keep(f, p.(float64))
	}
}

func compareTimes(keep func(a, b time.Time) bool) func(string, any) bool {
	return func(r string, p any) bool {
		t, err := asTime(r)
		return err == nil && keep(t.(time.Time), p.(time.Time))
	}
}

func inPrefix(r string, p any) bool {
	a, err := netip.ParseAddr(strings.TrimSpace(r))
	return err == nil && p.(netip.Prefix).Contains(a.Unmap())
}

var (
	eqText     = func(r string, p any) bool { return r == p.(string) }
	eqFold     = func(r string, p any) bool { return strings.EqualFold(r, p.(string)) }
	likeText   = func(r string, p any) bool { return match(p.(string), r) }
	eqBool     = func(r string, p any) bool { b, err := asBool(r); return err == nil && b == p }
	numEq      = compareNumbers(func(a, b float64) bool { return a == b })
	numLess    = compareNumbers(func(a, b float64) bool { return a < b })
	numLessEq  = compareNumbers(func(a, b float64) bool { return a <= b })
	numMore    = compareNumbers(func(a, b float64) bool { return a > b })
	numMoreEq  = compareNumbers(func(a, b float64) bool { return a >= b })
	timeEq     = compareTimes(func(a, b time.Time) bool { return a.Equal(b) })
	timeLess   = compareTimes(func(a, b time.Time) bool { return a.Before(b) })
	timeLessEq = compareTimes(func(a, b time.Time) bool { return !a.After(b) })
	timeMore   = compareTimes(func(a, b time.Time) bool { return a.After(b) })
	timeMoreEq = compareTimes(func(a, b time.Time) bool { return !a.Before(b) })
)

// operators are the condition operators of RAM: string, number, date and time, Boolean and
// IP address. The Not forms hold when the positive form does not.
var operators = map[string]operator{
	"StringEquals":              {parse: asText, test: eqText},
	"StringNotEquals":           {negated: true, parse: asText, test: eqText},
	"StringEqualsIgnoreCase":    {parse: asText, test: eqFold},
	"StringNotEqualsIgnoreCase": {negated: true, parse: asText, test: eqFold},
	"StringLike":                {parse: asText, test: likeText},
	"StringNotLike":             {negated: true, parse: asText, test: likeText},
	"NumericEquals":             {parse: asNumber, test: numEq},
	"NumericNotEquals":          {negated: true, parse: asNumber, test: numEq},
	"NumericLessThan":           {parse: asNumber, test: numLess},
	"NumericLessThanEquals":     {parse: asNumber, test: numLessEq},
	"NumericGreaterThan":        {parse: asNumber, test: numMore},
	"NumericGreaterThanEquals":  {parse: asNumber, test: numMoreEq},
	"DateEquals":                {parse: asTime, test: timeEq},
	"DateNotEquals":             {negated: true, parse: asTime, test: timeEq},
	"DateLessThan":              {parse: asTime, test: timeLess},
	"DateLessThanEquals":        {parse: asTime, test: timeLessEq},
	"DateGreaterThan":           {parse: asTime, test: timeMore},
	"DateGreaterThanEquals":     {parse: asTime, test: timeMoreEq},
	"Bool":                      {parse: asBool, test: eqBool},
	"IpAddress":                 {parse: asPrefix, test: inPrefix},
	"NotIpAddress":              {negated: true, parse: asPrefix, test: inPrefix},
}

// Operators lists the supported condition operators, for documentation and tests.
func Operators() []string {
	out := make([]string, 0, len(operators))
	for k := range operators {
		out = append(out, k)
	}
	return out
}
