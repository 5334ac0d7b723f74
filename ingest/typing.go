package ingest

import (
	"fmt"
	"strings"

	wh "github.com/kam-analytics/kam/ingest/warehouse"
)

// staged is a relation of source rows: `_rank` (1-based order of the row),
// `_line` (where it starts in the file) and the source columns as text.
type staged struct {
	relation string   // a SQL FROM item
	columns  []string // source column names
}

// fieldColumn says where a canonical field's value comes from: a source
// column (col), an SQL expression (expr), or neither (the field is empty).
// A field that `columns:` does not map is read from the column of the same
// name, if the file has one.
func fieldColumn(src *Source, ent *wh.Entity, f wh.Field, cols []string) (col, expr string, err error) {
	if c, ok := src.Columns[f.Name]; ok {
		if c.Expr != "" {
			return "", "(" + c.Expr + ")", nil
		}
		if m := matchFold(cols, c.Source); m != "" {
			return m, "", nil
		}
		return "", "", fmt.Errorf("column %q (for %s) is not in the file (columns: %s)", c.Source, f.Name, strings.Join(cols, ", "))
	}
	if m := matchFold(cols, f.Name); m != "" {
		return m, "", nil
	}
	if f.Required {
		if len(src.Columns) > 0 {
			return "", "", fmt.Errorf("required field %s of %s is not mapped in `columns:` and the file has no column %s (columns: %s)",
				f.Name, ent.Name, f.Name, strings.Join(cols, ", "))
		}
		return "", "", fmt.Errorf("missing required column %q of %s", f.Name, ent.Name)
	}
	return "", "", nil
}

// fieldOrigin is the SQL text of a canonical field's value over source columns.
func fieldOrigin(src *Source, ent *wh.Entity, f wh.Field, cols []string) (string, error) {
	col, expr, err := fieldColumn(src, ent, f, cols)
	switch {
	case err != nil:
		return "", err
	case expr != "":
		return expr, nil
	case col != "":
		return wh.QuoteIdent(col), nil
	}
	return "NULL", nil
}

// checkCanonicalHeader enforces the canonical format for sources without a
// mapping: every column is a field of the entity and every required field is there.
func checkCanonicalHeader(ent *wh.Entity, cols []string) error {
	for _, c := range cols {
		if _, ok := ent.Field(c); !ok {
			return fmt.Errorf("unknown column %q: %s has %s", c, ent.Name, strings.Join(ent.FieldNames(), ", "))
		}
	}
	seen := map[string]bool{}
	for _, c := range cols {
		if seen[c] {
			return fmt.Errorf("column %q appears twice", c)
		}
		seen[c] = true
	}
	for _, f := range ent.Fields {
		if f.Required && !seen[f.Name] {
			return fmt.Errorf("missing required column %q of %s", f.Name, ent.Name)
		}
	}
	return nil
}

func containsFold(list []string, s string) bool { return matchFold(list, s) != "" }

// matchFold finds s among the column names, exactly or else ignoring case.
func matchFold(list []string, s string) string {
	for _, v := range list {
		if v == s {
			return v
		}
	}
	for _, v := range list {
		if strings.EqualFold(v, s) {
			return v
		}
	}
	return ""
}

func sqlStr(s string) string { return wh.QuoteString(s) }

