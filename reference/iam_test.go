package reference

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/smcct/smcct/rpc"
)

// iamRef is a reference with helpers to shape its RAM through the control plane.
type iamRef struct {
	t   *testing.T
	srv *Server
	url string
}

func newIAMRef(t *testing.T) *iamRef {
	t.Helper()
	srv, ts, _ := newHTTPServer(t, Options{})
	return &iamRef{t: t, srv: srv, url: ts.URL}
}

// control sends a JSON request to the control plane and returns status and body.
func (r *iamRef) control(method, path string, body any) (int, string) {
	r.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, r.url+path, rd)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		r.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func (r *iamRef) must(method, path string, body any) {
	r.t.Helper()
	if code, b := r.control(method, path, body); code != 200 {
		r.t.Fatalf("%s %s: %d %s", method, path, code, b)
	}
}

// user creates a RAM user with one key and inline policies, and returns its client.
func (r *iamRef) user(name string, policies ...string) *rpc.Client {
	r.t.Helper()
	var inline []any
	for _, p := range policies {
		inline = append(inline, json.RawMessage(p))
	}
	r.must("POST", "/_smcct/iam/users", map[string]any{"name": name,
		"accessKeys": []any{map[string]string{"id": "key-" + name, "secret": "secret-" + name}}, "inlinePolicies": inline})
	return r.client("key-"+name, "secret-"+name, "")
}

func (r *iamRef) client(id, secret, token string) *rpc.Client {
	r.t.Helper()
	c, err := rpc.NewClient(rpc.Config{Endpoint: r.url, AccessKeyID: id, AccessKeySecret: secret, SecurityToken: token, RegionID: "cn-hangzhou"})
	if err != nil {
		r.t.Fatal(err)
	}
	return c
}

// code calls an action and returns the error code, "" on success.
func code(t *testing.T, c *rpc.Client, version, action string, params url.Values) string {
	t.Helper()
	_, err := c.Call(context.Background(), version, action, params)
	if err == nil {
		return ""
	}
	e, ok := rpc.AsError(err)
	if !ok {
		t.Fatalf("%s: %v", action, err)
	}
	return e.Code
}

const (
	smcV = "2019-06-01"
	ebsV = "2021-07-30"
	stsV = "2015-04-01"
)

func allow(action, resource string) string {
	return `{"Version":"1","Statement":[{"Effect":"Allow","Action":"` + action + `","Resource":"` + resource + `"}]}`
}

func deny(action, resource string) string {
	return `{"Version":"1","Statement":[{"Effect":"Deny","Action":"` + action + `","Resource":"` + resource + `"}]}`
}

