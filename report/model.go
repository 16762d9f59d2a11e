package report

import (
	"cmp"
	"path"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/onsi/ginkgo/v2/types"
	"github.com/smcct/smcct/spec"
)

// Outcome is what became of one spec, in the three kinds a reader cares about.
type Outcome string

// The outcomes. Ginkgo's failure states (panicked, timed out, interrupted, aborted) are
// Failed; pending is Skipped.
const (
	Passed  Outcome = "passed"
	Failed  Outcome = "failed"
	Skipped Outcome = "skipped"
)

func outcomeOf(s types.SpecState) Outcome {
	switch {
	case s.Is(types.SpecStatePassed):
		return Passed
	case s.Is(types.SpecStateFailureStates):
		return Failed
	}
	return Skipped
}

// Tally counts outcomes.
type Tally struct{ Passed, Failed, Skipped int }

// Add counts one outcome.
func (t *Tally) Add(o Outcome) {
	switch o {
	case Passed:
		t.Passed++
	case Failed:
		t.Failed++
	default:
		t.Skipped++
	}
}

// Total is the number of specs counted.
func (t Tally) Total() int { return t.Passed + t.Failed + t.Skipped }

// Outcome sums a tally up: failed if anything failed, passed if something passed, skipped
// if everything was skipped, "" when nothing was counted.
func (t Tally) Outcome() Outcome {
	switch {
	case t.Failed > 0:
		return Failed
	case t.Passed > 0:
		return Passed
	case t.Skipped > 0:
		return Skipped
	}
	return ""
}

// Spec is one spec of a run as a reader sees it.
type Spec struct {
	// ID names the spec within one summary (an HTML anchor).
	ID string
	// Key is the spec's full text (containers and leaf): what Diff matches two runs by.
	Key        string
	Text       string
	Containers []string
	// Actions are the spec's action:<Name> labels; most specs have one, lifecycle walks many.
	Actions []string
	// Categories are its labels without a colon (validation, precondition, ...).
	Categories []string
	Labels     []string
	Outcome    Outcome
	// State is Ginkgo's state when it says more than Outcome (panicked, timedout, pending).
	State string
	// Reason is why a skipped spec did not run.
	Reason   string
	Location string
	Duration time.Duration
	Failure  *Failure
}

// Search is the text a filter matches a spec against.
func (s *Spec) Search() string {
	return strings.ToLower(s.Key + " " + strings.Join(s.Labels, " ") + " " + string(s.Outcome))
}

// Row is one action of the matrix: every spec labelled with it, counted per category.
type Row struct {
	Action string
	// Known: the catalog describes the action (an unknown one comes from labels alone).
	Known   bool
	Summary string
	Total   Tally
	Cells   map[string]*Tally
	Specs   []*Spec
}

// Cell returns the tally of one category, zero when no spec of it ran.
func (r *Row) Cell(category string) Tally {
	if t := r.Cells[category]; t != nil {
		return *t
	}
	return Tally{}
}

// Group is the rows of one product, or of specs no known product claims.
type Group struct {
	Title string
	Rows  []*Row
}

// SkipGroup is the specs skipped for one reason.
type SkipGroup struct {
	Reason string
	Specs  []*Spec
}

// Summary is a run, ready to print or render.
type Summary struct {
	Run        Run
	Suite      string
	Start, End time.Time
	Total      Tally
	// Categories are the matrix's columns, every label without a colon, sorted.
	Categories []string
	// Labels counts every category and every needs:<capability> label.
	Labels   map[string]*Tally
	Groups   []*Group
	Specs    []*Spec
	Failures []*Spec
	Skips    []SkipGroup
}

// Build summarises one or more reports (a parallel or multi-suite run has several) against
// the catalog, which supplies the action rows no spec ran for.
func Build(reports []types.Report, cat *spec.Catalog) *Summary {
	sum := &Summary{Labels: map[string]*Tally{}, Run: runOf(reports)}
	keys := map[string]int{}
	for _, r := range reports {
		if sum.Suite == "" {
			sum.Suite = r.SuiteDescription
		}
		if sum.Start.IsZero() || r.StartTime.Before(sum.Start) {
			sum.Start = r.StartTime
		}
		if r.EndTime.After(sum.End) {
			sum.End = r.EndTime
		}
		for _, sr := range r.SpecReports {
			// Suite-level nodes count only when they failed: a failed BeforeSuite is why
			// nothing ran.
			if sr.LeafNodeType != types.NodeTypeIt && !sr.State.Is(types.SpecStateFailureStates) {
				continue
			}
			s := newSpec(sr, len(sum.Specs), cat)
			// Diff matches specs by key, so two specs with one text (a parallel run's
			// repeated suite node) are told apart by their order.
			base := s.Key
			if n := keys[base]; n > 0 {
				s.Key = base + " #" + strconv.Itoa(n+1)
			}
			keys[base]++
			sum.add(s)
		}
	}
	sum.group(cat)
	sum.skips()
	return sum
}

