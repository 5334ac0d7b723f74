package ingest

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"

	wh "github.com/kam-analytics/kam/ingest/warehouse"
)

// Delimited text (csv, tsv) is read in one pass in Go, not by DuckDB's
// read_csv: its rows carry no line numbers, and numbering them
// (row_number) and typing every value in SQL cost more than the load
// itself (docs/bench.md). The bytes are hashed for the ledger (in parallel,
// when LoadFile asks), decompressed (gzip, known by its magic bytes),
// decoded (utf-16, windows-1251, koi8-r) and split into records, each with
// the physical line it starts on (lines end in LF, CRLF or a lone CR).
// Rows whose every value Go can type for certain go to temporary Parquet
// files that DuckDB reads with next to no work; the other rows go, as text,
// to temporary CSV files for typedSelect, which types them or says why they
// are bad. Broken records (a quote left open, a wrong number of fields,
// bytes that are not text in the file's encoding) are quarantined as they
// stand in the file.
func init() {
	registerFormat("csv", stageCSV)
	registerFormat("tsv", stageCSV)
}

// lineSizeOption is DuckDB's max_line_size for a temporary file whose
// longest line has n bytes: the default (2 MB) unless more is needed, since
// a larger one means larger buffers and fewer threads reading.
func lineSizeOption(n int) string {
	if n < 1<<20 {
		return ""
	}
	return fmt.Sprintf(", max_line_size=%d", 2*n+1024)
}