func TestAuthorization(t *testing.T) {
	r := newIAMRef(t)
	job := url.Values{"JobId": {"j-absent"}}
	group := url.Values{"RegionId": {"cn-hangzhou"}, "ReplicaGroupId": {"pg-absent"}}
	cases := []struct {
		reason   string
		policies []string
		version  string
		action   string
		params   url.Values
		want     string
	}{
		{"no policy: SMC refuses with its one code", nil, smcV, "StopReplicationJob", job, "Forbidden.Unauthorized"},
		{"no policy: EBS refuses the action", nil, ebsV, "StopDiskReplicaGroup", group, "Forbidden.Action"},
		{"a matching Allow lets the call reach the service, which knows no such job", []string{allow("smc:StopReplicationJob", "*")}, smcV, "StopReplicationJob", job, "InvalidJobId.NotFound"},
		{"an explicit Deny wins", []string{allow("*", "*"), deny("smc:Stop*", "*")}, smcV, "StopReplicationJob", job, "Forbidden.Unauthorized"},
		{"EBS: a Deny on every resource is action-level", []string{allow("*", "*"), deny("ebs:*", "*")}, ebsV, "StopDiskReplicaGroup", group, "Forbidden.Action"},
		{"EBS: a grant on another group is resource-level", []string{allow("ebs:*", "acs:ebs:*:*:diskreplicagroup/pg-other")}, ebsV, "StopDiskReplicaGroup", group, "Forbidden"},
		{"EBS: a grant on this group", []string{allow("ebs:*", "acs:ebs:*:*:diskreplicagroup/pg-absent")}, ebsV, "StopDiskReplicaGroup", group, "NoSuchResource"},
		{"EBS: another region's grant", []string{allow("ebs:*", "acs:ebs:cn-shanghai:*:diskreplicagroup/*")}, ebsV, "StopDiskReplicaGroup", group, "Forbidden"},
		{"EBS: another account's grant", []string{allow("ebs:*", "acs:ebs:*:1000000000000002:*")}, ebsV, "StopDiskReplicaGroup", group, "Forbidden"},
		{"a group-scoped grant does not reach a list", []string{allow("ebs:*", "acs:ebs:*:*:diskreplicagroup/*")}, ebsV, "DescribeDiskReplicaGroups", url.Values{"RegionId": {"cn-hangzhou"}}, "Forbidden"},
		{"a service-wide grant reaches a list", []string{allow("ebs:*", "acs:ebs:*:*:*")}, ebsV, "DescribeDiskReplicaGroups", url.Values{"RegionId": {"cn-hangzhou"}}, ""},
		{"a source-IP condition that holds on loopback", []string{`{"Version":"1","Statement":[{"Effect":"Allow","Action":"smc:*","Resource":"*","Condition":{"IpAddress":{"acs:SourceIp":"127.0.0.0/8"}}}]}`}, smcV, "DescribeSourceServers", nil, ""},
		{"a source-IP condition that does not", []string{`{"Version":"1","Statement":[{"Effect":"Allow","Action":"smc:*","Resource":"*","Condition":{"IpAddress":{"acs:SourceIp":"10.0.0.0/8"}}}]}`}, smcV, "DescribeSourceServers", nil, "Forbidden.Unauthorized"},
		{"a time window on the business clock", []string{`{"Version":"1","Statement":[{"Effect":"Allow","Action":"smc:*","Resource":"*","Condition":{"DateLessThan":{"acs:CurrentTime":"2026-01-01T00:00:00Z"}}}]}`}, smcV, "DescribeSourceServers", nil, "Forbidden.Unauthorized"},
		{"parameter errors come before authorization", nil, smcV, "StopReplicationJob", nil, "MissingJobId"},
	}
	for i, c := range cases {
		u := r.user("u"+string(rune('a'+i)), c.policies...)
		if got := code(t, u, c.version, c.action, c.params); got != c.want {
			t.Errorf("%s: got %q, want %q", c.reason, got, c.want)
		}
	}
	// The account's own key is never refused.
	if got := code(t, r.client("smcct", "smcct-secret", ""), smcV, "StopReplicationJob", job); got != "InvalidJobId.NotFound" {
		t.Errorf("root: %s", got)
	}
}

func TestPoliciesChangeAtRunTime(t *testing.T) {
	r := newIAMRef(t)
	u := r.user("alice")
	if got := code(t, u, smcV, "DescribeSourceServers", nil); got != "Forbidden.Unauthorized" {
		t.Fatalf("before: %s", got)
	}
	r.must("POST", "/_smcct/iam/policies", map[string]any{"name": "ReadSMC", "document": json.RawMessage(allow("smc:Describe*", "*"))})
	r.must("POST", "/_smcct/iam/users", map[string]any{"name": "alice", "policies": []string{"ReadSMC"},
		"accessKeys": []any{map[string]string{"id": "key-alice", "secret": "secret-alice"}}})
	if got := code(t, u, smcV, "DescribeSourceServers", nil); got != "" {
		t.Fatalf("after attaching: %s", got)
	}
	if status, body := r.control("DELETE", "/_smcct/iam/policies/ReadSMC", nil); status != 400 || !strings.Contains(body, "attached") {
		t.Fatalf("deleting an attached policy: %d %s", status, body)
	}
	r.must("PUT", "/_smcct/iam/keys/key-alice", map[string]string{"status": "Inactive"})
	if got := code(t, u, smcV, "DescribeSourceServers", nil); got != "InvalidAccessKeyId.Inactive" {
		t.Fatalf("disabled key: %s", got)
	}
	r.must("DELETE", "/_smcct/iam/users/alice", nil)
	if got := code(t, u, smcV, "DescribeSourceServers", nil); got != "InvalidAccessKeyId.NotFound" {
		t.Fatalf("deleted user: %s", got)
	}
}

