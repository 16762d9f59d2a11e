package report

import (
	"regexp"
	"slices"
	"strings"

	"github.com/onsi/ginkgo/v2/types"
	"github.com/smcct/smcct/recorder"
	"github.com/smcct/smcct/spec"
)

// Report entries a spec may leave for the report: ExchangeEntry, one per call it made
// (suites/framework attaches them), and RuleEntry, the contract rule in the spec's own
// words, shown before the rules the labels point at.
const (
	ExchangeEntry = "exchange"
	RuleEntry     = "rule"
)

// maxExchanges is how many of a failed spec's calls the report shows, the last ones: the
// call that broke the rule is nearly always the last, and a lifecycle walk makes dozens.
const maxExchanges = 3

// Failure is why a spec failed, in the terms of the contract.
type Failure struct {
	// Message is Gomega's or the spec's message as written.
	Message string
	// Expected and Actual are read from a Gomega "Expected <actual> to <...>" message; both
	// are "" when the message has another form.
	Expected, Actual string
	Location         string
	// Rules are the contract rules the spec's labels point at, from the catalog.
	Rules []string
	// Exchanges are the last calls the spec made, credentials redacted; Omitted counts the
	// earlier ones left out.
	Exchanges []string
	Omitted   int
}

func newFailure(sr types.SpecReport, cat *spec.Catalog) *Failure {
	f := &Failure{
		Message:  recorder.RedactText(strings.TrimSpace(sr.Failure.Message)),
		Location: shortLocation(sr.Failure.Location),
		Rules:    rules(cat, sr.Labels()),
	}
	if sr.Failure.ForwardedPanic != "" {
		f.Message = strings.TrimSpace(f.Message + "\npanic: " + sr.Failure.ForwardedPanic)
	}
	if f.Message == "" {
		f.Message = "(no message: the spec " + sr.State.String() + ")"
	}
	f.Actual, f.Expected = expectation(f.Message)
	var ex, own []string
	for _, e := range sr.ReportEntries {
		switch e.Name {
		case ExchangeEntry:
			ex = append(ex, recorder.RedactText(strings.TrimSpace(e.StringRepresentation())))
		case RuleEntry:
			own = append(own, strings.TrimSpace(e.StringRepresentation()))
		}
	}
	f.Rules = append(own, f.Rules...)
	if len(ex) > maxExchanges {
		f.Omitted = len(ex) - maxExchanges
		ex = ex[len(ex)-maxExchanges:]
	}
	f.Exchanges = ex
	return f
}

// gomegaType is the "<*framework.Result | 0xc000123>: " Gomega puts before a value.
var gomegaType = regexp.MustCompile(`^<[^>]*>:\s?`)

// expectation splits a Gomega message, "Expected\n    <T>: actual\nto equal\n    <T>: want",
// into what came and what was expected. Other messages give "", "".
func expectation(msg string) (actual, expected string) {
	lines := strings.Split(msg, "\n")
	start := slices.IndexFunc(lines, func(l string) bool { return strings.TrimRight(strings.TrimSpace(l), ":") == "Expected" })
	if start < 0 {
		return "", ""
	}
	i := start + 1
	var got []string
	for ; i < len(lines) && isIndented(lines[i]); i++ {
		got = append(got, strings.TrimSpace(lines[i]))
	}
	if i == len(lines) || len(got) == 0 {
		return "", ""
	}
	var want []string
	for _, l := range lines[i:] {
		if t := strings.TrimSpace(l); t != "" {
			want = append(want, gomegaType.ReplaceAllString(t, ""))
		}
	}
	got[0] = gomegaType.ReplaceAllString(got[0], "")
	return strings.Join(got, "\n"), strings.Join(want, "\n")
}

func isIndented(l string) bool { return strings.HasPrefix(l, " ") || strings.HasPrefix(l, "\t") }
