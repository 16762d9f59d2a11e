package report

import (
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/onsi/ginkgo/v2/types"
	"golang.org/x/term"
)

// Progress is the one line a terminal shows during a run: specs done of the total,
// failures so far, time elapsed. It is redrawn in place after every spec and cleared at the
// end, so Ginkgo's own output (failures as they happen, the closing summary) reads as
// before. A nil *Progress does nothing: that is what NewProgress returns when output is not
// a terminal, so a CI log gets plain output only.
//
// Ginkgo prints a mark per spec (a dot, or S for a skip) right after the ReportAfterEach
// that calls Spec. The line keeps its first column blank for that mark and the next redraw
// clears it; redrawing less often would let the marks pile up and wrap.
type Progress struct {
	mu                  sync.Mutex
	w                   io.Writer
	now                 func() time.Time
	start               time.Time
	total, done, failed int
	off                 bool
}

// NewProgress returns a progress line on w, or nil when w is not a terminal.
func NewProgress(w io.Writer) *Progress {
	f, ok := w.(interface{ Fd() uintptr })
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	return &Progress{w: w, now: time.Now}
}

// Begin starts the clock; total is the number of specs that will run.
func (p *Progress) Begin(total int) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.start, p.total = p.now(), total
	// Ginkgo's banner (suite, spec count) is on the current line: keep it.
	fmt.Fprint(p.w, "\n")
	p.draw()
}

// Spec counts one finished spec. Suite-level nodes are not specs, and specs the run's
// filters left out (skipped with no reason, not part of the total) are not counted, but
// the line is redrawn for them too, over the mark Ginkgo printed.
func (p *Progress) Spec(s types.SpecReport) {
	if p == nil || s.LeafNodeType != types.NodeTypeIt {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	// In a parallel run every process would draw its own share over the others'.
	if s.RunningInParallel {
		p.off = true
	}
	filteredOut := s.State == types.SpecStateSkipped && s.Failure.Message == ""
	if !filteredOut {
		p.done++
	}
	if s.State.Is(types.SpecStateFailureStates) {
		// Ginkgo prints the failure next, from the first column: start it on a clean
		// line; the next spec's redraw shows the new count.
		p.failed++
		p.clear()
		return
	}
	p.draw()
}

func (p *Progress) clear() {
	if !p.off {
		fmt.Fprint(p.w, "\r\x1b[K")
	}
}

// End clears the line.
func (p *Progress) End() {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.clear()
	p.off = true
}

// draw writes the line and returns the cursor to its start, so whatever Ginkgo prints next
// (a dot per spec) lands on the line's first column, which is kept blank for it.
func (p *Progress) draw() {
	if p.off {
		return
	}
	elapsed := p.now().Sub(p.start).Round(time.Second)
	fmt.Fprintf(p.w, "\r\x1b[K  %d/%d specs, %d failed, %s elapsed\r", p.done, p.total, p.failed, elapsed)
}
