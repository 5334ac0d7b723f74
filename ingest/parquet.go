package ingest

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
)

// pqWriter writes the smallest Parquet file DuckDB reads fastest: a flat
// schema of OPTIONAL columns, PLAIN values, bit-packed definition levels,
// no compression, one data page per column per row group. It is how rows
// typed in Go reach DuckDB: read_parquet decodes them with next to no work,
// where read_csv would parse every value again.
//
// Format: https://parquet.apache.org/docs/file-format/ (FileMetaData and
// the page headers in Thrift's compact protocol).
type pqWriter struct {
	w      *bufio.Writer
	off    int64
	cols   []*pqColumn
	rows   int // rows in the current row group
	bytes  int // bytes buffered in the current row group
	groups []pqRowGroup
	total  int64
	err    error
}

// pqKind is a column's type as the writer stores it.
type pqKind int

const (
	pqString  pqKind = iota // BYTE_ARRAY, UTF8
	pqInt64                 // INT64
	pqDate                  // INT32, DATE: days since 1970-01-01
	pqDecimal               // INT64, DECIMAL(18,4): the value times 10^4
	pqBool                  // BOOLEAN
)

type pqColumn struct {
	name string
	kind pqKind
	defs []byte // definition levels, one bit per row (1 = a value)
	acc  byte   // the levels of the rows since the last full byte
	// rowStart and rowBool are vals and boolBit when the row began.
	rowStart, rowBool int
	vals              []byte // PLAIN values of the non-null rows
	boolBit           int    // bits used in the last byte of vals (pqBool)
}

type pqChunk struct {
	offset, size int64
}

type pqRowGroup struct {
	rows   int64
	size   int64
	chunks []pqChunk
}

// pqValue is one cell: null, an integer (int64, date, decimal, bool as 0/1)
// or bytes (string). (Tests write rows of them; ingest writes cells.)
type pqValue struct {
	null bool
	i    int64
	b    []byte
}

// pqRowGroupRows is DuckDB's own row group size: each row group of the file
// becomes one task for a reading thread.
const pqRowGroupRows = 122880

// pqMaxGroupBytes ends a row group early when its values grow large (long
// text), keeping pages far below Parquet's 2 GiB limit.
const pqMaxGroupBytes = 64 << 20

func newPQWriter(w io.Writer, names []string, kinds []pqKind) *pqWriter {
	p := &pqWriter{w: bufio.NewWriterSize(w, 1<<20)}
	for i, n := range names {
		p.cols = append(p.cols, &pqColumn{name: n, kind: kinds[i]})
	}
	p.write([]byte("PAR1"))
	return p
}

func (p *pqWriter) write(b []byte) {
	if p.err != nil {
		return
	}
	n, err := p.w.Write(b)
	p.off += int64(n)
	p.err = err
}

// A row is written a cell at a time: setNull, setInt or setBytes for each
// column (any order, each once), then endRow — or abortRow to drop it.

// setNull leaves a cell empty.
func (p *pqWriter) setNull(col int) {}

// setInt writes an INT64, a DECIMAL (the value times 10^4), a DATE (days
// since 1970-01-01) or a BOOLEAN (0 or 1) cell.
func (p *pqWriter) setInt(col int, v int64) {
	c := p.cols[col]
	c.acc |= 1 << (p.rows & 7)
	switch c.kind {
	case pqDate:
		c.vals = binary.LittleEndian.AppendUint32(c.vals, uint32(int32(v)))
	case pqBool:
		if c.boolBit == 0 {
			c.vals = append(c.vals, 0)
		}
		if v != 0 {
			c.vals[len(c.vals)-1] |= 1 << c.boolBit
		}
		c.boolBit = (c.boolBit + 1) & 7
	default:
		c.vals = binary.LittleEndian.AppendUint64(c.vals, uint64(v))
	}
}

// setBytes writes a BYTE_ARRAY cell.
func (p *pqWriter) setBytes(col int, b []byte) {
	c := p.cols[col]
	c.acc |= 1 << (p.rows & 7)
	c.vals = binary.LittleEndian.AppendUint32(c.vals, uint32(len(b)))
	c.vals = append(c.vals, b...)
}

