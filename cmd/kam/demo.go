package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/csv"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/kam-analytics/kam/cmd/kam/internal/config"
	"github.com/kam-analytics/kam/ingest/gen"
	"github.com/kam-analytics/kam/models/pay"
)

var zeroTime time.Time

// demoMarker marks a folder kam demo made, so it may replace it.
const demoMarker = ".kam-demo"

func (a *app) demoCmd() *cobra.Command {
	var dir, lang, asOf string
	var realFormats bool
	opt := gen.Options{}
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Generate a sample company, load it and write its dashboards into demo/",
		Long: `demo is gen + init + run: it writes a synthetic distributor into DIR/inbox,
a kam.yaml beside it, ingests, builds and renders the dashboards: DIR/site in
--lang (Russian by default) and DIR/site-<other> in the other language.

By default the company arrives the way a real one does: orders as a 1C export
in windows-1251 with ";" and decimal commas (a few bad rows among them, see
` + "`kam export quarantine`" + `), payments as 1CClientBankExchange statements matched
to clients by INN, clients and activities as an XLSX CRM export, deals as
NDJSON from an API, all mapped onto the canonical entities in kam.yaml.
--real-formats=false writes canonical CSV instead.

HR's side is played too: the pay runs of the year up to two months before
the as-of month are locked, then a late credit note for the last locked month
is ingested, so the HR page shows locked sheets and the adjustment the late
data makes in the next open month (` + "`kam pay --period`" + `).

A folder made by an earlier demo is replaced; any other non-empty folder is
left alone.`,
		Example: "  kam demo && xdg-open demo/site/index.html\n  kam demo --dir /tmp/demo --lang en\n  kam demo --real-formats=false --clients 100",
		RunE: func(cmd *cobra.Command, args []string) error {
			if lang != "ru" && lang != "en" {
				return withCode(exitUsage, fmt.Errorf("--lang %q: want ru or en", lang))
			}
			if err := prepareDemoDir(dir); err != nil {
				return err
			}
			var err error
			if opt.AsOf, err = a.defaultAsOf(asOf); err != nil {
				return err
			}
			inbox := filepath.Join(dir, "inbox")
			if _, err := gen.Write(cmd.Context(), inbox, opt); err != nil {
				return err
			}
			company := config.Company{Name: "ООО «Демо-Дистрибуция»", INN: "7701234567", Currency: "RUB"}
			var without []string
			extra := ""
			if realFormats {
				if err := gen.RealFormats(inbox, gen.Company{Name: company.Name, INN: company.INN}, opt.Seed); err != nil {
					return err
				}
				without, extra = gen.RealFormatEntities, gen.RealFormatSources
			}
			if _, err := config.InitWith(dir, company, without, extra); err != nil {
				return err
			}
			c, err := config.Load(filepath.Join(dir, config.DefaultPath))
			if err != nil {
				return err
			}
			if _, err := a.ingest(cmd.Context(), c, nil, false); err != nil {
				return err
			}
			res, err := a.build(cmd.Context(), c, opt.AsOf, false)
			if err != nil {
				return err
			}
			if err := a.demoPayRuns(cmd.Context(), c, res.AsOf); err != nil {
				return fmt.Errorf("demo pay runs: %w", err)
			}
			if res, err = a.build(cmd.Context(), c, res.AsOf, false); err != nil {
				return err
			}
			site := c.Resolve(c.Site)
			other := map[string]string{"ru": "en", "en": "ru"}[lang]
			if err := a.render(cmd.Context(), c, site, lang, res.AsOf); err != nil {
				return err
			}
			if err := a.render(cmd.Context(), c, site+"-"+other, other, res.AsOf); err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "demo: open %s (%s; %s: %s)\n", filepath.Join(site, "index.html"), lang, other, filepath.Join(site+"-"+other, "index.html"))
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&dir, "dir", "demo", "folder for the demo company")
	f.StringVar(&lang, "lang", "ru", "language of the pages: ru or en")
	f.StringVar(&asOf, "as-of", "", "last data date YYYY-MM-DD (default: yesterday)")
	f.Int64Var(&opt.Seed, "seed", 1, "random seed of the sample company")
	f.IntVar(&opt.Managers, "managers", 12, "number of KAMs")
	f.IntVar(&opt.Clients, "clients", 600, "number of clients")
	f.IntVar(&opt.Months, "months", 24, "months of history")
	f.BoolVar(&opt.Hostile, "hostile", false, "give some clients hostile names to see that they stay text")
	f.BoolVar(&realFormats, "real-formats", true, "deliver orders, payments, clients and activities as a 1C export, bank statements, an XLSX CRM export and NDJSON, ingested through mappings")
	return cmd
}

