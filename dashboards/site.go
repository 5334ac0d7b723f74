// Package dashboards renders reports as self-contained HTML pages: ECharts
// is inlined from the pinned npm package, chart ids are fixed, and the same
// warehouse gives byte-identical files. Untrusted text stays text: html/template
// escapes it in HTML, and chart options are JSON with <, > and & escaped.
package dashboards

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"html/template"
	"path/filepath"
	"time"

	"github.com/shopspring/decimal"

	"github.com/kam-analytics/kam/reports"
)

var decOne = decimal.NewFromInt(1)

// Options choose the language and the date of a rendering.
type Options struct {
	Lang   string // ru (default) or en
	AsOf   time.Time
	Period string // YYYY-MM; default the month of AsOf
}

var landingTpl = template.Must(template.New("landing").Parse(`
<section>
<h2>{{.Heading}}</h2>
<ul class="links">
{{range .Links}}<li><a href="{{.Href}}">{{.Text}}</a></li>
{{end}}
</ul>
</section>
`))

type link struct{ Href, Text string }

// RenderSite writes dir/index.html and a folder per audience.
func RenderSite(ctx context.Context, db *sql.DB, dir string, opt Options) error {
	lang := opt.Lang
	if lang != "en" {
		lang = "ru"
	}
	params := reports.Params{AsOf: opt.AsOf, Period: opt.Period}
	d, err := reports.LoadDirector(ctx, db, params)
	if err != nil {
		return err
	}
	dp, err := directorPage(d, lang)
	if err != nil {
		return err
	}
	dp.Footer = footer(lang, opt.AsOf)
	if err := dp.write(filepath.Join(dir, "director", "index.html")); err != nil {
		return err
	}
	links := []link{{Href: "director/index.html", Text: tr(lang, "director.link")}}
	var b bytes.Buffer
	if err := landingTpl.Execute(&b, map[string]any{"Heading": tr(lang, "audiences"), "Links": links}); err != nil {
		return err
	}
	landing := &Page{Lang: lang, Title: tr(lang, "kam"), Subtitle: tr(lang, "as_of") + " " + opt.AsOf.Format("2006-01-02"),
		Body: template.HTML(b.String()), Footer: footer(lang, opt.AsOf)}
	return landing.write(filepath.Join(dir, "index.html"))
}

func footer(lang string, asOf time.Time) string {
	return fmt.Sprintf("kam · %s %s", tr(lang, "as_of"), asOf.Format("2006-01-02"))
}
