package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/onsi/ginkgo/v2/types"
	"golang.org/x/net/html"

	"github.com/smcct/smcct/spec"
)

// invocation is one smcct run's exit code and output.
type invocation struct {
	code int
	out  string
}

func smcct(t *testing.T, args ...string) invocation {
	t.Helper()
	cmd := exec.Command(checkBinary(t), args...)
	cmd.Env = append(os.Environ(), "ALIBABA_CLOUD_ACCESS_KEY_ID=smcct", "ALIBABA_CLOUD_ACCESS_KEY_SECRET=smcct-secret")
	out, _ := cmd.CombinedOutput()
	return invocation{cmd.ProcessState.ExitCode(), string(out)}
}

// faultedAction is the action whose answers the fixture run breaks.
const faultedAction = "StopReplicationJob"

// reportFixture makes one real run of the whole default suite, against `smcct serve` with a
// fault that makes every StopReplicationJob answer 500: every action has specs and counts,
// and some specs fail with real exchanges.
func reportFixture(t *testing.T) (dir string) {
	t.Helper()
	dir = t.TempDir()
	url := startServe(t)
	body := fmt.Sprintf(`{"action":%q,"code":"InternalError","status":500,"message":"injected by the report test","probability":1}`, faultedAction)
	resp, err := http.Post(url+"/_smcct/faults", "application/json", strings.NewReader(body))
	if err != nil || resp.StatusCode/100 != 2 {
		t.Fatalf("injecting the fault: %v %v", err, resp)
	}
	resp.Body.Close()
	// --reset=false keeps the fault: a reset would clear it.
	r := smcct(t, "check", "--endpoint", url, "--reset=false",
		"--json-report", filepath.Join(dir, "run.json"), "--html-report", filepath.Join(dir, "run.html"))
	if r.code != 1 {
		t.Fatalf("run with %s failing: exit %d, want 1\n%s", faultedAction, r.code, lastOf(r.out))
	}
	return dir
}

func lastOf(s string) string {
	if len(s) > 4000 {
		return "..." + s[len(s)-4000:]
	}
	return s
}

// actionCounts counts a JSON report's specs per action label, apart from package report,
// and returns the actions with failures and the number of specs.
func actionCounts(t *testing.T, path string) (map[string]counts, map[string]bool, int) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var reports []types.Report
	if err := json.Unmarshal(data, &reports); err != nil {
		t.Fatal(err)
	}
	m := map[string]counts{}
	failedActions := map[string]bool{}
	total := 0
	for _, r := range reports {
		for _, s := range r.SpecReports {
			if s.LeafNodeType != types.NodeTypeIt {
				continue
			}
			total++
			for _, l := range s.Labels() {
				a, ok := strings.CutPrefix(l, "action:")
				if !ok {
					continue
				}
				c := m[a]
				switch {
				case s.State.Is(types.SpecStatePassed):
					c.passed++
				case s.State.Is(types.SpecStateFailureStates):
					c.failed++
					failedActions[a] = true
				default:
					c.skipped++
				}
				m[a] = c
			}
		}
	}
	return m, failedActions, total
}

// TestReports checks, on a real run of the default suite, the HTML report in a browser,
// `smcct report` against check's own page, and `smcct diff`.
func TestReports(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the full suite")
	}
	dir := reportFixture(t)
	at := func(name string) string { return filepath.Join(dir, name) }

	t.Run("report command writes check's page", func(t *testing.T) {
		r := smcct(t, "report", at("run.json"), "--html", at("again.html"))
		if r.code != 0 {
			t.Fatalf("exit %d\n%s", r.code, r.out)
		}
		a, _ := os.ReadFile(at("run.html"))
		b, _ := os.ReadFile(at("again.html"))
		if !bytes.Equal(a, b) {
			t.Error("smcct report from the JSON report writes another page than check --html-report did")
		}
		if !strings.Contains(r.out, "total: ") || !strings.Contains(r.out, "FAIL: ") {
			t.Errorf("no summary printed:\n%s", lastOf(r.out))
		}
	})

	t.Run("page is self-contained", func(t *testing.T) {
		data, _ := os.ReadFile(at("run.html"))
		if refs := externalRefs(t, data); len(refs) > 0 {
			t.Errorf("the page references outside itself: %v", refs)
		}
	})

	t.Run("diff", func(t *testing.T) { testDiff(t, dir) })

	t.Run("browser", func(t *testing.T) {
		b := newBrowser(t)
		checkMatrix(t, b, at("run.html"), at("run.json"))
		b.screenshot(t, "report-default-run", true)
		checkFiltering(t, b, at("run.json"))
		checkFailureExpands(t, b)
		b.screenshot(t, "report-failure-open", false)
		b.scrollTo(t, fmt.Sprintf(`#matrix tr.action[data-action=%q]`, faultedAction))
		b.screenshot(t, "report-row-expanded", false)
	})
}

