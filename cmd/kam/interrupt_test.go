package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// A SIGINT cancels the command's context with a cause that names the signal.
func TestInterruptibleNamesTheSignal(t *testing.T) {
	ctx, stop := interruptible(context.Background())
	defer stop()
	if err := syscall.Kill(syscall.Getpid(), syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	select {
	case <-ctx.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("SIGINT did not cancel the context")
	}
	var sig *interrupted
	if !errors.As(context.Cause(ctx), &sig) || sig.sig != syscall.SIGINT {
		t.Fatalf("cause = %v, want SIGINT", context.Cause(ctx))
	}
}

// An interrupted build exits 128+signal with what was kept, not the driver's
// "context canceled"; the next build runs as usual.
func TestInterruptedCommandExitCode(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "acme")
	if code, _, stderr := kam(t, "init", dir); code != 0 {
		t.Fatalf("kam init: exit %d: %s", code, stderr)
	}
	cfg := filepath.Join(dir, "kam.yaml")
	writeFile(t, filepath.Join(dir, "inbox", "clients", "c.csv"), "client_id,name,segment\nC1,Альфа,HoReCa\n")
	if code, _, stderr := kam(t, "--config", cfg, "ingest"); code != 0 {
		t.Fatalf("kam ingest: exit %d: %s", code, stderr)
	}
	for _, s := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		ctx, cancel := context.WithCancelCause(context.Background())
		cancel(&interrupted{sig: s})
		var out, errb bytes.Buffer
		code := run(ctx, []string{"--config", cfg, "build", "--as-of", "2026-10-31"}, &out, &errb)
		if code != 128+int(s) || !strings.Contains(errb.String(), "interrupted by") || strings.Contains(errb.String(), "context canceled") {
			t.Errorf("build cancelled by %v: exit %d, stderr %q; want %d and what was kept", s, code, errb.String(), 128+int(s))
		}
	}
	if code, _, stderr := kam(t, "--config", cfg, "build", "--as-of", "2026-10-31"); code != 0 {
		t.Fatalf("kam build after the interrupted ones: exit %d: %s", code, stderr)
	}
}

// What a killed render left beside the warehouse goes once it is a day old;
// a newer one may belong to a render still running.
func TestRemoveStale(t *testing.T) {
	dir := t.TempDir()
	old, fresh := filepath.Join(dir, ".kam-as-of-1"), filepath.Join(dir, ".kam-as-of-2")
	for _, d := range []string{old, fresh} {
		writeFile(t, filepath.Join(d, "kam.duckdb"), "x")
	}
	day := time.Now().Add(-25 * time.Hour)
	if err := os.Chtimes(old, day, day); err != nil {
		t.Fatal(err)
	}
	removeStale(filepath.Join(dir, ".kam-as-of-*"))
	if _, err := os.Stat(old); err == nil {
		t.Error("the day-old copy stayed")
	}
	if _, err := os.Stat(fresh); err != nil {
		t.Error("the fresh copy was removed")
	}
}
