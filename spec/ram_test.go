package spec

import (
	"os"
	"strings"
	"testing"
)

// authorized returns testdata/rules.yaml with an x-acs-authorization block and RAM data on
// both actions, then applies the edits (old -> new) of a case.
func authorized(t *testing.T, edits ...string) []byte {
	t.Helper()
	data, err := os.ReadFile("testdata/rules.yaml")
	if err != nil {
		t.Fatal(err)
	}
	s := string(data)
	s = strings.Replace(s, "paths:\n", `  x-acs-authorization:
    service: rules
    denied: {action: Denied.Action, resource: Denied.Resource}
    account: {arrears: InArrears}
paths:
`, 1)
	s = strings.Replace(s, "    x-acs-operation: write\n", `    x-acs-operation: write
    x-acs-ram:
      action: rules:CreateThing
      access: create
      resources: []
`, 1)
	s = strings.Replace(s, "    x-acs-operation: read\n", `    x-acs-operation: read
    x-acs-ram:
      action: rules:DescribeThings
      access: list
      resources:
        - {type: Region, arn: "acs:rules:{#regionId}:{#accountId}:region/{#RegionId}", required: true}
`, 1)
	denials := "      - {code: Denied.Action, status: 403, message: \"No.\"}\n      - {code: Denied.Resource, status: 403, message: \"Not there.\"}\n      - {code: InArrears, status: 403, message: \"Pay.\"}\n"
	s = strings.ReplaceAll(s, "      - {code: InternalError, status: 500, message: \"Something failed.\"}\n",
		"      - {code: InternalError, status: 500, message: \"Something failed.\"}\n"+denials)
	for i := 0; i+1 < len(edits); i += 2 {
		if !strings.Contains(s, edits[i]) {
			t.Fatalf("edit %q does not apply", edits[i])
		}
		s = strings.Replace(s, edits[i], edits[i+1], 1)
	}
	return []byte(s)
}

func TestRAMGrammarLoads(t *testing.T) {
	p, err := LoadProduct(authorized(t))
	if err != nil {
		t.Fatal(err)
	}
	a, _ := p.Action("DescribeThings")
	if a.RAM == nil || a.RAM.Action != "rules:DescribeThings" || a.RAM.Access != "list" || len(a.RAM.Resources) != 1 {
		t.Fatalf("RAM data not read: %+v", a.RAM)
	}
	if e, ok := a.Denial(true); !ok || e.Code != "Denied.Action" {
		t.Errorf("action-level denial %+v %v", e, ok)
	}
	if e, ok := a.Denial(false); !ok || e.Code != "Denied.Resource" {
		t.Errorf("resource-level denial %+v %v", e, ok)
	}
	if e, ok := a.AccountError(CondArrears); !ok || e.Code != "InArrears" {
		t.Errorf("arrears code %+v %v", e, ok)
	}
	if _, ok := a.AccountError(CondRealName); ok {
		t.Errorf("a condition the product does not map has no code")
	}
}

// The loader refuses RAM data that the reference could not enforce or the suites could not
// generate from.
func TestRAMGrammarRefuses(t *testing.T) {
	cases := []struct {
		reason string
		edits  []string
		want   string
	}{
		{"an action of a product with authorization lacks RAM data",
			[]string{"    x-acs-ram:\n      action: rules:CreateThing\n      access: create\n      resources: []\n", ""}, "no x-acs-ram"},
		{"the RAM action must be the service code and the action's own name",
			[]string{"action: rules:CreateThing", "action: ecs:CreateThing"}, `want "rules:CreateThing"`},
		{"the access level is one of the five the tables use",
			[]string{"access: create", "access: write"}, "access \"write\""},
		{"an ARN may only read string parameters of the action",
			[]string{"region/{#RegionId}", "region/{#Nope}"}, "reads Nope"},
		{"a resource needs its ARN",
			[]string{`arn: "acs:rules:{#regionId}:{#accountId}:region/{#RegionId}", `, ""}, "needs a type and an arn"},
		{"every action documents the denial codes",
			[]string{"      - {code: Denied.Resource, status: 403, message: \"Not there.\"}\n", ""}, "denial code Denied.Resource"},
		{"an account condition must be one the reference models",
			[]string{"account: {arrears: InArrears}", "account: {bankrupt: InArrears}"}, `unknown account condition "bankrupt"`},
		{"authorization needs both denial codes",
			[]string{"denied: {action: Denied.Action, resource: Denied.Resource}", "denied: {action: Denied.Action}"}, "both denied codes"},
	}
	for _, c := range cases {
		_, err := LoadProduct(authorized(t, c.edits...))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want an error with %q", c.reason, err, c.want)
		}
	}
}

func TestRAMWithoutAuthorizationIsRefused(t *testing.T) {
	data := authorized(t, "  x-acs-authorization:\n    service: rules\n    denied: {action: Denied.Action, resource: Denied.Resource}\n    account: {arrears: InArrears}\n", "")
	if _, err := LoadProduct(data); err == nil || !strings.Contains(err.Error(), "x-acs-ram without") {
		t.Fatalf("got %v", err)
	}
}

