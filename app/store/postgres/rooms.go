package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/danmaku/danmaku/app/errs"
	"github.com/danmaku/danmaku/app/protocol"
	"github.com/danmaku/danmaku/app/store"
	"github.com/jackc/pgx/v5"
)

const roomColumns = `id, title, video_url, kind, created_at, last_seq, comment_count, likes`

func scanRoom(row pgx.Row) (store.Room, error) {
	var r store.Room
	err := row.Scan(&r.ID, &r.Title, &r.VideoURL, &r.Kind, &r.CreatedAt, &r.LastSeq, &r.CommentCount, &r.Likes)
	return r, err
}

// CreateRoom stores a new room. Its CreatedAt is set here; an existing id is Conflict.
func (s *Store) CreateRoom(ctx context.Context, r store.Room) (store.Room, error) {
	if err := checkText("the room", r.ID, r.Title, r.VideoURL, r.Kind); err != nil {
		return r, err
	}
	err := s.Writer.Exec(ctx, func(tx *Tx) error {
		r.CreatedAt = protocol.TimestampOf(tx.now)
		tx.Queue(`INSERT INTO rooms (id, title, video_url, kind, created_at) VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (id) DO NOTHING RETURNING id`,
			[]any{r.ID, r.Title, r.VideoURL, r.Kind, int64(r.CreatedAt)}, func(rows pgx.Rows) error {
				if !rows.Next() {
					return errs.New(errs.Conflict, "room %q already exists", r.ID)
				}
				return nil
			})
		return nil
	})
	return r, err
}

// Room returns one room, or NotFound.
func (s *Store) Room(ctx context.Context, id string) (store.Room, error) {
	r, err := scanRoom(s.pool.QueryRow(ctx, `SELECT `+roomColumns+` FROM rooms WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return r, errs.New(errs.NotFound, "room %q does not exist", id)
	}
	if err != nil {
		return r, fmt.Errorf("store: reading room %s: %w", id, err)
	}
	return r, nil
}

// Rooms lists every room, newest first.
func (s *Store) Rooms(ctx context.Context) ([]store.Room, error) {
	return queryAll(ctx, s, "rooms", scanRoom, `SELECT `+roomColumns+` FROM rooms ORDER BY created_at DESC, id`)
}

// queryAll runs query on the pool and scans every row with scan; what
// names the rows in errors.
func queryAll[T any](ctx context.Context, s *Store, what string, scan func(pgx.Row) (T, error), query string, args ...any) ([]T, error) {
	rows, err := s.pool.Query(ctx, query, args...)
	if err == nil {
		var out []T
		if out, err = pgxCollect(rows, scan); err == nil {
			return out, nil
		}
	}
	return nil, fmt.Errorf("store: reading %s: %w", what, err)
}

// pgxCollect reads every row of rows with scan (an empty list, not nil,
// when there is none) and closes them.
func pgxCollect[T any](rows pgx.Rows, scan func(pgx.Row) (T, error)) ([]T, error) {
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (T, error) { return scan(r) })
}
