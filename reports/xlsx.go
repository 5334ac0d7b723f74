package reports

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"slices"

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
// a text cell (never a formula) and guarded by GuardCell, so that it stays
// text when the sheet is saved again as CSV; decimals are numbers with two
// decimals.
func WriteXLSX(w io.Writer, sheets []Sheet) error {
	f := excelize.NewFile()
	defer f.Close()
	f.SetZipWriter(func(w io.Writer) excelize.ZipWriter { return &sortedZip{zw: zip.NewWriter(w)} })
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
					cells[c] = excelize.Cell{Value: GuardCell(x)}
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
	sheets := []Sheet{fulfil("month_"+d.Period, d.Month), fulfil("ytd_"+d.Year, d.YTD), totals, trend}
	return append(sheets, d.panelSheets()...)
}

// panelSheets are a sheet per table of the panels below plan fulfilment;
// a panel without data still gets its sheet, with the header only.
func (d *Director) panelSheets() []Sheet {
	base := Sheet{Name: "client_base", Header: []string{"month", "active_start", "new_clients", "reactivated", "lost", "transferred_in", "transferred_out", "active"},
		Widths: []float64{12, 14, 14, 14, 10, 16, 16, 10}}
	for _, c := range d.ClientBase {
		base.Rows = append(base.Rows, []any{c.Month.Format("2006-01"), c.ActiveStart, c.New, c.Reactivated, c.Lost, c.TransferredIn, c.TransferredOut, c.Active})
	}
	ageing := func(name string, first []string, rows func(a *AgeingSummary) []AgeingRow, cells func(r AgeingRow) []any) Sheet {
		s := Sheet{Name: name, Header: first}
		if d.Ageing == nil {
			return s
		}
		s.Header = append(append(append([]string{"as_of"}, first...), d.Ageing.Buckets...), "overdue", "advance", "balance")
		for range s.Header {
			s.Widths = append(s.Widths, 16)
		}
		for _, r := range rows(d.Ageing) {
			row := append([]any{d.Ageing.AsOf.Format("2006-01-02")}, cells(r)...)
			for _, a := range r.Amounts {
				row = append(row, a)
			}
			s.Rows = append(s.Rows, append(row, r.Overdue, r.Advance, r.Balance))
		}
		return s
	}
	byManager := ageing("receivables_by_manager", []string{"manager_id", "manager"},
		func(a *AgeingSummary) []AgeingRow { return a.ByManager },
		func(r AgeingRow) []any { return []any{r.ManagerID, r.ManagerName} })
	debtors := ageing("worst_debtors", []string{"client_id", "client", "manager_id", "manager"},
		func(a *AgeingSummary) []AgeingRow { return a.Debtors },
		func(r AgeingRow) []any { return []any{r.ID, r.Name, r.ManagerID, r.ManagerName} })
	shares := Sheet{Name: "competitor_share", Header: []string{"segment", "category", "as_of", "our_monthly_sales", "competitor_monthly_sales", "wallet",
		"share_low", "share", "share_high", "competitors", "noted_clients", "unnoted_clients", "is_inconsistent"},
		Widths: []float64{16, 18, 12, 18, 18, 18, 10, 10, 10, 12, 12, 12, 12}}
	for _, c := range d.Competitors {
		shares.Rows = append(shares.Rows, []any{c.Segment, c.Category, c.AsOf.Format("2006-01-02"), c.Ours, c.CompetitorMonthlySales, c.Wallet,
			c.Low, c.Share, c.High, c.Competitors, c.NotedClients, c.Unnoted, c.Inconsistent})
	}
	pay := Sheet{Name: "variable_pay", Header: []string{"period", "manager_id", "manager", "team", "plan", "budget", "pay",
		"gap_value_sales", "gap_value_active_clients", "gap_value_new_clients", "gap_value_all", "flags"},
		Widths: []float64{10, 12, 30, 14, 14, 14, 14, 16, 16, 16, 16, 20}}
	if d.Pay != nil {
		for _, l := range d.Pay.Lines {
			pay.Rows = append(pay.Rows, []any{d.Pay.Period, l.ManagerID, l.Name, l.Team, l.Plan, l.Budget, l.Pay,
				l.GapValue["sales"], l.GapValue["active_clients"], l.GapValue["new_clients"], l.All, l.Flags})
		}
	}
	credit := Sheet{Name: "alerts_credit", Header: []string{"client_id", "client", "manager_id", "manager", "balance", "credit_limit", "overdue",
		"oldest_overdue_days", "tolerance_days", "is_over_limit", "is_beyond_tolerance"},
		Widths: []float64{12, 30, 12, 30, 16, 16, 16, 12, 12, 12, 12}}
	lost := Sheet{Name: "alerts_lost_clients", Header: []string{"client_id", "client", "manager_id", "manager", "window_net_sales"},
		Widths: []float64{12, 30, 12, 30, 18}}
	discounts := Sheet{Name: "alerts_discounts", Header: []string{"manager_id", "manager", "lines", "clients", "shortfall", "max_discount"},
		Widths: []float64{12, 30, 10, 10, 16, 12}}
	if a := d.Alerts; a != nil {
		for _, c := range a.Credit {
			credit.Rows = append(credit.Rows, []any{c.ClientID, c.ClientName, c.ManagerID, c.ManagerName, c.Balance, c.CreditLimit, c.Overdue,
				c.OldestOverdueDays, c.ToleranceDays, c.OverLimit, c.BeyondTolerance})
		}
		for _, l := range a.Lost {
			lost.Rows = append(lost.Rows, []any{l.ClientID, l.ClientName, l.ManagerID, l.ManagerName, l.WindowSales})
		}
		for _, b := range a.Discounts {
			discounts.Rows = append(discounts.Rows, []any{b.ManagerID, b.ManagerName, b.Lines, b.Clients, b.Shortfall, b.MaxDiscount})
		}
	}
	forecast := Sheet{Name: "segment_forecast", Header: []string{"segment", "period", "actual", "forecast", "lo80", "hi80", "lo95", "hi95", "model", "mase", "bias"},
		Widths: []float64{16, 10, 16, 16, 16, 16, 16, 16, 30, 8, 8}}
	for _, f := range d.Forecasts {
		for _, p := range f.Points {
			var mase, bias any
			if f.HasAccuracy {
				mase, bias = f.MASE, f.Bias
			}
			forecast.Rows = append(forecast.Rows, []any{f.Segment, p.Period, p.Actual, p.Forecast, p.Lo80, p.Hi80, p.Lo95, p.Hi95, f.Model, mase, bias})
		}
	}
	return []Sheet{base, byManager, debtors, shares, pay, credit, lost, discounts, forecast}
}

// sortedZip writes a workbook's parts in name order on Close: excelize
// writes its streamed sheets in map order, and the same pack must give the
// same bytes.
type sortedZip struct {
	zw    *zip.Writer
	parts map[string]*bytes.Buffer
}

func (z *sortedZip) Create(name string) (io.Writer, error) {
	if z.parts == nil {
		z.parts = map[string]*bytes.Buffer{}
	}
	if _, dup := z.parts[name]; dup {
		return nil, fmt.Errorf("xlsx: part %s written twice", name)
	}
	b := new(bytes.Buffer)
	z.parts[name] = b
	return b, nil
}

func (z *sortedZip) AddFS(fsys fs.FS) error { return z.zw.AddFS(fsys) }

func (z *sortedZip) Close() error {
	for _, name := range slices.Sorted(maps.Keys(z.parts)) {
		w, err := z.zw.Create(name)
		if err != nil {
			return err
		}
		if _, err := z.parts[name].WriteTo(w); err != nil {
			return err
		}
	}
	return z.zw.Close()
}
