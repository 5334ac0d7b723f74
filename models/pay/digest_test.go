package pay

import (
	"bufio"
	"bytes"
	"reflect"
	"testing"
	"time"

	"github.com/shopspring/decimal"
)

// digestInputs writes every field by hand; a field added to Inputs or to
// the types it holds would be left out of the workbook key, and a changed
// figure would leave an old workbook in place. This counts the fields.
func TestDigestCoversInputs(t *testing.T) {
	want := map[reflect.Type]int{
		reflect.TypeOf(Inputs{}):     11,
		reflect.TypeOf(Manager{}):    5,
		reflect.TypeOf(Event{}):      11,
		reflect.TypeOf(Client{}):     4,
		reflect.TypeOf(Receivable{}): 6,
		reflect.TypeOf(Amount{}):     2,
		reflect.TypeOf(OpenItem{}):   7,
	}
	for typ, n := range want {
		if typ.NumField() != n {
			t.Errorf("%s has %d fields, digestInputs writes %d: add the new field to digestInputs, then update this count", typ, typ.NumField(), n)
		}
	}
}

// Each field, changed alone, changes the digest.
func TestDigestChangesWithEveryField(t *testing.T) {
	day := time.Date(2026, 10, 5, 0, 0, 0, 0, time.UTC)
	other := day.AddDate(0, 0, 1)
	base := func() *Inputs {
		due := day
		return &Inputs{
			Period: PeriodOf(day), Basis: "shipped",
			Manager: Manager{ID: "M1", Name: "Анна", VariableTarget: decimal.RequireFromString("50000")},
			Targets: map[string]decimal.Decimal{"sales": decimal.RequireFromString("100")},
			Sales: []Event{{Kind: "shipment", Date: day, Ref: "O1/1", ClientID: "C1", ClientName: "Ромашка", SKU: "S1",
				Qty: decimal.RequireFromString("2"), Amount: decimal.RequireFromString("10.5"), MatchedBy: "client_id", PayerINN: "7700000000", InvoiceID: "I1"}},
			ActiveClients: []Client{{ClientID: "C1", ClientName: "Ромашка", Date: day, Amount: decimal.RequireFromString("10.5")}},
			NewClients:    []Client{{ClientID: "C1", ClientName: "Ромашка", Date: day}},
			Receivables: []Receivable{{ClientID: "C1", ClientName: "Ромашка", NotDue: decimal.RequireFromString("1"),
				Overdue: []Amount{{Name: "overdue_1_30", Amount: decimal.RequireFromString("2")}}, Advance: decimal.RequireFromString("0"),
				Items: []OpenItem{{Kind: "invoice", ID: "I1", Date: &due, DueDate: &due, Open: decimal.RequireFromString("2"), DaysOverdue: 3, Bucket: "overdue_1_30"}}}},
			ReceivablesAsOf: &due,
		}
	}
	digest := func(in *Inputs) string {
		var b bytes.Buffer
		w := bufio.NewWriter(&b)
		digestInputs(w, in)
		w.Flush()
		return b.String()
	}
	ref := digest(base())
	one := decimal.RequireFromString("1.01")
	changes := map[string]func(in *Inputs){
		"period":            func(in *Inputs) { in.Period = in.Period.Next() },
		"basis":             func(in *Inputs) { in.Basis = "collected" },
		"no receivables":    func(in *Inputs) { in.NoReceivables = true },
		"provisional":       func(in *Inputs) { in.Provisional = true },
		"receivables as of": func(in *Inputs) { in.ReceivablesAsOf = &other },
		"manager id":        func(in *Inputs) { in.Manager.ID = "M2" },
		"manager name":      func(in *Inputs) { in.Manager.Name = "Анна П." },
		"variable target":   func(in *Inputs) { in.Manager.VariableTarget = one },
		"hired on":          func(in *Inputs) { in.Manager.HiredOn = &day },
		"left on":           func(in *Inputs) { in.Manager.LeftOn = &day },
		"target":            func(in *Inputs) { in.Targets["sales"] = one },
		"kind":              func(in *Inputs) { in.Sales[0].Kind = "return" },
		"date":              func(in *Inputs) { in.Sales[0].Date = other },
		"ref":               func(in *Inputs) { in.Sales[0].Ref = "O1/2" },
		"client id":         func(in *Inputs) { in.Sales[0].ClientID = "C2" },
		"client name":       func(in *Inputs) { in.Sales[0].ClientName = "Ромашка\t2" },
		"sku":               func(in *Inputs) { in.Sales[0].SKU = "S2" },
		"qty":               func(in *Inputs) { in.Sales[0].Qty = one },
		"amount":            func(in *Inputs) { in.Sales[0].Amount = one },
		"matched by":        func(in *Inputs) { in.Sales[0].MatchedBy = "payer_inn" },
		"payer inn":         func(in *Inputs) { in.Sales[0].PayerINN = "7700000001" },
		"invoice id":        func(in *Inputs) { in.Sales[0].InvoiceID = "I2" },
		"active client":     func(in *Inputs) { in.ActiveClients[0].ClientName = "Другой" },
		"active date":       func(in *Inputs) { in.ActiveClients[0].Date = other },
		"active amount":     func(in *Inputs) { in.ActiveClients[0].Amount = one },
		"new client id":     func(in *Inputs) { in.NewClients[0].ClientID = "C2" },
		"not due":           func(in *Inputs) { in.Receivables[0].NotDue = one },
		"advance":           func(in *Inputs) { in.Receivables[0].Advance = one },
		"bucket name":       func(in *Inputs) { in.Receivables[0].Overdue[0].Name = "overdue_31_60" },
		"bucket amount":     func(in *Inputs) { in.Receivables[0].Overdue[0].Amount = one },
		"receivable name":   func(in *Inputs) { in.Receivables[0].ClientName = "Другой" },
		"item kind":         func(in *Inputs) { in.Receivables[0].Items[0].Kind = "return" },
		"item id":           func(in *Inputs) { in.Receivables[0].Items[0].ID = "I9" },
		"item date":         func(in *Inputs) { in.Receivables[0].Items[0].Date = &other },
		"item due":          func(in *Inputs) { in.Receivables[0].Items[0].DueDate = nil },
		"item open":         func(in *Inputs) { in.Receivables[0].Items[0].Open = one },
		"item days":         func(in *Inputs) { in.Receivables[0].Items[0].DaysOverdue = 4 },
		"item bucket":       func(in *Inputs) { in.Receivables[0].Items[0].Bucket = "not_due" },
		"a second sale":     func(in *Inputs) { in.Sales = append(in.Sales, in.Sales[0]) },
	}
	for name, change := range changes {
		in := base()
		change(in)
		if digest(in) == ref {
			t.Errorf("changing the %s leaves the digest as it was", name)
		}
	}
}
