package warehouse

import "strings"

// Type is a canonical field type of data-contract.md.
type Type int

const (
	Text Type = iota
	Date
	Int
	Decimal
	Bool
)

// SQL is the DuckDB column type used for a canonical type. Money and
// quantities are DECIMAL(18,4): exact to the kopeck with room for unit prices.
func (t Type) SQL() string {
	switch t {
	case Date:
		return "DATE"
	case Int:
		return "BIGINT"
	case Decimal:
		return "DECIMAL(18,4)"
	case Bool:
		return "BOOLEAN"
	}
	return "VARCHAR"
}

func (t Type) String() string {
	return [...]string{"text", "date", "int", "decimal", "bool"}[t]
}

// Field is one column of a canonical entity.
type Field struct {
	Name     string
	Type     Type
	Required bool
	// Enum lists the allowed values of a text field (empty = any).
	Enum []string
	// Pattern is a regular expression a text value must match in full, and
	// Want says in words what it expects (for the quarantine reason).
	Pattern, Want string
	// Min and Max bound a decimal, inclusive ("" = unbounded): a percentage
	// of 150 or a negative volume is a typing error, not a fact to model.
	Min, Max string
}

// Entity is a canonical table: its name, fields in contract order and key.
type Entity struct {
	Name   string
	Fields []Field
	// Key identifies a row; loading a row with an existing key replaces it.
	Key []string
	// Products lists pairs of decimal fields the models multiply (a line's
	// quantity × price). DuckDB multiplies two DECIMAL(18,4) into
	// DECIMAL(18,8), so a product must stay below MaxProduct: a row whose
	// product reaches it is quarantined instead of failing every build.
	Products [][2]string
}

// MaxProduct bounds the product of two fields named in Entity.Products;
// MaxProductText is how messages write it.
const (
	MaxProduct     = 10_000_000_000
	MaxProductText = "10 000 000 000"
)

// Field returns the named field.
func (e *Entity) Field(name string) (Field, bool) {
	for _, f := range e.Fields {
		if f.Name == name {
			return f, true
		}
	}
	return Field{}, false
}

// FieldNames lists the entity's fields in contract order.
func (e *Entity) FieldNames() []string {
	names := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		names[i] = f.Name
	}
	return names
}

// LineageColumns are added to every canonical table: where each row came from.
var LineageColumns = []string{"_source", "_file", "_line", "_load_id"}

func req(name string, t Type) Field { return Field{Name: name, Type: t, Required: true} }
func opt(name string, t Type) Field { return Field{Name: name, Type: t} }
func enum(f Field, values ...string) Field {
	f.Enum = values
	return f
}
func bounded(f Field, min, max string) Field {
	f.Min, f.Max = min, max
	return f
}

// RangeText says in words what a bounded field accepts.
func (f Field) RangeText() string {
	switch {
	case f.Min != "" && f.Max != "":
		return f.Min + " to " + f.Max
	case f.Min != "":
		return f.Min + " or more"
	case f.Max != "":
		return f.Max + " or less"
	}
	return ""
}