// checkMatrix: the page has a visible row for every action of the catalog, with the
// passed/failed/skipped counts of the JSON report, and asks the network for nothing.
func checkMatrix(t *testing.T, b *browser, page, jsonPath string) {
	t.Helper()
	b.open(t, page)
	want, _, total := actionCounts(t, jsonPath)
	type row struct {
		Action                  string
		Passed, Failed, Skipped string
		Visible                 bool
	}
	rows := eval[[]row](t, b, `Array.from(document.querySelectorAll("#matrix tr.action")).map(r => ({
		Action: r.dataset.action, Passed: r.cells[1].textContent, Failed: r.cells[2].textContent,
		Skipped: r.cells[3].textContent, Visible: r.getBoundingClientRect().height > 0}))`)
	got := map[string]row{}
	for _, r := range rows {
		got[r.Action] = r
	}
	for _, a := range spec.MustDefault().Actions() {
		r, ok := got[a.Name]
		if !ok || !r.Visible {
			t.Errorf("%s: no visible row for %s", filepath.Base(page), a.Name)
			continue
		}
		w := want[a.Name]
		if r.Passed != fmt.Sprint(w.passed) || r.Failed != fmt.Sprint(w.failed) || r.Skipped != fmt.Sprint(w.skipped) {
			t.Errorf("%s: %s shows %s/%s/%s, the JSON report has %d/%d/%d", filepath.Base(page), a.Name, r.Passed, r.Failed, r.Skipped, w.passed, w.failed, w.skipped)
		}
	}
	if got := eval[string](t, b, `document.getElementById("matches").textContent`); got != fmt.Sprintf("%d specs", total) {
		t.Errorf("%s counts %q, the JSON report has %d specs", filepath.Base(page), got, total)
	}
	if reqs := b.requests(page); len(reqs) > 0 {
		t.Errorf("%s made requests: %v", filepath.Base(page), reqs)
	}
}

// visibleActions lists the matrix rows the filter leaves.
func visibleActions(t *testing.T, b *browser) []string {
	t.Helper()
	got := eval[[]string](t, b, `Array.from(document.querySelectorAll("#matrix tr.action"))
		.filter(r => r.getBoundingClientRect().height > 0).map(r => r.dataset.action)`)
	sort.Strings(got)
	return got
}

func setFilter(t *testing.T, b *browser, text string) {
	t.Helper()
	eval[bool](t, b, `(() => { const i = document.getElementById("filter"); i.value = ""; i.dispatchEvent(new Event("input")); return true })()`)
	if text != "" {
		b.typeInto(t, "#filter", text)
	}
}

// checkFiltering: the outcome buttons and the filter box narrow the matrix to the rows
// whose specs match.
func checkFiltering(t *testing.T, b *browser, jsonPath string) {
	t.Helper()
	_, failed, _ := actionCounts(t, jsonPath)
	var wantFailed []string
	for a := range failed {
		wantFailed = append(wantFailed, a)
	}
	sort.Strings(wantFailed)
	if !slices.Contains(wantFailed, faultedAction) {
		t.Fatalf("the faulted run's failures are in %v, not %s", wantFailed, faultedAction)
	}
	b.click(t, `button.outcome[data-outcome="failed"]`)
	b.waitFor(t, `document.getElementById("matches").textContent.includes(" of ")`)
	if got := visibleActions(t, b); !slices.Equal(got, wantFailed) {
		t.Errorf("failed filter shows %v, want %v", got, wantFailed)
	}
	b.click(t, `button.outcome[data-outcome=""]`)

	setFilter(t, b, "action:"+faultedAction)
	b.waitFor(t, `document.querySelectorAll("#matrix tr.action:not(.hidden)").length < 10`)
	if got := visibleActions(t, b); !slices.Contains(got, faultedAction) || len(got) > 5 {
		t.Errorf("filter action:%s shows %v", faultedAction, got)
	}
	setFilter(t, b, "no spec has this text")
	b.waitFor(t, `document.querySelectorAll("#matrix tr.action:not(.hidden)").length === 0`)
	setFilter(t, b, "")
	b.waitFor(t, `document.querySelectorAll("#matrix tr.action.hidden").length === 0`)
}

