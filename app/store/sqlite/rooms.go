package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/danmaku/danmaku/app/errs"
	"github.com/danmaku/danmaku/app/protocol"
	"github.com/danmaku/danmaku/app/store"
)

const roomColumns = `id, title, video_url, kind, created_at, last_seq, comment_count, likes`

func scanRoom(row interface{ Scan(...any) error }) (store.Room, error) {
	var r store.Room
	err := row.Scan(&r.ID, &r.Title, &r.VideoURL, &r.Kind, &r.CreatedAt, &r.LastSeq, &r.CommentCount, &r.Likes)
	return r, err
}

// CreateRoom stores a new room. Its CreatedAt is set here; an existing id is Conflict.
func (s *Store) CreateRoom(ctx context.Context, r store.Room) (store.Room, error) {
	err := s.Writer.Exec(ctx, func(tx *Tx) error {
		var exists int
		err := tx.tx.QueryRowContext(tx.ctx, `SELECT 1 FROM rooms WHERE id = ?`, r.ID).Scan(&exists)
		if err == nil {
			return errs.New(errs.Conflict, "room %q already exists", r.ID)
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("checking room %s: %w", r.ID, err)
		}
		r.CreatedAt = protocol.TimestampOf(tx.now)
		_, err = tx.tx.ExecContext(tx.ctx,
			`INSERT INTO rooms (id, title, video_url, kind, created_at) VALUES (?, ?, ?, ?, ?)`,
			r.ID, r.Title, r.VideoURL, r.Kind, int64(r.CreatedAt))
		if err != nil {
			return fmt.Errorf("creating room %s: %w", r.ID, err)
		}
		return nil
	})
	return r, err
}

// Room returns one room, or NotFound.
func (s *Store) Room(ctx context.Context, id string) (store.Room, error) {
	r, err := scanRoom(s.reads.room.QueryRowContext(ctx, id))
	if errors.Is(err, sql.ErrNoRows) {
		return r, errs.New(errs.NotFound, "room %q does not exist", id)
	}
	if err != nil {
		return r, fmt.Errorf("store: reading room %s: %w", id, err)
	}
	return r, nil
}

// Rooms lists every room, newest first.
func (s *Store) Rooms(ctx context.Context) ([]store.Room, error) {
	rows, err := s.reads.rooms.QueryContext(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: listing rooms: %w", err)
	}
	defer rows.Close()
	rooms := []store.Room{}
	for rows.Next() {
		r, err := scanRoom(rows)
		if err != nil {
			return nil, fmt.Errorf("store: listing rooms: %w", err)
		}
		rooms = append(rooms, r)
	}
	return rooms, rows.Err()
}
