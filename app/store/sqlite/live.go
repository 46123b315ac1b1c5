package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/danmaku/danmaku/app/errs"
	"github.com/danmaku/danmaku/app/protocol"
	"github.com/danmaku/danmaku/app/store"
)

var _ store.Live = (*Store)(nil)

// audit writes e inside tx, stamped with the batch's time.
func (t *Tx) audit(e store.AuditEntry) error {
	if _, err := t.tx.ExecContext(t.ctx, `INSERT INTO audit_log (at, by_user, room_id, action, detail) VALUES (?, ?, ?, ?, ?)`,
		t.now.UnixMilli(), e.By, e.Room, e.Action, e.Detail); err != nil {
		return fmt.Errorf("writing the audit log: %w", err)
	}
	return nil
}

// Audit implements store.Live.
func (s *Store) Audit(ctx context.Context, e store.AuditEntry) error {
	return s.Writer.Exec(ctx, func(tx *Tx) error { return tx.audit(e) })
}

// AuditLog implements store.Live.
func (s *Store) AuditLog(ctx context.Context, q store.AuditQuery) ([]store.AuditEntry, error) {
	query, args := `SELECT id, at, by_user, room_id, action, detail FROM audit_log WHERE 1 = 1`, []any{}
	if q.Room != "" {
		query, args = query+` AND room_id = ?`, append(args, q.Room)
	}
	if q.Before > 0 {
		query, args = query+` AND id < ?`, append(args, q.Before)
	}
	return queryAll(ctx, s.read, "the audit log", func(row interface{ Scan(...any) error }) (store.AuditEntry, error) {
		var e store.AuditEntry
		err := row.Scan(&e.ID, &e.At, &e.By, &e.Room, &e.Action, &e.Detail)
		return e, err
	}, query+` ORDER BY id DESC LIMIT ?`, append(args, q.Limit)...)
}

const modeColumns = `room_id, slow_seconds, unique_window, signed_in_only, delay_seconds, emergency, updated_by, updated_at`

func scanModes(row interface{ Scan(...any) error }) (store.RoomModes, error) {
	var m store.RoomModes
	var at int64
	err := row.Scan(&m.Room, &m.SlowSeconds, &m.UniqueWindow, &m.SignedInOnly, &m.DelaySeconds, &m.Emergency, &m.UpdatedBy, &at)
	ts := protocol.Timestamp(at)
	m.UpdatedAt = &ts
	return m, err
}

// AllRoomModes implements store.Live.
func (s *Store) AllRoomModes(ctx context.Context) ([]store.RoomModes, error) {
	return queryAll(ctx, s.read, "room modes", scanModes, `SELECT `+modeColumns+` FROM room_modes
		WHERE slow_seconds > 0 OR unique_window > 0 OR signed_in_only OR delay_seconds > 0 OR emergency ORDER BY room_id`)
}

// RoomModes implements store.Live.
func (s *Store) RoomModes(ctx context.Context, room string) (store.RoomModes, error) {
	m, err := scanModes(s.read.QueryRowContext(ctx, `SELECT `+modeColumns+` FROM room_modes WHERE room_id = ?`, room))
	if errors.Is(err, sql.ErrNoRows) {
		return store.RoomModes{Room: room}, nil
	}
	if err != nil {
		return m, fmt.Errorf("store: reading the modes of room %s: %w", room, err)
	}
	return m, nil
}

// SetRoomModes implements store.Live.
func (s *Store) SetRoomModes(ctx context.Context, m store.RoomModes, audit store.AuditEntry) (store.RoomModes, error) {
	err := s.Writer.Exec(ctx, func(tx *Tx) error {
		if _, err := tx.room(m.Room); err != nil {
			return err
		}
		at := protocol.TimestampOf(tx.now)
		m.UpdatedBy, m.UpdatedAt = audit.By, &at
		if _, err := tx.tx.ExecContext(tx.ctx, `INSERT INTO room_modes (`+modeColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (room_id) DO UPDATE SET slow_seconds = excluded.slow_seconds, unique_window = excluded.unique_window,
			signed_in_only = excluded.signed_in_only, delay_seconds = excluded.delay_seconds, emergency = excluded.emergency,
			updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
			m.Room, m.SlowSeconds, m.UniqueWindow, m.SignedInOnly, m.DelaySeconds, m.Emergency, m.UpdatedBy, int64(at)); err != nil {
			return fmt.Errorf("storing the modes of room %s: %w", m.Room, err)
		}
		return tx.audit(audit)
	})
	return m, err
}