// Entities is the canonical data contract (../shared/docs/data-contract.md),
// in load order: reference data before events.
//
// Two entities have no key in the contract; kam gives them a natural one so
// that re-sending a row replaces it instead of duplicating it:
// client_assignments by (client_id, valid_from) and competitor_notes by
// (noted_on, client_id, category, competitor).
var Entities = []*Entity{
	{Name: "managers", Key: []string{"manager_id"}, Fields: []Field{
		req("manager_id", Text), req("name", Text), opt("email", Text), opt("team", Text),
		opt("hired_on", Date), opt("left_on", Date), req("variable_target", Decimal),
	}},
	{Name: "clients", Key: []string{"client_id"}, Fields: []Field{
		req("client_id", Text), req("name", Text), opt("inn", Text), req("segment", Text),
		opt("region", Text), opt("is_key", Bool), opt("price_column", Text), opt("credit_limit", Decimal),
		opt("payment_terms_days", Int), opt("created_on", Date),
	}},
	{Name: "client_assignments", Key: []string{"client_id", "valid_from"}, Fields: []Field{
		req("client_id", Text), req("manager_id", Text), req("valid_from", Date), opt("valid_to", Date),
	}},
	{Name: "products", Key: []string{"sku"}, Fields: []Field{
		req("sku", Text), req("name", Text), req("category", Text), opt("brand", Text),
	}},
	{Name: "price_list", Key: []string{"sku", "price_column", "valid_from"}, Fields: []Field{
		req("sku", Text), req("price_column", Text), req("price", Decimal), req("valid_from", Date),
	}},
	{Name: "order_lines", Key: []string{"order_id", "line_no"}, Fields: []Field{
		req("order_id", Text), req("line_no", Int), req("order_date", Date), req("client_id", Text),
		opt("manager_id", Text), req("sku", Text), req("qty", Decimal), req("price", Decimal),
		opt("shipped_qty", Decimal), opt("shipped_on", Date), opt("refused_qty", Decimal), opt("refusal_reason", Text),
	}, Products: [][2]string{{"qty", "price"}, {"shipped_qty", "price"}, {"refused_qty", "price"}}},
	{Name: "invoices", Key: []string{"invoice_id"}, Fields: []Field{
		req("invoice_id", Text), req("invoice_date", Date), req("client_id", Text), opt("order_id", Text),
		req("amount", Decimal), opt("due_date", Date),
	}},
	{Name: "returns", Key: []string{"return_id"}, Fields: []Field{
		req("return_id", Text), req("return_date", Date), req("client_id", Text), opt("invoice_id", Text),
		opt("sku", Text), opt("qty", Decimal), req("amount", Decimal), opt("reason", Text),
	}},
	{Name: "payments", Key: []string{"payment_id"}, Fields: []Field{
		req("payment_id", Text), req("paid_on", Date), opt("client_id", Text), opt("payer_inn", Text),
		req("amount", Decimal), opt("invoice_id", Text), opt("purpose", Text),
	}},
	{Name: "activities", Key: []string{"activity_id"}, Fields: []Field{
		req("activity_id", Text), req("manager_id", Text), opt("client_id", Text),
		enum(req("kind", Text), "visit", "call", "meeting", "email"),
		opt("planned_on", Date), opt("done_on", Date),
		enum(req("status", Text), "planned", "done", "cancelled", "missed"), opt("result", Text),
	}},
	{Name: "deals", Key: []string{"deal_id"}, Fields: []Field{
		req("deal_id", Text), req("client_id", Text), req("manager_id", Text), req("opened_on", Date),
		opt("closed_on", Date), enum(req("status", Text), "open", "won", "lost"), opt("amount", Decimal),
		opt("lost_reason", Text),
	}},
	{Name: "competitor_notes", Key: []string{"noted_on", "client_id", "category", "competitor"}, Fields: []Field{
		req("noted_on", Date), req("client_id", Text), req("category", Text), req("competitor", Text),
		bounded(opt("share_pct", Decimal), "0", "100"), bounded(opt("monthly_volume", Decimal), "0", ""), opt("manager_id", Text),
	}},
	{Name: "plans", Key: []string{"manager_id", "period", "kpi"}, Fields: []Field{
		req("manager_id", Text),
		Field{Name: "period", Type: Text, Required: true, Pattern: `[0-9]{4}(-(0[1-9]|1[0-2])|-Q[1-4])?`, Want: "YYYY-MM, YYYY-Qn or YYYY"},
		req("kpi", Text), req("target", Decimal),
	}},
	{Name: "promotions", Key: []string{"promo_id"}, Fields: []Field{
		req("promo_id", Text), req("name", Text), req("starts_on", Date), req("ends_on", Date),
		opt("category", Text), opt("sku", Text), bounded(opt("discount_pct", Decimal), "0", "100"),
	}},
}

// Lookup finds a canonical entity by name.
func Lookup(name string) (*Entity, bool) {
	for _, e := range Entities {
		if e.Name == name {
			return e, true
		}
	}
	return nil, false
}

// EntityNames lists the canonical entity names, for messages.
func EntityNames() string {
	names := make([]string, len(Entities))
	for i, e := range Entities {
		names[i] = e.Name
	}
	return strings.Join(names, ", ")
}
