package sqlite

import (
	"context"

	"github.com/danmaku/danmaku/app/protocol"
)

// EachVisible calls fn with a room's visible comments up to seq upTo, by
// video time (then seq), a page of at most pageSize at a time. Each page is
// a query of its own, so a slow reader of a long room holds no snapshot
// open; comments that become visible meanwhile have larger seqs and are
// left out. It stops at fn's first error and returns it.
func (s *Store) EachVisible(ctx context.Context, room string, upTo int64, pageSize int, fn func([]protocol.Comment) error) error {
	lastTime, lastSeq := int64(-1), int64(0)
	for {
		page, err := s.queryComments(ctx, s.reads.exportPage, room, upTo, lastTime, lastTime, lastSeq, pageSize)
		if err != nil {
			return err
		}
		if len(page) == 0 {
			return nil
		}
		if err := fn(page); err != nil {
			return err
		}
		last := page[len(page)-1]
		lastTime, lastSeq = int64(last.Time), last.Seq
		if len(page) < pageSize {
			return nil
		}
	}
}

// LatestVisible returns a room's newest visible comments (by seq), at most
// limit of them, newest first.
func (s *Store) LatestVisible(ctx context.Context, room string, limit int) ([]protocol.Comment, error) {
	return s.queryComments(ctx, s.reads.latest, room, limit)
}
