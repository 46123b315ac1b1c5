package postgres

import (
	"context"

	"github.com/danmaku/danmaku/app/protocol"
	"github.com/jackc/pgx/v5"
)

const commentColumns = `id, room_id, coalesce(seq, 0), time_ms, text, mode, color, size, user_id, user_name, created_at, likes, weight`

// shownColumns are commentColumns as a comment's sender saw it: a shadowed
// comment with the seq its ack carried.
const shownColumns = `id, room_id, coalesce(seq, shown_seq, 0), time_ms, text, mode, color, size, user_id, user_name, created_at, likes, weight`

// The read queries. Each has the index it needs (migrations/postgres),
// which TestReadQueriesUseTheirIndexes checks with EXPLAIN.
const (
	// queryCommentsByTime is a replay window, served in order by
	// comments_room_time_seq.
	queryCommentsByTime = `SELECT ` + commentColumns + ` FROM comments
		WHERE room_id = $1 AND status = 'visible' AND time_ms >= $2 AND time_ms < $3
		ORDER BY time_ms, seq LIMIT $4`
	// queryCommentsByTimeFor is a replay window with the viewer's own
	// shadowed comments (comments_shadowed), with the seqs their acks
	// carried, merged in by time then id.
	queryCommentsByTimeFor = `SELECT * FROM (
		(SELECT ` + commentColumns + ` FROM comments
			WHERE room_id = $1 AND status = 'visible' AND time_ms >= $3 AND time_ms < $4
			ORDER BY time_ms, seq LIMIT $5)
		UNION ALL
		(SELECT ` + shownColumns + ` FROM comments
			WHERE room_id = $1 AND user_id = $2 AND status = 'shadowed' AND time_ms >= $3 AND time_ms < $4
			ORDER BY time_ms LIMIT $5)
	) w ORDER BY time_ms, id LIMIT $5`
	// queryCommentsAfter is catch-up, served by comments_room_seq.
	queryCommentsAfter = `SELECT ` + commentColumns + ` FROM comments
		WHERE room_id = $1 AND seq > $2 AND status = 'visible'
		ORDER BY seq LIMIT $3`
	// queryExportPage is one page of an export, keyset-paginated on the
	// replay window's index (time_ms, seq), so deep pages read no skipped rows.
	queryExportPage = `SELECT ` + commentColumns + ` FROM comments
		WHERE room_id = $1 AND status = 'visible' AND seq <= $2 AND (time_ms, seq) > ($3, $4)
		ORDER BY time_ms, seq LIMIT $5`
	// queryLatest is a room's newest visible comments (DPlayer), served
	// backwards by comments_room_seq.
	queryLatest = `SELECT ` + commentColumns + ` FROM comments
		WHERE room_id = $1 AND seq IS NOT NULL AND status = 'visible'
		ORDER BY seq DESC LIMIT $2`
)

// CommentsByTime returns a room's visible comments with from <= time < to
// (video milliseconds), ordered by time, at most limit of them.
func (s *Store) CommentsByTime(ctx context.Context, room string, from, to protocol.Seconds, limit int) ([]protocol.Comment, error) {
	return s.queryComments(ctx, queryCommentsByTime, room, int64(from), int64(to), limit)
}

// CommentsByTimeFor is CommentsByTime as viewer sees it: the visible
// comments plus viewer's own shadowed ones, so a shadow-banned user's
// comments survive a reload for them (and for nobody else).
func (s *Store) CommentsByTimeFor(ctx context.Context, room, viewer string, from, to protocol.Seconds, limit int) ([]protocol.Comment, error) {
	if viewer == "" {
		return s.CommentsByTime(ctx, room, from, to, limit)
	}
	return s.queryComments(ctx, queryCommentsByTimeFor, room, viewer, int64(from), int64(to), limit)
}

// CommentsAfter returns a room's visible comments with seq > after, in seq
// order, at most limit of them.
func (s *Store) CommentsAfter(ctx context.Context, room string, after int64, limit int) ([]protocol.Comment, error) {
	return s.queryComments(ctx, queryCommentsAfter, room, after, limit)
}

// LatestVisible returns a room's newest visible comments (by seq), at most
// limit of them, newest first.
func (s *Store) LatestVisible(ctx context.Context, room string, limit int) ([]protocol.Comment, error) {
	return s.queryComments(ctx, queryLatest, room, limit)
}

// EachVisible calls fn with a room's visible comments up to seq upTo, by
// video time (then seq), a page of at most pageSize at a time. Each page is
// a query of its own, so a slow reader of a long room holds no snapshot
// open; comments that become visible meanwhile have larger seqs and are
// left out. It stops at fn's first error and returns it.
func (s *Store) EachVisible(ctx context.Context, room string, upTo int64, pageSize int, fn func([]protocol.Comment) error) error {
	lastTime, lastSeq := int64(-1), int64(0)
	for {
		page, err := s.queryComments(ctx, queryExportPage, room, upTo, lastTime, lastSeq, pageSize)
		if err != nil || len(page) == 0 {
			return err
		}
		if err := fn(page); err != nil {
			return err
		}
		if len(page) < pageSize {
			return nil
		}
		last := page[len(page)-1]
		lastTime, lastSeq = int64(last.Time), last.Seq
	}
}

func (s *Store) queryComments(ctx context.Context, query string, args ...any) ([]protocol.Comment, error) {
	return queryAll(ctx, s, "comments", scanComment, query, args...)
}

func scanComment(row pgx.Row) (protocol.Comment, error) {
	var c protocol.Comment
	err := row.Scan(&c.ID, &c.Room, &c.Seq, &c.Time, &c.Text, &c.Mode, &c.Color, &c.Size,
		&c.User.ID, &c.User.Name, &c.CreatedAt, &c.Likes, &c.Weight)
	return c, err
}
