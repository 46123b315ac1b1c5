package postgres

import (
	"context"
	"fmt"

	"github.com/danmaku/danmaku/app/protocol"
	"github.com/danmaku/danmaku/app/store"
	"github.com/jackc/pgx/v5"
)

const modColumns = commentColumns + `, status, coalesce(host(ip), ''), mod_note, moderated_by, moderated_at, reports`

const (
	// queryHeld is the held queue, served in id order by comments_held.
	queryHeld = `SELECT ` + modColumns + ` FROM comments
		WHERE status = 'held' AND ($1 = '' OR room_id = $1) ORDER BY id LIMIT $2`
	// querySpan is the creation times of a room's first and last visible
	// comments, both straight off comments_room_seq.
	querySpan = `SELECT
		(SELECT created_at FROM comments WHERE room_id = $1 AND seq IS NOT NULL AND status = 'visible' ORDER BY seq LIMIT 1),
		(SELECT created_at FROM comments WHERE room_id = $1 AND seq IS NOT NULL AND status = 'visible' ORDER BY seq DESC LIMIT 1)`
)

func scanModComment(row pgx.Row) (store.ModComment, error) {
	var m store.ModComment
	var modAt *int64
	c := &m.Comment
	err := row.Scan(&c.ID, &c.Room, &c.Seq, &c.Time, &c.Text, &c.Mode, &c.Color, &c.Size,
		&c.User.ID, &c.User.Name, &c.CreatedAt, &c.Likes, &c.Weight, &c.Status, &m.IP, &m.Note, &m.ModeratedBy, &modAt, &m.Reports)
	if modAt != nil {
		t := protocol.Timestamp(*modAt)
		m.ModeratedAt = &t
	}
	return m, err
}

// HeldComments returns the held queue, oldest first: of one room, or of
// every room when room is empty.
func (s *Store) HeldComments(ctx context.Context, room string, limit int) ([]store.ModComment, error) {
	return queryAll(ctx, s, "held comments", scanModComment, queryHeld, room, limit)
}

// RecentComments returns comments of every status, newest first. Only
// the filters q sets go into the query, so each shape of it gets a plan
// that uses its index (comments_room_recent, or the primary key).
func (s *Store) RecentComments(ctx context.Context, q store.RecentQuery) ([]store.ModComment, error) {
	query, args := `SELECT `+modColumns+` FROM comments WHERE true`, []any{}
	for _, f := range []struct {
		on   bool
		cond string
		arg  any
	}{
		{q.Room != "", "room_id =", q.Room},
		{q.UserID != "", "user_id =", q.UserID},
		{q.Status != "", "status =", string(q.Status)},
		{q.Before > 0, "id <", q.Before},
	} {
		if f.on {
			args = append(args, f.arg)
			query += fmt.Sprintf(" AND %s $%d", f.cond, len(args))
		}
	}
	args = append(args, q.Limit)
	return queryAll(ctx, s, "recent comments", scanModComment, query+fmt.Sprintf(" ORDER BY id DESC LIMIT $%d", len(args)), args...)
}

// PurgeCandidates returns the ids of the comments p selects, newest first.
// comments_recent (BRIN) finds the pages of the comments created since
// p.Since; imported comments, which carry their file's times, are never
// selected.
func (s *Store) PurgeCandidates(ctx context.Context, p store.Purge) ([]int64, error) {
	var prefix *string
	if p.Prefix.IsValid() {
		v := p.Prefix.Masked().String()
		prefix = &v
	}
	return queryAll(ctx, s, "comments to delete", func(row pgx.Row) (int64, error) {
		var id int64
		err := row.Scan(&id)
		return id, err
	}, `SELECT id FROM comments
		WHERE import_id IS NULL AND created_at >= $1 AND status <> 'deleted' AND ($2 = '' OR room_id = $2)
			AND (($3 <> '' AND user_id = $3) OR ip <<= $4::inet)
		ORDER BY id DESC LIMIT $5`, p.Since.UnixMilli(), p.Room, p.UserID, prefix, p.Limit)
}

// CommentSpan returns the creation times of a room's first and last visible
// comments (by seq, so both come straight off the seq index), which bound a
// replay of a live room by wall-clock time.
func (s *Store) CommentSpan(ctx context.Context, room string) (store.CommentSpan, error) {
	var first, last *int64
	err := s.pool.QueryRow(ctx, querySpan, room).Scan(&first, &last)
	if err != nil {
		return store.CommentSpan{}, fmt.Errorf("store: reading the comment span of %s: %w", room, err)
	}
	if first == nil || last == nil {
		return store.CommentSpan{Empty: true}, nil
	}
	return store.CommentSpan{First: protocol.Timestamp(*first), Last: protocol.Timestamp(*last)}, nil
}