// Every action of the contract and of the auxiliary services carries RAM data whose ARNs
// fill from the action's own parameters. A new action without it fails here (and at load).
func TestEveryActionHasRAMData(t *testing.T) {
	c := MustDefault()
	products := append(append([]*Product(nil), c.Products()...), c.Auxiliary()...)
	for _, p := range products {
		if p.Authorization == nil {
			t.Errorf("%s: no x-acs-authorization", p.Name)
			continue
		}
		for _, a := range p.Actions() {
			if a.RAM == nil {
				t.Errorf("%s %s: no x-acs-ram", p.Name, a.Name)
				continue
			}
			if _, ok := a.Denial(true); !ok {
				t.Errorf("%s: no action-level denial code", a.Name)
			}
			if _, ok := a.Denial(false); !ok {
				t.Errorf("%s: no resource-level denial code", a.Name)
			}
			for _, r := range a.RAM.Resources {
				arn := r.Fill("cn-hangzhou", "1000000000000001", func(name string) string { return "<" + name + ">" })
				if strings.Contains(arn, "{#") || !strings.Contains(arn, "<") {
					t.Errorf("%s: ARN %q does not fill from the request", a.Name, arn)
				}
			}
		}
	}
}

func TestARNFill(t *testing.T) {
	r := RAMResource{ARN: "acs:smc:{#regionId}:{#accountId}:replicationjob/{#JobId}"}
	got := r.Fill("cn-hangzhou", "42", func(n string) string { return map[string]string{"JobId": "j-1"}[n] })
	if got != "acs:smc:cn-hangzhou:42:replicationjob/j-1" {
		t.Errorf("Fill = %q", got)
	}
	if p := r.Params(); len(p) != 1 || p[0] != "JobId" {
		t.Errorf("Params = %v", p)
	}
}

// The documented account conditions land on the actions that document their codes.
func TestAccountConditionsOfTheContract(t *testing.T) {
	c := MustDefault()
	want := map[string]string{
		"CreateReplicationJob/" + CondServiceRole:         "EntityNotExist.Role",
		"CreateReplicationJob/" + CondRealName:            "RealNameAuthenticationError",
		"CreateDiskReplicaPair/" + CondArrears:            "InvalidAccountStatus.NotEnoughBalance",
		"StartReplicaGroupDrill/" + CondServiceLinkedRole: "NoPermission.SLR",
	}
	for key, code := range want {
		name, cond, _ := strings.Cut(key, "/")
		a, ok := c.Lookup(map[bool]string{true: "2019-06-01", false: "2021-07-30"}[strings.Contains(name, "Replication")], name)
		if !ok {
			t.Fatalf("no action %s", name)
		}
		if e, ok := a.AccountError(cond); !ok || e.Code != code || e.Status != 403 {
			t.Errorf("%s %s: got %+v %v, want 403 %s", name, cond, e, ok, code)
		}
	}
}

func TestGatewayFlowControlAndTokens(t *testing.T) {
	g := MustDefault().Gateway
	for scope, code := range map[string]string{ScopeAPI: "Throttling.Api", ScopeUser: "Throttling.User", ScopeService: "Throttling"} {
		if e := g.Throttled(scope); e.Code != code || e.Status != 400 {
			t.Errorf("scope %s: %+v, want 400 %s", scope, e, code)
		}
	}
	for _, code := range []string{"MissingSecurityToken", "InvalidSecurityToken.Malformed", "InvalidSecurityToken.MismatchWithAccessKey", "InvalidSecurityToken.Expired", "InvalidAccessKeyId.Inactive"} {
		if e := g.Error(code); e.Status != 400 || e.Message == "" {
			t.Errorf("%s: %+v", code, e)
		}
	}
	if len(g.Choices) == 0 {
		t.Error("gateway.yaml records no choices")
	}
}

func TestAuxiliaryServicesAreRoutedButNotTheContract(t *testing.T) {
	c := MustDefault()
	if _, ok := c.Lookup("2015-04-01", "AssumeRole"); !ok {
		t.Fatal("sts AssumeRole is not routed")
	}
	for _, a := range c.Actions() {
		if a.Product.Name == "sts" {
			t.Fatalf("Actions lists the auxiliary %s", a.Name)
		}
	}
}

func TestResourceARNs(t *testing.T) {
	c := MustDefault()
	stop, _ := c.Lookup("2019-06-01", "StopReplicationJob")
	got := stop.ResourceARNs("cn-hangzhou", "42", func(n string) string { return map[string]string{"JobId": "j-1"}[n] })
	if len(got) != 1 || got[0] != "acs:smc:cn-hangzhou:42:replicationjob/j-1" {
		t.Errorf("StopReplicationJob names %v", got)
	}
	list, _ := c.Lookup("2021-07-30", "DescribeDiskReplicaGroups")
	if got := list.ResourceARNs("cn-beijing", "42", func(string) string { return "x" }); len(got) != 1 || got[0] != "acs:ebs:cn-beijing:42:*" {
		t.Errorf("an All Resources action names %v", got)
	}
}