// typedSelect builds the SELECT that turns staged text rows into canonical
// typed rows plus `_keep` (the filter), `_reason`/`_field` (the first value
// that failed) and `_raw` (the source row, for bad rows only).
//
// It is built in layers (null markers → trimmed text → cleaned numbers →
// typed values → reasons) so that every value is computed once: DuckDB
// inlines a lateral alias at each use, and the checks use every value
// several times. The checks are casts and cheap string functions (a
// regular expression only as a one-character class), since they run on
// every cell of every row.
func typedSelect(src *Source, ent *wh.Entity, st staged) (string, error) {
	var (
		texts, nums, typed, outs []string
		reasons, fields          []string
	)
	numClean := func(v string) string {
		if src.Thousands != "" {
			// Excel writes a no-break space, some systems a narrow one.
			seps := []string{src.Thousands, " ", "\u00a0", "\u202f"}
			seen := map[string]bool{}
			for _, sep := range seps {
				if seen[sep] {
					continue
				}
				seen[sep] = true
				v = fmt.Sprintf("replace(%s, %s, '')", v, sqlStr(sep))
			}
		}
		if src.Decimal == "," {
			v = fmt.Sprintf("replace(%s, ',', '.')", v)
		}
		return v
	}
	dateWant := "YYYY-MM-DD"
	if src.DateFormat != "" {
		dateWant = src.DateFormat
	}
	for _, f := range ent.Fields {
		origin, err := fieldOrigin(src, ent, f, st.columns)
		if err != nil {
			return "", err
		}
		s, n, t := "_kam_s_"+f.Name, "_kam_n_"+f.Name, "_kam_t_"+f.Name
		texts = append(texts, fmt.Sprintf("nullif(trim(CAST(%s AS VARCHAR)), '') AS %s", origin, s))
		shown := fmt.Sprintf("'%s \"' || left(%s, 80) || '\"", f.Name, s)
		var expr, bad, why string
		switch f.Type {
		case wh.Decimal:
			nums = append(nums, fmt.Sprintf("%s AS %s", numClean(s), n))
			expr = fmt.Sprintf("TRY_CAST(%s AS DECIMAL(18,4))", n)
			// The cast alone would take 1e3 and 1_000 and round 1.23456
			// silently; trailing zeros are not places.
			plain := fmt.Sprintf("NOT regexp_matches(%s, '[eE_]')", n)
			places := fmt.Sprintf("%s LIKE '%%.%%_____' AND %s AND length(rtrim(%s, '0')) - strpos(%s, '.') > 4", n, plain, n, n)
			reasons = append(reasons, fmt.Sprintf("CASE WHEN %s THEN %s has more than 4 decimal places' END", places, shown))
			fields = append(fields, fmt.Sprintf("CASE WHEN %s THEN '%s' END", places, f.Name))
			bad = fmt.Sprintf("%s IS NOT NULL AND (%s IS NULL OR NOT %s)", n, t, plain)
			why = shown + " is not a number'"
			if f.Min != "" || f.Max != "" {
				var out []string
				if f.Min != "" {
					out = append(out, fmt.Sprintf("%s < %s", t, f.Min))
				}
				if f.Max != "" {
					out = append(out, fmt.Sprintf("%s > %s", t, f.Max))
				}
				cond := strings.Join(out, " OR ")
				reasons = append(reasons, fmt.Sprintf("CASE WHEN %s THEN %s is out of range: want %s' END", cond, shown, f.RangeText()))
				fields = append(fields, fmt.Sprintf("CASE WHEN %s THEN '%s' END", cond, f.Name))
			}
		case wh.Int:
			expr = fmt.Sprintf("TRY_CAST(%s AS BIGINT)", s)
			// The cast alone would round 1.5 and read 0x10, 0b1, 1e3 and
			// 1_000; 30.0 is 30.
			bad = fmt.Sprintf("%s IS NOT NULL AND (%s IS NULL OR regexp_matches(%s, '[eE_xXbB]') OR (contains(%s, '.') AND NOT regexp_full_match(%s, '[+-]?[0-9]*[.]0*')))",
				s, t, s, s, s)
			why = shown + " is not a whole number'"
		case wh.Date:
			// Only values that start with a digit: DuckDB reads the words
			// infinity and epoch as dates.
			iso := fmt.Sprintf("CASE WHEN ascii(%s) BETWEEN 48 AND 57 THEN coalesce(TRY_CAST(%s AS DATE), TRY_CAST(TRY_CAST(%s AS TIMESTAMP) AS DATE)) END", s, s, s)
			expr = iso
			if src.DateFormat != "" {
				expr = fmt.Sprintf("coalesce(CASE WHEN ascii(%s) BETWEEN 48 AND 57 OR lower(%s) NOT IN ('infinity', '-infinity', '+infinity', 'epoch') THEN TRY_CAST(try_strptime(%s, %s) AS DATE) END, %s)",
					s, s, s, sqlStr(src.DateFormat), iso)
			}
			bad = fmt.Sprintf("%s IS NOT NULL AND (%s IS NULL OR NOT isfinite(%s))", s, t, t)
			why = shown + fmt.Sprintf(" is not a date (expected %s)'", dateWant)
		case wh.Bool:
			expr = fmt.Sprintf("CASE WHEN lower(%s) IN ('true','1','да','yes','t','y') THEN true WHEN lower(%s) IN ('false','0','нет','no','f','n') THEN false END", s, s)
			bad = fmt.Sprintf("%s IS NOT NULL AND %s IS NULL", s, t)
			why = shown + " is not true/false'"
		default:
			expr = s
			if f.Pattern != "" {
				bad = fmt.Sprintf("%s IS NOT NULL AND NOT regexp_full_match(%s, %s)", s, s, sqlStr(f.Pattern))
				why = shown + fmt.Sprintf(" is not %s'", f.Want)
			}
			if len(f.Enum) > 0 {
				expr = "lower(" + s + ")"
				quoted := make([]string, len(f.Enum))
				for i, v := range f.Enum {
					quoted[i] = sqlStr(v)
				}
				bad = fmt.Sprintf("%s IS NOT NULL AND %s NOT IN (%s)", s, t, strings.Join(quoted, ", "))
				why = shown + fmt.Sprintf(" is not one of %s'", strings.Join(f.Enum, ", "))
			}
		}
		typed = append(typed, fmt.Sprintf("%s AS %s", expr, t))
		if f.Required {
			reasons = append(reasons, fmt.Sprintf("CASE WHEN %s IS NULL THEN '%s is required' END", s, f.Name))
			fields = append(fields, fmt.Sprintf("CASE WHEN %s IS NULL THEN '%s' END", s, f.Name))
		}
		if bad != "" {
			reasons = append(reasons, fmt.Sprintf("CASE WHEN %s THEN %s END", bad, why))
			fields = append(fields, fmt.Sprintf("CASE WHEN %s THEN '%s' END", bad, f.Name))
		}
		outs = append(outs, fmt.Sprintf("%s AS %s", t, f.Name))
	}
	// Products the models compute must fit DECIMAL(18,8); widened here to be computed at all.
	for _, pr := range ent.Products {
		a, b := "_kam_t_"+pr[0], "_kam_t_"+pr[1]
		product := fmt.Sprintf("(CAST(%s AS DECIMAL(38,4)) * %s)", a, b)
		bad := fmt.Sprintf("abs%s >= %d", product, wh.MaxProduct)
		reasons = append(reasons, fmt.Sprintf("CASE WHEN %s THEN '%s × %s = ' || CAST(%s AS DECIMAL(38,4)) || ' is too large: it must stay below %s (a misplaced decimal point?)' END",
			bad, pr[0], pr[1], product, wh.MaxProductText))
		fields = append(fields, fmt.Sprintf("CASE WHEN %s THEN '%s' END", bad, pr[0]))
	}
	keep := "true"
	if src.Filter != "" {
		keep = "coalesce((" + src.Filter + "), false)"
	}
	rawParts := make([]string, len(st.columns))
	for i, c := range st.columns {
		rawParts[i] = fmt.Sprintf("coalesce(CAST(%s AS VARCHAR), '')", wh.QuoteIdent(c))
	}
	delim := src.Delimiter
	if delim == "" {
		delim = ","
	}
	raw := fmt.Sprintf("array_to_string([%s], %s)", strings.Join(rawParts, ", "), sqlStr(delim))
	if len(rawParts) == 0 {
		raw = "''"
	}
	rel := st.relation
	if len(src.Nulls) > 0 && len(st.columns) > 0 {
		markers := make([]string, len(src.Nulls))
		for i, m := range src.Nulls {
			markers[i] = sqlStr(strings.TrimSpace(m))
		}
		cols := make([]string, len(st.columns))
		for i, c := range st.columns {
			q := wh.QuoteIdent(c)
			cols[i] = fmt.Sprintf("CASE WHEN trim(CAST(%s AS VARCHAR)) IN (%s) THEN NULL ELSE %s END AS %s", q, strings.Join(markers, ", "), q, q)
		}
		rel = fmt.Sprintf("(SELECT _rank, _line, %s FROM %s)", strings.Join(cols, ", "), rel)
	}
	layer := func(exprs []string, from string) string {
		if len(exprs) == 0 {
			return from
		}
		return fmt.Sprintf("(SELECT *,\n  %s\nFROM %s)", strings.Join(exprs, ",\n  "), from)
	}
	q := layer(append([]string{keep + " AS _kam_keep"}, texts...), rel)
	q = layer(nums, q)
	q = layer(typed, q)
	q = layer([]string{
		fmt.Sprintf("coalesce(%s) AS _kam_reason", strings.Join(orNull(reasons), ", ")),
		fmt.Sprintf("coalesce(%s) AS _kam_field", strings.Join(orNull(fields), ", ")),
	}, q)
	return fmt.Sprintf("SELECT _rank, _line, _kam_keep AS _keep, %s, _kam_reason AS _reason, _kam_field AS _field,\n  CASE WHEN _kam_reason IS NOT NULL THEN %s END AS _raw\nFROM %s",
		strings.Join(outs, ", "), raw, q), nil
}

func orNull(list []string) []string {
	if len(list) == 0 {
		return []string{"NULL"}
	}
	return list
}
