package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// kam schedule starts, lists what it scheduled and stops cleanly when its
// context ends (as on SIGINT/SIGTERM). The scheduler's runs themselves are
// tested in package ingest with a seconds schedule.
func TestScheduleCommand(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "kam.yaml")
	writeFile(t, cfg, `warehouse: kam.duckdb
company: {name: "ООО «Тест»", inn: "7701234567"}
sources:
  - name: clients
    entity: clients
    files: inbox/clients/*.csv
    archive: inbox/done
    schedule: "0 0 1 1 *"
  - name: managers
    entity: managers
    files: inbox/managers/*.csv
`)
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	var out, errb bytes.Buffer
	start := time.Now()
	code := run(ctx, []string{"--config", cfg, "schedule", "--build"}, &out, &errb)
	if code != exitOK || time.Since(start) > 10*time.Second {
		t.Fatalf("kam schedule: exit %d after %s, stderr %q; want 0 soon after the context ended", code, time.Since(start), errb.String())
	}
	for _, want := range []string{`schedule: clients at "0 0 1 1 *"`, "schedule: 1 source(s) scheduled", "schedule: stopped"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("kam schedule stdout = %q, want %q", out.String(), want)
		}
	}

	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"schedule", "nosuch"}, exitUsage, `no source named "nosuch"`},
		{[]string{"schedule", "managers"}, exitUsage, "source managers has no schedule"},
	} {
		code, _, stderr := kam(t, append([]string{"--config", cfg}, tc.args...)...)
		if code != tc.code || !strings.Contains(stderr, tc.want) {
			t.Errorf("kam %v: exit %d, stderr %q; want exit %d and %q", tc.args, code, stderr, tc.code, tc.want)
		}
	}

	none := filepath.Join(dir, "none.yaml")
	writeFile(t, none, "sources:\n  - name: managers\n    entity: managers\n    files: inbox/managers/*.csv\n")
	if code, _, stderr := kam(t, "--config", none, "schedule"); code != exitFailure || !strings.Contains(stderr, "no source has a schedule") {
		t.Errorf("kam schedule without schedules: exit %d, stderr %q", code, stderr)
	}
	bad := filepath.Join(dir, "bad.yaml")
	writeFile(t, bad, "sources:\n  - name: managers\n    entity: managers\n    files: x/*.csv\n    schedule: every minute\n")
	if code, _, stderr := kam(t, "--config", bad, "schedule"); code == exitOK || !strings.Contains(stderr, `source managers: schedule: "every minute" is not a 5-field cron expression`) {
		t.Errorf("kam schedule with a bad cron: exit %d, stderr %q", code, stderr)
	}
}
