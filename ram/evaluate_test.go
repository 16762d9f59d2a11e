package ram

import (
	"testing"
)

func mustParse(t testing.TB, kind Kind, doc string) *Policy {
	t.Helper()
	p, err := Parse([]byte(doc), kind)
	if err != nil {
		t.Fatalf("%s: %v", doc, err)
	}
	return p
}

const (
	jobARN   = "acs:smc:cn-hangzhou:1000000000000001:replicationjob/j-1"
	otherJob = "acs:smc:cn-hangzhou:1000000000000001:replicationjob/j-2"
)

var allSMC = AllResources("smc", "cn-hangzhou", "1000000000000001")

func TestEvaluate(t *testing.T) {
	ctx := Context{}
	ctx.Set("acs:SourceIp", "127.0.0.1")
	ctx.Set("acs:CurrentTime", "2026-11-23T00:00:00Z")
	ctx.Set("acs:SecureTransport", "false")
	cases := []struct {
		reason   string
		policies []string
		action   string
		resource string
		want     Decision
	}{
		{"no policy: an implicit, action-level refusal", nil, "smc:StopReplicationJob", jobARN, Decision{ActionLevel: true}},
		{"a wildcard Allow grants", []string{`{"Version":"1","Statement":[{"Effect":"Allow","Action":"smc:*","Resource":"*"}]}`},
			"smc:StopReplicationJob", jobARN, Decision{Allowed: true}},
		{"an Allow for another action is action-level", []string{`{"Version":"1","Statement":[{"Effect":"Allow","Action":"smc:Describe*","Resource":"*"}]}`},
			"smc:StopReplicationJob", jobARN, Decision{ActionLevel: true}},
		{"an Allow on another job is resource-level", []string{`{"Version":"1","Statement":[{"Effect":"Allow","Action":"smc:StopReplicationJob","Resource":"` + otherJob + `"}]}`},
			"smc:StopReplicationJob", jobARN, Decision{}},
		{"explicit Deny wins over Allow", []string{
			`{"Version":"1","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`,
			`{"Version":"1","Statement":[{"Effect":"Deny","Action":"smc:StopReplicationJob","Resource":"*"}]}`},
			"smc:StopReplicationJob", jobARN, Decision{ExplicitDeny: true, ActionLevel: true}},
		{"a Deny of one job is resource-level", []string{
			`{"Version":"1","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"smc:*","Resource":"` + jobARN + `"}]}`},
			"smc:StopReplicationJob", jobARN, Decision{ExplicitDeny: true}},
		{"the Deny of another job does not touch this one", []string{
			`{"Version":"1","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"smc:*","Resource":"` + otherJob + `"}]}`},
			"smc:StopReplicationJob", jobARN, Decision{Allowed: true}},
		{"a job-scoped Allow does not grant an All Resources action", []string{`{"Version":"1","Statement":[{"Effect":"Allow","Action":"smc:*","Resource":"acs:smc:*:*:replicationjob/*"}]}`},
			"smc:DescribeReplicationJobs", allSMC, Decision{}},
		{"a service-wide Allow grants an All Resources action", []string{`{"Version":"1","Statement":[{"Effect":"Allow","Action":"smc:*","Resource":"acs:smc:*:*:*"}]}`},
			"smc:DescribeReplicationJobs", allSMC, Decision{Allowed: true}},
		{"a region-scoped Allow of another region", []string{`{"Version":"1","Statement":[{"Effect":"Allow","Action":"smc:*","Resource":"acs:smc:cn-shanghai:*:*"}]}`},
			"smc:StopReplicationJob", jobARN, Decision{}},
		{"an account-scoped Allow of another account", []string{`{"Version":"1","Statement":[{"Effect":"Allow","Action":"smc:*","Resource":"acs:smc:*:2:*"}]}`},
			"smc:StopReplicationJob", jobARN, Decision{}},
		{"NotAction grants everything else", []string{`{"Version":"1","Statement":[{"Effect":"Allow","NotAction":"smc:Delete*","Resource":"*"}]}`},
			"smc:StopReplicationJob", jobARN, Decision{Allowed: true}},
		{"NotAction leaves out what it names", []string{`{"Version":"1","Statement":[{"Effect":"Allow","NotAction":"smc:Stop*","Resource":"*"}]}`},
			"smc:StopReplicationJob", jobARN, Decision{ActionLevel: true}},
		{"NotResource leaves out what it names", []string{`{"Version":"1","Statement":[{"Effect":"Allow","Action":"*","NotResource":"` + jobARN + `"}]}`},
			"smc:StopReplicationJob", jobARN, Decision{}},
		{"a source IP inside the block allows", []string{`{"Version":"1","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"IpAddress":{"acs:SourceIp":"127.0.0.0/8"}}}]}`},
			"smc:StopReplicationJob", jobARN, Decision{Allowed: true}},
		{"a source IP outside the block does not", []string{`{"Version":"1","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"IpAddress":{"acs:SourceIp":["10.0.0.0/8","192.168.0.1"]}}}]}`},
			"smc:StopReplicationJob", jobARN, Decision{}},
		{"a time window that has passed", []string{`{"Version":"1","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"DateLessThan":{"acs:CurrentTime":"2026-01-01T00:00:00Z"}}}]}`},
			"smc:StopReplicationJob", jobARN, Decision{}},
		{"a time window that holds, in another zone", []string{`{"Version":"1","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"DateGreaterThan":{"acs:CurrentTime":"2026-11-23T07:59:00+08:00"}}}]}`},
			"smc:StopReplicationJob", jobARN, Decision{Allowed: true}},
		{"a Deny over plain HTTP", []string{
			`{"Version":"1","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"Bool":{"acs:SecureTransport":"false"}}}]}`},
			"smc:StopReplicationJob", jobARN, Decision{ExplicitDeny: true}},
		{"an absent key makes a positive condition false", []string{`{"Version":"1","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{"acs:MFAPresent":"true"}}}]}`},
			"smc:StopReplicationJob", jobARN, Decision{}},
		{"and a negated one true", []string{`{"Version":"1","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringNotEquals":{"acs:MFAPresent":"true"}}}]}`},
			"smc:StopReplicationJob", jobARN, Decision{Allowed: true}},
		{"every condition of a statement must hold", []string{`{"Version":"1","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"IpAddress":{"acs:SourceIp":"127.0.0.1"},"Bool":{"acs:SecureTransport":"true"}}}]}`},
			"smc:StopReplicationJob", jobARN, Decision{}},
	}
	for _, c := range cases {
		var ps []*Policy
		for _, d := range c.policies {
			ps = append(ps, mustParse(t, Identity, d))
		}
		got := Evaluate(ps, Request{Action: c.action, Resources: []string{c.resource}, Context: ctx})
		if got != c.want {
			t.Errorf("%s: got %+v, want %+v", c.reason, got, c.want)
		}
	}
}

