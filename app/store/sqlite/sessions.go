package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/danmaku/danmaku/app/errs"
	"github.com/danmaku/danmaku/app/store"
	"github.com/danmaku/danmaku/app/store/batch"
)

const sessionColumns = `id, user_id, guest, created_at, expires_at`

func scanSession(row interface{ Scan(...any) error }) (store.Session, error) {
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
	return s.Writer.Exec(ctx, func(tx *Tx) error {
		res, err := tx.tx.ExecContext(tx.ctx, `INSERT INTO sessions (`+sessionColumns+`) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (id) DO NOTHING`, sess.ID, sess.UserID, sess.Guest, sess.Created.UnixMilli(), sess.Expires.UnixMilli())
		if err != nil {
			return fmt.Errorf("storing session: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("storing session: %w", err)
		} else if n == 0 {
			return errs.New(errs.Conflict, "session %s exists", sess.ID)
		}
		return nil
	})
}

// Session implements store.Sessions.
func (s *Store) Session(ctx context.Context, id string) (store.Session, error) {
	sess, err := scanSession(s.reads.session.QueryRowContext(ctx, id))
	if errors.Is(err, sql.ErrNoRows) {
		return sess, errs.New(errs.NotFound, "no such session")
	}
	if err != nil {
		return sess, errs.Wrap(err, errs.Internal, "reading a session failed")
	}
	return sess, nil
}

// ExtendSession implements store.Sessions.
func (s *Store) ExtendSession(ctx context.Context, id string, expires time.Time) error {
	return s.Writer.Exec(ctx, func(tx *Tx) error {
		res, err := tx.tx.ExecContext(tx.ctx, `UPDATE sessions SET expires_at = ? WHERE id = ?`, expires.UnixMilli(), id)
		if err != nil {
			return fmt.Errorf("extending session: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("extending session: %w", err)
		} else if n == 0 {
			return errs.New(errs.NotFound, "no such session")
		}
		return nil
	})
}

// EndSession implements store.Sessions.
func (s *Store) EndSession(ctx context.Context, id string) error {
	return s.Writer.Exec(ctx, func(tx *Tx) error {
		if _, err := tx.tx.ExecContext(tx.ctx, `DELETE FROM sessions WHERE id = ?`, id); err != nil {
			return fmt.Errorf("ending session: %w", err)
		}
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
	res, err := t.tx.ExecContext(t.ctx, `DELETE FROM sessions WHERE user_id = ?`, user)
	if err != nil {
		return 0, fmt.Errorf("ending sessions: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("ending sessions: %w", err)
	}
	if _, err := t.tx.ExecContext(t.ctx, `INSERT INTO session_cutoffs (user_id, before) VALUES (?, ?)
		ON CONFLICT (user_id) DO UPDATE SET before = max(before, excluded.before)`, user, cutoff.UnixMilli()); err != nil {
		return 0, fmt.Errorf("recording the sign-out: %w", err)
	}
	return int(n), nil
}

// SessionCutoff implements store.Sessions.
func (s *Store) SessionCutoff(ctx context.Context, user string) (time.Time, error) {
	var ms int64
	err := s.read.QueryRowContext(ctx, `SELECT before FROM session_cutoffs WHERE user_id = ?`, user).Scan(&ms)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return time.Time{}, nil
	case err != nil:
		return time.Time{}, errs.Wrap(err, errs.Internal, "reading a sign-out failed")
	}
	return time.UnixMilli(ms), nil
}

// UserSessions implements store.Sessions.
func (s *Store) UserSessions(ctx context.Context, user string) ([]store.Session, error) {
	return queryAll(ctx, s.read, "sessions", scanSession,
		`SELECT `+sessionColumns+` FROM sessions WHERE user_id = ? ORDER BY created_at, id`, user)
}

// PurgeSessions implements store.Sessions, a chunk per writer op.
func (s *Store) PurgeSessions(ctx context.Context, now time.Time) (int, error) {
	return batch.UntilDone(ctx, s.Writer, func(tx *Tx) (int64, error) {
		res, err := tx.tx.ExecContext(tx.ctx, `DELETE FROM sessions WHERE id IN
			(SELECT id FROM sessions WHERE expires_at < ? LIMIT ?)`, now.UnixMilli(), batch.PurgeChunk)
		if err != nil {
			return 0, fmt.Errorf("purging sessions: %w", err)
		}
		return res.RowsAffected()
	})
}
