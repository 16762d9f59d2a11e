package ram

import (
	"strings"
	"testing"
)

func TestParseRefuses(t *testing.T) {
	cases := []struct {
		reason string
		kind   Kind
		doc    string
		want   string
	}{
		{"the version is fixed", Identity, `{"Version":"2","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`, `Version must be "1"`},
		{"the version is required", Identity, `{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`, `Version must be "1"`},
		{"an empty statement list grants nothing and is refused", Identity, `{"Version":"1","Statement":[]}`, "at least one statement"},
		{"Effect is Allow or Deny, in that spelling", Identity, `{"Version":"1","Statement":[{"Effect":"Permit","Action":"*","Resource":"*"}]}`, "Effect must be Allow or Deny"},
		{"Action and NotAction exclude each other", Identity, `{"Version":"1","Statement":[{"Effect":"Allow","Action":"*","NotAction":"smc:*","Resource":"*"}]}`, "exclude each other"},
		{"one of Action and NotAction is required", Identity, `{"Version":"1","Statement":[{"Effect":"Allow","Resource":"*"}]}`, "Action (or NotAction) is required"},
		{"a permission policy names its resources", Identity, `{"Version":"1","Statement":[{"Effect":"Allow","Action":"*"}]}`, "Resource (or NotResource) is required"},
		{"a permission policy has no Principal", Identity, `{"Version":"1","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Principal":{"RAM":["1"]}}]}`, "Principal belongs"},
		{"a trust policy has no Resource", Trust, `{"Version":"1","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*","Principal":{"RAM":["1"]}}]}`, "names no Resource"},
		{"a trust policy needs a Principal", Trust, `{"Version":"1","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole"}]}`, "needs a Principal"},
		{"principal kinds are RAM, Service, Federated", Trust, `{"Version":"1","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{"AWS":["1"]}}]}`, "not RAM, Service or Federated"},
		{"an unknown operator is refused, not ignored", Identity, `{"Version":"1","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringSorta":{"acs:SourceIp":"x"}}}]}`, "not one RAM supports"},
		{"an IP condition needs addresses", Identity, `{"Version":"1","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"IpAddress":{"acs:SourceIp":"nowhere"}}}]}`, "not an IP address"},
		{"a date condition needs times", Identity, `{"Version":"1","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"DateLessThan":{"acs:CurrentTime":"soon"}}}]}`, "not an ISO 8601 time"},
		{"unknown elements are refused", Identity, `{"Version":"1","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Sidekick":1}]}`, "not a statement object"},
		{"empty action names are refused", Identity, `{"Version":"1","Statement":[{"Effect":"Allow","Action":[""],"Resource":"*"}]}`, "empty value"},
		{"not JSON", Identity, `Version: 1`, "not a policy document"},
		{"trailing text", Identity, `{"Version":"1","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]} {}`, "text after"},
		{"over the size limit", Identity, `{"Version":"1","Statement":[{"Effect":"Allow","Action":"*","Resource":"` + strings.Repeat("a", MaxDocument) + `"}]}`, "over the 6144-byte limit"},
	}
	for _, c := range cases {
		_, err := Parse([]byte(c.doc), c.kind)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want an error with %q", c.reason, err, c.want)
		}
	}
}

func TestParseAcceptsTheDocumentedForms(t *testing.T) {
	docs := []struct {
		reason string
		kind   Kind
		doc    string
	}{
		{"single values instead of lists", Identity, `{"Version":"1","Statement":{"Effect":"Allow","Action":"smc:Describe*","Resource":"*"}}`},
		{"NotAction and NotResource", Identity, `{"Version":"1","Statement":[{"Effect":"Allow","NotAction":"ram:*","NotResource":"acs:smc:*:*:sourceserver/*"}]}`},
		{"every operator family", Identity, `{"Version":"1","Statement":[{"Effect":"Deny","Action":"*","Resource":"*","Condition":{
			"StringLike":{"acs:UserAgent":"*aliyun*"},"NumericLessThan":{"smc:Count":10},"DateGreaterThan":{"acs:CurrentTime":"2026-01-01T00:00:00+08:00"},
			"Bool":{"acs:SecureTransport":false},"NotIpAddress":{"acs:SourceIp":["10.0.0.0/8","127.0.0.1"]}}}]}`},
		{"a role trusting an account and a user", Trust, `{"Version":"1","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{"RAM":["acs:ram::1000000000000001:root","acs:ram::2:user/alice"]}}]}`},
	}
	for _, d := range docs {
		p, err := Parse([]byte(d.doc), d.kind)
		if err != nil {
			t.Errorf("%s: %v", d.reason, err)
			continue
		}
		if string(p.Source) != d.doc {
			t.Errorf("%s: the source is not kept as given", d.reason)
		}
	}
}

func TestMatch(t *testing.T) {
	cases := []struct {
		pattern, s string
		want       bool
		reason     string
	}{
		{"*", "", true, "a star matches nothing at all"},
		{"*", "acs:smc:cn-hangzhou:1:*", true, "a star matches everything"},
		{"acs:smc:*:*:replicationjob/*", "acs:smc:cn-hangzhou:1:replicationjob/j-1", true, "stars span a segment"},
		{"acs:smc:*:*:replicationjob/*", "acs:smc:cn-hangzhou:1:*", false, "a named kind does not cover every resource"},
		{"acs:smc:*:*:*", "acs:smc:cn-hangzhou:1:*", true, "a star covers the literal star of All Resources"},
		{"acs:smc:cn-shanghai:*:*", "acs:smc:cn-hangzhou:1:replicationjob/j-1", false, "another region"},
		{"j-?", "j-1", true, "a question mark is one character"},
		{"j-?", "j-12", false, "and only one"},
		{"a*b*c", "aXbYbZc", true, "backtracking over several stars"},
		{"a*b*c", "aXbYbZ", false, "the end must match"},
		{"", "", true, "empty matches empty"},
	}
	for _, c := range cases {
		if got := match(c.pattern, c.s); got != c.want {
			t.Errorf("%s: match(%q, %q) = %v", c.reason, c.pattern, c.s, got)
		}
	}
	if !matchFold("SMC:stopreplication*", "smc:StopReplicationJob") {
		t.Error("action names compare without case")
	}
}
