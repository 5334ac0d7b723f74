package reports

import (
	"fmt"
	"io"

	"github.com/xuri/excelize/v2"
)

// Sheet is one worksheet of an XLSX export: a header row and typed cells.
type Sheet struct {
	Name   string
	Header []string
	Rows   [][]any // string (always stored as text), Dec, int, int64, float64 or nil
	Widths []float64
}

// WriteXLSX streams sheets into an XLSX workbook. Text is always stored as
// a text cell (never a formula), decimals as numbers with two decimals.
func WriteXLSX(w io.Writer, sheets []Sheet) error {
	f := excelize.NewFile()
	defer f.Close()
	money, err := f.NewStyle(&excelize.Style{NumFmt: 4}) // #,##0.00
	if err != nil {
		return err
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"#F0F4F8"}}})
	if err != nil {
		return err
	}
	for i, s := range sheets {
		name := s.Name
		if i == 0 {
			if err := f.SetSheetName("Sheet1", name); err != nil {
				return err
			}
		} else if _, err := f.NewSheet(name); err != nil {
			return err
		}
		sw, err := f.NewStreamWriter(name)
		if err != nil {
			return err
		}
		for c, wdt := range s.Widths {
			if err := sw.SetColWidth(c+1, c+1, wdt); err != nil {
				return err
			}
		}
		head := make([]any, len(s.Header))
		for c, h := range s.Header {
			head[c] = excelize.Cell{StyleID: bold, Value: h}
		}
		if err := sw.SetRow("A1", head); err != nil {
			return err
		}
		for r, row := range s.Rows {
			cells := make([]any, len(row))
			for c, v := range row {
				switch x := v.(type) {
				case Dec:
					if x.Valid {
						cells[c] = excelize.Cell{StyleID: money, Value: x.Decimal.InexactFloat64()}
					}
				case string:
					cells[c] = excelize.Cell{Value: x}
				default:
					cells[c] = v
				}
			}
			axis, _ := excelize.CoordinatesToCellName(1, r+2)
			if err := sw.SetRow(axis, cells); err != nil {
				return err
			}
		}
		if err := sw.Flush(); err != nil {
			return fmt.Errorf("sheet %s: %w", name, err)
		}
	}
	return f.Write(w)
}

// DirectorSheets lays out the director's monthly report as worksheets.
func DirectorSheets(d *Director) []Sheet {
	fulfil := func(name string, rows []Fulfilment) Sheet {
		s := Sheet{Name: name, Header: []string{"manager_id", "manager", "team", "period", "kpi", "target", "actual", "attainment", "projected", "flags"},
			Widths: []float64{12, 30, 14, 10, 16, 16, 16, 12, 16, 16}}
		for _, f := range rows {
			s.Rows = append(s.Rows, []any{f.ManagerID, f.ManagerName, f.Team, f.Period, f.KPI, f.Target, f.Actual, f.Attainment, f.Projected, f.Flags})
		}
		return s
	}
	totals := fulfil("totals", d.Totals)
	for i, f := range d.Totals {
		if f.Level == "company" {
			totals.Rows[i][1] = "company"
		}
	}
	trend := Sheet{Name: "sales_trend", Header: []string{"month", "net_sales", "net_sales_year_before"}, Widths: []float64{12, 18, 18}}
	for _, t := range d.Trend {
		trend.Rows = append(trend.Rows, []any{t.Month.Format("2006-01"), t.NetSales, t.LastYear})
	}
	return []Sheet{fulfil("month_"+d.Period, d.Month), fulfil("ytd_"+d.Year, d.YTD), totals, trend}
}
