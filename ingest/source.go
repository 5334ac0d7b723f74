package ingest

import (
	"fmt"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/kam-analytics/kam/ingest/warehouse"
)

// Source maps one export onto a canonical entity. It is one entry of
// `sources:` in kam.yaml.
type Source struct {
	// Name is unique among sources; it is stored as lineage on every row.
	Name string `yaml:"name"`
	// Entity is the canonical entity the rows become.
	Entity string `yaml:"entity"`
	// Files is a glob relative to the config file's folder.
	Files string `yaml:"files"`
	// Format: csv (default) | tsv | xlsx | json | ndjson | parquet | 1c-bank | camt053 | postgres | http.
	Format string `yaml:"format"`
	// Encoding of text files: utf-8 (default), utf-16le, utf-16be, windows-1251, koi8-r.
	Encoding string `yaml:"encoding"`
	// Delimiter of csv fields; default "," (tsv: tab).
	Delimiter string `yaml:"delimiter"`
	// Decimal separator of numbers; default ".".
	Decimal string `yaml:"decimal"`
	// Thousands separator of numbers; a no-break space is always accepted with it.
	Thousands string `yaml:"thousands"`
	// DateFormat in strptime form, e.g. "%d.%m.%Y"; default ISO. ISO date-times are also accepted.
	DateFormat string `yaml:"date_format"`
	// Header says whether the first row names the columns (default true).
	Header *bool `yaml:"header"`
	// Names names the columns when header is false.
	Names []string `yaml:"names"`
	// Sheet of an xlsx workbook: a name or a 1-based index.
	Sheet string `yaml:"sheet"`
	// Records is the path to the records array in a json document, e.g. "data.items".
	Records string `yaml:"records"`
	// Columns maps canonical fields to a source column or {expr: SQL}.
	Columns map[string]Column `yaml:"columns"`
	// Filter is a SQL predicate over source columns; rows it drops count as filtered.
	Filter string `yaml:"filter"`
	// Schedule is an optional cron expression for `kam schedule`.
	Schedule string `yaml:"schedule"`
	// Archive is a folder (relative to the config) processed files move to.
	Archive string `yaml:"archive"`

	// Pull sources (postgres, http).
	DSN       string `yaml:"dsn"`
	DSNEnv    string `yaml:"dsn_env"`
	Query     string `yaml:"query"`
	Watermark string `yaml:"watermark"`
	URL       string `yaml:"url"`
	TokenEnv  string `yaml:"token_env"`
	Paginate  string `yaml:"paginate"`
	PageParam string `yaml:"page_param"`
	Cursor    string `yaml:"cursor"`
}

// Column is a canonical field's origin: a source column name or an expression.
type Column struct {
	Source string
	Expr   string
}

// UnmarshalYAML accepts `field: Column name` or `field: {expr: "SQL"}`.
func (c *Column) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		c.Source = n.Value
		return nil
	}
	var m struct {
		Expr string `yaml:"expr"`
	}
	if err := n.Decode(&m); err != nil {
		return err
	}
	if m.Expr == "" {
		return fmt.Errorf("line %d: a column mapping is a column name or {expr: SQL}", n.Line)
	}
	c.Expr = m.Expr
	return nil
}

// Formats lists the source formats kam reads.
var Formats = []string{"csv", "tsv", "xlsx", "json", "ndjson", "parquet", "1c-bank", "camt053", "postgres", "http"}

// HasHeader reports whether the first row of the file names the columns.
func (s *Source) HasHeader() bool { return s.Header == nil || *s.Header }

// Validate checks a source on its own; names must be unique across sources.
func (s *Source) Validate() error {
	if s.Name == "" {
		return fmt.Errorf("source without a name: every source needs `name:`")
	}
	ent, ok := warehouse.Lookup(s.Entity)
	if !ok {
		return fmt.Errorf("source %s: unknown entity %q (one of %s)", s.Name, s.Entity, warehouse.EntityNames())
	}
	if s.Format == "" {
		s.Format = "csv"
	}
	if !contains(Formats, s.Format) {
		return fmt.Errorf("source %s: unknown format %q (one of %s)", s.Name, s.Format, strings.Join(Formats, ", "))
	}
	if s.Format != "postgres" && s.Format != "http" && s.Files == "" {
		return fmt.Errorf("source %s: `files:` is required for format %s", s.Name, s.Format)
	}
	for _, f := range sortedKeys(s.Columns) {
		if _, ok := ent.Field(f); !ok {
			return fmt.Errorf("source %s: columns: unknown field %q of %s (fields: %s)", s.Name, f, ent.Name, strings.Join(ent.FieldNames(), ", "))
		}
	}
	if !s.HasHeader() && len(s.Names) == 0 && s.Format != "xlsx" {
		return fmt.Errorf("source %s: header: false needs `names: [...]` to name the columns", s.Name)
	}
	if s.Decimal != "" && s.Decimal != "." && s.Decimal != "," {
		return fmt.Errorf("source %s: decimal: %q must be \".\" or \",\"", s.Name, s.Decimal)
	}
	switch strings.ToLower(s.Encoding) {
	case "", "utf-8", "utf8", "utf-16", "utf-16le", "utf-16be", "windows-1251", "cp1251", "koi8-r":
	default:
		return fmt.Errorf("source %s: unknown encoding %q (utf-8, utf-16le, utf-16be, windows-1251, koi8-r)", s.Name, s.Encoding)
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
