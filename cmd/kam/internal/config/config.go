// Package config reads kam.yaml: where the warehouse lives, the company, the
// sources that feed it and the business settings of the models. Unknown keys
// are errors; relative paths resolve against the config file's folder.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/kam-analytics/kam/ingest"
)

// DefaultPath is where commands look for the config without --config.
const DefaultPath = "kam.yaml"

// Config is kam.yaml.
type Config struct {
	// Warehouse is the DuckDB file, relative to the config (default kam.duckdb).
	Warehouse string `yaml:"warehouse"`
	// Company is the company the warehouse belongs to; its INN tells incoming
	// bank payments from outgoing ones.
	Company Company `yaml:"company"`
	// Threads DuckDB may use (default: all CPUs).
	Threads int `yaml:"threads"`
	// MemoryLimit of DuckDB, e.g. "2GB" (default 1GB).
	MemoryLimit string `yaml:"memory_limit"`
	// Compensation is the variable-pay plan file (default compensation.yaml).
	Compensation string `yaml:"compensation"`
	// Site is the folder dashboards are written to (default site).
	Site string `yaml:"site"`
	// Models holds the business settings of the models.
	Models Models `yaml:"models"`
	// Sources feed the canonical entities.
	Sources []ingest.Source `yaml:"sources"`

	path string
}

// Company identifies the warehouse's owner.
type Company struct {
	Name     string `yaml:"name"`
	INN      string `yaml:"inn"`
	Currency string `yaml:"currency"`
}

// Models are settings the SQL models read.
type Models struct {
	// ActiveWindowDays is the trailing window of the active client base (default 90).
	ActiveWindowDays int `yaml:"active_window_days"`
	// AgeingBuckets are the upper limits of the overdue buckets in days (default 30, 60, 90).
	AgeingBuckets []int `yaml:"ageing_buckets"`
	// AgeingBasis is due_date (default) or invoice_date.
	AgeingBasis string `yaml:"ageing_basis"`
	// ABC are the cumulative shares of classes A and B (default 0.80, 0.95).
	ABC []float64 `yaml:"abc"`
	// XYZ are the coefficient-of-variation limits of classes X and Y (default 0.10, 0.25).
	XYZ []float64 `yaml:"xyz"`
	// OverdueGraceDays are added to a client's payment terms to give the
	// overdue tolerance credit_control flags beyond (default 7).
	OverdueGraceDays *int `yaml:"overdue_grace_days"`
}

// ErrNotFound means there is no config file; the message says how to make one.
var ErrNotFound = errors.New("no kam.yaml here: create one with `kam init DIR` (or run `kam demo`), or pass --config PATH")

// Load reads and validates a config file.
func Load(path string) (*Config, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s: %w", path, ErrNotFound)
	}
	if err != nil {
		return nil, err
	}
	c, err := Parse(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	c.path = abs
	return c, nil
}

