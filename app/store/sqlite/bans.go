package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/netip"
	"time"

	"github.com/danmaku/danmaku/app/errs"
	"github.com/danmaku/danmaku/app/protocol"
	"github.com/danmaku/danmaku/app/store"
	"github.com/danmaku/danmaku/app/store/banlist"
)

const banColumns = `id, user_id, ip, room_id, reason, until, created_by, created_at, lifted_by, lifted_at`

func scanBan(row interface{ Scan(...any) error }) (store.Ban, error) {
	var b store.Ban
	var user, ip, room, liftedBy sql.NullString
	var until, liftedAt sql.NullInt64
	if err := row.Scan(&b.ID, &user, &ip, &room, &b.Reason, &until, &b.CreatedBy, &b.CreatedAt, &liftedBy, &liftedAt); err != nil {
		return b, err
	}
	b.UserID, b.Room, b.LiftedBy = user.String, room.String, liftedBy.String
	if ip.Valid {
		p, err := netip.ParsePrefix(ip.String)
		if err != nil {
			return b, fmt.Errorf("ban %d has a bad address %q: %w", b.ID, ip.String, err)
		}
		b.IP = p
	}
	b.Until, b.LiftedAt = timestampOrNil(until), timestampOrNil(liftedAt)
	return b, nil
}

func timestampOrNil(v sql.NullInt64) *protocol.Timestamp {
	if !v.Valid {
		return nil
	}
	t := protocol.Timestamp(v.Int64)
	return &t
}

func nullString(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }

func nullTimestamp(t *protocol.Timestamp) sql.NullInt64 {
	if t == nil {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: int64(*t), Valid: true}
}

// LoadBlocklist reads the bans in force into memory; now judges expiry
// (nil: time.Now).
func (s *Store) LoadBlocklist(ctx context.Context, now func() time.Time) (*banlist.List, error) {
	return banlist.Load(ctx, s, now)
}

// AddBan implements banlist.Backend: it stores b, with its ID and
// CreatedAt set here. A ban in a room that does not exist is NotFound.
func (s *Store) AddBan(ctx context.Context, b store.Ban) (store.Ban, error) {
	err := s.Writer.Exec(ctx, func(tx *Tx) error {
		if b.Room != "" {
			if _, err := tx.room(b.Room); err != nil {
				return err
			}
		}
		b.CreatedAt = protocol.TimestampOf(tx.now)
		var ip sql.NullString
		if b.IP.IsValid() {
			ip = nullString(b.IP.String())
		}
		res, err := tx.tx.ExecContext(tx.ctx, `INSERT INTO bans (user_id, ip, room_id, reason, until, created_by, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`,
			nullString(b.UserID), ip, nullString(b.Room), b.Reason, nullTimestamp(b.Until), b.CreatedBy, int64(b.CreatedAt))
		if err != nil {
			return fmt.Errorf("storing ban: %w", err)
		}
		b.ID, err = res.LastInsertId()
		return err
	})
	return b, err
}

// LiftBan implements banlist.Backend: it ends ban id early, keeping its
// row as history. Lifting a ban that was already lifted returns it unchanged.
func (s *Store) LiftBan(ctx context.Context, id int64, by string) (store.Ban, error) {
	var b store.Ban
	err := s.Writer.Exec(ctx, func(tx *Tx) error {
		var err error
		b, err = scanBan(tx.tx.QueryRowContext(tx.ctx, `SELECT `+banColumns+` FROM bans WHERE id = ?`, id))
		if errors.Is(err, sql.ErrNoRows) {
			return errs.New(errs.NotFound, "ban %d does not exist", id)
		}
		if err != nil || b.LiftedAt != nil {
			return err
		}
		now := protocol.TimestampOf(tx.now)
		if _, err := tx.tx.ExecContext(tx.ctx, `UPDATE bans SET lifted_by = ?, lifted_at = ? WHERE id = ?`, by, int64(now), id); err != nil {
			return fmt.Errorf("lifting ban %d: %w", id, err)
		}
		b.LiftedBy, b.LiftedAt = by, &now
		return nil
	})
	return b, err
}

// ActiveBans implements banlist.Backend: the bans in force at now.
func (s *Store) ActiveBans(ctx context.Context, now time.Time) ([]store.Ban, error) {
	return s.queryBans(ctx, `SELECT `+banColumns+` FROM bans
		WHERE lifted_at IS NULL AND (until IS NULL OR until > ?) ORDER BY id`, now.UnixMilli())
}

// BanHistory returns the newest bans, lifted and expired ones included.
func (s *Store) BanHistory(ctx context.Context, limit int) ([]store.Ban, error) {
	return s.queryBans(ctx, `SELECT `+banColumns+` FROM bans ORDER BY id DESC LIMIT ?`, limit)
}

func (s *Store) queryBans(ctx context.Context, query string, args ...any) ([]store.Ban, error) {
	return queryAll(ctx, s.read, "bans", scanBan, query, args...)
}
