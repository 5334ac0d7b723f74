package ingest

import (
	"context"
	"database/sql/driver"
	"fmt"
	"strings"

	"github.com/duckdb/duckdb-go/v2"

	wh "github.com/kam-analytics/kam/ingest/warehouse"
)

// rowSink receives one source row: the line (or record number) it came from
// and one value per column; a nil value is an empty cell.
type rowSink func(line int64, values []any) error

// stageRows stages rows produced in Go (spreadsheets, JSON, bank statements)
// through DuckDB's Appender into a temporary table _src with the columns as
// text. produce calls the sink once per row, in source order.
func stageRows(ctx context.Context, f *file, cols []string, produce func(sink rowSink) error) (staged, error) {
	cols = uniqueNames(cols)
	defs := make([]string, len(cols))
	for i, c := range cols {
		defs[i] = wh.QuoteIdent(c) + " VARCHAR"
	}
	if _, err := f.tx.ExecContext(ctx, fmt.Sprintf("CREATE TEMP TABLE _src (_rank BIGINT, _line BIGINT, %s)", strings.Join(defs, ", "))); err != nil {
		return staged{}, err
	}
	err := f.conn.Raw(func(dc any) error {
		app, err := duckdb.NewAppender(dc.(driver.Conn), "temp", "main", "_src")
		if err != nil {
			return fmt.Errorf("appender: %w", err)
		}
		var rank int64
		row := make([]driver.Value, len(cols)+2)
		sinkErr := produce(func(line int64, values []any) error {
			if len(values) > len(cols) {
				return fmt.Errorf("line %d: %d values for %d columns", line, len(values), len(cols))
			}
			rank++
			row[0], row[1] = rank, line
			for i := range cols {
				row[i+2] = nil
				if i < len(values) && values[i] != nil {
					row[i+2] = toText(values[i])
				}
			}
			return app.AppendRow(row...)
		})
		if cerr := app.Close(); sinkErr == nil && cerr != nil {
			sinkErr = fmt.Errorf("appender: %w", cerr)
		}
		return sinkErr
	})
	if err != nil {
		return staged{}, err
	}
	return staged{relation: "temp._src", columns: cols}, nil
}

func toText(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case []byte:
		return string(x)
	}
	return wh.FormatValue(v)
}
