// Package sql holds the warehouse models as SQL files, embedded into the
// binary. Folders are layers (staging → core → marts); checks/ holds data
// checks that return offending rows. See models for how they are built.
package sql

import "embed"

// Files is the tree of model and check files.
//
//go:embed staging core marts checks
var Files embed.FS