// checkFailureExpands: clicking the faulted action's row lists its specs, and a failure's
// details link opens the failure with its expectation and a redacted exchange.
func checkFailureExpands(t *testing.T, b *browser) {
	t.Helper()
	row := fmt.Sprintf(`#matrix tr.action[data-action=%q]`, faultedAction)
	b.click(t, row)
	b.waitFor(t, fmt.Sprintf(`document.querySelector(%q).nextElementSibling.getBoundingClientRect().height > 0`, row))
	n := eval[int](t, b, fmt.Sprintf(`document.querySelector(%q).nextElementSibling.querySelectorAll("li.spec.failed").length`, row))
	if n == 0 {
		t.Fatalf("the expanded %s row lists no failed spec", faultedAction)
	}
	b.click(t, row+` + tr a.tofailure`)
	b.waitFor(t, `document.querySelector("details.failure[open]") !== null`)
	type failure struct{ Actual, Expected, Exchange, Rules string }
	f := eval[failure](t, b, `(() => { const d = document.querySelector("details.failure[open]");
		const text = s => { const e = d.querySelector(s); return e && e.getBoundingClientRect().height > 0 ? e.textContent : "" };
		const all = Array.from(d.querySelectorAll("pre.exchange")).map(e => e.getBoundingClientRect().height > 0 ? e.textContent : "").join("\n");
		return {Actual: text("pre.actual"), Expected: text("pre.expected"), Exchange: all, Rules: text("ul.rules")} })()`)
	if !strings.Contains(f.Actual, "InternalError") || f.Expected == "" {
		t.Errorf("the open failure shows actual %q, expected %q", f.Actual, f.Expected)
	}
	if !strings.Contains(f.Exchange, faultedAction) || !strings.Contains(f.Exchange, "REDACTED-SIGNATURE") || strings.Contains(f.Exchange, "AccessKeyId=smcct") {
		t.Errorf("the exchange is missing or not redacted:\n%s", f.Exchange)
	}
	if !strings.Contains(f.Rules, faultedAction) {
		t.Errorf("no contract rule shown: %q", f.Rules)
	}
}