func TestControlRefusesBadIdentities(t *testing.T) {
	r := newIAMRef(t)
	cases := []struct {
		reason string
		path   string
		body   any
		want   string
	}{
		{"a malformed policy names its fault", "/_smcct/iam/policies", map[string]any{"name": "p", "document": `{"Version":"2"}`}, `Version must be`},
		{"a user may not take the account's key", "/_smcct/iam/users", map[string]any{"name": "x", "accessKeys": []any{map[string]string{"id": "smcct", "secret": "s"}}}, "another identity"},
		{"a user has at most two keys", "/_smcct/iam/users", map[string]any{"name": "x", "accessKeys": []any{
			map[string]string{"id": "k1", "secret": "s"}, map[string]string{"id": "k2", "secret": "s"}, map[string]string{"id": "k3", "secret": "s"}}}, "at most 2"},
		{"a named policy must exist", "/_smcct/iam/users", map[string]any{"name": "x", "policies": []string{"Nope"}}, `no policy named`},
		{"temporary key IDs are the issuer's", "/_smcct/iam/users", map[string]any{"name": "x", "accessKeys": []any{map[string]string{"id": "STS.mine", "secret": "s"}}}, "temporary"},
		{"unknown fields are refused", "/_smcct/iam/roles", map[string]any{"name": "r", "trusted": "me"}, "unknown field"},
		{"a trust policy names principals", "/_smcct/iam/roles", map[string]any{"name": "r", "trust": `{"Version":"1","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}`}, "names no Resource"},
	}
	for _, c := range cases {
		status, body := r.control("POST", c.path, c.body)
		if status != 400 || !strings.Contains(body, c.want) {
			t.Errorf("%s: %d %s, want 400 with %q", c.reason, status, body, c.want)
		}
	}
	if status, body := r.control("PUT", "/_smcct/iam/flags", map[string]bool{"bankrupt": true}); status != 400 {
		t.Errorf("an unknown account condition: %d %s", status, body)
	}
}

func TestAccountConditions(t *testing.T) {
	r := newIAMRef(t)
	root := r.client("smcct", "smcct-secret", "")
	create := url.Values{"SourceId": {"s-bp1smcctlinux0000001"}, "RegionId": {"cn-hangzhou"}, "Name": {"flagged"},
		"TargetType": {"Image"}, "ImageName": {"flagged-image"}, "SystemDiskSize": {"40"}}
	r.must("PUT", "/_smcct/iam/flags", map[string]bool{"realNameUnverified": true, "serviceRoleMissing": true})
	if got := code(t, root, smcV, "CreateReplicationJob", create); got != "RealNameAuthenticationError" {
		t.Errorf("real-name first: %s", got)
	}
	r.must("PUT", "/_smcct/iam/flags", map[string]bool{"realNameUnverified": false})
	if got := code(t, root, smcV, "CreateReplicationJob", create); got != "EntityNotExist.Role" {
		t.Errorf("then the service role: %s", got)
	}
	if got := code(t, root, smcV, "DescribeSourceServers", nil); got != "" {
		t.Errorf("an action that documents neither is not touched: %s", got)
	}
	r.must("PUT", "/_smcct/iam/flags", map[string]bool{"serviceRoleMissing": false, "arrears": true, "serviceLinkedRoleMissing": true})
	pair := url.Values{"RegionId": {"cn-hangzhou"}, "DiskId": {"d-x"}, "DestinationDiskId": {"d-y"}, "DestinationRegionId": {"cn-shanghai"},
		"SourceZoneId": {"cn-hangzhou-h"}, "DestinationZoneId": {"cn-shanghai-e"}}
	if got := code(t, root, ebsV, "CreateDiskReplicaPair", pair); got != "InvalidAccountStatus.NotEnoughBalance" {
		t.Errorf("arrears: %s", got)
	}
	r.must("PUT", "/_smcct/iam/flags", map[string]bool{"arrears": false})
	drills := url.Values{"RegionId": {"cn-hangzhou"}, "GroupId": {"pg-absent"}}
	u := r.user("ebsuser", allow("ebs:*", "*"))
	if got := code(t, u, ebsV, "DescribeReplicaGroupDrills", drills); got != "NoPermission.SLR" {
		t.Errorf("a user who may not create the service-linked role: %s", got)
	}
	if got := code(t, root, ebsV, "DescribeReplicaGroupDrills", drills); got != "NoSuchResource" {
		t.Errorf("the account creates it: %s", got)
	}
	if got := code(t, u, ebsV, "DescribeReplicaGroupDrills", drills); got != "NoSuchResource" {
		t.Errorf("once created, the user passes: %s", got)
	}
}

