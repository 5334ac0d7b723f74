package ingest

import (
	"fmt"
	"regexp"
	"strings"

	wh "github.com/kam-analytics/kam/ingest/warehouse"
)

// staged is a relation of source rows: `_rank` (1-based order of the row),
// `_line` (where it starts in the file) and the source columns as text.
type staged struct {
	relation string   // a SQL FROM item
	columns  []string // source column names
}

// fieldOrigin is the SQL text of a canonical field's value over source columns.
func fieldOrigin(src *Source, ent *wh.Entity, f wh.Field, cols []string) (string, error) {
	if len(src.Columns) > 0 {
		c, ok := src.Columns[f.Name]
		if !ok {
			if f.Required {
				return "", fmt.Errorf("required field %s of %s is not mapped in `columns:`", f.Name, ent.Name)
			}
			return "NULL", nil
		}
		if c.Expr != "" {
			return "(" + c.Expr + ")", nil
		}
		if !containsFold(cols, c.Source) {
			return "", fmt.Errorf("column %q (for %s) is not in the file (columns: %s)", c.Source, f.Name, strings.Join(cols, ", "))
		}
		return wh.QuoteIdent(matchFold(cols, c.Source)), nil
	}
	if containsFold(cols, f.Name) {
		return wh.QuoteIdent(matchFold(cols, f.Name)), nil
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
func typedSelect(src *Source, ent *wh.Entity, st staged) (string, error) {
	var (
		sel     []string // lateral aliases, in order
		out     []string // final columns
		reasons []string
		fields  []string
	)
	numClean := func(v string) string {
		if src.Thousands != "" {
			v = fmt.Sprintf("regexp_replace(%s, %s, '', 'g')", v, sqlStr("[\\s\u00a0\u202f"+regexp.QuoteMeta(src.Thousands)+"]"))
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
		s := "_kam_s_" + f.Name
		sel = append(sel, fmt.Sprintf("nullif(trim(CAST(%s AS VARCHAR)), '') AS %s", origin, s))
		shown := fmt.Sprintf("'%s \"' || left(%s, 80) || '\"", f.Name, s)
		var typed, bad, why string
		switch f.Type {
		case wh.Decimal:
			n := "_kam_n_" + f.Name
			sel = append(sel, fmt.Sprintf("%s AS %s", numClean(s), n))
			typed = fmt.Sprintf("TRY_CAST(%s AS DECIMAL(18,4))", n)
			bad = fmt.Sprintf("%s IS NOT NULL AND (NOT regexp_full_match(%s, '[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)') OR %s IS NULL)", n, n, typed)
			why = shown + " is not a number'"
			reasons = append(reasons, fmt.Sprintf("CASE WHEN %s IS NOT NULL AND regexp_full_match(%s, '[+-]?[0-9]*[.][0-9]{5,}') THEN %s has more than 4 decimal places' END", n, n, shown))
			fields = append(fields, fmt.Sprintf("CASE WHEN %s IS NOT NULL AND regexp_full_match(%s, '[+-]?[0-9]*[.][0-9]{5,}') THEN '%s' END", n, n, f.Name))
		case wh.Int:
			typed = fmt.Sprintf("TRY_CAST(%s AS BIGINT)", s)
			bad = fmt.Sprintf("%s IS NOT NULL AND %s IS NULL", s, typed)
			why = shown + " is not a whole number'"
		case wh.Date:
			if src.DateFormat != "" {
				typed = fmt.Sprintf("coalesce(TRY_CAST(try_strptime(%s, %s) AS DATE), TRY_CAST(TRY_CAST(%s AS TIMESTAMP) AS DATE))", s, sqlStr(src.DateFormat), s)
			} else {
				typed = fmt.Sprintf("coalesce(TRY_CAST(%s AS DATE), TRY_CAST(TRY_CAST(%s AS TIMESTAMP) AS DATE))", s, s)
			}
			bad = fmt.Sprintf("%s IS NOT NULL AND %s IS NULL", s, typed)
			why = shown + fmt.Sprintf(" is not a date (expected %s)'", dateWant)
		case wh.Bool:
			typed = fmt.Sprintf("CASE WHEN lower(%s) IN ('true','1','да','yes','t','y') THEN true WHEN lower(%s) IN ('false','0','нет','no','f','n') THEN false END", s, s)
			bad = fmt.Sprintf("%s IS NOT NULL AND %s IS NULL", s, typed)
			why = shown + " is not true/false'"
		default:
			typed = s
			if f.Pattern != "" {
				bad = fmt.Sprintf("%s IS NOT NULL AND NOT regexp_full_match(%s, %s)", s, s, sqlStr(f.Pattern))
				why = shown + fmt.Sprintf(" is not %s'", f.Want)
			}
			if len(f.Enum) > 0 {
				typed = "lower(" + s + ")"
				quoted := make([]string, len(f.Enum))
				for i, v := range f.Enum {
					quoted[i] = sqlStr(v)
				}
				bad = fmt.Sprintf("%s IS NOT NULL AND lower(%s) NOT IN (%s)", s, s, strings.Join(quoted, ", "))
				why = shown + fmt.Sprintf(" is not one of %s'", strings.Join(f.Enum, ", "))
			}
		}
		if f.Required {
			reasons = append(reasons, fmt.Sprintf("CASE WHEN %s IS NULL THEN '%s is required' END", s, f.Name))
			fields = append(fields, fmt.Sprintf("CASE WHEN %s IS NULL THEN '%s' END", s, f.Name))
		}
		if bad != "" {
			reasons = append(reasons, fmt.Sprintf("CASE WHEN %s THEN %s END", bad, why))
			fields = append(fields, fmt.Sprintf("CASE WHEN %s THEN '%s' END", bad, f.Name))
		}
		out = append(out, fmt.Sprintf("%s AS %s", typed, f.Name))
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
	inner := fmt.Sprintf("SELECT _rank, _line, %s AS _keep,\n  %s,\n  %s,\n  coalesce(%s) AS _reason,\n  coalesce(%s) AS _field,\n  CASE WHEN _reason IS NOT NULL THEN %s END AS _raw\nFROM %s",
		keep, strings.Join(sel, ",\n  "), strings.Join(out, ",\n  "),
		strings.Join(orNull(reasons), ", "), strings.Join(orNull(fields), ", "),
		raw, st.relation)
	cols := append([]string{"_rank", "_line", "_keep"}, ent.FieldNames()...)
	cols = append(cols, "_reason", "_field", "_raw")
	return fmt.Sprintf("SELECT %s FROM (\n%s\n)", strings.Join(cols, ", "), inner), nil
}

func orNull(list []string) []string {
	if len(list) == 0 {
		return []string{"NULL"}
	}
	return list
}
