package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/danmaku/danmaku/app/protocol"
	"github.com/danmaku/danmaku/app/store"
	"github.com/danmaku/danmaku/app/store/decide"
)

// Decide implements store.Moderation in one writer op; see decide.Targets
// for what it changes and refuses.
func (s *Store) Decide(ctx context.Context, ids []int64, d store.Decision, by string) ([]store.ModComment, error) {
	return decide.Decide(ctx, s.Writer, d, func(tx *Tx) ([]store.ModComment, error) { return tx.decide(ids, d, by) })
}

const selectModComment = `SELECT ` + modColumns + ` FROM comments WHERE id = ?`

// decide applies d to the comments ids in this batch.
func (t *Tx) decide(ids []int64, d store.Decision, by string) ([]store.ModComment, error) {
	targets, err := decide.Targets(ids, d, func(id int64) (store.ModComment, bool, error) {
		m, err := scanModComment(t.tx.QueryRowContext(t.ctx, selectModComment, id))
		if errors.Is(err, sql.ErrNoRows) {
			return m, false, nil
		}
		if err != nil {
			return m, false, fmt.Errorf("reading comment %d: %w", id, err)
		}
		return m, true, nil
	})
	if err != nil {
		return nil, err
	}
	for _, m := range targets {
		if _, err := t.room(m.Room); err != nil {
			return nil, err
		}
	}
	now := protocol.TimestampOf(t.now)
	for i := range targets {
		m := &targets[i]
		rs := t.rooms[m.Room]
		was := store.Status(m.Status)
		if d != store.Approve && was == store.Visible {
			rs.visibleDiff--
		}
		decide.Apply(m, d, func() int64 { rs.lastSeq++; rs.visibleDiff++; return rs.lastSeq }, by, now, &t.events)
		accepted, removed := decide.Record(was, d)
		if err := t.noteSender(m.User.ID, accepted, removed); err != nil {
			return nil, err
		}
		seq := sql.NullInt64{Int64: m.Seq, Valid: m.Seq != 0}
		// A decision reviews the comment's reports.
		if _, err := t.tx.ExecContext(t.ctx,
			`UPDATE comments SET status = ?, seq = ?, moderated_by = ?, moderated_at = ?, reports = 0 WHERE id = ?`,
			m.Status, seq, by, int64(now), m.ID); err != nil {
			return nil, fmt.Errorf("moderating comment %d: %w", m.ID, err)
		}
		if err := t.reviewReports(m.ID); err != nil {
			return nil, err
		}
		if d == store.Approve { // its reports no longer weigh it down
			if err := t.reweigh(m.ID); err != nil {
				return nil, err
			}
		}
	}
	t.events.Moderated = append(t.events.Moderated, targets...)
	return targets, nil
}