func stageCSV(ctx context.Context, f *file) (res stageResult, bad []badRow, err error) {
	src, ent := f.src, f.ent
	in, err := os.Open(f.path)
	if err != nil {
		return res, nil, err
	}
	defer in.Close()
	var hashed chan hashResult
	if f.hash {
		// The hash reads the file on its own, in parallel: from the page cache.
		hashed = make(chan hashResult, 1)
		go func() {
			d, err := digestFile(f.path)
			hashed <- hashResult{d, err}
		}()
		defer func() {
			if hashed != nil {
				<-hashed
			}
		}()
	}
	var temps []string
	var tempsMu sync.Mutex
	addTemp := func(path string) {
		tempsMu.Lock()
		temps = append(temps, path)
		tempsMu.Unlock()
	}
	res.cleanup = func() {
		for _, t := range temps {
			_ = os.Remove(t)
		}
	}
	defer func() {
		if err != nil {
			res.cleanup()
			res.cleanup = nil
		}
	}()
	text, err := decodeText(in, src.Encoding)
	if err != nil {
		return res, nil, err
	}
	cr := newCSVReader(text, src.delimiter())

	var cols []string
	if src.HasHeader() {
		rec := cr.next()
		if rec == nil {
			if cr.err != nil {
				return res, nil, readError(cr.err)
			}
			return res, nil, fmt.Errorf("the file is empty: expected a header row")
		}
		if !rec.validUTF8() {
			return res, nil, fmt.Errorf("line %d: the header is not %s text: is `encoding:` right?", rec.line, encodingName(src.Encoding))
		}
		for _, c := range rec.fields {
			cols = append(cols, headerName(string(c)))
		}
		if len(src.Columns) == 0 {
			if err := checkCanonicalHeader(ent, cols); err != nil {
				return res, nil, err
			}
		}
	} else {
		cols = append(cols, src.Names...)
	}
	cols = uniqueNames(cols)
	// Check the mapping now, whether or not any row will need SQL.
	if _, err := typedSelect(src, ent, staged{relation: "x", columns: cols}); err != nil {
		return res, nil, err
	}
	if _, _, err := newFastTyper(src, ent, cols); err != nil {
		return res, nil, err
	}

	// The reader (this goroutine) cuts the text into blocks of whole lines
	// that workers split into records and type, each into its own Parquet
	// and text files. Once a quote or a lone \r turns up, a record may
	// span lines: from there the reader splits the records itself and
	// hands them over in batches.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	nworkers := min(max(runtime.GOMAXPROCS(0), 1), 4)
	work := make(chan csvJob, 2*nworkers)
	blocks := make(chan []byte, 3*nworkers)
	batches := make(chan *csvBatch, 3*nworkers)
	for range 3 * nworkers {
		blocks <- make([]byte, 0, csvBlockBytes+64<<10)
		batches <- &csvBatch{}
	}
	var workers []*csvWorker
	defer func() {
		for _, w := range workers {
			_ = w.close()
		}
	}()
	errs := make(chan error, nworkers)
	var wg sync.WaitGroup
	for range nworkers {
		w, err := newCSVWorker(src, ent, cols, addTemp)
		if err != nil {
			cancel()
			close(work)
			wg.Wait()
			return res, nil, err
		}
		workers = append(workers, w)
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := w.run(ctx, work, blocks, batches); err != nil {
				errs <- err
				cancel()
			}
		}()
	}
	readErr := func() error {
		defer close(work)
		send := func(j csvJob) error {
			select {
			case work <- j:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		seq := 0
		pending, line, r := cr.rest()
		carry := append([]byte(nil), pending...)
		eof := false
		for !eof {
			var block []byte
			select {
			case block = <-blocks:
			case <-ctx.Done():
				return ctx.Err()
			}
			block = append(block[:0], carry...)
			for len(block) < csvBlockBytes && !eof {
				n, err := r.Read(block[len(block):cap(block)])
				block = block[:len(block)+n]
				if err == io.EOF {
					eof = true
				} else if err != nil {
					return readError(err)
				}
			}
			cut := len(block)
			if !eof {
				cut = bytes.LastIndexByte(block, '\n') + 1
			}
			if cut == 0 || !plainLines(block[:cut]) {
				// Records from here on are split by the reader.
				cr.reset(io.MultiReader(bytes.NewReader(append([]byte(nil), block...)), r), line)
				return w0(ctx, cr, len(cols), src, &bad, &seq, batches, send)
			}
			carry = append(carry[:0], block[cut:]...)
			if err := send(csvJob{seq: seq, block: block[:cut], line: line}); err != nil {
				return err
			}
			seq++
			line += int64(bytes.Count(block[:cut], []byte{'\n'}))
		}
		return nil
	}()
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return res, nil, err
	}
	if readErr != nil {
		return res, nil, readErr
	}
	if hashed != nil {
		h := <-hashed
		hashed = nil
		if h.err != nil {
			return res, nil, h.err
		}
		res.hashed = &h.d
	}
	for _, w := range workers {
		bad = append(bad, w.bad...)
	}
	sort.Slice(bad, func(i, j int) bool { return bad[i].line < bad[j].line })

	// Typed rows: proven unique when every batch's keys increase and each
	// batch's first key is above the last key of the batch before it.
	var typedFiles, textFiles []string
	var spans []keySpan
	res.sorted = true
	for _, w := range workers {
		if err := w.close(); err != nil {
			return res, nil, err
		}
		if w.ft.rows > 0 {
			typedFiles = append(typedFiles, sqlStr(w.typedPath))
			res.pretypedRows += w.ft.rows
		}
		if w.side != nil {
			textFiles = append(textFiles, sqlStr(w.side.path))
		}
		spans = append(spans, w.spans...)
		res.sorted = res.sorted && w.sorted
	}
	sort.Slice(spans, func(i, j int) bool { return spans[i].seq < spans[j].seq })
	for i := 1; i < len(spans) && res.sorted; i++ {
		res.sorted = bytes.Compare(spans[i-1].last, spans[i].first) < 0
	}
	if len(typedFiles) > 0 {
		res.pretyped = fmt.Sprintf("read_parquet([%s])", strings.Join(typedFiles, ", "))
	}
	res.columns = cols
	if len(textFiles) > 0 {
		longest := 0
		for _, w := range workers {
			longest = max(longest, w.longest)
		}
		defs := []string{"'_kam_line': 'BIGINT'"}
		for _, c := range cols {
			defs = append(defs, fmt.Sprintf("%s: 'VARCHAR'", sqlStr(c)))
		}
		res.relation = fmt.Sprintf(`(SELECT _kam_line AS _rank, _kam_line AS _line, * EXCLUDE (_kam_line) FROM read_csv([%s],
            header=false, auto_detect=false, delim=',', quote='"', escape='"', strict_mode=true%s, columns={%s}))`,
			strings.Join(textFiles, ", "), lineSizeOption(longest), strings.Join(defs, ", "))
	}
	return res, bad, nil
}

// plainLines reports whether a block of lines can be split into records
// line by line: no quote, and no \r other than in \r\n.
func plainLines(b []byte) bool {
	if bytes.IndexByte(b, '"') >= 0 {
		return false
	}
	if bytes.IndexByte(b, '\r') < 0 {
		return true
	}
	return bytes.Count(b, []byte{'\r'}) == bytes.Count(b, []byte("\r\n"))
}

