package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/danmaku/danmaku/app/errs"
	"github.com/danmaku/danmaku/app/store"
)

// queryByKey finds a user's comment by its idempotency key, served by
// comments_user_idem.
const queryByKey = `SELECT ` + shownColumns + `, status FROM comments WHERE user_id = ? AND idem_key = ?`

// CommentByKey implements store.Comments.
func (s *Store) CommentByKey(ctx context.Context, userID, key string, since time.Time) (store.Stored, error) {
	st, err := scanStored(s.read.QueryRowContext(ctx, queryByKey, userID, key))
	missing := errors.Is(err, sql.ErrNoRows)
	if missing {
		err = nil
	}
	return store.FoundByKey(st, missing, err, since)
}

func scanStored(row *sql.Row) (store.Stored, error) {
	var st store.Stored
	var err error
	st.Comment, err = scanComment(row, &st.Status)
	return st, err
}

// sameSend checks, inside the batch, whether u's comment with key was
// stored at or after since: then it returns a Conflict error whose cause
// is a store.Duplicate. An older comment gives its key up (the window has
// passed), so the new one can take it.
func (t *Tx) sameSend(userID, key string, since time.Time) error {
	if t.keyPending(userID, key) {
		// The same send earlier in this batch: write the queued rows now,
		// so that it is found below, with its id.
		if err := t.flushComments(); err != nil {
			return err
		}
	}
	st, err := scanStored(t.tx.QueryRowContext(t.ctx, queryByKey, userID, key))
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil
	case err != nil:
		return fmt.Errorf("reading a comment by its key: %w", err)
	case st.Comment.CreatedAt.Time().Before(since):
		if _, err := t.tx.ExecContext(t.ctx, `UPDATE comments SET idem_key = NULL WHERE id = ?`, st.Comment.ID); err != nil {
			return fmt.Errorf("releasing an old idempotency key: %w", err)
		}
		return nil
	}
	return errs.Wrap(&store.Duplicate{Original: st}, errs.Conflict, "this comment was stored already")
}
