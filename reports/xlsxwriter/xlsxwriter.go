// Package xlsxwriter writes large, simple XLSX workbooks fast: sheets of
// rows of inline-string and number cells with a few cell styles and column
// widths, streamed straight into the zip, in one pass.
//
// kam writes most workbooks with excelize. The payroll workbook lists every
// input row behind every figure (about 45,000 rows a month), and excelize's
// StreamWriter spent more than half of the HR page's render in building and
// escaping its cells; this writer does the same work in a fraction of the
// time. What it writes is deliberately narrow: no formulas, no shared
// strings, no merged cells.
//
// Text is always an inline string (<is><t>), never a formula, so a cell
// holding "=HYPERLINK(…)" stays text. Numbers are written from their decimal
// text, so what is written is exactly the figure passed in. The same calls
// give the same bytes: zip entries carry no timestamps and are written in
// call order.
package xlsxwriter

import (
	"archive/zip"
	"bufio"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/klauspost/compress/flate"
)

// Style is a cell style returned by Writer.Bold and Writer.NumberFormat;
// the zero Style is the default one.
type Style int

// Cell is one cell: text, a number (its decimal text, such as "-1234.5"),
// or empty.
type Cell struct {
	Text  string
	Num   string // when not "", the cell is a number and Text is ignored
	Style Style
}

// Text is a text cell in the default style.
func Text(s string) Cell { return Cell{Text: s} }

// MaxTextLen is Excel's limit on the characters of a cell; longer text is cut.
const MaxTextLen = 32767

const (
	nsMain = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
	nsRel  = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
	nsPkg  = "http://schemas.openxmlformats.org/package/2006/relationships"
	xmlHdr = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n"
)

// Writer writes one workbook. Sheets are written one after the other:
// NewSheet ends the previous sheet.
type Writer struct {
	zw      *zip.Writer
	comment string
	sheets  []string
	formats []string // number formats, by style: Style(2+i) for formats[i]
	cur     *Sheet
	buf     *bufio.Writer // of the sheet being written, reused
}

// New starts a workbook written to w; comment becomes the zip comment
// (a key a reader can check without opening the workbook). Parts are
// deflated at the fastest level by klauspost/compress (already in the
// module graph through the DuckDB driver's Arrow code), about twice as fast
// as compress/flate's there.
func New(w io.Writer, comment string) *Writer {
	zw := zip.NewWriter(w)
	zw.RegisterCompressor(zip.Deflate, newDeflater)
	return &Writer{zw: zw, comment: comment}
}

// A compressor's state is about a megabyte, and a payroll workbook has a
// part per manager: compressors are reused across parts and workbooks.
var deflaters sync.Pool

type deflater struct{ *flate.Writer }

func newDeflater(out io.Writer) (io.WriteCloser, error) {
	if fw, ok := deflaters.Get().(*flate.Writer); ok {
		fw.Reset(out)
		return deflater{fw}, nil
	}
	fw, err := flate.NewWriter(out, flate.BestSpeed)
	return deflater{fw}, err
}

func (d deflater) Close() error {
	err := d.Writer.Close()
	deflaters.Put(d.Writer)
	return err
}

// Bold is the style of a header cell (the second cell format, styles()).
func (w *Writer) Bold() Style { return 1 }

// NumberFormat returns the style showing numbers in format (an Excel number
// format such as "#,##0.00"); the same format gives the same style.
func (w *Writer) NumberFormat(format string) Style {
	for i, f := range w.formats {
		if f == format {
			return Style(2 + i)
		}
	}
	w.formats = append(w.formats, format)
	return Style(1 + len(w.formats))
}

// Sheet is the worksheet being written.
type Sheet struct {
	w    *Writer
	bw   *bufio.Writer
	row  int
	num  []byte   // the row number as text
	refs []string // column letters, by column index
}

// NewSheet starts a worksheet with the given name (1–31 characters, none
// of : \ / ? * [ ], unique without regard to case: the caller's job) and
// column widths in characters (0 leaves a column at the default width).
func (w *Writer) NewSheet(name string, widths []float64) (*Sheet, error) {
	if err := w.endSheet(); err != nil {
		return nil, err
	}
	w.sheets = append(w.sheets, name)
	f, err := w.create(fmt.Sprintf("xl/worksheets/sheet%d.xml", len(w.sheets)))
	if err != nil {
		return nil, err
	}
	if w.buf == nil {
		w.buf = bufio.NewWriterSize(f, 64<<10)
	} else {
		w.buf.Reset(f) // flushed when the previous sheet ended
	}
	s := &Sheet{w: w, bw: w.buf}
	s.bw.WriteString(xmlHdr + `<worksheet xmlns="` + nsMain + `" xmlns:r="` + nsRel + `">`)
	var cols strings.Builder
	for i, wd := range widths {
		if wd > 0 {
			fmt.Fprintf(&cols, `<col min="%d" max="%d" width="%s" customWidth="1"/>`, i+1, i+1, strconv.FormatFloat(wd, 'f', -1, 64))
		}
	}
	if cols.Len() > 0 {
		s.bw.WriteString("<cols>" + cols.String() + "</cols>")
	}
	s.bw.WriteString("<sheetData>")
	w.cur = s
	return s, nil
}