// beginRow marks where the row starts, for abortRow.
func (p *pqWriter) beginRow() {
	for _, c := range p.cols {
		c.rowStart, c.rowBool = len(c.vals), c.boolBit
	}
}

// abortRow drops the cells written since beginRow.
func (p *pqWriter) abortRow() {
	bit := byte(1) << (p.rows & 7)
	for _, c := range p.cols {
		c.vals, c.boolBit = c.vals[:c.rowStart], c.rowBool
		c.acc &^= bit
	}
}

// endRow completes the row.
func (p *pqWriter) endRow() error {
	if p.rows&7 == 7 {
		// The eighth definition level completes a byte.
		for _, c := range p.cols {
			c.defs = append(c.defs, c.acc)
			c.acc = 0
		}
	}
	p.rows++
	p.total++
	if p.rows&1023 == 0 {
		n := 0
		for _, c := range p.cols {
			n += len(c.vals)
		}
		p.bytes = n
	}
	if p.rows == pqRowGroupRows || p.bytes >= pqMaxGroupBytes {
		p.flushGroup()
	}
	return p.err
}

// writeRow writes one row, a value per column.
func (p *pqWriter) writeRow(vals []pqValue) error {
	for i, v := range vals {
		switch {
		case v.null:
		case p.cols[i].kind == pqString:
			p.setBytes(i, v.b)
		default:
			p.setInt(i, v.i)
		}
	}
	return p.endRow()
}

// flushGroup writes the buffered rows as one row group.
func (p *pqWriter) flushGroup() {
	if p.rows == 0 {
		return
	}
	g := pqRowGroup{rows: int64(p.rows)}
	for _, c := range p.cols {
		if p.rows&7 != 0 {
			c.defs = append(c.defs, c.acc)
		}
		// Definition levels: one bit-packed run of ceil(rows/8) groups of 8.
		var levels []byte
		levels = binary.AppendUvarint(levels, uint64(len(c.defs))<<1|1)
		levels = append(levels, c.defs...)
		dataSize := 4 + len(levels) + len(c.vals)
		var h thriftWriter
		h.i32(1, 0) // type: DATA_PAGE
		h.i32(2, int32(dataSize))
		h.i32(3, int32(dataSize))
		h.beginStruct(5) // data_page_header
		h.i32(1, int32(p.rows))
		h.i32(2, 0) // encoding: PLAIN
		h.i32(3, 3) // definition_level_encoding: RLE
		h.i32(4, 3) // repetition_level_encoding: RLE
		h.endStruct()
		h.stop()
		start := p.off
		p.write(h.b)
		var n [4]byte
		binary.LittleEndian.PutUint32(n[:], uint32(len(levels)))
		p.write(n[:])
		p.write(levels)
		p.write(c.vals)
		g.chunks = append(g.chunks, pqChunk{offset: start, size: p.off - start})
		g.size += p.off - start
		c.defs, c.vals, c.boolBit, c.acc = c.defs[:0], c.vals[:0], 0, 0
	}
	p.groups = append(p.groups, g)
	p.rows, p.bytes = 0, 0
}

