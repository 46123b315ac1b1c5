package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/danmaku/danmaku/app/errs"
	"github.com/danmaku/danmaku/app/protocol"
	"github.com/danmaku/danmaku/app/store"
	"github.com/jackc/pgx/v5"
)

var _ store.Live = (*Store)(nil)

// audit writes e in the batch's transaction, stamped with the batch's time.
func (t *Tx) audit(e store.AuditEntry) error {
	if _, err := t.Exec(`INSERT INTO audit_log (at, by_user, room_id, action, detail) VALUES ($1, $2, $3, $4, $5)`,
		t.now.UnixMilli(), e.By, e.Room, e.Action, e.Detail); err != nil {
		return fmt.Errorf("writing the audit log: %w", err)
	}
	return nil
}

// roomExists reports NotFound for a room that does not exist ("" is every room).
func (t *Tx) roomExists(room string) error {
	if room == "" {
		return nil
	}
	var one int
	err := t.QueryRow(`SELECT 1 FROM rooms WHERE id = $1`, room).Scan(&one)
	if errors.Is(err, pgx.ErrNoRows) {
		return errs.New(errs.NotFound, "room %q does not exist", room)
	}
	return err
}

func checkAudit(e store.AuditEntry) error {
	return checkText("the audit entry", e.By, e.Room, e.Action, e.Detail)
}

// Audit implements store.Live.
func (s *Store) Audit(ctx context.Context, e store.AuditEntry) error {
	if err := checkAudit(e); err != nil {
		return err
	}
	return s.Writer.Exec(ctx, func(tx *Tx) error { return tx.audit(e) })
}

// AuditLog implements store.Live.
func (s *Store) AuditLog(ctx context.Context, q store.AuditQuery) ([]store.AuditEntry, error) {
	return queryAll(ctx, s, "the audit log", func(row pgx.Row) (store.AuditEntry, error) {
		var e store.AuditEntry
		err := row.Scan(&e.ID, &e.At, &e.By, &e.Room, &e.Action, &e.Detail)
		return e, err
	}, `SELECT id, at, by_user, room_id, action, detail FROM audit_log
		WHERE ($1 = '' OR room_id = $1) AND ($2 = 0 OR id < $2) ORDER BY id DESC LIMIT $3`, q.Room, q.Before, q.Limit)
}

const modeColumns = `room_id, slow_seconds, unique_window, signed_in_only, delay_seconds, emergency, updated_by, updated_at`

func scanModes(row pgx.Row) (store.RoomModes, error) {
	var m store.RoomModes
	var at int64
	err := row.Scan(&m.Room, &m.SlowSeconds, &m.UniqueWindow, &m.SignedInOnly, &m.DelaySeconds, &m.Emergency, &m.UpdatedBy, &at)
	ts := protocol.Timestamp(at)
	m.UpdatedAt = &ts
	return m, err
}

// AllRoomModes implements store.Live.
func (s *Store) AllRoomModes(ctx context.Context) ([]store.RoomModes, error) {
	return queryAll(ctx, s, "room modes", scanModes, `SELECT `+modeColumns+` FROM room_modes
		WHERE slow_seconds > 0 OR unique_window > 0 OR signed_in_only OR delay_seconds > 0 OR emergency ORDER BY room_id`)
}

// RoomModes implements store.Live.
func (s *Store) RoomModes(ctx context.Context, room string) (store.RoomModes, error) {
	list, err := queryAll(ctx, s, "room modes", scanModes, `SELECT `+modeColumns+` FROM room_modes WHERE room_id = $1`, room)
	if err != nil || len(list) == 0 {
		return store.RoomModes{Room: room}, err
	}
	return list[0], nil
}

