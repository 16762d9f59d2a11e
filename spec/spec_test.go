package spec

import (
	"context"
	"testing"
)

func TestLoad(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range c.Products() {
		if len(p.Actions()) == 0 {
			t.Errorf("%s has no actions", p.Name)
		}
	}
}

// Every action must carry what the reference and the suites derive behaviour from.
func TestEveryActionIsComplete(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range c.Actions() {
		if len(a.Errors) == 0 {
			t.Errorf("%s: no error list", a.Name)
		}
		if a.Response == nil || a.Example == nil {
			t.Errorf("%s: no response schema or example", a.Name)
			continue
		}
		if err := a.Response.VisitJSON(a.Example); err != nil {
			t.Errorf("%s: example does not validate: %v", a.Name, err)
		}
		if a.Summary == "" {
			t.Errorf("%s: no summary", a.Name)
		}
	}
}

func TestDocumentsValidate(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range c.Products() {
		if err := p.Doc.Validate(context.Background()); err != nil {
			t.Errorf("%s: %v", p.Name, err)
		}
	}
}

// TestHostFor: ebs answers from the endpoint of the region a request names; smc has one.
func TestHostFor(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	ebs, _ := c.ByName("ebs")
	smc, _ := c.ByName("smc")
	cases := []struct {
		p      *Product
		region string
		want   string
		why    string
	}{
		{ebs, "cn-hangzhou", "ebs.cn-hangzhou.aliyuncs.com", "the region's endpoint"},
		{ebs, "", "ebs.aliyuncs.com", "no region named: the central endpoint"},
		{ebs, "CN-Hangzhou", "ebs.aliyuncs.com", "not shaped like a region ID"},
		{ebs, "cn-hangzhou.evil.example", "ebs.aliyuncs.com", "no dots from a request reach the host"},
		{smc, "cn-hangzhou", "smc.aliyuncs.com", "one endpoint for every smc region"},
	}
	for _, tc := range cases {
		if got := tc.p.HostFor(tc.region); got != tc.want {
			t.Errorf("%s %q: %s, want %s (%s)", tc.p.Name, tc.region, got, tc.want, tc.why)
		}
	}
}
