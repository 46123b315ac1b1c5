package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/danmaku/danmaku/app/errs"
	"github.com/danmaku/danmaku/app/protocol"
	"github.com/danmaku/danmaku/app/store"
)

// Decide implements store.Moderation: it runs a ModerateComments op and
// waits for its commit. Once the op is queued it waits past ctx, so the
// answer is true to what was stored.
func (s *Store) Decide(ctx context.Context, ids []int64, d store.Decision, by string) ([]store.ModComment, error) {
	result := make(chan error, 1)
	op := &ModerateComments{IDs: ids, Decision: d, By: by, OnDone: func(_ *ModerateComments, err error) { result <- err }}
	if err := s.Writer.Submit(ctx, op); err != nil {
		return nil, err
	}
	if err := <-result; err != nil {
		return nil, err
	}
	return op.Changed, nil
}

// ModerateComments is the op that applies a moderator's decision to
// comments. It is all or nothing: an unknown id fails it with NotFound, and
// approving or rejecting a comment that is not held fails it with Conflict.
// Deleting an already deleted comment changes nothing and is no error.
type ModerateComments struct {
	IDs      []int64
	Decision store.Decision
	By       string // the moderator's user id

	// Changed are the comments whose status changed, as they are now;
	// valid in OnDone when err is nil.
	Changed []store.ModComment
	// OnDone runs on the writer's delivery goroutine, in commit order, so
	// it must not block.
	OnDone func(op *ModerateComments, err error)
}

var _ Op = (*ModerateComments)(nil)

const selectModComment = `SELECT ` + modColumns + ` FROM comments WHERE id = ?`

// Apply implements Op.
func (op *ModerateComments) Apply(tx *Tx) error {
	op.Changed = nil // Apply runs again when its batch is retried
	if op.Decision != store.Approve && op.Decision != store.Reject && op.Decision != store.Delete && op.Decision != store.Restore {
		return errs.New(errs.BadRequest, "unknown decision %q", op.Decision)
	}
	targets, err := op.targets(tx)
	if err != nil {
		return err
	}
	for _, m := range targets {
		if _, err := tx.room(m.Room); err != nil {
			return err
		}
	}
	now := protocol.TimestampOf(tx.now)
	for _, m := range targets {
		was := store.Status(m.Status)
		seq := sql.NullInt64{Int64: m.Seq, Valid: m.Seq != 0}
		rs := tx.rooms[m.Room]
		// The sender's record counts comments shown and comments removed.
		var accepted, removed int64
		switch {
		case op.Decision == store.Approve, op.Decision == store.Restore:
			c := m.Comment
			c.Status = ""
			tx.publish(rs, &c)
			m.Seq, m.Status = c.Seq, string(store.Visible)
			seq = sql.NullInt64{Int64: c.Seq, Valid: true}
			accepted = 1
			if op.Decision == store.Restore { // it counted as removed
				removed = -1
			}
		case was == store.Visible:
			rs.visibleDiff--
			m.Status = string(store.Deleted)
			tx.retract(store.Retraction{Room: m.Room, IDs: []int64{m.ID}})
			accepted, removed = -1, 1
		case was == store.Shadowed:
			m.Status = string(store.Deleted)
			tx.retract(store.Retraction{Room: m.Room, IDs: []int64{m.ID}, User: m.User.ID})
			removed = 1
		default:
			m.Status = string(store.Deleted)
			removed = 1
		}
		if err := tx.noteSender(m.User.ID, accepted, removed); err != nil {
			return err
		}
		// A decision reviews the comment's reports.
		if _, err := tx.tx.ExecContext(tx.ctx,
			`UPDATE comments SET status = ?, seq = ?, moderated_by = ?, moderated_at = ?, reports = 0 WHERE id = ?`,
			m.Status, seq, op.By, int64(now), m.ID); err != nil {
			return fmt.Errorf("moderating comment %d: %w", m.ID, err)
		}
		if err := tx.reviewReports(m.ID); err != nil {
			return err
		}
		if op.Decision == store.Approve || op.Decision == store.Restore { // its reports no longer weigh it down
			if err := tx.reweigh(m.ID); err != nil {
				return err
			}
		}
		m.ModeratedBy, m.ModeratedAt, m.Reports = op.By, &now, 0
		op.Changed = append(op.Changed, m)
	}
	tx.events.Moderated = append(tx.events.Moderated, op.Changed...)
	return nil
}

// targets reads the comments the decision changes, checking each first.
func (op *ModerateComments) targets(tx *Tx) ([]store.ModComment, error) {
	seen := make(map[int64]bool, len(op.IDs))
	var out []store.ModComment
	for _, id := range op.IDs {
		if seen[id] {
			continue
		}
		seen[id] = true
		m, err := scanModComment(tx.tx.QueryRowContext(tx.ctx, selectModComment, id))
		if errors.Is(err, sql.ErrNoRows) {
			return nil, errs.New(errs.NotFound, "comment %d does not exist", id)
		}
		if err != nil {
			return nil, fmt.Errorf("reading comment %d: %w", id, err)
		}
		switch {
		case op.Decision == store.Delete && m.Status == string(store.Deleted):
			continue
		case op.Decision == store.Restore && m.Status != string(store.Deleted):
			return nil, errs.New(errs.Conflict, "comment %d is %s, not deleted", id, m.Status)
		case (op.Decision == store.Approve || op.Decision == store.Reject) && m.Status != string(store.Held):
			return nil, errs.New(errs.Conflict, "comment %d is %s, not held", id, m.Status)
		}
		out = append(out, m)
	}
	return out, nil
}

// Done implements Op.
func (op *ModerateComments) Done(err error) {
	if op.OnDone != nil {
		op.OnDone(op, err)
	}
}

// retract queues a retraction, merged with the batch's last one when it
// goes to the same viewers.
func (t *Tx) retract(r store.Retraction) {
	rs := t.events.Retracts
	if n := len(rs); n > 0 && rs[n-1].Room == r.Room && rs[n-1].User == r.User {
		rs[n-1].IDs = append(rs[n-1].IDs, r.IDs...)
		return
	}
	t.events.Retracts = append(rs, r)
}
