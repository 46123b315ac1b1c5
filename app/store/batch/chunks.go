package batch

import (
	"context"
	"fmt"
)

// Chunk sizes of the backends' long jobs (retention, erasure): each
// chunk is one writer op, so live comments commit between them.
const (
	// PurgeChunk bounds the rows one retention op changes.
	PurgeChunk = 1000
	// EraseChunk is how many comments or likes one erasure op changes.
	EraseChunk = 500
)

// InChunks applies fn to items EraseChunk at a time, a writer op each, and
// sums what it counts. It stops between ops once ctx ends.
func InChunks[T, I any](ctx context.Context, w *Writer[T], items []I, fn func(T, []I) (int, error)) (int, error) {
	total := 0
	for start := 0; start < len(items); start += EraseChunk {
		if err := ctx.Err(); err != nil {
			return total, fmt.Errorf("store: stopped after %d: %w", total, err)
		}
		chunk := items[start:min(start+EraseChunk, len(items))]
		var n int
		if err := w.Exec(ctx, func(tx T) error {
			var err error
			n, err = fn(tx, chunk)
			return err
		}); err != nil {
			return total, err
		}
		total += n
	}
	return total, nil
}

// UntilDone runs op, a writer op that changes at most PurgeChunk rows and
// says how many it changed, until it changes fewer, and sums the counts.
// It stops between ops once ctx ends (a queued op always completes, so
// that is the only place a long backlog can stop): the server's shutdown
// then waits for one chunk, not for the whole backlog.
func UntilDone[T any](ctx context.Context, w *Writer[T], op func(T) (int64, error)) (int, error) {
	total := 0
	for {
		if err := ctx.Err(); err != nil {
			return total, fmt.Errorf("store: stopped after %d rows: %w", total, err)
		}
		var n int64
		err := w.Exec(ctx, func(tx T) error {
			var err error
			n, err = op(tx)
			return err
		})
		total += int(n)
		if err != nil || n < PurgeChunk {
			return total, err
		}
	}
}
