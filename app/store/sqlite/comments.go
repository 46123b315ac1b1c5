package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/danmaku/danmaku/app/protocol"
)

const commentColumns = `id, room_id, seq, time_ms, text, mode, color, size, user_id, user_name, created_at, likes, weight`

// shownColumns are commentColumns as a comment's sender saw it: a shadowed
// comment with the seq its ack carried.
const shownColumns = `id, room_id, coalesce(seq, shown_seq), time_ms, text, mode, color, size, user_id, user_name, created_at, likes, weight`

// scanComment reads the columns of commentColumns (or shownColumns), then
// those of extra.
func scanComment(row interface{ Scan(...any) error }, extra ...any) (protocol.Comment, error) {
	var c protocol.Comment
	var seq sql.NullInt64
	err := row.Scan(append([]any{&c.ID, &c.Room, &seq, &c.Time, &c.Text, &c.Mode, &c.Color, &c.Size,
		&c.User.ID, &c.User.Name, &c.CreatedAt, &c.Likes, &c.Weight}, extra...)...)
	c.Seq = seq.Int64
	return c, err
}

// CommentsByTime returns a room's visible comments with from <= time < to
// (video milliseconds), ordered by time, at most limit of them.
func (s *Store) CommentsByTime(ctx context.Context, room string, from, to protocol.Seconds, limit int) ([]protocol.Comment, error) {
	return s.rawComments(ctx, room, limit, queryCommentsByTime, room, int64(from), int64(to), int64(limit))
}

// ShadowedByTime returns viewer's own shadowed comments in a room with
// from <= time < to, ordered by time, at most limit of them, with the seqs
// their acks carried. The partial index comments_shadowed holds shadowed
// comments only, so a viewer without any costs one probe of a small index.
func (s *Store) ShadowedByTime(ctx context.Context, room, viewer string, from, to protocol.Seconds, limit int) ([]protocol.Comment, error) {
	return s.queryComments(ctx, s.reads.shadowedByTime, room, viewer, int64(from), int64(to), limit)
}

// CommentsAfter returns a room's visible comments with seq > after, in seq
// order, at most limit of them.
func (s *Store) CommentsAfter(ctx context.Context, room string, after int64, limit int) ([]protocol.Comment, error) {
	return s.rawComments(ctx, room, limit, queryCommentsAfter, room, after, int64(limit))
}

func (s *Store) queryComments(ctx context.Context, stmt *sql.Stmt, args ...any) ([]protocol.Comment, error) {
	rows, err := stmt.QueryContext(ctx, args...)
	if err != nil {
		return nil, fmt.Errorf("store: reading comments: %w", err)
	}
	defer rows.Close()
	out := []protocol.Comment{}
	for rows.Next() {
		c, err := scanComment(rows)
		if err != nil {
			return nil, fmt.Errorf("store: reading comments: %w", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: reading comments: %w", err)
	}
	return out, nil
}
