package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/danmaku/danmaku/app/store"
)

// CommentSpan returns the creation times of a room's first and last visible
// comments (by seq, so both come straight off the seq index), which bound a
// replay of a live room by wall-clock time.
func (s *Store) CommentSpan(ctx context.Context, room string) (store.CommentSpan, error) {
	const q = `SELECT created_at FROM comments
		WHERE room_id = ? AND seq IS NOT NULL AND status = 'visible' ORDER BY seq %s LIMIT 1`
	var span store.CommentSpan
	err := s.read.QueryRowContext(ctx, fmt.Sprintf(q, "ASC"), room).Scan(&span.First)
	if errors.Is(err, sql.ErrNoRows) {
		return store.CommentSpan{Empty: true}, nil
	}
	if err == nil {
		err = s.read.QueryRowContext(ctx, fmt.Sprintf(q, "DESC"), room).Scan(&span.Last)
	}
	if err != nil {
		return store.CommentSpan{}, fmt.Errorf("store: reading the comment span of %s: %w", room, err)
	}
	return span, nil
}