func TestFlowControl(t *testing.T) {
	r := newIAMRef(t)
	root := r.client("smcct", "smcct-secret", "")
	reader := r.client("smcct-reader", "smcct-reader-secret", "")
	r.must("POST", "/_smcct/flow-control", map[string]any{"scope": "api", "action": "DescribeSourceServers", "calls": 1, "per": "1m"})
	r.must("POST", "/_smcct/flow-control", map[string]any{"scope": "user", "user": "smcct-reader", "calls": 1, "per": "1m"})
	steps := []struct {
		reason string
		c      *rpc.Client
		action string
		want   string
	}{
		{"the first call of the API passes", root, "DescribeSourceServers", ""},
		{"the second is over the API's limit, whoever calls", reader, "DescribeSourceServers", "Throttling.Api"},
		{"another API is not limited", root, "DescribeReplicationJobs", ""},
		{"the reader's second call, even refused ones count", reader, "DescribeReplicationJobs", "Throttling.User"},
	}
	for _, s := range steps {
		if got := code(t, s.c, smcV, s.action, nil); got != s.want {
			t.Errorf("%s: got %q, want %q", s.reason, got, s.want)
		}
	}
	r.must("POST", "/_smcct/clock/advance?by=1m", nil)
	if got := code(t, reader, smcV, "DescribeSourceServers", nil); got != "" {
		t.Errorf("a new window passes again: %s", got)
	}
	r.must("POST", "/_smcct/flow-control", map[string]any{"scope": "service", "product": "ebs", "calls": 0, "per": "1h"})
	if got := code(t, root, ebsV, "DescribeDiskReplicaGroups", url.Values{"RegionId": {"cn-hangzhou"}}); got != "Throttling" {
		t.Errorf("service-wide: %s", got)
	}
	r.must("DELETE", "/_smcct/flow-control", nil)
	if got := code(t, root, ebsV, "DescribeDiskReplicaGroups", url.Values{"RegionId": {"cn-hangzhou"}}); got != "" {
		t.Errorf("cleared: %s", got)
	}
}

// assume calls AssumeRole as a client and returns the credentials.
func assume(t *testing.T, c *rpc.Client, params url.Values) (id, secret, token, expiration string, errCode string) {
	t.Helper()
	resp, err := c.Call(context.Background(), stsV, "AssumeRole", params)
	if err != nil {
		e, ok := rpc.AsError(err)
		if !ok {
			t.Fatal(err)
		}
		return "", "", "", "", e.Code
	}
	creds := resp.Data["Credentials"].(map[string]any)
	return creds["AccessKeyId"].(string), creds["AccessKeySecret"].(string), creds["SecurityToken"].(string), creds["Expiration"].(string), ""
}

