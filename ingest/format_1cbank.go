package ingest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
)

// Format 1c-bank reads 1CClientBankExchange files (the text exchange format
// between 1C and bank clients, versions 1.01–1.03; see
// shared/docs/format-1c-clientbankexchange.md) into payments.
//
// Encoding: the bytes decide, not the `Кодировка=` header. A file that is
// valid UTF-8 is UTF-8. Otherwise each line that is valid UTF-8 is read as
// UTF-8 (files glued together from two sources exist) and the other lines
// as windows-1251 or cp866, whichever makes more keys read as Cyrillic
// words; on a tie the header decides (`DOS` = cp866, anything else =
// windows-1251). Line ends may be CRLF, LF or CR, mixed.
//
// Structure: the file must start with `1CClientBankExchange` and end with
// `КонецФайла`; a file without the end marker fails as a whole (it may be
// truncated or still being copied) and is retried on the next run. Each
// `СекцияДокумент[=type]` … `КонецДокумента` block is one document; a bare
// `СекцияДокумент` takes its type from the header's `Документ=` when there is
// one. A document not closed before the next one starts is quarantined.
// Unknown keys are kept in the raw text and otherwise ignored.
//
// Direction, against config company.inn (required for this format):
//   - ПолучательИНН is ours and ПлательщикИНН is not: incoming, a payment;
//   - ПлательщикИНН is ours and ПолучательИНН is not: outgoing, filtered;
//   - neither is ours: other, filtered;
//   - both are ours (a transfer between our own accounts, or an anonymised
//     file): the statement's own accounts (every РасчСчет of the header and
//     of the balance sections) decide: credited to one of them and debited
//     elsewhere is incoming, the reverse outgoing; failing that, ДатаПоступило
//     alone means incoming and ДатаСписано alone outgoing; otherwise internal,
//     filtered. Such incoming transfers carry our own INN as payer_inn, match
//     no client and show up in the unmatched count.
//
// A missing or all-zero ПлательщикИНН/ПолучательИНН is taken from the start
// of the one-line Плательщик/Получатель ("7701234567, ООО …" or
// "ИНН 7701234567 …"); an empty INN side counts as ours when its account is
// one of the statement's accounts.
//
// Fields: paid_on is ДатаПоступило, else Дата; amount is Сумма, exact;
// purpose is НазначениеПлатежа, else НазначениеПлатежа1…6 joined with
// spaces; payer_name is Плательщик1, else the one-line Плательщик without its
// INN; invoice_ref is the invoice number found in the purpose
// (invoiceRefPattern) and becomes invoice_id only if that invoice is in the
// warehouse; the line of a row is the line of its СекцияДокумент.
//
// payment_id is "1c:<Дата as YYYY-MM-DD>:<Номер>:<h>", where h is the first
// 8 hex digits of SHA-256 over the payer's INN, the payer's account
// (ПлательщикСчет, else ПлательщикРасчСчет) and the amount in canonical form
// ("700.00" = "700"), joined with NUL bytes. Номер and Дата are what an
// accountant searches for; the digest keeps apart documents of different
// payers that share a number and a date. The same document in two
// overlapping statements gets the same id, so it loads once.
func init() { registerFormat("1c-bank", stage1CBank) }

func stage1CBank(ctx context.Context, f *file) (stageResult, []badRow, error) {
	inn, err := bankCompanyINN(f.companyINN)
	if err != nil {
		return stageResult{}, nil, err
	}
	b, err := os.ReadFile(f.path)
	if err != nil {
		return stageResult{}, nil, err
	}
	st, err := parse1CBank(b)
	if err != nil {
		return stageResult{}, nil, err
	}
	pays, bad := st.payments(inn)
	return stageBankPayments(ctx, f, pays, append(st.bad, bad...))
}

// checkCompanyINN validates config company.inn for the bank formats that need it.
func bankCompanyINN(inn string) (string, error) {
	inn = strings.TrimSpace(inn)
	if inn == "" {
		return "", fmt.Errorf("company.inn is empty: set company.inn in kam.yaml so bank documents paid to the company can be told from outgoing ones")
	}
	if !bankIsDigits(inn) || (len(inn) != 10 && len(inn) != 12) {
		return "", fmt.Errorf("company.inn %q is not an INN (10 or 12 digits): fix company.inn in kam.yaml", inn)
	}
	return inn, nil
}

