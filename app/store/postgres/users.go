package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/danmaku/danmaku/app/errs"
	"github.com/danmaku/danmaku/app/store"
	"github.com/jackc/pgx/v5"
)

// ClaimName implements store.Users in two pipelined statements: a lock on
// the name's key (held to the commit, so that two nodes cannot both hand
// out look-alikes), then the claim, which records the name unless another
// user goes by a look-alike.
func (s *Store) ClaimName(ctx context.Context, c store.NameClaim) error {
	if err := checkText("the name", c.User.ID, c.User.Name, c.Key, c.GuestPrefix); err != nil {
		return err
	}
	return s.Writer.Exec(ctx, func(tx *Tx) error {
		tx.Queue(`SELECT pg_advisory_xact_lock(hashtext('name:' || $1))`, []any{c.Key}, nil)
		tx.Queue(`WITH other AS (
				SELECT 1 FROM users WHERE NOT $6 AND name_key = $3 AND id <> $1
					AND (left(id, length($4)) <> $4 OR last_seen >= $5) LIMIT 1
			)
			INSERT INTO users (id, name, name_key, created_at, last_seen)
			SELECT $1, $2, $3, $7, $7 WHERE NOT EXISTS (SELECT 1 FROM other)
			ON CONFLICT (id) DO UPDATE SET name = excluded.name, name_key = excluded.name_key, last_seen = excluded.last_seen
			RETURNING id`,
			[]any{c.User.ID, c.User.Name, c.Key, c.GuestPrefix, c.Since.UnixMilli(), c.Force, tx.now.UnixMilli()},
			func(rows pgx.Rows) error {
				if !rows.Next() {
					return errs.New(errs.Conflict, "someone here already goes by a name that looks like %q", c.User.Name)
				}
				return nil
			})
		return nil
	})
}

// queryByKey finds a user's comment by its idempotency key, served by
// comments_user_idem: as its sender saw it (a shadowed one with the seq
// its ack carried), and its status.
const queryByKey = `SELECT ` + shownColumns + `, status FROM comments WHERE user_id = $1 AND idem_key = $2`

// CommentByKey implements store.Comments.
func (s *Store) CommentByKey(ctx context.Context, userID, key string, since time.Time) (store.Stored, error) {
	var st store.Stored
	c := &st.Comment
	err := s.pool.QueryRow(ctx, queryByKey, userID, key).Scan(&c.ID, &c.Room, &c.Seq, &c.Time, &c.Text, &c.Mode, &c.Color, &c.Size,
		&c.User.ID, &c.User.Name, &c.CreatedAt, &c.Likes, &c.Weight, &st.Status)
	missing := errors.Is(err, pgx.ErrNoRows)
	if missing {
		err = nil
	}
	return store.FoundByKey(st, missing, err, since)
}