// SheetName makes name a valid worksheet name: at most 31 characters, none
// of : \ / ? * [ ], not starting or ending with '. Unique names stay the
// caller's job.
func SheetName(name string) string {
	name = strings.Map(func(r rune) rune {
		if strings.ContainsRune(`:\/?*[]`, r) {
			return '_'
		}
		return r
	}, name)
	name = strings.Trim(name, "'")
	if name == "" {
		return "_"
	}
	if utf8.RuneCountInString(name) > 31 {
		name = string([]rune(name)[:31])
	}
	return name
}

// Row appends a row; empty cells are left out.
func (s *Sheet) Row(cells ...Cell) error {
	if s.w.cur != s {
		return errors.New("xlsxwriter: row written to a sheet that was ended")
	}
	s.row++
	s.num = strconv.AppendInt(s.num[:0], int64(s.row), 10)
	b := s.bw
	b.WriteString(`<row r="`)
	b.Write(s.num)
	b.WriteString(`">`)
	for i, c := range cells {
		if c.Num == "" && c.Text == "" {
			continue
		}
		b.WriteString(`<c r="`)
		b.WriteString(s.ref(i))
		b.Write(s.num)
		b.WriteByte('"')
		if c.Style != 0 {
			b.WriteString(` s="`)
			b.WriteString(strconv.Itoa(int(c.Style)))
			b.WriteByte('"')
		}
		if c.Num != "" {
			if !isNumber(c.Num) {
				return fmt.Errorf("xlsxwriter: %q is not a number", c.Num)
			}
			b.WriteString(`><v>`)
			b.WriteString(c.Num)
			b.WriteString(`</v></c>`)
			continue
		}
		text := c.Text
		if !utf8.ValidString(text) {
			text = strings.ToValidUTF8(text, "\uFFFD")
		}
		if len(text) > MaxTextLen && utf8.RuneCountInString(text) > MaxTextLen {
			text = string([]rune(text)[:MaxTextLen])
		}
		var marks byte
		for i := 0; i < len(text); i++ {
			marks |= special[text[i]]
		}
		if marks&space != 0 || text[0] == ' ' || text[len(text)-1] == ' ' {
			b.WriteString(` t="inlineStr"><is><t xml:space="preserve">`)
		} else {
			b.WriteString(` t="inlineStr"><is><t>`)
		}
		if marks&escaped != 0 {
			escape(b, text)
		} else {
			b.WriteString(text)
		}
		b.WriteString(`</t></is></c>`)
	}
	b.WriteString(`</row>`)
	return nil
}

// special marks the bytes of text that need escaping (escape) or
// xml:space="preserve" (tab, newline, carriage return).
var special = func() (t [256]byte) {
	for c := 0; c < 0x20; c++ {
		t[c] = escaped
	}
	for _, c := range []byte("<>&_\xEF") {
		t[c] = escaped
	}
	t['\t'], t['\n'], t['\r'] = space, space, space|escaped
	return t
}()

const (
	escaped = 1 << iota
	space
)

// ref is the column letters of column i (0 = A).
func (s *Sheet) ref(i int) string {
	for len(s.refs) <= i {
		n := len(s.refs) + 1
		var col []byte
		for n > 0 {
			n--
			col = append([]byte{byte('A' + n%26)}, col...)
			n /= 26
		}
		s.refs = append(s.refs, string(col))
	}
	return s.refs[i]
}

func (w *Writer) endSheet() error {
	s := w.cur
	if s == nil {
		return nil
	}
	w.cur = nil
	s.bw.WriteString(`</sheetData></worksheet>`)
	return s.bw.Flush()
}

func (w *Writer) create(name string) (io.Writer, error) {
	return w.zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate})
}

// Close ends the last sheet and writes the workbook's other parts.
func (w *Writer) Close() error {
	if err := w.endSheet(); err != nil {
		return err
	}
	if len(w.sheets) == 0 {
		return errors.New("xlsxwriter: a workbook needs a sheet")
	}
	parts := []struct{ name, body string }{
		{"[Content_Types].xml", w.contentTypes()},
		{"_rels/.rels", xmlHdr + `<Relationships xmlns="` + nsPkg + `"><Relationship Id="rId1" Type="` + nsRel + `/officeDocument" Target="xl/workbook.xml"/></Relationships>`},
		{"xl/workbook.xml", w.workbook()},
		{"xl/_rels/workbook.xml.rels", w.workbookRels()},
		{"xl/styles.xml", w.styles()},
	}
	for _, p := range parts {
		f, err := w.create(p.name)
		if err != nil {
			return err
		}
		if _, err := io.WriteString(f, p.body); err != nil {
			return err
		}
	}
	if err := w.zw.SetComment(w.comment); err != nil {
		return err
	}
	return w.zw.Close()
}

