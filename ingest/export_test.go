package ingest

import "time"

// SetTestHookBeforeCommit makes every load call f inside its transaction,
// after all its rows are written and just before it commits.
func SetTestHookBeforeCommit(f func()) { testHookBeforeCommit = f }

// SetTestHookPhase makes every load report the duration of its phases.
func SetTestHookPhase(f func(name string, d time.Duration)) { testHookPhase = f }
