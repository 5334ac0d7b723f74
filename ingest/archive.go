package ingest

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// archive moves a processed file into the source's `archive:` folder
// (relative to the config) after it loaded or was skipped as already
// loaded; failed files stay where they are, to be fixed and retried. The
// file keeps its name; when the name is taken the copy is called
// name-2.ext, name-3.ext and so on. A failed move leaves the load as it is
// and is reported in res.ArchiveErr.
func (l *Loader) archive(src *Source, path string, res *FileResult) {
	if src.Archive == "" || res.Status == StatusFailed {
		return
	}
	dir := src.Archive
	if !filepath.IsAbs(dir) {
		dir = filepath.Join(l.BaseDir, dir)
	}
	if abs, err := filepath.Abs(filepath.Dir(path)); err == nil {
		if d, err := filepath.Abs(dir); err == nil && d == abs {
			return // already in the archive folder
		}
	}
	target, err := archiveFile(path, dir)
	if err != nil {
		res.ArchiveErr = fmt.Errorf("archive %s into %s: %w", res.File, src.Archive, err)
		return
	}
	res.Archived = l.rel(target)
}

func archiveFile(path, dir string) (string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	base := filepath.Base(path)
	ext := filepath.Ext(base)
	stem := strings.TrimSuffix(base, ext)
	target := filepath.Join(dir, base)
	for n := 2; ; n++ {
		if _, err := os.Lstat(target); errors.Is(err, os.ErrNotExist) {
			break
		} else if err != nil {
			return "", err
		}
		if n > 10000 {
			return "", fmt.Errorf("too many files named %s in the archive", base)
		}
		target = filepath.Join(dir, fmt.Sprintf("%s-%d%s", stem, n, ext))
	}
	err := os.Rename(path, target)
	if err == nil {
		return target, nil
	}
	var le *os.LinkError
	if !errors.As(err, &le) || !errors.Is(le.Err, syscall.EXDEV) {
		return "", err
	}
	// Another file system: copy, flush, then remove the original.
	if err := archiveCopy(path, target); err != nil {
		_ = os.Remove(target)
		return "", err
	}
	return target, os.Remove(path)
}

func archiveCopy(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// notes is what a result adds to its summary line: unmatched payers and the archive.
func (r FileResult) notes() string {
	var s string
	if r.UnknownClients > 0 {
		s += fmt.Sprintf("; %d row(s) name a client_id that is in no clients file (shown without a name or manager until the client is loaded)", r.UnknownClients)
	}
	if r.Unmatched > 0 {
		s += fmt.Sprintf("; %d payment(s) match no client by payer_inn (kept with an empty client_id)", r.Unmatched)
	}
	if r.Archived != "" {
		s += "; moved to " + r.Archived
	}
	if r.ArchiveErr != nil {
		s += fmt.Sprintf("; not archived: %v", r.ArchiveErr)
	}
	return s
}