// w0 splits the rest of the records in the reader and hands them to the
// workers in batches; broken records are set aside as bad.
func w0(ctx context.Context, cr *csvReader, nf int, src *Source, bad *[]badRow, seq *int,
	batches chan *csvBatch, send func(csvJob) error) error {
	var b *csvBatch
	for rec := cr.next(); rec != nil; rec = cr.next() {
		if reason := structuralProblem(rec, nf, src); reason != "" {
			*bad = append(*bad, structuralBad(rec, reason))
			continue
		}
		if b == nil {
			select {
			case b = <-batches:
			case <-ctx.Done():
				return ctx.Err()
			}
			b.reset()
		}
		b.add(rec)
		if b.rows() == csvBatchRows || len(b.data) >= csvBatchBytes {
			if err := send(csvJob{seq: *seq, batch: b}); err != nil {
				return err
			}
			*seq++
			b = nil
		}
	}
	if b != nil {
		if err := send(csvJob{seq: *seq, batch: b}); err != nil {
			return err
		}
		*seq++
	}
	if cr.err != nil {
		return readError(cr.err)
	}
	return nil
}

// structuralProblem says why a record cannot be a row ("" if it can).
func structuralProblem(rec *csvRecord, nf int, src *Source) string {
	switch {
	case rec.problem != "":
		return rec.problem
	case len(rec.fields) != nf:
		return fmt.Sprintf("expected %d fields, found %d", nf, len(rec.fields))
	case !rec.validUTF8():
		return fmt.Sprintf("not %s text: is `encoding:` right?", encodingName(src.Encoding))
	}
	return ""
}

// csvJob is a worker's next piece of work: a block of whole lines starting
// on line, or a batch of records.
type csvJob struct {
	seq   int
	block []byte
	line  int64
	batch *csvBatch
}

// csvBlockBytes is the size of the blocks of lines handed to workers.
const csvBlockBytes = 1 << 20

type hashResult struct {
	d   digest
	err error
}

// csvBatch holds records copied out of the reader for a worker: every
// record has the same number of fields.
type csvBatch struct {
	data  []byte
	ends  []int // end of each field in data, record after record
	lines []int64
}

const (
	csvBatchRows  = 4096
	csvBatchBytes = 1 << 20
)

func (b *csvBatch) reset() {
	b.data, b.ends, b.lines = b.data[:0], b.ends[:0], b.lines[:0]
}

func (b *csvBatch) add(rec *csvRecord) {
	for _, v := range rec.fields {
		b.data = append(b.data, v...)
		b.ends = append(b.ends, len(b.data))
	}
	b.lines = append(b.lines, rec.line)
}

func (b *csvBatch) rows() int { return len(b.lines) }

// record fills fields with the i-th record's fields.
func (b *csvBatch) record(i int, fields [][]byte) {
	nf := len(fields)
	start := 0
	if i > 0 {
		start = b.ends[i*nf-1]
	}
	for k := range fields {
		end := b.ends[i*nf+k]
		fields[k] = b.data[start:end:end]
		start = end
	}
}

// keySpan is what a batch's typed rows say about key order.
type keySpan struct {
	seq         int
	first, last []byte
}

// csvWorker types batches of records: typed rows into its Parquet file,
// the others as text into its CSV file for typedSelect.
type csvWorker struct {
	src       *Source
	cr        *csvReader
	rec       csvRecord
	bad       []badRow
	ft        *fastTyper
	fast      bool
	typed     *os.File
	typedPath string
	pw        *pqWriter
	side      *tempWriter
	addTemp   func(string)
	fields    [][]byte
	row       []byte
	spans     []keySpan
	first     []byte
	before    int64
	sorted    bool
	longest   int
}

func newCSVWorker(src *Source, ent *wh.Entity, cols []string, addTemp func(string)) (*csvWorker, error) {
	ft, fast, err := newFastTyper(src, ent, cols)
	if err != nil {
		return nil, err
	}
	w := &csvWorker{src: src, cr: &csvReader{delim: []byte(src.delimiter())}, ft: ft, fast: fast, addTemp: addTemp,
		fields: make([][]byte, len(cols)), sorted: true}
	if fast {
		if w.typed, err = createTemp("typed", ".parquet"); err != nil {
			return nil, err
		}
		w.typedPath = w.typed.Name()
		addTemp(w.typedPath)
		names, kinds := ft.pqKinds()
		w.pw = newPQWriter(w.typed, names, kinds)
	} else {
		w.ft = &fastTyper{}
	}
	return w, nil
}

