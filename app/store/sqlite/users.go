package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/danmaku/danmaku/app/auth"
	"github.com/danmaku/danmaku/app/errs"
	"github.com/danmaku/danmaku/app/store"
)

// ClaimName implements store.Users.
func (s *Store) ClaimName(ctx context.Context, c store.NameClaim) error {
	return s.Writer.Exec(ctx, func(tx *Tx) error {
		if !c.Force {
			var other string
			err := tx.tx.QueryRowContext(tx.ctx, `SELECT id FROM users WHERE name_key = ? AND id != ?
				AND (substr(id, 1, ?) != ? OR last_seen >= ?) LIMIT 1`,
				c.Key, c.User.ID, len(c.GuestPrefix), c.GuestPrefix, c.Since.UnixMilli()).Scan(&other)
			switch {
			case err == nil:
				return errs.New(errs.Conflict, "someone here already goes by a name that looks like %q", c.User.Name)
			case !errors.Is(err, sql.ErrNoRows):
				return fmt.Errorf("looking for look-alike names: %w", err)
			}
		}
		ms := tx.now.UnixMilli()
		if _, err := tx.stmt(tx.stmts.upsertUser).ExecContext(tx.ctx, c.User.ID, c.User.Name, c.Key, ms, ms); err != nil {
			return fmt.Errorf("recording user: %w", err)
		}
		return nil
	})
}

// fillNameKeys gives the users recorded before name keys existed theirs.
// It runs once, at open, before the writer starts.
func fillNameKeys(ctx context.Context, db *sql.DB) error {
	rows, err := db.QueryContext(ctx, `SELECT id, name FROM users WHERE name_key = ''`)
	if err != nil {
		return fmt.Errorf("store: reading names: %w", err)
	}
	keys := map[string]string{}
	for rows.Next() {
		var id, name string
		if err := rows.Scan(&id, &name); err != nil {
			rows.Close()
			return fmt.Errorf("store: reading names: %w", err)
		}
		keys[id] = auth.NameKey(name)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(keys) == 0 {
		return err
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: filling name keys: %w", err)
	}
	defer tx.Rollback()
	for id, key := range keys {
		if _, err := tx.ExecContext(ctx, `UPDATE users SET name_key = ? WHERE id = ?`, key, id); err != nil {
			return fmt.Errorf("store: filling name keys: %w", err)
		}
	}
	return tx.Commit()
}
