package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/kam-analytics/kam/ingest/warehouse"
)

// ErrExists means kam init would overwrite a config.
var ErrExists = errors.New("a kam.yaml is already there; kam init never overwrites it")

// Init writes DIR/kam.yaml with one canonical CSV source per entity reading
// inbox/<entity>/*.csv, creates the inbox folders and an example
// compensation.yaml (kept if one exists).
func Init(dir string, company Company) ([]string, error) {
	return InitWith(dir, company, nil, "")
}

// InitWith is Init with the canonical sources of some entities left out and
// extra source entries (YAML list items) added, e.g. mappings of real exports.
func InitWith(dir string, company Company, without []string, extra string) ([]string, error) {
	cfg := filepath.Join(dir, DefaultPath)
	if _, err := os.Stat(cfg); err == nil {
		return nil, fmt.Errorf("%s: %w", cfg, ErrExists)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	var created []string
	for _, e := range warehouse.Entities {
		p := filepath.Join(dir, "inbox", e.Name)
		if err := os.MkdirAll(p, 0o755); err != nil {
			return nil, err
		}
	}
	created = append(created, filepath.Join(dir, "inbox")+string(filepath.Separator))
	if err := os.WriteFile(cfg, []byte(initConfig(company, without, extra)), 0o644); err != nil {
		return nil, err
	}
	created = append(created, cfg)
	comp := filepath.Join(dir, "compensation.yaml")
	if _, err := os.Stat(comp); errors.Is(err, fs.ErrNotExist) {
		if err := os.WriteFile(comp, []byte(ExampleCompensation), 0o644); err != nil {
			return nil, err
		}
		created = append(created, comp)
	}
	return created, nil
}

func yamlQuote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

// InitConfig is the kam.yaml that kam init writes.
func InitConfig(c Company) string { return initConfig(c, nil, "") }

func initConfig(c Company, without []string, extra string) string {
	if c.Name == "" {
		c.Name = "My company"
	}
	if c.Currency == "" {
		c.Currency = "RUB"
	}
	var b strings.Builder
	b.WriteString(`# kam configuration. Paths are relative to this file.
# Drop canonical CSV files (see docs/data-contract.md) into inbox/<entity>/ and run:
#   kam run          # ingest + build + render
warehouse: kam.duckdb
`)
	fmt.Fprintf(&b, "company: {name: %s, inn: %s, currency: %s}\n", yamlQuote(c.Name), yamlQuote(c.INN), c.Currency)
	b.WriteString(`site: site                     # where kam render writes the dashboards
compensation: compensation.yaml
models:
  active_window_days: 90       # trailing window of the active client base
  ageing_buckets: [30, 60, 90] # overdue bucket limits in days
  ageing_basis: due_date       # or invoice_date
  abc: [0.80, 0.95]            # cumulative net-sales shares closing classes A and B
  xyz: [0.10, 0.25]            # coefficient-of-variation limits of classes X and Y
  overdue_grace_days: 7        # days past payment terms before credit control flags a client
sources:
`)
	for _, e := range warehouse.Entities {
		if slices.Contains(without, e.Name) {
			continue
		}
		fmt.Fprintf(&b, "  - name: %s\n    entity: %s\n    files: inbox/%s/*.csv\n    format: csv\n", e.Name, e.Name, e.Name)
	}
	b.WriteString(extra)
	return b.String()
}

// ExampleCompensation is the commented example plan kam init writes.
const ExampleCompensation = `# Variable pay plans. HR edits this file; kam pay reads it.
# pay = variable_target × proration × min(cap, Σ weight × curve(attainment)) × gate multipliers,
# rounded to 0.01 at the end.
plans:
  - name: kam-2026
    valid_from: 2026-01-01          # the version valid on a period's first day applies
    # managers: [M01, M02]          # optional; default: every manager
    components:
      - {kpi: sales, weight: 0.5}
      - {kpi: active_clients, weight: 0.3}
      - {kpi: new_clients, weight: 0.2}
    curve:                          # [attainment, payout factor]; below the first point pays 0,
      - [0.8, 0.5]                  # linear between points, flat after the last point
      - [1.0, 1.0]
      - [1.5, 2.0]
    cap: 1.8                        # optional cap on the weighted factor
    gates:                          # optional multipliers on the whole factor
      - {metric: overdue_share, above: 0.2, multiplier: 0.5}
    basis: shipped                  # shipped (default) | collected
`
