package spec

import (
	"os"
	"testing"
)

func loadRules(t testing.TB) *Product {
	t.Helper()
	data, err := os.ReadFile("testdata/rules.yaml")
	if err != nil {
		t.Fatal(err)
	}
	p, err := LoadProduct(data)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestRulesDocumentLoads(t *testing.T) { loadRules(t) }
