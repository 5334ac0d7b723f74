package ingest

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/bits"
	"os"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// digest is a file's ledger key and size.
type digest struct {
	sha256 string
	size   int64
}

// digestFile hashes a file.
func digestFile(path string) (digest, error) {
	f, err := os.Open(path)
	if err != nil {
		return digest{}, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return digest{}, fmt.Errorf("read %s: %w", path, err)
	}
	return digest{sha256: hex.EncodeToString(h.Sum(nil)), size: n}, nil
}

// Text encodings a source may name (Source.Encoding).
var textEncodings = map[string]encoding.Encoding{
	"":             nil,
	"utf-8":        nil,
	"utf8":         nil,
	"utf-16":       unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM),
	"utf-16le":     unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM),
	"utf-16be":     unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM),
	"windows-1251": charmap.Windows1251,
	"cp1251":       charmap.Windows1251,
	"koi8-r":       charmap.KOI8R,
}

// decodeText turns a file's bytes into UTF-8 text: it decompresses gzip
// (recognised by its magic bytes, whatever the name), drops a byte order
// mark and decodes the source's encoding. A BOM wins over the configured
// encoding: a file that says what it is is believed.
func decodeText(r io.Reader, enc string) (io.Reader, error) {
	br := bufio.NewReaderSize(r, 1<<16)
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("gzip: %w", err)
		}
		zr.Multistream(true)
		br = bufio.NewReaderSize(zr, 1<<16)
	}
	e, ok := textEncodings[strings.ToLower(enc)]
	if !ok {
		return nil, fmt.Errorf("unknown encoding %q", enc)
	}
	bom, _ := br.Peek(3)
	switch {
	case bytes.HasPrefix(bom, []byte{0xEF, 0xBB, 0xBF}):
		_, _ = br.Discard(3)
		return br, nil
	case bytes.HasPrefix(bom, []byte{0xFF, 0xFE}):
		_, _ = br.Discard(2)
		e = unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM)
	case bytes.HasPrefix(bom, []byte{0xFE, 0xFF}):
		_, _ = br.Discard(2)
		e = unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM)
	}
	if e == nil {
		return br, nil
	}
	return transform.NewReader(br, e.NewDecoder()), nil
}

// csvReader reads delimited text: records separated by \n, \r\n or a lone
// \r; fields by the delimiter; a field that starts with a double quote is
// quoted, may contain delimiters and line ends, and writes a quote as "".
// A quote inside an unquoted field is an ordinary character. Blank lines
// are not records. Each record knows the physical line it starts on.
type csvReader struct {
	r     io.Reader
	delim []byte
	buf   []byte // buf[pos:end] is unread input
	pos   int
	end   int
	eof   bool
	err   error
	line  int64 // physical line of buf[pos]
	// afterCR: the last byte consumed was a \r ending a line, so a \n at
	// buf[pos] belongs to it.
	afterCR bool

	// slowUntil: records starting before this index need the slow path
	// (a quote or a lone \r on their line); nlFrom: buf[nlFrom:end] has no \n.
	slowUntil, nlFrom int

	rec     csvRecord
	scratch []byte // unescaped quoted fields
	unesc   [][3]int
	spans   [][2]int // the fields of the record being read, from its start
}

// csvRecord is one record; its slices are valid until the next read.
type csvRecord struct {
	line   int64
	fields [][]byte
	// raw is the record's text as it stands in the input, without its line end.
	raw []byte
	// problem says why the record is broken ("" when it is not).
	problem string
}

// maxRecord bounds one record, so that an unterminated quote cannot make
// the reader hold the whole file in memory.
const maxRecord = 16 << 20

var errRecordTooLong = errors.New("a record is longer than 16 MiB: is a quote left open?")

func newCSVReader(r io.Reader, delim string) *csvReader {
	return newCSVReaderSize(r, delim, 1<<20)
}

func newCSVReaderSize(r io.Reader, delim string, size int) *csvReader {
	return &csvReader{r: r, delim: []byte(delim), buf: make([]byte, size), line: 1, nlFrom: -1}
}

