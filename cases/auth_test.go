package cases

import (
	"strings"
	"testing"

	"github.com/smcct/smcct/ram"
	"github.com/smcct/smcct/spec"
)

// Every action gets authorization cases, and what each case predicts is what the policy
// evaluator decides for the request the reference would build: the generator and the
// evaluator cannot drift apart unnoticed.
func TestAuthCasesAgreeWithTheEvaluator(t *testing.T) {
	c := spec.MustDefault()
	actions := append([]*spec.Action(nil), c.Actions()...)
	for _, a := range actions {
		cases := AuthCases(a, "cn-hangzhou")
		if len(cases) < 4 {
			t.Errorf("%s: %d authorization cases", a.Name, len(cases))
			continue
		}
		refused := false
		for _, ac := range cases {
			region := ac.Params.Get("RegionId")
			if region == "" {
				region = "cn-hangzhou"
			}
			var policies []*ram.Policy
			for _, doc := range ac.Policies {
				p, err := ram.Parse([]byte(doc), ram.Identity)
				if err != nil {
					t.Fatalf("%s: %v", ac.Describe(), err)
				}
				policies = append(policies, p)
			}
			d := ram.Evaluate(policies, ram.Request{Action: a.RAM.Action,
				Resources: a.ResourceARNs(region, "1000000000000001", ac.Params.Get)})
			if d.Allowed == ac.Denied {
				t.Errorf("%s: the evaluator allows=%v", ac.Describe(), d.Allowed)
				continue
			}
			if ac.Denied {
				got, _ := a.Denial(d.ActionLevel)
				if got.Code != ac.Expect.Code {
					t.Errorf("%s: the evaluator's refusal is %s", ac.Describe(), got.Code)
				}
				if strings.HasPrefix(ac.Expect.Code, "Forbidden") || strings.HasPrefix(ac.Expect.Code, "NoPermission") {
					refused = true
				}
			}
		}
		if !refused {
			t.Errorf("%s: no case expects a Forbidden or NoPermission refusal", a.Name)
		}
	}
}

func TestScopingRepresentatives(t *testing.T) {
	var got []string
	for _, a := range spec.MustDefault().Actions() {
		if ScopingRepresentative(a) {
			got = append(got, a.Name)
		}
	}
	if len(got) != 4 {
		t.Errorf("representatives %v: want one per product with resource types and one without", got)
	}
}