// Parse decodes and validates config bytes; unknown keys are errors.
func Parse(b []byte) (*Config, error) {
	c := &Config{}
	var root yaml.Node
	if yaml.Unmarshal(b, &root) == nil {
		if err := checkWholeDays(&root); err != nil {
			return nil, err
		}
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(c); err != nil && !errors.Is(err, io.EOF) {
		return nil, cleanYAMLError(err)
	}
	c.setDefaults()
	return c, c.validate()
}

// checkWholeDays refuses day counts under models: that are not whole
// numbers, which decoding would truncate (ageing_buckets: [30.5, 60] read
// as [30, 60]), and an empty ageing_buckets list.
func checkWholeDays(root *yaml.Node) error {
	doc := root
	if doc.Kind == yaml.DocumentNode && len(doc.Content) == 1 {
		doc = doc.Content[0]
	}
	if doc.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(doc.Content); i += 2 {
		if doc.Content[i].Value != "models" || doc.Content[i+1].Kind != yaml.MappingNode {
			continue
		}
		m := doc.Content[i+1]
		for j := 0; j+1 < len(m.Content); j += 2 {
			key, val := m.Content[j].Value, m.Content[j+1]
			switch key {
			case "abc", "xyz":
				// a wrong count would otherwise fall back to the defaults without a word
				if val.Kind == yaml.SequenceNode && len(val.Content) != 2 {
					return fmt.Errorf("line %d: models: %s: want two limits, such as %s", val.Line, key, map[string]string{"abc": "[0.8, 0.95]", "xyz": "[0.1, 0.25]"}[key])
				}
				continue
			case "active_window_days":
				// 0 would otherwise read as "not set" and silently mean 90
				if val.Kind == yaml.ScalarNode && val.ShortTag() == "!!int" && strings.TrimLeft(val.Value, "+-0") == "" {
					return fmt.Errorf("line %d: models: active_window_days: %s must be at least 1", val.Line, val.Value)
				}
			case "overdue_grace_days", "ageing_buckets":
			default:
				continue
			}
			vals := []*yaml.Node{val}
			if val.Kind == yaml.SequenceNode {
				vals = val.Content
				if len(vals) == 0 {
					return fmt.Errorf("line %d: models: %s: [] gives no limits; leave the key out for the default [30, 60, 90]", val.Line, key)
				}
			}
			for _, v := range vals {
				if v.Kind == yaml.ScalarNode && v.ShortTag() != "!!int" && v.ShortTag() != "!!null" {
					return fmt.Errorf("line %d: models: %s: %q is not a whole number of days", v.Line, key, v.Value)
				}
			}
		}
	}
	return nil
}

func cleanYAMLError(err error) error {
	msg := err.Error()
	msg = strings.TrimPrefix(msg, "yaml: unmarshal errors:\n  ")
	msg = strings.ReplaceAll(msg, "\n  ", "; ")
	msg = strings.ReplaceAll(msg, "in type ingest.Source", "in a source")
	msg = strings.ReplaceAll(msg, "in type config.Config", "at the top level")
	msg = strings.ReplaceAll(msg, "in type config.Models", "under models:")
	msg = strings.ReplaceAll(msg, "in type config.Company", "under company:")
	return errors.New(msg)
}

func (c *Config) setDefaults() {
	if c.Warehouse == "" {
		c.Warehouse = "kam.duckdb"
	}
	if c.Compensation == "" {
		c.Compensation = "compensation.yaml"
	}
	if c.Site == "" {
		c.Site = "site"
	}
	if c.Company.Currency == "" {
		c.Company.Currency = "RUB"
	}
	if c.Models.ActiveWindowDays == 0 {
		c.Models.ActiveWindowDays = 90
	}
	if len(c.Models.AgeingBuckets) == 0 {
		c.Models.AgeingBuckets = []int{30, 60, 90}
	}
	if c.Models.AgeingBasis == "" {
		c.Models.AgeingBasis = "due_date"
	}
	if len(c.Models.ABC) == 0 {
		c.Models.ABC = []float64{0.80, 0.95}
	}
	if len(c.Models.XYZ) == 0 {
		c.Models.XYZ = []float64{0.10, 0.25}
	}
	if c.Models.OverdueGraceDays == nil {
		grace := 7
		c.Models.OverdueGraceDays = &grace
	}
	for i := range c.Sources {
		if c.Sources[i].Format == "" {
			c.Sources[i].Format = "csv"
		}
	}
}

func (c *Config) validate() error {
	seen := map[string]bool{}
	for i := range c.Sources {
		s := &c.Sources[i]
		if err := s.Validate(); err != nil {
			return err
		}
		if seen[s.Name] {
			return fmt.Errorf("source %s: the name is used twice; source names must be unique", s.Name)
		}
		seen[s.Name] = true
	}
	if c.Models.ActiveWindowDays < 1 {
		return fmt.Errorf("models: active_window_days: %d must be at least 1", c.Models.ActiveWindowDays)
	}
	prev := 0
	for _, b := range c.Models.AgeingBuckets {
		if b <= prev {
			return fmt.Errorf("models: ageing_buckets: %v must be increasing positive day counts", c.Models.AgeingBuckets)
		}
		prev = b
	}
	if c.Models.AgeingBasis != "due_date" && c.Models.AgeingBasis != "invoice_date" {
		return fmt.Errorf("models: ageing_basis: %q must be due_date or invoice_date", c.Models.AgeingBasis)
	}
	if g := *c.Models.OverdueGraceDays; g < 0 {
		return fmt.Errorf("models: overdue_grace_days: %d must be 0 or more days", g)
	}
	return nil
}

// Dir is the folder of the config file; relative paths resolve against it.
func (c *Config) Dir() string { return filepath.Dir(c.path) }

// Path is the config file's absolute path.
func (c *Config) Path() string { return c.path }

// Resolve makes a config-relative path absolute.
func (c *Config) Resolve(p string) string {
	if filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(c.Dir(), p)
}

// Source finds a source by name.
func (c *Config) Source(name string) (*ingest.Source, bool) {
	for i := range c.Sources {
		if c.Sources[i].Name == name {
			return &c.Sources[i], true
		}
	}
	return nil, false
}