// onecStatement is a parsed 1CClientBankExchange file.
type onecStatement struct {
	encoding string            // utf-8, windows-1251, cp866, or "windows-1251+utf-8" for mixed files
	header   map[string]string // first value of each header key
	docTypes []string          // the header's Документ= values
	accounts map[string]bool   // the statement's accounts: every РасчСчет of the header and balance sections
	docs     []onecDoc
	bad      []badRow // documents that could not be read
}

// onecDoc is one СекцияДокумент block.
type onecDoc struct {
	line   int64
	kind   string
	fields map[string]string // first value of each key
	raw    []string          // its lines, for the quarantine
}

const onecMagic = "1CClientBankExchange"

// parse1CBank reads a whole file. It fails only when the file as a whole
// cannot be trusted (not this format, no end marker); single broken
// documents go to st.bad.
func parse1CBank(b []byte) (*onecStatement, error) {
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	raw := onecSplitLines(b)
	lines, enc := onecDecode(raw)
	st := &onecStatement{encoding: enc, header: map[string]string{}, accounts: map[string]bool{}}
	var (
		started, ended, inAcct bool
		cur                    *onecDoc
		curOpen                int64
	)
	closeBad := func(at int64, what string) {
		st.bad = append(st.bad, badRow{line: cur.line, field: "", raw: strings.Join(cur.raw, "\n"),
			reason: fmt.Sprintf("СекцияДокумент at line %d has no КонецДокумента before %s at line %d", cur.line, what, at)})
		cur = nil
	}
	for i, s := range lines {
		n := int64(i + 1)
		t := strings.TrimSpace(strings.TrimPrefix(s, "\ufeff"))
		if t == "" {
			continue
		}
		if !started {
			if t != onecMagic {
				return nil, fmt.Errorf("line %d: not a 1CClientBankExchange file: the first line is %q, want %q", n, bankClip(t, 60), onecMagic)
			}
			started = true
			continue
		}
		key, val, hasEq := strings.Cut(t, "=")
		key, val = strings.TrimSpace(key), strings.TrimSpace(val)
		switch {
		case key == "КонецФайла":
			if cur != nil {
				closeBad(n, "КонецФайла")
			}
			ended = true
		case key == "СекцияДокумент":
			if cur != nil {
				closeBad(n, "the next СекцияДокумент")
			}
			kind := val
			if kind == "" && len(st.docTypes) == 1 {
				kind = st.docTypes[0]
			}
			cur, curOpen = &onecDoc{line: n, kind: kind, fields: map[string]string{}, raw: []string{t}}, n
		case key == "КонецДокумента":
			if cur != nil {
				cur.raw = append(cur.raw, t)
				st.docs = append(st.docs, *cur)
				cur = nil
			}
		case key == "СекцияРасчСчет":
			inAcct = true
		case key == "КонецРасчСчет":
			inAcct = false
		case cur != nil:
			cur.raw = append(cur.raw, t)
			if _, dup := cur.fields[key]; hasEq && !dup {
				cur.fields[key] = val
			}
		case hasEq && key == "РасчСчет":
			if val != "" {
				st.accounts[val] = true
			}
		case hasEq && !inAcct:
			if key == "Документ" && val != "" {
				st.docTypes = append(st.docTypes, val)
			}
			if _, dup := st.header[key]; !dup {
				st.header[key] = val
			}
		}
		if ended {
			break
		}
	}
	if !started {
		return nil, fmt.Errorf("the file is empty: a 1CClientBankExchange file starts with the line %q", onecMagic)
	}
	if !ended {
		msg := fmt.Sprintf("the file ends at line %d without КонецФайла: it may be truncated or still being written", len(lines))
		if cur != nil {
			msg += fmt.Sprintf(" (the document at line %d is not closed)", curOpen)
		}
		return nil, fmt.Errorf("%s", msg)
	}
	return st, nil
}