func TestSTS(t *testing.T) {
	r := newIAMRef(t)
	roleArn := "acs:ram::1000000000000001:role/smcct-migrator"
	user := r.client("smcct-ram-user", "smcct-ram-user-secret", "")
	params := url.Values{"RoleArn": {roleArn}, "RoleSessionName": {"alice"}, "DurationSeconds": {"900"}}

	if _, _, _, _, c := assume(t, r.client("smcct", "smcct-secret", ""), params); c != "NoPermission" {
		t.Errorf("the account itself may not assume roles: %s", c)
	}
	if _, _, _, _, c := assume(t, r.client("smcct-reader", "smcct-reader-secret", ""), params); c != "NoPermission" {
		t.Errorf("a user without sts:AssumeRole: %s", c)
	}
	missing := url.Values{"RoleArn": {"acs:ram::1000000000000001:role/nobody"}, "RoleSessionName": {"alice"}}
	if _, _, _, _, c := assume(t, user, missing); c != "EntityNotExist.Role" {
		t.Errorf("an unknown role: %s", c)
	}
	long := url.Values{"RoleArn": {roleArn}, "RoleSessionName": {"alice"}, "DurationSeconds": {"7200"}}
	if _, _, _, _, c := assume(t, user, long); c != "InvalidParameter.DurationSeconds" {
		t.Errorf("beyond the role's maximum session: %s", c)
	}
	id, secret, token, exp, c := assume(t, user, params)
	if c != "" || !strings.HasPrefix(id, "STS.") || !strings.HasPrefix(token, "smcct-sts.") || exp != "2026-11-23T00:15:00Z" {
		t.Fatalf("AssumeRole: %q %q %q %q", c, id, token, exp)
	}
	session := r.client(id, secret, token)
	if got := code(t, session, smcV, "DescribeSourceServers", nil); got != "" {
		t.Errorf("the session acts with the role's policies: %s", got)
	}
	if got := code(t, r.client(id, secret, ""), smcV, "DescribeSourceServers", nil); got != "MissingSecurityToken" {
		t.Errorf("without its token: %s", got)
	}
	if got := code(t, r.client(id, secret, token[:len(token)-3]+"AAA"), smcV, "DescribeSourceServers", nil); got != "InvalidSecurityToken.Malformed" {
		t.Errorf("a tampered token: %s", got)
	}
	id2, secret2, token2, _, _ := assume(t, user, url.Values{"RoleArn": {roleArn}, "RoleSessionName": {"bob"}, "DurationSeconds": {"900"}})
	if id2 == id {
		t.Fatal("two sessions share a key")
	}
	if got := code(t, r.client(id2, secret2, token), smcV, "DescribeSourceServers", nil); got != "InvalidSecurityToken.MismatchWithAccessKey" {
		t.Errorf("another session's token: %s", got)
	}
	if got := code(t, r.client("smcct", "smcct-secret", token2), smcV, "DescribeSourceServers", nil); got != "InvalidSecurityToken.MismatchWithAccessKey" {
		t.Errorf("a token with a long-term key: %s", got)
	}
	narrow := url.Values{"RoleArn": {roleArn}, "RoleSessionName": {"carol"}, "Policy": {allow("smc:DescribeReplicationJobs", "*")}}
	id3, secret3, token3, _, _ := assume(t, user, narrow)
	narrowed := r.client(id3, secret3, token3)
	if got := code(t, narrowed, smcV, "DescribeSourceServers", nil); got != "Forbidden.Unauthorized" {
		t.Errorf("a session policy narrows the role: %s", got)
	}
	if got := code(t, narrowed, smcV, "DescribeReplicationJobs", nil); got != "" {
		t.Errorf("within the session policy: %s", got)
	}
	bad := url.Values{"RoleArn": {roleArn}, "RoleSessionName": {"dave"}, "Policy": {`{"Version":"1"}`}}
	if _, _, _, _, c := assume(t, user, bad); c != "InvalidParameter.PolicyGrammar" {
		t.Errorf("a session policy that does not parse: %s", c)
	}
	r.must("POST", "/_smcct/clock/advance?by=15m", nil)
	if got := code(t, session, smcV, "DescribeSourceServers", nil); got != "InvalidSecurityToken.Expired" {
		t.Errorf("at its expiry on the business clock: %s", got)
	}
}