// reset makes the reader read r from the start, counting lines from line.
func (c *csvReader) reset(r io.Reader, line int64) {
	*c = csvReader{r: r, delim: c.delim, buf: make([]byte, 1<<20), line: line, nlFrom: -1,
		rec: csvRecord{fields: c.rec.fields[:0]}, scratch: c.scratch[:0], spans: c.spans[:0], unesc: c.unesc[:0]}
}

// resetBytes makes the reader read b, a whole input, without copying it.
func (c *csvReader) resetBytes(b []byte, line int64) {
	*c = csvReader{delim: c.delim, buf: b, end: len(b), eof: true, line: line, nlFrom: -1,
		rec: csvRecord{fields: c.rec.fields[:0]}, scratch: c.scratch[:0], spans: c.spans[:0], unesc: c.unesc[:0]}
}

// rest hands over what the reader has not read yet: the buffered bytes,
// the line they start on and the rest of the input. A \n that completes a
// \r\n the reader has seen half of is dropped, even from the input.
func (c *csvReader) rest() (pending []byte, line int64, r io.Reader) {
	pending = c.buf[c.pos:c.end]
	r = c.r
	if c.eof {
		r = eofReader{}
	}
	if c.afterCR {
		if len(pending) > 0 {
			if pending[0] == '\n' {
				pending = pending[1:]
			}
		} else {
			r = &skipLF{r: r}
		}
	}
	return pending, c.line, r
}

// skipLF drops a \n at the very start of r.
type skipLF struct {
	r       io.Reader
	started bool
}

func (s *skipLF) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	if !s.started && n > 0 {
		s.started = true
		if p[0] == '\n' {
			copy(p, p[1:n])
			n--
		}
	}
	return n, err
}

type eofReader struct{}

func (eofReader) Read([]byte) (int, error) { return 0, io.EOF }

// fill reads more input, keeping buf[keep:end]; it returns false at the end.
func (c *csvReader) fill(keep int) bool {
	if c.eof {
		return false
	}
	if keep > 0 {
		c.end = copy(c.buf, c.buf[keep:c.end])
		c.pos -= keep
		c.slowUntil -= keep
	}
	c.nlFrom = -1
	if c.end == len(c.buf) {
		if len(c.buf) >= 2*maxRecord {
			c.err = errRecordTooLong
			c.eof = true
			return false
		}
		nb := make([]byte, 2*len(c.buf))
		copy(nb, c.buf[:c.end])
		c.buf = nb
	}
	for {
		n, err := c.r.Read(c.buf[c.end:])
		c.end += n
		if err == io.EOF {
			c.eof = true
			return n > 0
		}
		if err != nil {
			c.err = err
			c.eof = true
			return n > 0
		}
		if n > 0 {
			return true
		}
	}
}

// next returns the next record, or nil at the end of input (see c.err).
func (c *csvReader) next() *csvRecord {
	for {
		if c.pos >= c.end && !c.fill(c.pos) {
			return nil
		}
		if c.afterCR {
			c.afterCR = false
			if c.buf[c.pos] == '\n' {
				c.pos++
				continue
			}
		}
		// Blank lines are not records.
		switch c.buf[c.pos] {
		case '\n':
			c.pos++
			c.line++
			continue
		case '\r':
			c.pos++
			c.line++
			c.afterCR = true
			continue
		}
		if rec, ok := c.fast(); ok {
			return rec
		}
		if rec := c.slow(); rec != nil {
			return rec
		}
		if c.err != nil {
			return nil
		}
	}
}

// fast reads a record that is one line of unquoted fields ending in \n or
// \r\n (the common case) in a single sweep over its bytes.
func (c *csvReader) fast() (*csvRecord, bool) {
	if c.pos < c.slowUntil || (c.nlFrom >= 0 && c.pos >= c.nlFrom) || len(c.delim) != 1 {
		return nil, false
	}
	data := c.buf[c.pos:c.end]
	r := &c.rec
	r.fields = r.fields[:0]
	d := c.delim[0]
	from := 0
	for i, b := range data {
		if b > '"' && b != d {
			continue
		}
		switch b {
		case d:
			r.fields = append(r.fields, data[from:i])
			from = i + 1
		case '\n':
			end := i
			if end > from && data[end-1] == '\r' {
				end--
			}
			r.fields = append(r.fields, data[from:end])
			r.line, r.raw, r.problem = c.line, data[:end], ""
			c.pos += i + 1
			c.line++
			return r, true
		case '"':
			c.slowUntil = c.pos + i + 1
			return nil, false
		case '\r':
			if i+1 < len(data) && data[i+1] != '\n' {
				c.slowUntil = c.pos + i + 1
				return nil, false
			}
		}
	}
	c.nlFrom = c.pos
	return nil, false
}