const actionColumns = `id, kind, room_id, user_id, reason, until, comments, created_by, created_at, undone_by, undone_at`

func scanAction(row interface{ Scan(...any) error }) (store.UserAction, error) {
	var a store.UserAction
	var room, undoneBy sql.NullString
	var until, undoneAt sql.NullInt64
	var ids string
	if err := row.Scan(&a.ID, &a.Kind, &room, &a.UserID, &a.Reason, &until, &ids, &a.CreatedBy, &a.CreatedAt, &undoneBy, &undoneAt); err != nil {
		return a, err
	}
	a.Room, a.UndoneBy = room.String, undoneBy.String
	a.Until, a.UndoneAt = timestampOrNil(until), timestampOrNil(undoneAt)
	if err := json.Unmarshal([]byte(ids), &a.Comments); err != nil {
		return a, fmt.Errorf("user action %d has bad comment ids: %w", a.ID, err)
	}
	return a, nil
}

// AddUserAction implements store.Live.
func (s *Store) AddUserAction(ctx context.Context, a store.UserAction, audit store.AuditEntry) (store.UserAction, error) {
	ids, err := json.Marshal(a.Comments)
	if err != nil {
		return a, err
	}
	if a.Comments == nil {
		ids = []byte("[]")
	}
	err = s.Writer.Exec(ctx, func(tx *Tx) error {
		if a.Room != "" {
			if _, err := tx.room(a.Room); err != nil {
				return err
			}
		}
		a.CreatedAt = protocol.TimestampOf(tx.now)
		res, err := tx.tx.ExecContext(tx.ctx, `INSERT INTO user_actions (kind, room_id, user_id, reason, until, comments, created_by, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, a.Kind, nullString(a.Room), a.UserID, a.Reason, nullTimestamp(a.Until), string(ids), a.CreatedBy, int64(a.CreatedAt))
		if err != nil {
			return fmt.Errorf("storing user action: %w", err)
		}
		if a.ID, err = res.LastInsertId(); err != nil {
			return err
		}
		return tx.audit(audit)
	})
	return a, err
}

// UndoUserAction implements store.Live.
func (s *Store) UndoUserAction(ctx context.Context, id int64, audit store.AuditEntry) (store.UserAction, bool, error) {
	return endRow(s, ctx, id, audit, rowEnd[store.UserAction]{
		what: "user action", read: `SELECT ` + actionColumns + ` FROM user_actions WHERE id = ?`, scan: scanAction,
		write: `UPDATE user_actions SET undone_by = ?, undone_at = ? WHERE id = ?`,
		ended: func(a store.UserAction) bool { return a.UndoneAt != nil },
		mark:  func(a *store.UserAction, by string, at *protocol.Timestamp) { a.UndoneBy, a.UndoneAt = by, at },
	})
}

// rowEnd says how endRow ends one kind of row: read it, tell whether it
// ended already, write and mark who ended it when.
type rowEnd[T any] struct {
	what, read, write string
	scan              func(interface{ Scan(...any) error }) (T, error)
	ended             func(T) bool
	mark              func(v *T, by string, at *protocol.Timestamp)
}

// endRow ends row id now, by audit.By, with its audit entry, and reports
// whether this call did: a row ended already is returned as it is. An
// unknown id is NotFound.
func endRow[T any](s *Store, ctx context.Context, id int64, audit store.AuditEntry, r rowEnd[T]) (T, bool, error) {
	var v T
	did := false
	err := s.Writer.Exec(ctx, func(tx *Tx) error {
		did = false // Apply may run twice
		var err error
		v, err = r.scan(tx.tx.QueryRowContext(tx.ctx, r.read, id))
		if errors.Is(err, sql.ErrNoRows) {
			return errs.New(errs.NotFound, "%s %d does not exist", r.what, id)
		}
		if err != nil || r.ended(v) {
			return err
		}
		now := protocol.TimestampOf(tx.now)
		if _, err := tx.tx.ExecContext(tx.ctx, r.write, audit.By, int64(now), id); err != nil {
			return fmt.Errorf("ending %s %d: %w", r.what, id, err)
		}
		r.mark(&v, audit.By, &now)
		did = true
		return tx.audit(audit)
	})
	return v, did && err == nil, err
}

// ActiveUserActions implements store.Live.
func (s *Store) ActiveUserActions(ctx context.Context, now time.Time) ([]store.UserAction, error) {
	return queryAll(ctx, s.read, "user actions", scanAction, `SELECT `+actionColumns+` FROM user_actions
		WHERE undone_at IS NULL AND kind <> 'purge' AND (until IS NULL OR until > ?) ORDER BY id`, now.UnixMilli())
}

// UserActions implements store.Live.
func (s *Store) UserActions(ctx context.Context, limit int) ([]store.UserAction, error) {
	return queryAll(ctx, s.read, "user actions", scanAction, `SELECT `+actionColumns+` FROM user_actions ORDER BY id DESC LIMIT ?`, limit)
}

const termColumns = `id, room_id, term, action, until, created_by, created_at, removed_by, removed_at`

func scanTerm(row interface{ Scan(...any) error }) (store.BlockedTerm, error) {
	var t store.BlockedTerm
	var room, removedBy sql.NullString
	var until, removedAt sql.NullInt64
	err := row.Scan(&t.ID, &room, &t.Term, &t.Action, &until, &t.CreatedBy, &t.CreatedAt, &removedBy, &removedAt)
	t.Room, t.RemovedBy = room.String, removedBy.String
	t.Until, t.RemovedAt = timestampOrNil(until), timestampOrNil(removedAt)
	return t, err
}

// AddTerm implements store.Live.
func (s *Store) AddTerm(ctx context.Context, t store.BlockedTerm, audit store.AuditEntry) (store.BlockedTerm, error) {
	err := s.Writer.Exec(ctx, func(tx *Tx) error {
		if t.Room != "" {
			if _, err := tx.room(t.Room); err != nil {
				return err
			}
		}
		t.CreatedAt = protocol.TimestampOf(tx.now)
		res, err := tx.tx.ExecContext(tx.ctx, `INSERT INTO blocked_terms (room_id, term, action, until, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
			nullString(t.Room), t.Term, t.Action, nullTimestamp(t.Until), t.CreatedBy, int64(t.CreatedAt))
		if err != nil {
			return fmt.Errorf("storing blocked term: %w", err)
		}
		if t.ID, err = res.LastInsertId(); err != nil {
			return err
		}
		return tx.audit(audit)
	})
	return t, err
}

// RemoveTerm implements store.Live.
func (s *Store) RemoveTerm(ctx context.Context, id int64, audit store.AuditEntry) (store.BlockedTerm, error) {
	t, _, err := endRow(s, ctx, id, audit, rowEnd[store.BlockedTerm]{
		what: "blocked term", read: `SELECT ` + termColumns + ` FROM blocked_terms WHERE id = ?`, scan: scanTerm,
		write: `UPDATE blocked_terms SET removed_by = ?, removed_at = ? WHERE id = ?`,
		ended: func(t store.BlockedTerm) bool { return t.RemovedAt != nil },
		mark:  func(t *store.BlockedTerm, by string, at *protocol.Timestamp) { t.RemovedBy, t.RemovedAt = by, at },
	})
	return t, err
}

// ActiveTerms implements store.Live.
func (s *Store) ActiveTerms(ctx context.Context, now time.Time) ([]store.BlockedTerm, error) {
	return queryAll(ctx, s.read, "blocked terms", scanTerm, `SELECT `+termColumns+` FROM blocked_terms
		WHERE removed_at IS NULL AND (until IS NULL OR until > ?) ORDER BY id`, now.UnixMilli())
}