func (w *csvWorker) run(ctx context.Context, work <-chan csvJob, blocks chan<- []byte, batches chan<- *csvBatch) error {
	for j := range work {
		if err := ctx.Err(); err != nil {
			return err
		}
		w.begin()
		if j.batch != nil {
			b := j.batch
			for i := range b.rows() {
				b.record(i, w.fields)
				if err := w.record(b.lines[i]); err != nil {
					return err
				}
			}
			batches <- b
		} else {
			each := func(rec *csvRecord) error {
				if reason := structuralProblem(rec, len(w.fields), w.src); reason != "" {
					w.bad = append(w.bad, structuralBad(rec, reason))
					return nil
				}
				copy(w.fields, rec.fields)
				return w.record(rec.line)
			}
			if d := w.cr.delim; len(d) == 1 {
				if err := plainRecords(j.block, d[0], j.line, &w.rec, each); err != nil {
					return err
				}
			} else {
				w.cr.resetBytes(j.block, j.line)
				for rec := w.cr.next(); rec != nil; rec = w.cr.next() {
					if err := each(rec); err != nil {
						return err
					}
				}
				if w.cr.err != nil {
					return readError(w.cr.err)
				}
			}
			blocks <- j.block
		}
		w.end(j.seq)
	}
	return nil
}

// begin and end bracket a job: end notes the order of the job's keys.
func (w *csvWorker) begin() {
	w.ft.sorted, w.ft.prev = true, w.ft.prev[:0]
	w.before = w.ft.rows
}

func (w *csvWorker) end(seq int) {
	if w.ft.rows > w.before {
		w.sorted = w.sorted && w.ft.sorted
		w.spans = append(w.spans, keySpan{seq: seq, first: w.first, last: append([]byte(nil), w.ft.prev...)})
		w.first = nil
	}
}

// record types the record in w.fields, or writes it as text.
func (w *csvWorker) record(line int64) error {
	ft := w.ft
	if w.fast {
		w.pw.beginRow()
		if ft.row(w.fields, line, w.pw) {
			if ft.rows == w.before+1 {
				w.first = append([]byte(nil), ft.key...)
			}
			return w.pw.endRow()
		}
		w.pw.abortRow()
	}
	return w.sideRow(line)
}

// sideRow writes the current record as text, for typedSelect.
func (w *csvWorker) sideRow(line int64) error {
	if w.side == nil {
		f, err := createTemp("text", ".csv")
		if err != nil {
			return err
		}
		w.addTemp(f.Name())
		w.side = &tempWriter{f: f, w: bufio.NewWriterSize(f, 1<<20), path: f.Name()}
	}
	row := strconv.AppendInt(w.row[:0], line, 10)
	for _, v := range w.fields {
		row = append(row, ',')
		// An empty field stays unquoted: DuckDB reads it as NULL, as it
		// reads an empty field of the source.
		row = appendCSVField(row, v)
	}
	row = append(row, '\n')
	w.row = row
	w.longest = max(w.longest, len(row))
	_, err := w.side.w.Write(row)
	return err
}

func (w *csvWorker) close() error {
	if w.pw != nil {
		err := w.pw.close()
		if cerr := w.typed.Close(); err == nil {
			err = cerr
		}
		w.pw = nil
		if err != nil {
			return err
		}
	}
	if w.side != nil && w.side.f != nil {
		err := w.side.close()
		w.side.f = nil
		return err
	}
	return nil
}

func readError(err error) error {
	if err == errRecordTooLong {
		return err
	}
	return fmt.Errorf("read: %w", err)
}

func encodingName(enc string) string {
	if enc == "" {
		return "utf-8"
	}
	return strings.ToLower(enc)
}

// structuralBad quarantines a record as it stands in the file.
func structuralBad(rec *csvRecord, reason string) badRow {
	raw := rec.raw
	if len(raw) > 4096 {
		raw = raw[:4096]
	}
	return badRow{line: rec.line, reason: reason, raw: strings.ToValidUTF8(string(raw), "\ufffd")}
}

// tempWriter is a buffered temporary file.
type tempWriter struct {
	f    *os.File
	w    *bufio.Writer
	path string
}

func (t *tempWriter) close() error {
	if err := t.w.Flush(); err != nil {
		t.f.Close()
		return err
	}
	return t.f.Close()
}

// needsQuotes marks the bytes that make a CSV field need quotes.
var needsQuotes = [256]bool{',': true, '"': true, '\r': true, '\n': true}

// appendCSVField appends a value as a CSV field, quoted when it has to be.
func appendCSVField(out, v []byte) []byte {
	quote := false
	for _, c := range v {
		if needsQuotes[c] {
			quote = true
			break
		}
	}
	if !quote {
		return append(out, v...)
	}
	out = append(out, '"')
	for {
		i := bytes.IndexByte(v, '"')
		if i < 0 {
			break
		}
		out = append(out, v[:i+1]...)
		out = append(out, '"')
		v = v[i+1:]
	}
	out = append(out, v...)
	return append(out, '"')
}
