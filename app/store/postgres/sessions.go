package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/danmaku/danmaku/app/errs"
	"github.com/danmaku/danmaku/app/store"
	"github.com/danmaku/danmaku/app/store/batch"
	"github.com/jackc/pgx/v5"
)

const sessionColumns = `id, user_id, guest, created_at, expires_at`

func scanSession(row pgx.Row) (store.Session, error) {
	var s store.Session
	var created, expires int64
	if err := row.Scan(&s.ID, &s.UserID, &s.Guest, &created, &expires); err != nil {
		return s, err
	}
	s.Created, s.Expires = time.UnixMilli(created), time.UnixMilli(expires)
	return s, nil
}

// CreateSession implements store.Sessions.
func (s *Store) CreateSession(ctx context.Context, sess store.Session) error {
	if err := checkText("the session", sess.ID, sess.UserID); err != nil {
		return err
	}
	return s.Writer.Exec(ctx, func(tx *Tx) error {
		tx.Queue(`INSERT INTO sessions (`+sessionColumns+`) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (id) DO NOTHING RETURNING 1`,
			[]any{sess.ID, sess.UserID, sess.Guest, sess.Created.UnixMilli(), sess.Expires.UnixMilli()}, func(rows pgx.Rows) error {
				if !rows.Next() {
					return errs.New(errs.Conflict, "session %s exists", sess.ID)
				}
				return nil
			})
		return nil
	})
}

// Session implements store.Sessions.
func (s *Store) Session(ctx context.Context, id string) (store.Session, error) {
	sess, err := scanSession(s.pool.QueryRow(ctx, `SELECT `+sessionColumns+` FROM sessions WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return sess, errs.New(errs.NotFound, "no such session")
	}
	if err != nil {
		return sess, readError(err, "reading a session failed")
	}
	return sess, nil
}

// ExtendSession implements store.Sessions.
func (s *Store) ExtendSession(ctx context.Context, id string, expires time.Time) error {
	return s.Writer.Exec(ctx, func(tx *Tx) error {
		tx.Queue(`UPDATE sessions SET expires_at = $2 WHERE id = $1 RETURNING 1`, []any{id, expires.UnixMilli()}, func(rows pgx.Rows) error {
			if !rows.Next() {
				return errs.New(errs.NotFound, "no such session")
			}
			return nil
		})
		return nil
	})
}

// EndSession implements store.Sessions.
func (s *Store) EndSession(ctx context.Context, id string) error {
	return s.Writer.Exec(ctx, func(tx *Tx) error {
		tx.Queue(`DELETE FROM sessions WHERE id = $1`, []any{id}, nil)
		return nil
	})
}

// EndUserSessions implements store.Sessions.
func (s *Store) EndUserSessions(ctx context.Context, user string, cutoff time.Time) (int, error) {
	var n int
	err := s.Writer.Exec(ctx, func(tx *Tx) error {
		var err error
		n, err = tx.endUserSessions(user, cutoff)
		return err
	})
	return n, err
}

// endUserSessions deletes user's sessions and moves their cutoff forward
// (never back) to cutoff.
func (t *Tx) endUserSessions(user string, cutoff time.Time) (int, error) {
	tag, err := t.Exec(`DELETE FROM sessions WHERE user_id = $1`, user)
	if err != nil {
		return 0, fmt.Errorf("ending sessions: %w", err)
	}
	if _, err := t.Exec(`INSERT INTO session_cutoffs (user_id, before) VALUES ($1, $2)
		ON CONFLICT (user_id) DO UPDATE SET before = greatest(session_cutoffs.before, excluded.before)`, user, cutoff.UnixMilli()); err != nil {
		return 0, fmt.Errorf("recording the sign-out: %w", err)
	}
	return int(tag.RowsAffected()), nil
}

// SessionCutoff implements store.Sessions.
func (s *Store) SessionCutoff(ctx context.Context, user string) (time.Time, error) {
	var ms int64
	err := s.pool.QueryRow(ctx, `SELECT before FROM session_cutoffs WHERE user_id = $1`, user).Scan(&ms)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return time.Time{}, nil
	case err != nil:
		return time.Time{}, readError(err, "reading a sign-out failed")
	}
	return time.UnixMilli(ms), nil
}

// UserSessions implements store.Sessions.
func (s *Store) UserSessions(ctx context.Context, user string) ([]store.Session, error) {
	return queryAll(ctx, s, "sessions", scanSession,
		`SELECT `+sessionColumns+` FROM sessions WHERE user_id = $1 ORDER BY created_at, id`, user)
}

// PurgeSessions implements store.Sessions, a chunk per writer op.
func (s *Store) PurgeSessions(ctx context.Context, now time.Time) (int, error) {
	return batch.UntilDone(ctx, s.Writer, func(tx *Tx) (int64, error) {
		tag, err := tx.Exec(`DELETE FROM sessions WHERE id IN
			(SELECT id FROM sessions WHERE expires_at < $1 LIMIT $2)`, now.UnixMilli(), batch.PurgeChunk)
		if err != nil {
			return 0, fmt.Errorf("purging sessions: %w", err)
		}
		return tag.RowsAffected(), nil
	})
}

// readError is a failed read's error: Unavailable while the database
// cannot be reached, else Internal with msg.
func readError(err error, msg string) error {
	if c := classify(err); errs.CodeOf(c) == errs.Unavailable {
		return c
	}
	return errs.Wrap(err, errs.Internal, msg)
}
