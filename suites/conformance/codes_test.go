package conformance_test

import (
	"os"
	"sort"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/smcct/smcct/spec"
)

// gatewayScope names the gateway's own codes in the ledger: they belong to no one action.
const gatewayScope = "gateway"

// ledgerEntry says why a documented code has no spec. Actions lists where it applies:
// action names, "*" for every action documenting it, or "gateway".
type ledgerEntry struct {
	Code    string   `yaml:"code"`
	Actions []string `yaml:"actions,flow"`
	Reason  string   `yaml:"reason"`
}

func readLedger(t *testing.T) []ledgerEntry {
	t.Helper()
	data, err := os.ReadFile(ledgerPath)
	if err != nil {
		t.Fatal(err)
	}
	var l struct {
		Codes []ledgerEntry `yaml:"codes"`
	}
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	dec.KnownFields(true)
	if err := dec.Decode(&l); err != nil {
		t.Fatalf("%s: %v", ledgerPath, err)
	}
	for _, e := range l.Codes {
		if e.Code == "" || len(e.Actions) == 0 || strings.TrimSpace(e.Reason) == "" {
			t.Fatalf("%s: entry %+v needs a code, actions and a reason", ledgerPath, e)
		}
	}
	return l.Codes
}

// pair is one documented code of one action (or of the gateway).
type pair struct{ scope, code string }

func documentedPairs(c *spec.Catalog) map[pair]bool {
	out := map[pair]bool{}
	for _, a := range allActions(c) {
		for _, e := range a.Errors {
			out[pair{a.Name, e.Code}] = true
		}
	}
	for _, e := range c.Gateway.Errors {
		out[pair{gatewayScope, e.Code}] = true
	}
	return out
}

// provokedPairs reads the specs' labels: a spec labelled code:C provokes C for every action
// it is labelled with, and for the gateway.
func provokedPairs(specs []listedSpec) map[pair]bool {
	out := map[pair]bool{}
	for _, s := range specs {
		var actions, codes []string
		for _, l := range s.Labels {
			if v, ok := strings.CutPrefix(l, "action:"); ok {
				actions = append(actions, v)
			}
			if v, ok := strings.CutPrefix(l, "code:"); ok {
				codes = append(codes, v)
			}
		}
		for _, c := range codes {
			out[pair{gatewayScope, c}] = true
			for _, a := range actions {
				out[pair{a, c}] = true
			}
		}
	}
	return out
}

// expand lists the pairs a ledger entry stands for.
func expand(e ledgerEntry, documented map[pair]bool) []pair {
	var out []pair
	for _, scope := range e.Actions {
		if scope != "*" {
			out = append(out, pair{scope, e.Code})
			continue
		}
		for p := range documented {
			if p.code == e.Code && p.scope != gatewayScope {
				out = append(out, p)
			}
		}
	}
	return out
}

// ledgerProblems: a named action must document the code and no spec may provoke it there; a
// "*" entry covers the documenting actions no spec provokes, and is stale when there are none.
func ledgerProblems(e ledgerEntry, documented, provoked map[pair]bool) []string {
	var out []string
	for _, scope := range e.Actions {
		p := pair{scope, e.Code}
		switch {
		case scope == "*":
			left := 0
			for _, q := range expand(ledgerEntry{Code: e.Code, Actions: []string{"*"}}, documented) {
				if !provoked[q] {
					left++
				}
			}
			if left == 0 {
				out = append(out, "every action documenting "+e.Code+" has a spec provoking it")
			}
		case !documented[p]:
			out = append(out, scope+" does not document "+e.Code)
		case provoked[p]:
			out = append(out, scope+" "+e.Code+" is provoked by a spec after all")
		}
	}
	return out
}

// TestErrorCodeCoverage: every documented code is provoked by a spec or explained in the
// ledger, and the ledger explains only codes that are documented and not provoked.
func TestErrorCodeCoverage(t *testing.T) {
	cat := spec.MustDefault()
	documented := documentedPairs(cat)
	provoked := provokedPairs(specTree(t))
	ledgered := map[pair]bool{}
	var stale []string
	for _, e := range readLedger(t) {
		stale = append(stale, ledgerProblems(e, documented, provoked)...)
		for _, p := range expand(e, documented) {
			ledgered[p] = true
		}
	}
	var missing []string
	perProduct := map[string][3]int{} // documented, provoked, ledgered
	for p := range documented {
		product := productOf(cat, p.scope)
		n := perProduct[product]
		n[0]++
		switch {
		case provoked[p]:
			n[1]++
		case ledgered[p]:
			n[2]++
		default:
			missing = append(missing, p.scope+" "+p.code)
		}
		perProduct[product] = n
	}
	sort.Strings(missing)
	sort.Strings(stale)
	for _, m := range missing {
		t.Errorf("documented code neither provoked by a spec (label code:<Code> with action:<Name>) nor in %s: %s", ledgerPath, m)
	}
	for _, s := range stale {
		t.Errorf("stale ledger entry in %s: %s", ledgerPath, s)
	}
	for _, product := range []string{"smc", "ebs", "sts", gatewayScope} {
		n := perProduct[product]
		t.Logf("%s: %d documented codes (action, code), %d provoked, %d ledgered", product, n[0], n[1], n[2])
	}
}

// allActions are the contract's actions and the auxiliary services' (STS), whose codes the
// STS specs provoke.
func allActions(c *spec.Catalog) []*spec.Action {
	out := append([]*spec.Action(nil), c.Actions()...)
	for _, p := range c.Auxiliary() {
		out = append(out, p.Actions()...)
	}
	return out
}

func productOf(c *spec.Catalog, scope string) string {
	for _, a := range allActions(c) {
		if a.Name == scope {
			return a.Product.Name
		}
	}
	return gatewayScope
}

// TestEveryActionHasAnAuthorizationSpec: every action of the contract, and AssumeRole, is
// refused by RAM in at least one spec: one labelled with the action and a Forbidden* or
// NoPermission* code.
func TestEveryActionHasAnAuthorizationSpec(t *testing.T) {
	refused := map[string]bool{}
	for _, s := range specTree(t) {
		var actions []string
		denial := false
		for _, l := range s.Labels {
			if v, ok := strings.CutPrefix(l, "action:"); ok {
				actions = append(actions, v)
			}
			if strings.HasPrefix(l, "code:Forbidden") || strings.HasPrefix(l, "code:NoPermission") {
				denial = true
			}
		}
		for _, a := range actions {
			refused[a] = refused[a] || denial
		}
	}
	for _, a := range allActions(spec.MustDefault()) {
		if !refused[a.Name] {
			t.Errorf("%s: no spec labelled action:%s with a code:Forbidden* or code:NoPermission* label", a.Name, a.Name)
		}
	}
}
