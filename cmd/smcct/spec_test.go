package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/smcct/smcct/spec"
)

func run(t *testing.T, args ...string) (string, error) {
	t.Helper()
	root := newRoot()
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&out)
	root.SetArgs(args)
	err := root.Execute()
	return out.String(), err
}

func TestSpecActionsListsTheCatalog(t *testing.T) {
	c, err := spec.Default()
	if err != nil {
		t.Skipf("the embedded contract does not load yet: %v", err)
	}
	out, err := run(t, "spec", "actions")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 1+len(c.Actions()) {
		t.Errorf("%d lines for %d actions", len(lines), len(c.Actions()))
	}
	for _, a := range c.Actions() {
		if !strings.Contains(out, " "+a.Name+" ") {
			t.Errorf("the table lacks %s", a.Name)
		}
	}
	smc, _ := c.ByName("smc")
	if stop, ok := smc.Action("StopReplicationJob"); ok && len(stop.Preconditions) > 0 {
		if !strings.Contains(out, "ReplicationJob.Status in Running") {
			t.Errorf("StopReplicationJob's precondition is not shown:\n%s", out)
		}
	}
	only, err := run(t, "spec", "actions", "--product", "ebs")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(only, "\nsmc ") {
		t.Errorf("--product ebs lists smc actions")
	}
}

func TestSpecDump(t *testing.T) {
	if _, err := spec.Default(); err != nil {
		t.Skipf("the embedded contract does not load yet: %v", err)
	}
	cases := []struct {
		reason  string
		args    []string
		wantErr string
	}{
		{"json parses and is the smc document", []string{"--product", "smc", "--format", "json"}, ""},
		{"yaml is the embedded source", []string{"--product", "ebs"}, ""},
		{"the product is required", []string{"--format", "json"}, "--product is required"},
		{"an unknown product is named", []string{"--product", "ecs"}, `unknown product "ecs"`},
		{"an unknown format is named", []string{"--product", "smc", "--format", "xml"}, `unknown format "xml"`},
	}
	for _, c := range cases {
		out, err := run(t, append([]string{"spec", "dump"}, c.args...)...)
		if c.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Errorf("%s: got %v", c.reason, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", c.reason, err)
			continue
		}
		if strings.Contains(strings.Join(c.args, " "), "json") {
			var doc struct {
				OpenAPI string         `json:"openapi"`
				Info    map[string]any `json:"info"`
			}
			if err := json.Unmarshal([]byte(out), &doc); err != nil || doc.OpenAPI == "" || doc.Info["x-acs-product"] != "smc" {
				t.Errorf("%s: %v %+v", c.reason, err, doc)
			}
		} else if !strings.HasPrefix(out, "openapi:") && !strings.Contains(out, "\nopenapi:") {
			t.Errorf("%s: not the YAML source", c.reason)
		}
	}
}
