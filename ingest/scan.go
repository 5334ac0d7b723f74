package ingest

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
)

// digest is what one pass over a file tells: its ledger key and size, and
// for delimited text whether any record does not start on the line its
// position implies (blank lines, fields spanning lines).
type digest struct {
	sha256    string
	size      int64
	irregular bool
}

// digestFile hashes a file; with scan it also checks delimited-text records.
func digestFile(path string, scan bool) (digest, error) {
	f, err := os.Open(path)
	if err != nil {
		return digest{}, err
	}
	defer f.Close()
	h := sha256.New()
	var d digest
	if scan {
		cr := &countingReader{r: io.TeeReader(f, h)}
		var idx int64
		err = scanRecords(cr, '"', func(rec record) {
			idx++
			if rec.line != idx {
				d.irregular = true
			}
		})
		d.size = cr.n
	} else {
		d.size, err = io.Copy(h, f)
	}
	if err != nil {
		return digest{}, fmt.Errorf("read %s: %w", path, err)
	}
	d.sha256 = hex.EncodeToString(h.Sum(nil))
	return d, nil
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// record is one CSV record as DuckDB's reader sees it: blank lines are not
// records, a quoted field may span lines.
type record struct {
	offset int64 // byte offset of its first byte
	line   int64 // physical line it starts on, 1-based
}

// scanRecords walks a delimited text file and calls fn for every non-blank
// record in order. Physical lines end with \n, \r\n or a lone \r.
func scanRecords(r io.Reader, quote byte, fn func(record)) error {
	buf := make([]byte, 1<<20)
	var (
		off      int64 // offset of buf[0]
		line     int64 = 1
		inQuote  bool
		recStart int64 = 0
		recLine  int64 = 1
		recBlank       = true
		prevCR         = false
	)
	for {
		n, err := r.Read(buf)
		for i := 0; i < n; i++ {
			c := buf[i]
			if prevCR {
				prevCR = false
				if c == '\n' {
					// \r\n: the line already ended at \r.
					if !inQuote {
						recStart = off + int64(i) + 1
					}
					continue
				}
			}
			switch c {
			case quote:
				inQuote = !inQuote
				recBlank = false
			case '\n', '\r':
				if c == '\r' {
					prevCR = true
				}
				line++
				if inQuote {
					continue
				}
				if !recBlank {
					fn(record{offset: recStart, line: recLine})
				}
				recStart = off + int64(i) + 1
				recLine = line
				recBlank = true
			default:
				recBlank = false
			}
		}
		off += int64(n)
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
	}
	if !recBlank {
		fn(record{offset: recStart, line: recLine})
	}
	return nil
}

// segment says: accepted data rows numbered from rank on start at line rank+offset.
type segment struct {
	rank, offset int64
}

// lineSegments maps DuckDB's accepted-row ranks (1-based, data rows only) to
// physical lines, skipping the rejected records (by byte offset) and the
// header. Only the points where the mapping changes are returned.
func lineSegments(r io.Reader, quote byte, header bool, rejected map[int64]bool) ([]segment, map[int64]int64, error) {
	var segs []segment
	rejectLines := map[int64]int64{}
	var rank, idx int64
	cur := int64(-1 << 62)
	err := scanRecords(r, quote, func(rec record) {
		idx++
		if header && idx == 1 {
			return
		}
		if rejected[rec.offset] {
			rejectLines[rec.offset] = rec.line
			return
		}
		rank++
		if rec.line-rank != cur {
			cur = rec.line - rank
			segs = append(segs, segment{rank: rank, offset: cur})
		}
	})
	return segs, rejectLines, err
}
