package store

import (
	"context"
	"time"
)

// MigrationState is one migration and whether a database has it.
type MigrationState struct {
	Version   int64
	File      string // e.g. 00001_init.sql
	Applied   bool
	AppliedAt time.Time // zero when pending
}

// WriterStats counts the writer's work since start.
type WriterStats struct {
	Batches int64 // transactions committed
	Ops     int64 // ops in them
	Queued  int   // ops waiting now
}

// Commit describes one transaction of the writer.
type Commit struct {
	Ops  int           // ops in it
	Took time.Duration // from begin to commit (or to the failure)
	Err  error         // nil when it committed; the batch's ops are then retried one by one
}

// Health is what readiness checks and metrics ask of the store.
type Health interface {
	// Ready reports whether the store accepts writes now: it commits a
	// real write, and gives up when ctx ends.
	Ready(ctx context.Context) error
	// Pending returns the migrations this binary has that the database
	// lacks; readiness requires none.
	Pending(ctx context.Context) ([]MigrationState, error)
	// WriterStats returns the writer's counters.
	WriterStats() WriterStats
}