func TestTrustPolicies(t *testing.T) {
	r := newIAMRef(t)
	r.must("POST", "/_smcct/iam/roles", map[string]any{"name": "picky", "policies": []string{"AliyunSMCFullAccess"},
		"trust": `{"Version":"1","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{"RAM":["acs:ram::1000000000000001:user/trusted"]},"Condition":{"StringEquals":{"sts:ExternalId":"abc"}}}]}`})
	assumer := allow("sts:AssumeRole", "*")
	trusted, other := r.user("trusted", assumer), r.user("other", assumer)
	p := url.Values{"RoleArn": {"acs:ram::1000000000000001:role/picky"}, "RoleSessionName": {"s1"}, "ExternalId": {"abc"}}
	if _, _, _, _, c := assume(t, other, p); c != "NoPermission" {
		t.Errorf("a user the trust policy does not name: %s", c)
	}
	if _, _, _, _, c := assume(t, trusted, url.Values{"RoleArn": p["RoleArn"], "RoleSessionName": {"s1"}}); c != "NoPermission" {
		t.Errorf("without the external ID: %s", c)
	}
	if _, _, _, _, c := assume(t, trusted, p); c != "" {
		t.Errorf("the trusted user with the external ID: %s", c)
	}
	scoped := r.user("scoped", allow("sts:AssumeRole", "acs:ram::1000000000000001:role/smcct-migrator"))
	if _, _, _, _, c := assume(t, scoped, url.Values{"RoleArn": {"acs:ram::1000000000000001:role/smcct-migrator"}, "RoleSessionName": {"s2"}}); c != "" {
		t.Errorf("sts:AssumeRole granted on the role's ARN: %s", c)
	}
	if _, _, _, _, c := assume(t, scoped, p); c != "NoPermission" {
		t.Errorf("and not on another role: %s", c)
	}
}

// The session's credentials are the same for the same request at the same business time:
// recordings against the reference repeat.
func TestSTSCredentialsRepeat(t *testing.T) {
	var got [2]string
	for i := range got {
		r := newIAMRef(t)
		id, secret, token, _, c := assume(t, r.client("smcct-ram-user", "smcct-ram-user-secret", ""),
			url.Values{"RoleArn": {"acs:ram::1000000000000001:role/smcct-migrator"}, "RoleSessionName": {"same"}})
		if c != "" {
			t.Fatal(c)
		}
		got[i] = id + secret + token
	}
	if got[0] != got[1] {
		t.Error("two references on the same fixtures issue different credentials for the same request")
	}
}

func TestExportKeepsIdentities(t *testing.T) {
	r := newIAMRef(t)
	r.user("exported", allow("smc:*", "*"))
	r.must("PUT", "/_smcct/iam/keys/smcct-reader", map[string]string{"status": "Inactive"})
	r.must("PUT", "/_smcct/iam/flags", map[string]bool{"arrears": true})
	resp, err := http.Get(r.url + "/_smcct/export")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	again, err := New(Options{Fixtures: data})
	if err != nil {
		t.Fatalf("the export does not load: %v\n%s", err, data)
	}
	f, _ := again.store.ids.fixture("1000000000000001")
	names := []string{}
	for _, u := range f.Users {
		names = append(names, u.Name)
	}
	if !strings.Contains(strings.Join(names, ","), "exported") || !f.Flags["arrears"] {
		t.Errorf("export lost identities: users %v flags %v", names, f.Flags)
	}
	if s, refusal := again.store.ids.credentials("smcct-reader", "", time.Now()); s != "" || refusal != "InvalidAccessKeyId.Inactive" {
		t.Errorf("export lost a key's status: %q %q", s, refusal)
	}
}
