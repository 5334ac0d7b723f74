package ingest

import (
	"context"
	"fmt"
	"strings"

	wh "github.com/kam-analytics/kam/ingest/warehouse"
)

// parquet files are read by DuckDB itself; every column is cast to text
// and typed like any other source (a DECIMAL or DATE column keeps its exact
// value through the cast). A row's line is its 1-based position in the file.
func init() { registerFormat("parquet", stageParquet) }

func stageParquet(ctx context.Context, f *file) (stageResult, []badRow, error) {
	read := fmt.Sprintf("read_parquet(%s, file_row_number=true)", sqlStr(f.path))
	rows, err := f.tx.QueryContext(ctx, "SELECT column_name FROM (DESCRIBE SELECT * FROM "+read+")")
	if err != nil {
		return stageResult{}, nil, fmt.Errorf("read parquet: %w", err)
	}
	var cols []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			rows.Close()
			return stageResult{}, nil, err
		}
		if c != "file_row_number" {
			cols = append(cols, c)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return stageResult{}, nil, fmt.Errorf("read parquet: %w", err)
	}
	if len(f.src.Columns) == 0 {
		if err := checkCanonicalHeader(f.ent, cols); err != nil {
			return stageResult{}, nil, err
		}
	}
	casts := make([]string, len(cols))
	for i, c := range cols {
		casts[i] = fmt.Sprintf("CAST(%s AS VARCHAR) AS %s", wh.QuoteIdent(c), wh.QuoteIdent(c))
	}
	rel := fmt.Sprintf("(SELECT file_row_number + 1 AS _rank, file_row_number + 1 AS _line, %s FROM %s)", strings.Join(casts, ", "), read)
	return stageResult{staged: staged{relation: rel, columns: cols}}, nil, nil
}