// close writes the footer; the underlying writer is flushed, not closed.
func (p *pqWriter) close() error {
	p.flushGroup()
	var m thriftWriter
	m.i32(1, 1) // version
	m.beginList(2, tStruct, len(p.cols)+1)
	// The root of the schema, then one leaf per column.
	m.listStruct()
	m.binary(4, []byte("schema"))
	m.i32(5, int32(len(p.cols)))
	m.stop()
	for _, c := range p.cols {
		m.listStruct()
		m.i32(1, c.physical())
		m.i32(3, 1) // OPTIONAL
		m.binary(4, []byte(c.name))
		switch c.kind {
		case pqString:
			m.i32(6, 0) // UTF8
		case pqDate:
			m.i32(6, 6) // DATE
		case pqDecimal:
			m.i32(6, 5) // DECIMAL
			m.i32(7, 4)
			m.i32(8, 18)
		}
		m.stop()
	}
	m.endList()
	m.i64(3, p.total)
	m.beginList(4, tStruct, len(p.groups))
	for _, g := range p.groups {
		m.listStruct()
		m.beginList(1, tStruct, len(g.chunks))
		for i, ch := range g.chunks {
			c := p.cols[i]
			m.listStruct()
			m.i64(2, ch.offset)
			m.beginStruct(3) // meta_data
			m.i32(1, c.physical())
			m.beginList(2, tI32, 2)
			m.listI32(0) // PLAIN
			m.listI32(3) // RLE
			m.endList()
			m.beginList(3, tBinary, 1)
			m.listBinary([]byte(c.name))
			m.endList()
			m.i32(4, 0) // UNCOMPRESSED
			m.i64(5, g.rows)
			m.i64(6, ch.size)
			m.i64(7, ch.size)
			m.i64(9, ch.offset)
			m.endStruct()
			m.stop()
		}
		m.endList()
		m.i64(2, g.size)
		m.i64(3, g.rows)
		m.stop()
	}
	m.endList()
	m.binary(6, []byte("kam"))
	m.stop()
	p.write(m.b)
	var n [4]byte
	binary.LittleEndian.PutUint32(n[:], uint32(len(m.b)))
	p.write(n[:])
	p.write([]byte("PAR1"))
	if p.err == nil {
		p.err = p.w.Flush()
	}
	if p.err != nil {
		return fmt.Errorf("write parquet: %w", p.err)
	}
	return nil
}

func (c *pqColumn) physical() int32 {
	switch c.kind {
	case pqString:
		return 6 // BYTE_ARRAY
	case pqDate:
		return 1 // INT32
	case pqBool:
		return 0 // BOOLEAN
	}
	return 2 // INT64
}

// thriftWriter encodes Thrift's compact protocol, the little that Parquet
// metadata needs.
type thriftWriter struct {
	b    []byte
	last []int16 // last field id, one per open struct
	cur  int16
}

const (
	tI32    = 5
	tI64    = 6
	tBinary = 8
	tList   = 9
	tStruct = 12
)

func (t *thriftWriter) field(id int16, typ byte) {
	if d := id - t.cur; d > 0 && d <= 15 {
		t.b = append(t.b, byte(d)<<4|typ)
	} else {
		t.b = append(t.b, typ)
		t.b = binary.AppendVarint(t.b, int64(id))
	}
	t.cur = id
}

func (t *thriftWriter) i32(id int16, v int32) {
	t.field(id, tI32)
	t.b = binary.AppendVarint(t.b, int64(v))
}

func (t *thriftWriter) i64(id int16, v int64) {
	t.field(id, tI64)
	t.b = binary.AppendVarint(t.b, v)
}

func (t *thriftWriter) binary(id int16, v []byte) {
	t.field(id, tBinary)
	t.b = binary.AppendUvarint(t.b, uint64(len(v)))
	t.b = append(t.b, v...)
}

func (t *thriftWriter) beginStruct(id int16) {
	t.field(id, tStruct)
	t.last = append(t.last, t.cur)
	t.cur = 0
}

func (t *thriftWriter) endStruct() {
	t.stop()
	t.cur = t.last[len(t.last)-1]
	t.last = t.last[:len(t.last)-1]
}

func (t *thriftWriter) stop() { t.b = append(t.b, 0) }

func (t *thriftWriter) beginList(id int16, elem byte, n int) {
	t.field(id, tList)
	if n < 15 {
		t.b = append(t.b, byte(n)<<4|elem)
	} else {
		t.b = append(t.b, 0xF0|elem)
		t.b = binary.AppendUvarint(t.b, uint64(n))
	}
	t.last = append(t.last, t.cur)
}

func (t *thriftWriter) endList() {
	t.cur = t.last[len(t.last)-1]
	t.last = t.last[:len(t.last)-1]
}

// listStruct starts a struct element of a list; end it with stop.
func (t *thriftWriter) listStruct() { t.cur = 0 }

func (t *thriftWriter) listI32(v int32) { t.b = binary.AppendVarint(t.b, int64(v)) }

func (t *thriftWriter) listBinary(v []byte) {
	t.b = binary.AppendUvarint(t.b, uint64(len(v)))
	t.b = append(t.b, v...)
}