func (w *Writer) contentTypes() string {
	var b strings.Builder
	b.WriteString(xmlHdr + `<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">`)
	b.WriteString(`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>`)
	b.WriteString(`<Default Extension="xml" ContentType="application/xml"/>`)
	b.WriteString(`<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>`)
	for i := range w.sheets {
		fmt.Fprintf(&b, `<Override PartName="/xl/worksheets/sheet%d.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`, i+1)
	}
	b.WriteString(`<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>`)
	b.WriteString(`</Types>`)
	return b.String()
}

func (w *Writer) workbook() string {
	var b strings.Builder
	b.WriteString(xmlHdr + `<workbook xmlns="` + nsMain + `" xmlns:r="` + nsRel + `"><bookViews><workbookView activeTab="0"/></bookViews><sheets>`)
	for i, name := range w.sheets {
		fmt.Fprintf(&b, `<sheet name="%s" sheetId="%d" r:id="rId%d"/>`, attr(name), i+1, i+1)
	}
	b.WriteString(`</sheets></workbook>`)
	return b.String()
}

func (w *Writer) workbookRels() string {
	var b strings.Builder
	b.WriteString(xmlHdr + `<Relationships xmlns="` + nsPkg + `">`)
	for i := range w.sheets {
		fmt.Fprintf(&b, `<Relationship Id="rId%d" Type="%s/worksheet" Target="worksheets/sheet%d.xml"/>`, i+1, nsRel, i+1)
	}
	fmt.Fprintf(&b, `<Relationship Id="rId%d" Type="%s/styles" Target="styles.xml"/>`, len(w.sheets)+1, nsRel)
	b.WriteString(`</Relationships>`)
	return b.String()
}

// styles: xf 0 default, 1 bold, 2… the number formats (custom ids from 164).
func (w *Writer) styles() string {
	var b strings.Builder
	b.WriteString(xmlHdr + `<styleSheet xmlns="` + nsMain + `">`)
	if len(w.formats) > 0 {
		fmt.Fprintf(&b, `<numFmts count="%d">`, len(w.formats))
		for i, f := range w.formats {
			fmt.Fprintf(&b, `<numFmt numFmtId="%d" formatCode="%s"/>`, 164+i, attr(f))
		}
		b.WriteString(`</numFmts>`)
	}
	b.WriteString(`<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font><font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>`)
	b.WriteString(`<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>`)
	b.WriteString(`<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>`)
	b.WriteString(`<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>`)
	fmt.Fprintf(&b, `<cellXfs count="%d"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>`, 2+len(w.formats))
	for i := range w.formats {
		fmt.Fprintf(&b, `<xf numFmtId="%d" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>`, 164+i)
	}
	b.WriteString(`</cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>`)
	return b.String()
}

// isNumber accepts the decimal text of a number: -?digits(.digits)?.
func isNumber(s string) bool {
	if s[0] == '-' {
		s = s[1:]
	}
	digits, dot := 0, false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			digits++
		case c == '.' && !dot && digits > 0:
			dot = true
		default:
			return false
		}
	}
	return digits > 0 && s[len(s)-1] != '.'
}

// escape writes text as XML character data. Characters XML 1.0 cannot
// carry (control characters other than tab, newline and carriage return)
// are written the way Excel itself stores them, as _xHHHH_; an "_x" that
// would read as such an escape has its underscore escaped (_x005F_).
func escape(b *bufio.Writer, s string) {
	last := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		var rep string
		switch {
		case c == '<':
			rep = "&lt;"
		case c == '>':
			rep = "&gt;"
		case c == '&':
			rep = "&amp;"
		case c == '\r':
			rep = "&#13;" // a raw CR would be read back as LF
		case c < 0x20 && c != '\t' && c != '\n':
			rep = fmt.Sprintf("_x%04X_", c)
		case c == '_' && isEscapeLike(s[i:]):
			rep = "_x005F_"
		case c == 0xEF && i+2 < len(s) && s[i+1] == 0xBF && (s[i+2] == 0xBE || s[i+2] == 0xBF):
			// U+FFFE and U+FFFF are not XML characters either.
			b.WriteString(s[last:i])
			fmt.Fprintf(b, "_x%04X_", 0xFFFE+int(s[i+2]-0xBE))
			i += 2
			last = i + 1
			continue
		default:
			continue
		}
		b.WriteString(s[last:i])
		b.WriteString(rep)
		last = i + 1
	}
	b.WriteString(s[last:])
}

// isEscapeLike reports whether s starts with _xHHHH_.
func isEscapeLike(s string) bool {
	if len(s) < 7 || s[1] != 'x' || s[6] != '_' {
		return false
	}
	for _, c := range []byte(s[2:6]) {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// attr escapes an attribute value.
func attr(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '&':
			b.WriteString("&amp;")
		case '"':
			b.WriteString("&quot;")
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