// SetRoomModes implements store.Live.
func (s *Store) SetRoomModes(ctx context.Context, m store.RoomModes, audit store.AuditEntry) (store.RoomModes, error) {
	if err := checkAudit(audit); err != nil {
		return m, err
	}
	err := s.Writer.Exec(ctx, func(tx *Tx) error {
		if err := tx.roomExists(m.Room); err != nil {
			return err
		}
		at := protocol.TimestampOf(tx.now)
		m.UpdatedBy, m.UpdatedAt = audit.By, &at
		if _, err := tx.Exec(`INSERT INTO room_modes (`+modeColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
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

const actionColumns = `id, kind, coalesce(room_id, ''), user_id, reason, until, comments, created_by, created_at, coalesce(undone_by, ''), undone_at`

func scanAction(row pgx.Row) (store.UserAction, error) {
	var a store.UserAction
	var until, undoneAt *int64
	var ids []byte
	if err := row.Scan(&a.ID, &a.Kind, &a.Room, &a.UserID, &a.Reason, &until, &ids, &a.CreatedBy, &a.CreatedAt, &a.UndoneBy, &undoneAt); err != nil {
		return a, err
	}
	a.Until, a.UndoneAt = timestamp(until), timestamp(undoneAt)
	if err := json.Unmarshal(ids, &a.Comments); err != nil {
		return a, fmt.Errorf("user action %d has bad comment ids: %w", a.ID, err)
	}
	return a, nil
}

// AddUserAction implements store.Live.
func (s *Store) AddUserAction(ctx context.Context, a store.UserAction, audit store.AuditEntry) (store.UserAction, error) {
	if err := checkText("the user action", a.Room, a.UserID, a.Reason, a.CreatedBy); err != nil {
		return a, err
	}
	if err := checkAudit(audit); err != nil {
		return a, err
	}
	ids := []byte("[]")
	if a.Comments != nil {
		var err error
		if ids, err = json.Marshal(a.Comments); err != nil {
			return a, err
		}
	}
	err := s.Writer.Exec(ctx, func(tx *Tx) error {
		if err := tx.roomExists(a.Room); err != nil {
			return err
		}
		a.CreatedAt = protocol.TimestampOf(tx.now)
		if err := tx.QueryRow(`INSERT INTO user_actions (kind, room_id, user_id, reason, until, comments, created_by, created_at)
			VALUES ($1, nullif($2, ''), $3, $4, $5, $6, $7, $8) RETURNING id`,
			string(a.Kind), a.Room, a.UserID, a.Reason, millis(a.Until), string(ids), a.CreatedBy, int64(a.CreatedAt)).Scan(&a.ID); err != nil {
			return fmt.Errorf("storing user action: %w", err)
		}
		return tx.audit(audit)
	})
	return a, err
}

// UndoUserAction implements store.Live.
func (s *Store) UndoUserAction(ctx context.Context, id int64, audit store.AuditEntry) (store.UserAction, bool, error) {
	return endRow(s, ctx, id, audit, rowEnd[store.UserAction]{
		what: "user action", table: "user_actions", columns: actionColumns, scan: scanAction, by: "undone_by", at: "undone_at",
		ended: func(a store.UserAction) bool { return a.UndoneAt != nil },
		mark:  func(a *store.UserAction, by string, at *protocol.Timestamp) { a.UndoneBy, a.UndoneAt = by, at },
	})
}

// rowEnd says how endRow ends one kind of row.
type rowEnd[T any] struct {
	what, table, columns, by, at string
	scan                         func(pgx.Row) (T, error)
	ended                        func(T) bool
	mark                         func(v *T, by string, at *protocol.Timestamp)
}

// endRow ends row id now, by audit.By, with its audit entry, and reports
// whether this call did: a row ended already is returned as it is. An
// unknown id is NotFound. The row is locked, so two nodes end it once.
func endRow[T any](s *Store, ctx context.Context, id int64, audit store.AuditEntry, r rowEnd[T]) (T, bool, error) {
	var v T
	did := false
	if err := checkAudit(audit); err != nil {
		return v, false, err
	}
	err := s.Writer.Exec(ctx, func(tx *Tx) error {
		did = false // Apply may run twice
		var err error
		v, err = r.scan(tx.QueryRow(`SELECT `+r.columns+` FROM `+r.table+` WHERE id = $1 FOR UPDATE`, id))
		if errors.Is(err, pgx.ErrNoRows) {
			return errs.New(errs.NotFound, "%s %d does not exist", r.what, id)
		}
		if err != nil || r.ended(v) {
			return err
		}
		now := protocol.TimestampOf(tx.now)
		if _, err := tx.Exec(`UPDATE `+r.table+` SET `+r.by+` = $1, `+r.at+` = $2 WHERE id = $3`, audit.By, int64(now), id); err != nil {
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
	return queryAll(ctx, s, "user actions", scanAction, `SELECT `+actionColumns+` FROM user_actions
		WHERE undone_at IS NULL AND kind <> 'purge' AND (until IS NULL OR until > $1) ORDER BY id`, now.UnixMilli())
}

// UserActions implements store.Live.
func (s *Store) UserActions(ctx context.Context, limit int) ([]store.UserAction, error) {
	return queryAll(ctx, s, "user actions", scanAction, `SELECT `+actionColumns+` FROM user_actions ORDER BY id DESC LIMIT $1`, limit)
}

const termColumns = `id, coalesce(room_id, ''), term, action, until, created_by, created_at, coalesce(removed_by, ''), removed_at`

func scanTerm(row pgx.Row) (store.BlockedTerm, error) {
	var t store.BlockedTerm
	var until, removedAt *int64
	err := row.Scan(&t.ID, &t.Room, &t.Term, &t.Action, &until, &t.CreatedBy, &t.CreatedAt, &t.RemovedBy, &removedAt)
	t.Until, t.RemovedAt = timestamp(until), timestamp(removedAt)
	return t, err
}

// AddTerm implements store.Live.
func (s *Store) AddTerm(ctx context.Context, t store.BlockedTerm, audit store.AuditEntry) (store.BlockedTerm, error) {
	if err := checkText("the blocked term", t.Room, t.Term, t.CreatedBy); err != nil {
		return t, err
	}
	if err := checkAudit(audit); err != nil {
		return t, err
	}
	err := s.Writer.Exec(ctx, func(tx *Tx) error {
		if err := tx.roomExists(t.Room); err != nil {
			return err
		}
		t.CreatedAt = protocol.TimestampOf(tx.now)
		if err := tx.QueryRow(`INSERT INTO blocked_terms (room_id, term, action, until, created_by, created_at)
			VALUES (nullif($1, ''), $2, $3, $4, $5, $6) RETURNING id`,
			t.Room, t.Term, string(t.Action), millis(t.Until), t.CreatedBy, int64(t.CreatedAt)).Scan(&t.ID); err != nil {
			return fmt.Errorf("storing blocked term: %w", err)
		}
		return tx.audit(audit)
	})
	return t, err
}

// RemoveTerm implements store.Live.
func (s *Store) RemoveTerm(ctx context.Context, id int64, audit store.AuditEntry) (store.BlockedTerm, error) {
	t, _, err := endRow(s, ctx, id, audit, rowEnd[store.BlockedTerm]{
		what: "blocked term", table: "blocked_terms", columns: termColumns, scan: scanTerm, by: "removed_by", at: "removed_at",
		ended: func(t store.BlockedTerm) bool { return t.RemovedAt != nil },
		mark:  func(t *store.BlockedTerm, by string, at *protocol.Timestamp) { t.RemovedBy, t.RemovedAt = by, at },
	})
	return t, err
}

// ActiveTerms implements store.Live.
func (s *Store) ActiveTerms(ctx context.Context, now time.Time) ([]store.BlockedTerm, error) {
	return queryAll(ctx, s, "blocked terms", scanTerm, `SELECT `+termColumns+` FROM blocked_terms
		WHERE removed_at IS NULL AND (until IS NULL OR until > $1) ORDER BY id`, now.UnixMilli())
}
