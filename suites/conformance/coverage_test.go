package conformance_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/onsi/ginkgo/v2/types"
	"gopkg.in/yaml.v3"

	"github.com/smcct/smcct/spec"
)

var update = flag.Bool("update", false, "rewrite suites/testdata/conformance.yaml from a dry run")

const (
	coveragePath = "../testdata/conformance.yaml"
	ledgerPath   = "../testdata/unprovokable.yaml"
	regenerate   = "go test ./suites/conformance -run TestCoverageList -update"
)

// listedSpec is one spec of the tree as the coverage list shows it.
type listedSpec struct {
	Text   string   `yaml:"text"`
	Labels []string `yaml:"labels,flow"`
}

var (
	treeOnce sync.Once
	tree     []listedSpec
	treeErr  error
)

// specTree lists every spec with its labels. Ginkgo allows one RunSpecs per process, so the
// test binary runs itself: TestConformance alone, as a dry run writing a JSON report.
func specTree(t *testing.T) []listedSpec {
	t.Helper()
	treeOnce.Do(func() { tree, treeErr = dryRun(t.TempDir()) })
	if treeErr != nil {
		t.Fatal(treeErr)
	}
	return tree
}

func dryRun(dir string) ([]listedSpec, error) {
	report := filepath.Join(dir, "dry-run.json")
	cmd := exec.Command(os.Args[0], "-test.run=^TestConformance$", "-ginkgo.dry-run", "-ginkgo.json-report="+report, "-ginkgo.no-color")
	if out, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("dry run: %v\n%s", err, out)
	}
	data, err := os.ReadFile(report)
	if err != nil {
		return nil, err
	}
	var reports []types.Report
	if err := json.Unmarshal(data, &reports); err != nil {
		return nil, fmt.Errorf("dry-run report: %w", err)
	}
	var out []listedSpec
	for _, r := range reports {
		for _, s := range r.SpecReports {
			if s.LeafNodeType != types.NodeTypeIt {
				continue
			}
			labels := append([]string(nil), s.Labels()...)
			sort.Strings(labels)
			out = append(out, listedSpec{Text: s.FullText(), Labels: labels})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Text != out[j].Text {
			return out[i].Text < out[j].Text
		}
		return strings.Join(out[i].Labels, ",") < strings.Join(out[j].Labels, ",")
	})
	return out, nil
}

func renderList(specs []listedSpec) ([]byte, error) {
	var b bytes.Buffer
	fmt.Fprintf(&b, "# Every conformance spec with its labels, from a dry run. Generated: do not edit.\n")
	fmt.Fprintf(&b, "# Regenerate with: %s\n", regenerate)
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(map[string]any{"count": len(specs), "specs": specs}); err != nil {
		return nil, err
	}
	return b.Bytes(), enc.Close()
}

// TestCoverageList keeps the checked-in list of specs in step with the tree and checks that
// every action of the contract is exercised by some spec.
func TestCoverageList(t *testing.T) {
	specs := specTree(t)
	want, err := renderList(specs)
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.WriteFile(coveragePath, want, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(coveragePath)
	if err != nil {
		t.Fatalf("%v (create it with: %s)", err, regenerate)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s is stale: the spec tree changed; regenerate with: %s", coveragePath, regenerate)
	}
	exercised := map[string]bool{}
	for _, s := range specs {
		for _, l := range s.Labels {
			if name, ok := strings.CutPrefix(l, "action:"); ok {
				exercised[name] = true
			}
		}
	}
	actions := spec.MustDefault().Actions()
	for _, a := range actions {
		if !exercised[a.Name] {
			t.Errorf("no spec is labelled action:%s", a.Name)
		}
	}
	t.Logf("%d specs, %d actions", len(specs), len(actions))
}
