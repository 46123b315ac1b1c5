package sqlite

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/danmaku/danmaku/app/protocol"
	"github.com/danmaku/danmaku/app/store"
)

const modColumns = commentColumns + `, status, ip, mod_note, moderated_by, moderated_at, reports`

func scanModComment(row interface{ Scan(...any) error }) (store.ModComment, error) {
	var m store.ModComment
	var seq, modAt sql.NullInt64
	c := &m.Comment
	err := row.Scan(&c.ID, &c.Room, &seq, &c.Time, &c.Text, &c.Mode, &c.Color, &c.Size,
		&c.User.ID, &c.User.Name, &c.CreatedAt, &c.Likes, &c.Weight, &c.Status, &m.IP, &m.Note, &m.ModeratedBy, &modAt, &m.Reports)
	c.Seq = seq.Int64
	if modAt.Valid {
		t := protocol.Timestamp(modAt.Int64)
		m.ModeratedAt = &t
	}
	return m, err
}

// querier is a pool or a transaction.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

func (s *Store) queryModComments(ctx context.Context, query string, args ...any) ([]store.ModComment, error) {
	return queryAll(ctx, s.read, "comments for moderators", scanModComment, query, args...)
}

// queryAll runs query on db (the pool or a transaction) and scans every
// row with scan; what names the rows in errors.
func queryAll[T any](ctx context.Context, db querier, what string, scan func(interface{ Scan(...any) error }) (T, error), query string, args ...any) ([]T, error) {
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("store: reading %s: %w", what, err)
	}
	defer rows.Close()
	out := []T{}
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, fmt.Errorf("store: reading %s: %w", what, err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: reading %s: %w", what, err)
	}
	return out, nil
}

// HeldComments returns the held queue, oldest first: of one room, or of
// every room when room is empty.
func (s *Store) HeldComments(ctx context.Context, room string, limit int) ([]store.ModComment, error) {
	if room != "" {
		return s.queryModComments(ctx, `SELECT `+modColumns+` FROM comments
			WHERE status = 'held' AND room_id = ? ORDER BY id LIMIT ?`, room, limit)
	}
	return s.queryModComments(ctx, `SELECT `+modColumns+` FROM comments
		WHERE status = 'held' ORDER BY id LIMIT ?`, limit)
}

// RecentComments returns comments of every status, newest first.
func (s *Store) RecentComments(ctx context.Context, q store.RecentQuery) ([]store.ModComment, error) {
	var where []string
	var args []any
	add := func(cond string, arg any) {
		where = append(where, cond)
		args = append(args, arg)
	}
	if q.Room != "" {
		add("room_id = ?", q.Room)
	}
	if q.UserID != "" {
		add("user_id = ?", q.UserID)
	}
	if q.Status != "" {
		add("status = ?", string(q.Status))
	}
	if q.Before > 0 {
		add("id < ?", q.Before)
	}
	query := `SELECT ` + modColumns + ` FROM comments`
	if len(where) > 0 {
		query += ` WHERE ` + strings.Join(where, " AND ")
	}
	return s.queryModComments(ctx, query+` ORDER BY id DESC LIMIT ?`, append(args, q.Limit)...)
}

// CommentsByTimeFor is CommentsByTime as viewer sees it: the visible
// comments plus viewer's own shadowed ones, so a shadow-banned user's
// comments survive a reload for them (and for nobody else).
func (s *Store) CommentsByTimeFor(ctx context.Context, room, viewer string, from, to protocol.Seconds, limit int) ([]protocol.Comment, error) {
	visible, err := s.CommentsByTime(ctx, room, from, to, limit)
	if err != nil || viewer == "" {
		return visible, err
	}
	own, err := s.queryComments(ctx, s.reads.shadowedByTime, room, viewer, int64(from), int64(to), limit)
	if err != nil || len(own) == 0 {
		return visible, err
	}
	all := append(visible, own...)
	slices.SortStableFunc(all, func(a, b protocol.Comment) int {
		return cmp.Or(cmp.Compare(a.Time, b.Time), cmp.Compare(a.ID, b.ID))
	})
	return all[:min(len(all), limit)], nil
}

// PurgeCandidates returns the ids of the comments p selects. It walks back
// from the newest comment and stops at the first one older than p.Since
// (ids grow with creation time), so it reads only the recent comments.
// Imported comments carry their file's times out of id order: it passes
// over them, and never selects them.
func (s *Store) PurgeCandidates(ctx context.Context, p store.Purge) ([]int64, error) {
	query := `SELECT id, user_id, ip, created_at, status, import_id IS NOT NULL FROM comments ORDER BY id DESC`
	var args []any
	if p.Room != "" {
		query = `SELECT id, user_id, ip, created_at, status, import_id IS NOT NULL FROM comments WHERE room_id = ? ORDER BY id DESC`
		args = append(args, p.Room)
	}
	rows, err := s.read.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("store: finding comments to delete: %w", err)
	}
	defer rows.Close()
	since := p.Since.UnixMilli()
	var ids []int64
	for len(ids) < p.Limit && rows.Next() {
		var id, at int64
		var user, ip, status string
		var imported bool
		if err := rows.Scan(&id, &user, &ip, &at, &status, &imported); err != nil {
			return nil, fmt.Errorf("store: finding comments to delete: %w", err)
		}
		if imported {
			continue
		}
		if at < since {
			break
		}
		if status == string(store.Deleted) {
			continue
		}
		if p.UserID != "" && user == p.UserID || p.Prefix.IsValid() && prefixHas(p.Prefix, ip) {
			ids = append(ids, id)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: finding comments to delete: %w", err)
	}
	return ids, nil
}

// prefixHas reports whether the stored address ip lies in p.
func prefixHas(p netip.Prefix, ip string) bool {
	a, err := netip.ParseAddr(ip)
	return err == nil && p.Contains(a)
}
