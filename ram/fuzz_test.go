package ram

import (
	"regexp"
	"strings"
	"testing"
)

// FuzzParse: no document makes Parse or Evaluate panic, and what parses evaluates.
func FuzzParse(f *testing.F) {
	f.Add([]byte(`{"Version":"1","Statement":[{"Effect":"Allow","Action":"smc:*","Resource":"*","Condition":{"IpAddress":{"acs:SourceIp":"127.0.0.1/8"}}}]}`), false)
	f.Add([]byte(`{"Version":"1","Statement":{"Effect":"Deny","NotAction":["a","b"],"NotResource":"x*"}}`), false)
	f.Add([]byte(`{"Version":"1","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{"RAM":["1"]}}]}`), true)
	f.Fuzz(func(t *testing.T, doc []byte, trust bool) {
		kind := Identity
		if trust {
			kind = Trust
		}
		p, err := Parse(doc, kind)
		if err != nil {
			return
		}
		ctx := Context{}
		ctx.Set("acs:SourceIp", "127.0.0.1")
		ctx.Set("acs:CurrentTime", "2026-11-23T00:00:00Z")
		Evaluate([]*Policy{p}, Request{Action: "smc:StopReplicationJob", Resources: []string{jobARN}, Context: ctx})
		p.Trusts("sts:AssumeRole", []string{"acs:ram::1:user/a", "1"}, ctx)
	})
}

// FuzzMatch compares the wildcard matcher with a regular expression built from the pattern.
func FuzzMatch(f *testing.F) {
	f.Add("a*b?c", "aXXbYc")
	f.Add("acs:smc:*:*:*", "acs:smc:cn-hangzhou:1:*")
	f.Fuzz(func(t *testing.T, pattern, s string) {
		if len(pattern) > 64 || len(s) > 64 {
			return
		}
		var b strings.Builder
		b.WriteString(`(?s)\A`)
		for _, r := range []byte(pattern) {
			switch r {
			case '*':
				b.WriteString(`[\x00-\xff]*`)
			case '?':
				b.WriteString(`[\x00-\xff]`)
			default:
				b.WriteString(regexp.QuoteMeta(string([]byte{r})))
			}
		}
		b.WriteString(`\z`)
		re, err := regexp.Compile(b.String())
		if err != nil {
			return
		}
		// Compare byte-wise: the oracle reads both as Latin-1 so that bytes, not runes, count.
		want := re.MatchString(latin1(s))
		if got := match(pattern, s); got != want && isLatin1Safe(pattern, s) {
			t.Fatalf("match(%q, %q) = %v, want %v", pattern, s, got, want)
		}
	})
}

func latin1(s string) string {
	r := make([]rune, len(s))
	for i := 0; i < len(s); i++ {
		r[i] = rune(s[i])
	}
	return string(r)
}

// isLatin1Safe: the regexp sees runes; with only ASCII on both sides bytes and runes agree.
func isLatin1Safe(a, b string) bool {
	for _, s := range []string{a, b} {
		for i := 0; i < len(s); i++ {
			if s[i] >= 0x80 {
				return false
			}
		}
	}
	return true
}
