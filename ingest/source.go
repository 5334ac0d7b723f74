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
	// Encoding of text files: utf-8 (default), utf-16le, utf-16be (utf-16 is
	// utf-16le), windows-1251 (alias cp1251), koi8-r. A byte order mark wins
	// over it; gzip-compressed files are recognised by their bytes.
	Encoding string `yaml:"encoding"`
	// Delimiter of csv fields; default "," (tsv: tab).
	Delimiter string `yaml:"delimiter"`
	// Decimal separator of numbers; default ".".
	Decimal string `yaml:"decimal"`
	// Thousands separator of numbers; a no-break space is always accepted with it.
	Thousands string `yaml:"thousands"`
	// DateFormat in strptime form, e.g. "%d.%m.%Y"; default ISO. ISO date-times are also accepted.
	DateFormat string `yaml:"date_format"`
	// Header says whether the first row names the columns (default true);
	// header cells match after trimming white space and a byte order mark.
	Header *bool `yaml:"header"`
	// Names names the columns when header is false (xlsx without names:
	// the column letters A, B, ...).
	Names []string `yaml:"names"`
	// Nulls lists cell values that mean an empty cell, e.g. ["NULL"] for
	// database dumps; a cell matches when it equals one after trimming spaces.
	Nulls []string `yaml:"nulls"`
	// Sheet of an xlsx workbook: a name or a 1-based index.
	Sheet string `yaml:"sheet"`
	// Records is the path to the records array in a json document, e.g. "data.items".
	Records string `yaml:"records"`
	// Columns maps canonical fields to a source column or {expr: SQL}; a
	// field it leaves out is read from the column of the same name, if any.
	Columns map[string]Column `yaml:"columns"`
	// Filter is a SQL predicate over source columns; rows it drops count as filtered.
	Filter string `yaml:"filter"`
	// Schedule is an optional cron expression for `kam schedule`.
	Schedule string `yaml:"schedule"`
	// Archive is a folder (relative to the config) processed files move to.
	Archive string `yaml:"archive"`

	// Pull sources (postgres, http); see pull_postgres.go and pull_http.go.

	// DSN is the PostgreSQL connection string (postgres); prefer dsn_env so no password sits in the config.
	DSN string `yaml:"dsn"`
	// DSNEnv names the environment variable holding the DSN (postgres).
	DSNEnv string `yaml:"dsn_env"`
	// Query is the SQL to run (postgres); with watermark it takes $1, the last watermark.
	Query string `yaml:"query"`
	// Watermark is the query's column whose largest loaded value is passed as $1 next time (postgres).
	Watermark string `yaml:"watermark"`
	// URL is the first page to GET (http).
	URL string `yaml:"url"`
	// TokenEnv names the environment variable holding a bearer token (http).
	TokenEnv string `yaml:"token_env"`
	// Paginate is none (default), page or cursor (http).
	Paginate string `yaml:"paginate"`
	// PageParam is the query parameter carrying the page number or cursor (http; default page or cursor).
	PageParam string `yaml:"page_param"`
	// Cursor is the dot path to the next cursor in each page (http, paginate: cursor).
	Cursor string `yaml:"cursor"`
	// MaxPages bounds an http pull (default 1000); more pages fail the pull.
	MaxPages int `yaml:"max_pages"`
	// Timeout bounds one HTTP request (default 60s) or the PostgreSQL query (default 10m), e.g. "30s".
	Timeout string `yaml:"timeout"`
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
	if _, ok := textEncodings[strings.ToLower(s.Encoding)]; !ok {
		return fmt.Errorf("source %s: unknown encoding %q (utf-8, utf-16le, utf-16be, windows-1251, koi8-r)", s.Name, s.Encoding)
	}
	if s.Thousands != "" && s.Thousands == s.decimalSeparator() {
		return fmt.Errorf("source %s: thousands: %q is also the decimal separator", s.Name, s.Thousands)
	}
	if strings.ContainsAny(s.Delimiter, "\"\r\n") {
		return fmt.Errorf("source %s: delimiter: %q cannot hold a quote or a line end", s.Name, s.Delimiter)
	}
	for i, m := range s.Nulls {
		if strings.TrimSpace(m) == "" {
			return fmt.Errorf("source %s: nulls: entry %d is empty (empty cells are empty anyway)", s.Name, i+1)
		}
	}
	return s.validatePullAndSchedule()
}

func (s *Source) decimalSeparator() string {
	if s.Decimal == "" {
		return "."
	}
	return s.Decimal
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
