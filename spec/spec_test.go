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
