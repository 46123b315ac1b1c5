package postgres

import (
	"context"
	"fmt"
	"net/netip"
	"time"

	"github.com/danmaku/danmaku/app/errs"
	"github.com/danmaku/danmaku/app/protocol"
	"github.com/danmaku/danmaku/app/store"
	"github.com/jackc/pgx/v5"
)

const banColumns = `id, coalesce(user_id, ''), coalesce(ip, ''), coalesce(room_id, ''), reason, until,
	created_by, created_at, coalesce(lifted_by, ''), lifted_at`

func scanBan(row pgx.Row) (store.Ban, error) {
	var b store.Ban
	var ip string
	var until, liftedAt *int64
	if err := row.Scan(&b.ID, &b.UserID, &ip, &b.Room, &b.Reason, &until, &b.CreatedBy, &b.CreatedAt, &b.LiftedBy, &liftedAt); err != nil {
		return b, err
	}
	if ip != "" {
		p, err := netip.ParsePrefix(ip)
		if err != nil {
			return b, fmt.Errorf("ban %d has a bad address %q: %w", b.ID, ip, err)
		}
		b.IP = p
	}
	b.Until, b.LiftedAt = timestamp(until), timestamp(liftedAt)
	return b, nil
}

func timestamp(ms *int64) *protocol.Timestamp {
	if ms == nil {
		return nil
	}
	t := protocol.Timestamp(*ms)
	return &t
}

func millis(t *protocol.Timestamp) *int64 {
	if t == nil {
		return nil
	}
	ms := int64(*t)
	return &ms
}

// AddBan implements banlist.Backend: it stores b, with its ID and
// CreatedAt set here. A ban in a room that does not exist is NotFound.
func (s *Store) AddBan(ctx context.Context, b store.Ban) (store.Ban, error) {
	if err := checkText("the ban", b.UserID, b.Room, b.Reason, b.CreatedBy); err != nil {
		return b, err
	}
	var ip string
	if b.IP.IsValid() {
		ip = b.IP.String()
	}
	err := s.Writer.Exec(ctx, func(tx *Tx) error {
		b.CreatedAt = protocol.TimestampOf(tx.now)
		tx.Queue(`INSERT INTO bans (user_id, ip, room_id, reason, until, created_by, created_at)
			SELECT nullif($1, ''), nullif($2, ''), nullif($3, ''), $4, $5, $6, $7
			WHERE $3 = '' OR EXISTS (SELECT 1 FROM rooms WHERE id = $3)
			RETURNING id`,
			[]any{b.UserID, ip, b.Room, b.Reason, millis(b.Until), b.CreatedBy, int64(b.CreatedAt)}, func(rows pgx.Rows) error {
				if !rows.Next() {
					return errs.New(errs.NotFound, "room %q does not exist", b.Room)
				}
				return rows.Scan(&b.ID)
			})
		return nil
	})
	return b, err
}

// LiftBan implements banlist.Backend: it ends ban id early, keeping its
// row as history. Lifting a ban that was already lifted returns it unchanged.
func (s *Store) LiftBan(ctx context.Context, id int64, by string) (store.Ban, error) {
	var b store.Ban
	err := s.Writer.Exec(ctx, func(tx *Tx) error {
		tx.Queue(`WITH lifted AS (
				UPDATE bans SET lifted_by = $2, lifted_at = $3 WHERE id = $1 AND lifted_at IS NULL RETURNING `+banColumns+`
			)
			SELECT * FROM lifted
			UNION ALL
			SELECT `+banColumns+` FROM bans WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM lifted)`,
			[]any{id, by, tx.now.UnixMilli()}, func(rows pgx.Rows) error {
				if !rows.Next() {
					return errs.New(errs.NotFound, "ban %d does not exist", id)
				}
				var err error
				b, err = scanBan(rows)
				return err
			})
		return nil
	})
	return b, err
}

// ActiveBans implements banlist.Backend: the bans in force at now.
func (s *Store) ActiveBans(ctx context.Context, now time.Time) ([]store.Ban, error) {
	return queryAll(ctx, s, "bans", scanBan, `SELECT `+banColumns+` FROM bans
		WHERE lifted_at IS NULL AND (until IS NULL OR until > $1) ORDER BY id`, now.UnixMilli())
}

// BanHistory returns the newest bans, lifted and expired ones included.
func (s *Store) BanHistory(ctx context.Context, limit int) ([]store.Ban, error) {
	return queryAll(ctx, s, "bans", scanBan, `SELECT `+banColumns+` FROM bans ORDER BY id DESC LIMIT $1`, limit)
}
