package report

import (
	"embed"
	"fmt"
	"html/template"
	"io"
	"strings"
	"time"
)

//go:embed assets
var assets embed.FS

// pages holds the report and diff templates with the stylesheet and script they inline:
// the written file references nothing outside itself, so it opens offline and as a CI
// artifact.
var pages = template.Must(template.New("").Funcs(template.FuncMap{
	"lower":    strings.ToLower,
	"join":     strings.Join,
	"labels":   func(s *Spec) string { return strings.ToLower(strings.Join(s.Labels, " ")) },
	"when":     when,
	"duration": func(a, b time.Time) string { return b.Sub(a).Round(time.Millisecond).String() },
	"cell":     cell,
}).ParseFS(assets, "assets/*.tmpl"))

func asset(name string) string {
	b, err := assets.ReadFile("assets/" + name)
	if err != nil {
		panic(err) // embedded at build time
	}
	return string(b)
}

type page struct {
	*Summary
	CSS template.CSS
	JS  template.JS
}

// Columns is the matrix's width: action, three counts, one column per category.
func (p page) Columns() int { return 4 + len(p.Categories) }

// ActionsKnown counts the catalog's actions.
func (p page) ActionsKnown() int {
	n := 0
	for _, r := range p.Rows() {
		if r.Known {
			n++
		}
	}
	return n
}

// ActionsRun counts the catalog's actions at least one spec ran for (passed or failed).
func (p page) ActionsRun() int {
	n := 0
	for _, r := range p.Rows() {
		if r.Known && r.Total.Passed+r.Total.Failed > 0 {
			n++
		}
	}
	return n
}

// Label returns the tally of one label over the whole run.
func (sum *Summary) Label(l string) Tally {
	if t := sum.Labels[l]; t != nil {
		return *t
	}
	return Tally{}
}

// WriteHTML renders the summary as one self-contained HTML page.
func WriteHTML(w io.Writer, sum *Summary) error {
	return pages.ExecuteTemplate(w, "report.html.tmpl", page{Summary: sum, CSS: template.CSS(asset("report.css")), JS: template.JS(asset("report.js"))})
}

// cell renders one matrix cell: passed over run, coloured by outcome, the full counts in
// its title.
func cell(t Tally, category string) template.HTML {
	if t.Total() == 0 {
		return template.HTML(fmt.Sprintf(`<td class="cell none" data-category="%s" title="no %s spec">&middot;</td>`,
			template.HTMLEscapeString(category), template.HTMLEscapeString(category)))
	}
	text := fmt.Sprintf("%d/%d", t.Passed, t.Passed+t.Failed)
	if t.Passed+t.Failed == 0 {
		text = fmt.Sprintf("%d skipped", t.Skipped)
	} else if t.Failed > 0 {
		text = fmt.Sprintf("&#x2717;%d &middot; %s", t.Failed, text)
	}
	return template.HTML(fmt.Sprintf(`<td class="cell %s" data-category="%s" title="%s: %d passed, %d failed, %d skipped">%s</td>`,
		t.Outcome(), template.HTMLEscapeString(category), template.HTMLEscapeString(category), t.Passed, t.Failed, t.Skipped, text))
}

func when(t time.Time) string {
	if t.IsZero() {
		return "unknown time"
	}
	return t.UTC().Format("2006-01-02 15:04:05 UTC")
}

type diffPage struct {
	*Delta
	BaseName, OtherName, Version string
	CSS                          template.CSS
}

// Kinds are the change columns of the action table.
func (diffPage) Kinds() []Change { return Changes }

type changeGroup struct {
	Title, Class string
	Change       Change
	Open         bool
	Specs        []SpecChange
}

// Groups lists the changed specs by kind, regressions first and open.
func (p diffPage) Groups() []changeGroup {
	var out []changeGroup
	if regs := p.Regressions(); len(regs) > 0 {
		out = append(out, changeGroup{Title: "regressions", Class: "regressed", Change: "regression", Open: true, Specs: regs})
	}
	for _, k := range Changes {
		var list []SpecChange
		for _, c := range p.Specs {
			if c.Change == k && !c.Regression() {
				list = append(list, c)
			}
		}
		if len(list) > 0 {
			out = append(out, changeGroup{Title: string(k), Change: k, Specs: list})
		}
	}
	return out
}

// WriteHTML renders the difference as one self-contained page.
func (d *Delta) WriteHTML(w io.Writer, baseName, otherName string) error {
	return pages.ExecuteTemplate(w, "diff.html.tmpl", diffPage{Delta: d, BaseName: baseName, OtherName: otherName,
		Version: Version(), CSS: template.CSS(asset("report.css"))})
}
