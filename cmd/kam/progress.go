package main

import (
	"fmt"
	"io"
)

// drawsOn says whether a status line may be drawn on w (tests replace it).
var drawsOn = interactive

// progressLine is one status line redrawn in place on a terminal, so that
// a long kam build or kam ingest says what it is doing. Off a terminal
// (logs, pipes, cron, tests) it is nil and writes nothing.
type progressLine struct {
	w     io.Writer
	shown bool
}

// progress is a status line on stderr when stderr is a terminal and the
// command is not writing a log, else nil.
func (a *app) progress() *progressLine {
	if a.logging || !drawsOn(a.stderr) {
		return nil
	}
	return &progressLine{w: a.stderr}
}

// show replaces the line with the formatted text.
func (p *progressLine) show(format string, args ...any) {
	if p == nil {
		return
	}
	fmt.Fprintf(p.w, "\r\033[K"+format, args...)
	p.shown = true
}

// clear erases the line, before the command prints its results or an error.
func (p *progressLine) clear() {
	if p == nil || !p.shown {
		return
	}
	fmt.Fprint(p.w, "\r\033[K")
	p.shown = false
}