// splitLines splits at \r\n, \n or a lone \r; line i of the result is line i+1 of the file.
func onecSplitLines(b []byte) [][]byte {
	var out [][]byte
	start := 0
	for i := 0; i < len(b); i++ {
		switch b[i] {
		case '\n':
			out = append(out, b[start:i])
			start = i + 1
		case '\r':
			out = append(out, b[start:i])
			if i+1 < len(b) && b[i+1] == '\n' {
				i++
			}
			start = i + 1
		}
	}
	if start < len(b) {
		out = append(out, b[start:])
	}
	return out
}

// onecDecode decodes the lines (see the format comment above) and names the encoding used.
func onecDecode(raw [][]byte) ([]string, string) {
	var legacy [][]byte // lines that are not UTF-8
	utf8Lines := false
	for _, l := range raw {
		if !utf8.Valid(l) {
			legacy = append(legacy, l)
		} else if !onecIsASCII(l) {
			utf8Lines = true
		}
	}
	out := make([]string, len(raw))
	if len(legacy) == 0 {
		for i, l := range raw {
			out[i] = string(l)
		}
		return out, "utf-8"
	}
	cp1251, cp866 := charmap.Windows1251.NewDecoder(), charmap.CodePage866.NewDecoder()
	score := func(dec interface{ Bytes([]byte) ([]byte, error) }) (int, string) {
		n, declared := 0, ""
		for _, l := range raw {
			d, _ := dec.Bytes(l)
			key, val, _ := strings.Cut(string(d), "=")
			if strings.TrimSpace(key) == "Кодировка" {
				declared = strings.TrimSpace(val)
			}
		}
		for _, l := range legacy {
			d, _ := dec.Bytes(l)
			key, _, _ := strings.Cut(string(d), "=")
			if onecIsKeyWord(strings.TrimSpace(key)) {
				n++
			}
		}
		return n, declared
	}
	s1251, decl1251 := score(cp1251)
	s866, decl866 := score(cp866)
	useDOS := s866 > s1251 || (s866 == s1251 && (strings.EqualFold(decl866, "DOS") || strings.EqualFold(decl1251, "DOS")))
	dec, name := cp1251, "windows-1251"
	if useDOS {
		dec, name = cp866, "cp866"
	}
	for i, l := range raw {
		if utf8.Valid(l) {
			out[i] = string(l)
			continue
		}
		d, _ := dec.Bytes(l)
		out[i] = string(d)
	}
	if utf8Lines {
		name += "+utf-8"
	}
	return out, name
}

func onecIsASCII(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return false
		}
	}
	return true
}

// isCyrillicWord reports whether s is a key such as "ПлательщикИНН" or "Получатель1".
func onecIsKeyWord(s string) bool {
	cyr := false
	for _, r := range s {
		switch {
		case unicode.Is(unicode.Cyrillic, r) && unicode.IsLetter(r):
			cyr = true
		case r >= '0' && r <= '9', r >= 'A' && r <= 'Z', r >= 'a' && r <= 'z':
		default:
			return false
		}
	}
	return cyr
}

func bankIsDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// onecOneLineINN finds the INN at the start of a one-line party field.
var onecOneLineINN = regexp.MustCompile(`^(?:ИНН\s*)?([0-9]{12}|[0-9]{10})(?:[^0-9]|$)`)

// partyINN is an INN field, or the INN at the start of the one-line party
// field when the INN field is empty or all zeros.
func onecPartyINN(inn, oneLine string) string {
	inn = strings.TrimSpace(inn)
	if strings.Trim(inn, "0") != "" {
		return inn
	}
	if m := onecOneLineINN.FindStringSubmatch(strings.TrimSpace(oneLine)); m != nil && strings.Trim(m[1], "0") != "" {
		return m[1]
	}
	return ""
}

// partyName is the multi-line name (…1), else the one-line field without its INN.
func onecPartyName(name1, oneLine string) string {
	if n := strings.TrimSpace(name1); n != "" {
		return n
	}
	s := strings.TrimSpace(oneLine)
	if m := onecOneLineINN.FindStringSubmatchIndex(s); m != nil {
		s = strings.TrimLeft(s[m[3]:], " ,;")
	}
	return s
}