func newSpec(sr types.SpecReport, i int, cat *spec.Catalog) *Spec {
	s := &Spec{
		ID:         "s" + strconv.Itoa(i),
		Key:        sr.FullText(),
		Text:       sr.LeafNodeText,
		Containers: sr.ContainerHierarchyTexts,
		Labels:     sr.Labels(),
		Outcome:    outcomeOf(sr.State),
		Location:   shortLocation(sr.LeafNodeLocation),
		Duration:   sr.RunTime,
	}
	if s.Text == "" {
		s.Text = "[" + sr.LeafNodeType.String() + "]"
		s.Key = strings.TrimSpace(s.Key + " " + s.Text)
	}
	if st := sr.State.String(); st != string(s.Outcome) {
		s.State = st
	}
	for _, l := range s.Labels {
		if name, ok := strings.CutPrefix(l, "action:"); ok {
			s.Actions = append(s.Actions, name)
		} else if !strings.Contains(l, ":") {
			s.Categories = append(s.Categories, l)
		}
	}
	switch s.Outcome {
	case Failed:
		s.Failure = newFailure(sr, cat)
	case Skipped:
		s.Reason = skipReason(sr)
	}
	return s
}

func skipReason(sr types.SpecReport) string {
	if m := strings.TrimSpace(sr.Failure.Message); m != "" {
		return m
	}
	if sr.State.Is(types.SpecStatePending) {
		return "pending"
	}
	return "not selected by the run's filters"
}

func (sum *Summary) add(s *Spec) {
	sum.Specs = append(sum.Specs, s)
	sum.Total.Add(s.Outcome)
	for _, l := range s.Labels {
		if !strings.Contains(l, ":") || strings.HasPrefix(l, "needs:") {
			tally(sum.Labels, l).Add(s.Outcome)
		}
	}
	for _, c := range s.Categories {
		if !slices.Contains(sum.Categories, c) {
			sum.Categories = append(sum.Categories, c)
		}
	}
	if s.Outcome == Failed {
		sum.Failures = append(sum.Failures, s)
	}
}

// group makes one row per catalog action, product by product, then rows for actions only
// labels name and for specs with no action label.
func (sum *Summary) group(cat *spec.Catalog) {
	sort.Strings(sum.Categories)
	rows := map[string]*Row{}
	if cat != nil {
		for _, p := range cat.Products() {
			g := &Group{Title: p.Name + " " + p.Version}
			for _, a := range p.Actions() {
				r := &Row{Action: a.Name, Known: true, Summary: a.Summary, Cells: map[string]*Tally{}}
				rows[a.Name] = r
				g.Rows = append(g.Rows, r)
			}
			sum.Groups = append(sum.Groups, g)
		}
	}
	other := &Group{Title: "not in the contract"}
	const noAction = "(no action label)"
	for _, s := range sum.Specs {
		names := s.Actions
		if len(names) == 0 {
			names = []string{noAction}
		}
		for _, name := range names {
			r := rows[name]
			if r == nil {
				r = &Row{Action: name, Cells: map[string]*Tally{}}
				rows[name] = r
				other.Rows = append(other.Rows, r)
			}
			r.Specs = append(r.Specs, s)
			r.Total.Add(s.Outcome)
			for _, c := range s.Categories {
				tally(r.Cells, c).Add(s.Outcome)
			}
		}
	}
	if len(other.Rows) > 0 {
		slices.SortFunc(other.Rows, func(a, b *Row) int { return cmp.Compare(a.Action, b.Action) })
		sum.Groups = append(sum.Groups, other)
	}
}

// skips groups skipped specs by reason, the most common reason first.
func (sum *Summary) skips() {
	idx := map[string]int{}
	for _, s := range sum.Specs {
		if s.Outcome != Skipped {
			continue
		}
		i, ok := idx[s.Reason]
		if !ok {
			i = len(sum.Skips)
			idx[s.Reason] = i
			sum.Skips = append(sum.Skips, SkipGroup{Reason: s.Reason})
		}
		sum.Skips[i].Specs = append(sum.Skips[i].Specs, s)
	}
	slices.SortStableFunc(sum.Skips, func(a, b SkipGroup) int { return cmp.Compare(len(b.Specs), len(a.Specs)) })
}

// Rows returns every row of every group.
func (sum *Summary) Rows() []*Row {
	var out []*Row
	for _, g := range sum.Groups {
		out = append(out, g.Rows...)
	}
	return out
}

func tally(m map[string]*Tally, k string) *Tally {
	if m[k] == nil {
		m[k] = &Tally{}
	}
	return m[k]
}

// shortLocation keeps a location's directory and file: the build machine's path before it
// means nothing to a reader of the report.
func shortLocation(l types.CodeLocation) string {
	if l.FileName == "" {
		return ""
	}
	dir, file := path.Split(l.FileName)
	return path.Join(path.Base(dir), file) + ":" + strconv.Itoa(l.LineNumber)
}