// slow reads one record byte by byte: quoted fields, lone \r line ends,
// records that cross the end of the buffer. At the end of the input the
// record is what there is.
func (c *csvReader) slow() *csvRecord {
	start := c.pos
	startLine := c.line
	i := c.pos
	lines := int64(0) // line ends inside quoted fields
	c.spans = c.spans[:0]
	var quoted []bool
	problem := ""
	d := c.delim
	for {
		// One field starting at i.
		fieldStart := i
		if i >= c.end {
			if !c.refill(&start, &i, &fieldStart) {
				// End of input: the last field is empty.
				c.spans = append(c.spans, [2]int{fieldStart - start, i - start})
				quoted = append(quoted, false)
				return c.finish(start, i, startLine, lines, quoted, problem)
			}
		}
		if c.buf[i] == '"' {
			i++
			closed := false
			for !closed {
				if i >= c.end {
					if !c.refill(&start, &i, &fieldStart) {
						problem = "a quoted field is not closed"
						c.spans = append(c.spans, [2]int{fieldStart + 1 - start, i - start})
						quoted = append(quoted, true)
						return c.finish(start, i, startLine, lines, quoted, problem)
					}
				}
				b := c.buf[i]
				switch b {
				case '"':
					if i+1 >= c.end {
						if !c.refill(&start, &i, &fieldStart) || i+1 >= c.end {
							closed = true
							i++
							continue
						}
					}
					if c.buf[i+1] == '"' {
						i += 2
						continue
					}
					closed = true
					i++
				case '\n':
					lines++
					i++
				case '\r':
					lines++
					i++
					if i >= c.end {
						c.refill(&start, &i, &fieldStart)
					}
					if i < c.end && c.buf[i] == '\n' {
						i++
					}
				default:
					i++
				}
			}
			c.spans = append(c.spans, [2]int{fieldStart + 1 - start, i - 1 - start})
			quoted = append(quoted, true)
			// After the closing quote: a delimiter, a line end or the end.
			for {
				if i >= c.end && !c.refill(&start, &i, &fieldStart) {
					return c.finish(start, i, startLine, lines, quoted, problem)
				}
				if c.buf[i] == '\n' || c.buf[i] == '\r' {
					return c.finish(start, i, startLine, lines, quoted, problem)
				}
				if c.isDelim(&start, &i, &fieldStart) {
					i += len(d)
					break
				}
				if problem == "" {
					problem = "text after the closing quote of a field"
				}
				i++
			}
			continue
		}
		// Unquoted field: up to a delimiter or a line end.
		for {
			if i >= c.end && !c.refill(&start, &i, &fieldStart) {
				c.spans = append(c.spans, [2]int{fieldStart - start, i - start})
				quoted = append(quoted, false)
				return c.finish(start, i, startLine, lines, quoted, problem)
			}
			b := c.buf[i]
			if b == '\n' || b == '\r' {
				c.spans = append(c.spans, [2]int{fieldStart - start, i - start})
				quoted = append(quoted, false)
				return c.finish(start, i, startLine, lines, quoted, problem)
			}
			if b == d[0] && c.isDelim(&start, &i, &fieldStart) {
				c.spans = append(c.spans, [2]int{fieldStart - start, i - start})
				quoted = append(quoted, false)
				i += len(d)
				break
			}
			i++
		}
	}
}

// isDelim reports whether the delimiter starts at *i, reading more input if
// a multi-byte delimiter crosses the end of the buffer.
func (c *csvReader) isDelim(start, i, fieldStart *int) bool {
	d := c.delim
	for *i+len(d) > c.end {
		if !c.refill(start, i, fieldStart) {
			break
		}
	}
	return bytes.HasPrefix(c.buf[*i:c.end], d)
}