// externalRefs lists whatever in an HTML page would load something from outside it:
// elements that fetch, attributes that point elsewhere than an anchor of the page, and
// url() or @import in styles.
func externalRefs(t *testing.T, page []byte) []string {
	t.Helper()
	doc, err := html.Parse(bytes.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	var refs []string
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			switch n.Data {
			case "link", "iframe", "object", "embed", "img", "audio", "video", "source", "base":
				refs = append(refs, "<"+n.Data+">")
			case "style":
				if n.FirstChild != nil && (strings.Contains(n.FirstChild.Data, "url(") || strings.Contains(n.FirstChild.Data, "@import")) {
					refs = append(refs, "style with url() or @import")
				}
			}
			for _, a := range n.Attr {
				switch a.Key {
				case "src", "href", "action", "formaction", "poster", "srcset", "data", "xlink:href":
					if !strings.HasPrefix(a.Val, "#") {
						refs = append(refs, a.Key+"="+a.Val)
					}
				case "style":
					if strings.Contains(a.Val, "url(") {
						refs = append(refs, "style="+a.Val)
					}
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	return refs
}

// editReport writes a copy of a JSON report with edit applied to every It spec.
func editReport(t *testing.T, from, to string, edit func(s *types.SpecReport) (keep bool)) {
	t.Helper()
	data, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	var reports []types.Report
	if err := json.Unmarshal(data, &reports); err != nil {
		t.Fatal(err)
	}
	for i := range reports {
		var kept []types.SpecReport
		for _, s := range reports[i].SpecReports {
			if s.LeafNodeType != types.NodeTypeIt || edit(&s) {
				kept = append(kept, s)
			}
		}
		reports[i].SpecReports = kept
	}
	out, err := json.Marshal(reports)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, out, 0o644); err != nil {
		t.Fatal(err)
	}
}

func hasLabel(s *types.SpecReport, l string) bool { return slices.Contains(s.Labels(), l) }

// testDiff: a run compared with itself does not regress; a copy where some
// StopReplicationJob specs turned from passed to failed regresses and names them, and the
// other way round it does not. (Removed, added and newly skipped specs: package report's
// TestDiffChanges.)
func testDiff(t *testing.T, dir string) {
	at := func(name string) string { return filepath.Join(dir, name) }
	if r := smcct(t, "diff", at("run.json"), at("run.json")); r.code != 0 || !strings.Contains(r.out, "no spec changed") {
		t.Errorf("a report against itself: exit %d\n%s", r.code, r.out)
	}

	var flipped []string
	editReport(t, at("run.json"), at("flipped.json"), func(s *types.SpecReport) bool {
		if hasLabel(s, "action:"+faultedAction) && s.State == types.SpecStatePassed && len(flipped) < 3 {
			s.State, s.Failure = types.SpecStateFailed, types.Failure{Message: "flipped by the test"}
			flipped = append(flipped, s.FullText())
		}
		return true
	})
	if len(flipped) < 3 {
		t.Fatalf("only %d passing %s specs to flip", len(flipped), faultedAction)
	}
	r := smcct(t, "diff", at("run.json"), at("flipped.json"), "--html", at("diff.html"))
	if r.code != 1 {
		t.Errorf("%d %s specs passed -> failed: exit %d, want 1\n%s", len(flipped), faultedAction, r.code, r.out)
	}
	for _, name := range append(flipped, "REGRESSED: 3 specs in "+faultedAction) {
		if !strings.Contains(r.out, name) {
			t.Errorf("the diff does not name %q:\n%s", name, r.out)
		}
	}
	if page, err := os.ReadFile(at("diff.html")); err != nil || !bytes.Contains(page, []byte(html.EscapeString(flipped[0]))) {
		t.Errorf("the HTML diff does not name %q (%v)", flipped[0], err)
	} else if refs := externalRefs(t, page); len(refs) > 0 {
		t.Errorf("the HTML diff references outside itself: %v", refs)
	}
	if r := smcct(t, "diff", at("flipped.json"), at("run.json")); r.code != 0 || !strings.Contains(r.out, "failed -> passed: 3") {
		t.Errorf("fixing the flipped specs: exit %d\n%s", r.code, r.out)
	}
}

// TestProgressLine: on a terminal (script(1) gives the run one) check draws its progress
// line and clears it at the end; with output to a pipe nothing is redrawn.
func TestProgressLine(t *testing.T) {
	scriptBin, err := exec.LookPath("script")
	if err != nil {
		t.Skip("no script(1) to give the run a terminal (util-linux/bsdutils)")
	}
	args := []string{"check", "--label-filter", "action:StopReplicationJob"}
	log := filepath.Join(t.TempDir(), "tty.log")
	cmd := exec.Command(scriptBin, "-qfec", checkBinary(t)+" "+strings.Join(args, " "), log)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	tty, err := os.ReadFile(log)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{" specs, 0 failed, ", "\r\x1b[K", "total: "} {
		if !strings.Contains(string(tty), want) {
			t.Errorf("the terminal run lacks %q:\n%q", want, lastOf(string(tty)))
		}
	}
	piped := smcct(t, args...)
	if piped.code != 0 || strings.Contains(piped.out, "\x1b[K") || strings.Contains(piped.out, " elapsed") {
		t.Errorf("output to a pipe has a progress line (exit %d):\n%q", piped.code, lastOf(piped.out))
	}
}
