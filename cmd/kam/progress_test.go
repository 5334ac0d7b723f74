package main

import (
	"bytes"
	"io"
	"testing"
)

func TestProgressLine(t *testing.T) {
	var b bytes.Buffer
	p := &progressLine{w: &b}
	p.clear() // nothing shown yet: nothing to erase
	p.show("build %d/%d: %s", 1, 51, "model stg_clients")
	p.show("build %d/%d: %s", 2, 51, "model <b>")
	p.clear()
	p.clear()
	want := "\r\033[Kbuild 1/51: model stg_clients\r\033[Kbuild 2/51: model <b>\r\033[K"
	if b.String() != want {
		t.Errorf("progress line wrote %q, want %q", b.String(), want)
	}
	var none *progressLine // off a terminal
	none.show("x")
	none.clear()
}

func TestProgressOnlyOnATerminalAndNotInALog(t *testing.T) {
	defer func(f func(io.Writer) bool) { drawsOn = f }(drawsOn)
	for _, tc := range []struct {
		terminal, logging, want bool
	}{{true, false, true}, {true, true, false}, {false, false, false}} {
		drawsOn = func(io.Writer) bool { return tc.terminal }
		a := &app{stderr: &bytes.Buffer{}, logging: tc.logging}
		if got := a.progress() != nil; got != tc.want {
			t.Errorf("terminal %v, logging %v: status line %v, want %v", tc.terminal, tc.logging, got, tc.want)
		}
	}
}
