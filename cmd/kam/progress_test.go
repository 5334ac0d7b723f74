package main

import (
	"bytes"
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