// refill reads more input while a record is being read, keeping the record
// from *start; positions are shifted with the buffer's contents.
func (c *csvReader) refill(start, i, fieldStart *int) bool {
	keep := *start
	ok := c.fill(keep)
	*i -= keep
	*fieldStart -= keep
	*start = 0
	return ok
}

// finish builds the record that ends at stop, where its line end (if any)
// is; the line end is consumed.
func (c *csvReader) finish(start, stop int, startLine, lines int64, quoted []bool, problem string) *csvRecord {
	r := &c.rec
	r.line, r.problem = startLine, problem
	r.raw = c.buf[start:stop]
	r.fields = r.fields[:0]
	// Quoted fields with "" are unescaped into scratch; slices into scratch
	// are taken once it has stopped growing.
	c.scratch = c.scratch[:0]
	c.unesc = c.unesc[:0]
	for k, s := range c.spans {
		f := c.buf[start+s[0] : start+s[1]]
		if quoted[k] && bytes.Contains(f, []byte(`""`)) {
			from := len(c.scratch)
			c.scratch = append(c.scratch, f...)
			c.scratch = c.scratch[:from+unescapeQuotes(c.scratch[from:])]
			c.unesc = append(c.unesc, [3]int{k, from, len(c.scratch)})
		}
		r.fields = append(r.fields, f)
	}
	for _, u := range c.unesc {
		r.fields[u[0]] = c.scratch[u[1]:u[2]:u[2]]
	}
	c.pos = stop
	c.line = startLine + lines
	if stop < c.end {
		c.line++
		if c.buf[stop] == '\r' {
			c.afterCR = true
		}
		c.pos = stop + 1
	}
	return r
}

// unescapeQuotes turns "" into " in place and returns the new length.
func unescapeQuotes(b []byte) int {
	w := 0
	for i := 0; i < len(b); i++ {
		b[w] = b[i]
		w++
		if b[i] == '"' && i+1 < len(b) && b[i+1] == '"' {
			i++
		}
	}
	return w
}

// plainRecords calls fn for every record of a block of whole lines that has
// no quotes and no \r except in \r\n (see plainLines), with a one-byte
// delimiter: the lines are the records. It stops at fn's first error.
func plainRecords(block []byte, delim byte, line int64, rec *csvRecord, fn func(*csvRecord) error) error {
	for len(block) > 0 {
		end := bytes.IndexByte(block, '\n')
		next := end + 1
		if end < 0 {
			end, next = len(block), len(block)
		}
		l := block[:end]
		if len(l) > 0 && l[len(l)-1] == '\r' {
			l = l[:len(l)-1]
		}
		if len(l) > 0 {
			rec.line, rec.raw, rec.problem = line, l, ""
			rec.fields = splitFields(l, delim, rec.fields[:0])
			if err := fn(rec); err != nil {
				return err
			}
		}
		line++
		block = block[next:]
	}
	return nil
}

// splitFields splits a line without quotes at a one-byte delimiter, eight
// bytes at a time.
func splitFields(l []byte, d byte, fields [][]byte) [][]byte {
	const (
		ones  = 0x0101010101010101
		low7s = 0x7f7f7f7f7f7f7f7f
	)
	pat := uint64(d) * ones
	from, i := 0, 0
	for ; i+8 <= len(l); i += 8 {
		x := binary.LittleEndian.Uint64(l[i:]) ^ pat
		// The high bit of each byte of m is set where x has a zero byte.
		m := ^(((x & low7s) + low7s) | x | low7s)
		for m != 0 {
			j := i + bits.TrailingZeros64(m)>>3
			fields = append(fields, l[from:j])
			from = j + 1
			m &= m - 1
		}
	}
	for ; i < len(l); i++ {
		if l[i] == d {
			fields = append(fields, l[from:i])
			from = i + 1
		}
	}
	return append(fields, l[from:])
}

// validUTF8 reports whether every field is valid UTF-8 without NUL bytes
// (DuckDB's reader stops at neither, but the warehouse should hold text).
func (r *csvRecord) validUTF8() bool {
	return utf8.Valid(r.raw) && bytes.IndexByte(r.raw, 0) < 0
}
