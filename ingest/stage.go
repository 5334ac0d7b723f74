package ingest

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	wh "github.com/kam-analytics/kam/ingest/warehouse"
)

// stageResult is what a stager hands to the load: rows for typedSelect to
// type in SQL (staged; an empty relation when there are none) and, from
// delimited text, rows Go has already typed.
type stageResult struct {
	staged
	// pretyped is a relation of rows typed in Go ("" when there are none):
	// the entity's fields in contract order, then _line.
	pretyped string
	// pretypedRows counts them; sorted says their keys strictly increase.
	pretypedRows int64
	sorted       bool
	// hashed is the file's digest when the stager computed it while reading.
	hashed *digest
	// cleanup removes the stager's temporary files; it may be nil.
	cleanup func()
}

// file is what a format's stager gets to work with.
type file struct {
	conn   *sql.Conn // the load's connection, for the Appender
	tx     *sql.Tx   // the load's transaction
	src    *Source
	ent    *wh.Entity
	path   string
	digest digest
	// hash asks the stager to hash the file while reading it, when it can;
	// digest is then empty.
	hash bool
	// companyINN tells incoming bank payments (to us) from outgoing ones.
	companyINN string
}

// stager exposes one file's rows to SQL as text columns; bad rows it finds
// before typing (broken structure) are returned for the quarantine.
type stager func(ctx context.Context, f *file) (stageResult, []badRow, error)

// stagers maps a source format to its stager; formats register in init.
var stagers = map[string]stager{}

// registerFormat adds a format; a duplicate name is a programming error.
func registerFormat(name string, s stager) {
	if _, dup := stagers[name]; dup {
		panic("ingest: format registered twice: " + name)
	}
	stagers[name] = s
}

// stage dispatches on the source's format.
func stage(ctx context.Context, f *file) (stageResult, []badRow, error) {
	format := f.src.Format
	if format == "" {
		format = "csv"
	}
	s, ok := stagers[format]
	if !ok {
		return stageResult{}, nil, fmt.Errorf("format %s cannot be read from files", format)
	}
	return s(ctx, f)
}

func (s *Source) delimiter() string {
	if s.Delimiter != "" {
		return s.Delimiter
	}
	if s.Format == "tsv" {
		return "\t"
	}
	return ","
}

// uniqueNames suffixes repeated column names (_2, _3) so SQL can address
// them, and names empty ones after their position.
func uniqueNames(cols []string) []string {
	seen := map[string]int{}
	out := make([]string, len(cols))
	for i, c := range cols {
		if c == "" {
			c = fmt.Sprintf("column%d", i+1)
		}
		seen[c]++
		if n := seen[c]; n > 1 {
			c = fmt.Sprintf("%s_%d", c, n)
		}
		out[i] = c
	}
	return out
}

// headerName cleans a header cell: surrounding white space (AdventureWorks
// pads its names) and a stray byte order mark go.
func headerName(c string) string {
	return strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(c), "\ufeff"))
}

// tempPrefix names the temporary files of loads, with the process id so
// that files left by a killed process can be told apart and removed.
const tempPrefix = "kam-ingest-"

// createTemp creates a temporary file for a load.
func createTemp(kind, ext string) (*os.File, error) {
	removeStaleTemps()
	return os.CreateTemp("", fmt.Sprintf("%s%d-%s-*%s", tempPrefix, os.Getpid(), kind, ext))
}

// removeStaleTemps removes other processes' temporary files that nobody
// has touched for an hour: a load killed half-way leaves them behind.
func removeStaleTemps() {
	paths, _ := filepath.Glob(filepath.Join(os.TempDir(), tempPrefix+"*"))
	own := fmt.Sprintf("%s%d-", tempPrefix, os.Getpid())
	for _, p := range paths {
		if strings.HasPrefix(filepath.Base(p), own) {
			continue
		}
		if st, err := os.Stat(p); err == nil && time.Since(st.ModTime()) > time.Hour {
			_ = os.Remove(p)
		}
	}
}