// demoPayRuns plays HR's month: the months of the year up to two before
// the as-of month are paid and locked, then a credit note for a locked
// month arrives late. The next build leaves the locked sheets as they were
// and the difference shows as an adjustment in the next open month.
func (a *app) demoPayRuns(ctx context.Context, c *config.Config, asOf time.Time) error {
	if !isRegularFile(c.Resolve(c.Compensation)) {
		return nil
	}
	wrote, err := a.demoLockAndCredit(ctx, c, asOf)
	if err != nil || !wrote {
		return err
	}
	_, err = a.ingest(ctx, c, []string{"returns"}, false)
	return err
}

// demoLockAndCredit locks the pay runs and writes the late credit note into
// the returns inbox; it reports whether it wrote one.
func (a *app) demoLockAndCredit(ctx context.Context, c *config.Config, asOf time.Time) (bool, error) {
	plans, err := a.payPlans(c)
	if err != nil {
		return false, err
	}
	db, err := a.openWarehouse(ctx, c, false)
	if err != nil {
		return false, err
	}
	defer db.Close()
	last := pay.PeriodOf(asOf).Prev().Prev()
	locked := 0
	for p := pay.PeriodOf(time.Date(asOf.Year(), 1, 1, 0, 0, 0, 0, time.UTC)); !last.Before(p); p = p.Next() {
		// HR locks a month on the 5th of the next one, 10:00: the demo's
		// dates follow its data, not the clock.
		lockedAt := p.Next().Start().AddDate(0, 0, 4).Add(10 * time.Hour)
		opt := pay.LockOptions{Now: func() time.Time { return lockedAt }, Actor: "hr (kam demo)"}
		if _, err := pay.Lock(ctx, db, plans, p, opt); err != nil {
			return false, fmt.Errorf("lock %s: %w", p, err)
		}
		locked++
	}
	if locked == 0 {
		return false, nil
	}
	// The late credit note: a quarter of the largest line shipped in the last locked month.
	var clientID, sku, orderID, qty, amount string
	err = db.QueryRowContext(ctx, `
		SELECT client_id, sku, order_id,
			greatest(1, floor(shipped_qty / 4))::VARCHAR,
			(greatest(1, floor(shipped_qty / 4)) * price)::DECIMAL(18, 2)::VARCHAR
		FROM main.order_lines
		WHERE shipped_on BETWEEN ? AND ? AND shipped_qty >= 1
		ORDER BY shipped_qty * price DESC, order_id, line_no
		LIMIT 1`, last.Start(), last.End()).Scan(&clientID, &sku, &orderID, &qty, &amount)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	returned := last.End().Format("2006-01-02")
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.Write([]string{"return_id", "return_date", "client_id", "invoice_id", "sku", "qty", "amount", "reason"})
	w.Write([]string{"RET-LATE-" + last.String(), returned, clientID, "", sku, qty, amount, "credit note for " + orderID + " received after the pay run"})
	w.Flush()
	file := filepath.Join(c.Dir(), "inbox", "returns", "returns_late_"+returned+".csv")
	if err := os.WriteFile(file, b.Bytes(), 0o644); err != nil {
		return false, err
	}
	fmt.Fprintf(a.stdout, "demo: pay runs locked for %d month(s) up to %s; a late credit note for %s arrived (%s)\n", locked, last, last, filepath.Base(file))
	return true, nil
}

func prepareDemoDir(dir string) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) || (err == nil && len(entries) == 0) {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, demoMarker), []byte("made by kam demo; kam demo may replace this folder\n"), 0o644)
	}
	if err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(dir, demoMarker)); err != nil {
		return withCode(exitUsage, fmt.Errorf("%s is not empty and was not made by kam demo; choose another --dir", dir))
	}
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	return prepareDemoDir(dir)
}