func bankFirst(vals ...string) string {
	for _, v := range vals {
		if v = strings.TrimSpace(v); v != "" {
			return v
		}
	}
	return ""
}

// onecDate turns ДД.ММ.ГГГГ into YYYY-MM-DD; ok is false for text that is not such a date.
func onecDate(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", true
	}
	t, err := time.Parse("02.01.2006", s)
	if err != nil {
		return s, false
	}
	return t.Format("2006-01-02"), true
}

// payments classifies every document against the company INN and turns it
// into a staged row; incoming documents whose dates cannot be read are
// returned as bad rows instead.
func (st *onecStatement) payments(companyINN string) ([]bankPayment, []badRow) {
	var pays []bankPayment
	var bad []badRow
	for _, d := range st.docs {
		g := func(k string) string { return strings.TrimSpace(d.fields[k]) }
		p := bankPayment{
			line:         d.line,
			payerINN:     onecPartyINN(g("ПлательщикИНН"), g("Плательщик")),
			payeeINN:     onecPartyINN(g("ПолучательИНН"), g("Получатель")),
			payerAccount: bankFirst(g("ПлательщикСчет"), g("ПлательщикРасчСчет")),
			payeeAccount: bankFirst(g("ПолучательСчет"), g("ПолучательРасчСчет")),
			payerName:    onecPartyName(g("Плательщик1"), g("Плательщик")),
			amount:       bankAmount(g("Сумма")),
			docType:      d.kind,
			docNumber:    g("Номер"),
		}
		p.purpose = g("НазначениеПлатежа")
		if p.purpose == "" {
			var parts []string
			for i := 1; i <= 6; i++ {
				if v := g(fmt.Sprintf("НазначениеПлатежа%d", i)); v != "" {
					parts = append(parts, v)
				}
			}
			p.purpose = strings.Join(parts, " ")
		}
		p.invoiceRef = invoiceRef(p.purpose)
		received, debited := g("ДатаПоступило"), g("ДатаСписано")
		p.direction = st.direction(companyINN, p, received != "", debited != "")

		docDate, okDoc := onecDate(g("Дата"))
		recvDate, okRecv := onecDate(received)
		p.docDate = docDate
		p.paidOn = bankFirst(recvDate, docDate)
		if p.direction == dirIncoming && (!okDoc || !okRecv) {
			field, v := "Дата", g("Дата")
			if !okRecv {
				field, v = "ДатаПоступило", received
			}
			bad = append(bad, badRow{line: d.line, field: "paid_on", raw: strings.Join(d.raw, "\n"),
				reason: fmt.Sprintf("paid_on %q (%s) is not a date (expected ДД.ММ.ГГГГ)", bankClip(v, 40), field)})
			continue
		}
		h := sha256.Sum256([]byte(p.payerINN + "\x00" + p.payerAccount + "\x00" + bankAmountKey(p.amount)))
		p.paymentID = fmt.Sprintf("1c:%s:%s:%s", bankOrDash(docDate), bankOrDash(p.docNumber), hex.EncodeToString(h[:4]))
		pays = append(pays, p)
	}
	return pays, bad
}

// direction applies the rule in the format comment.
func (st *onecStatement) direction(companyINN string, p bankPayment, received, debited bool) string {
	ours := func(inn, acct string) bool {
		return inn == companyINN || (inn == "" && st.accounts[acct])
	}
	payer, payee := ours(p.payerINN, p.payerAccount), ours(p.payeeINN, p.payeeAccount)
	switch {
	case payee && !payer:
		return dirIncoming
	case payer && !payee:
		return dirOutgoing
	case !payer && !payee:
		return dirOther
	}
	pa, qa := st.accounts[p.payerAccount], st.accounts[p.payeeAccount]
	switch {
	case qa && !pa:
		return dirIncoming
	case pa && !qa:
		return dirOutgoing
	case received && !debited:
		return dirIncoming
	case debited && !received:
		return dirOutgoing
	}
	return dirInternal
}

func bankOrDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// clip shortens s to at most n runes for error messages.
func bankClip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n]) + "…"
}