func TestEvaluateNeedsEveryResource(t *testing.T) {
	p := mustParse(t, Identity, `{"Version":"1","Statement":[{"Effect":"Allow","Action":"*","Resource":"`+jobARN+`"}]}`)
	if d := Evaluate([]*Policy{p}, Request{Action: "smc:X", Resources: []string{jobARN, otherJob}}); d.Allowed {
		t.Error("a grant on one of two named resources is not enough")
	}
	if d := Evaluate([]*Policy{p}, Request{Action: "smc:X"}); d.Allowed {
		t.Error("a request naming no resource is never allowed")
	}
}

func TestBoth(t *testing.T) {
	allow := Decision{Allowed: true}
	refusedAction := Decision{ActionLevel: true}
	if Both(allow, allow) != allow {
		t.Error("both allow")
	}
	if got := Both(allow, refusedAction); got.Allowed || !got.ActionLevel {
		t.Errorf("a session policy refusing the action: %+v", got)
	}
	if got := Both(Decision{}, allow); got.Allowed || got.ActionLevel {
		t.Errorf("a role refusing the resource: %+v", got)
	}
}

func TestTrusts(t *testing.T) {
	trust := mustParse(t, Trust, `{"Version":"1","Statement":[
		{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{"RAM":["acs:ram::1000000000000001:root"]}},
		{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{"RAM":["acs:ram::2:user/alice"]},"Condition":{"StringEquals":{"sts:ExternalId":"abc"}}},
		{"Effect":"Deny","Action":"sts:AssumeRole","Principal":{"RAM":["acs:ram::1000000000000001:user/mallory"]}}]}`)
	withID := Context{}
	withID.Set("sts:ExternalId", "abc")
	cases := []struct {
		reason string
		names  []string
		ctx    Context
		want   bool
	}{
		{"the trusted account's users", []string{"acs:ram::1000000000000001:user/bob", "acs:ram::1000000000000001:root", "1000000000000001"}, nil, true},
		{"a named user of another account, with the external ID", []string{"acs:ram::2:user/alice", "acs:ram::2:root", "2"}, withID, true},
		{"the same user without it", []string{"acs:ram::2:user/alice", "acs:ram::2:root", "2"}, Context{}, false},
		{"a user of an untrusted account", []string{"acs:ram::3:user/carol", "acs:ram::3:root", "3"}, nil, false},
		{"a Deny for one user of a trusted account", []string{"acs:ram::1000000000000001:user/mallory", "acs:ram::1000000000000001:root", "1000000000000001"}, nil, false},
	}
	for _, c := range cases {
		if got := trust.Trusts("sts:AssumeRole", c.names, c.ctx); got != c.want {
			t.Errorf("%s: Trusts = %v", c.reason, got)
		}
	}
}
