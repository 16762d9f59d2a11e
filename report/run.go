package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"runtime/debug"
	"sort"
	"strings"

	"github.com/onsi/ginkgo/v2/types"
)

// RunEntry names the report entry that carries a run's Run: the JSON report then holds
// everything the HTML header shows, so `smcct report` can render it later.
const RunEntry = "smcct run"

// Run is what the Ginkgo report does not know about a run: what was tested and how.
type Run struct {
	Target string `json:"target"`
	// Capabilities the target offered (control plane, virtual clock, writes, second account).
	Capabilities map[string]bool `json:"capabilities,omitempty"`
	Signature    string          `json:"signature,omitempty"`
	// Mode is "record" or "replay" with cassettes, "" for live calls.
	Mode    string `json:"mode,omitempty"`
	Filter  string `json:"filter,omitempty"`
	Version string `json:"version"`
}

// CapabilityList returns the capabilities sorted, each marked present or absent.
func (r Run) CapabilityList() []string {
	names := make([]string, 0, len(r.Capabilities))
	for k := range r.Capabilities {
		names = append(names, k)
	}
	sort.Strings(names)
	for i, n := range names {
		if r.Capabilities[n] {
			names[i] = n + " yes"
		} else {
			names[i] = n + " no"
		}
	}
	return names
}

// runOf finds the Run entry in the reports, or an empty Run for a report another tool wrote.
func runOf(reports []types.Report) Run {
	for _, r := range reports {
		for _, sr := range r.SpecReports {
			for _, e := range sr.ReportEntries {
				if e.Name != RunEntry {
					continue
				}
				if run, ok := e.Value.GetRawValue().(Run); ok {
					return run // in memory, before any JSON
				}
				var run Run
				if err := json.Unmarshal([]byte(e.Value.AsJSON), &run); err == nil {
					return run
				}
			}
		}
	}
	return Run{}
}

// Version is this binary's version: the module version when built from a tagged module,
// else the VCS revision it was built from, else "devel".
func Version() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "devel"
	}
	if v := bi.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	var rev, dirty string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				dirty = "-dirty"
			}
		}
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if rev == "" {
		return "devel"
	}
	return "devel-" + rev + dirty
}

// Load reads a Ginkgo JSON report: the array of suite reports Ginkgo writes, or one report.
func Load(path string) ([]types.Report, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	data = bytes.TrimSpace(data)
	var reports []types.Report
	if strings.HasPrefix(string(data[:min(len(data), 1)]), "{") {
		var one types.Report
		if err := json.Unmarshal(data, &one); err != nil {
			return nil, fmt.Errorf("%s: not a Ginkgo JSON report: %w", path, err)
		}
		reports = []types.Report{one}
	} else if err := json.Unmarshal(data, &reports); err != nil {
		return nil, fmt.Errorf("%s: not a Ginkgo JSON report: %w", path, err)
	}
	if len(reports) == 0 {
		return nil, fmt.Errorf("%s: the report holds no suite", path)
	}
	return reports, nil
}
