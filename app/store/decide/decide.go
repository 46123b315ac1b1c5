// Package decide applies moderators' decisions (store.Moderation.Decide)
// for any backend: which comments a decision changes, and how each one
// changes. The backend reads and writes the rows and hands out the seqs.
package decide

import (
	"context"

	"github.com/danmaku/danmaku/app/errs"
	"github.com/danmaku/danmaku/app/protocol"
	"github.com/danmaku/danmaku/app/store"
	"github.com/danmaku/danmaku/app/store/batch"
)

// Decide runs decision d as one op of w, apply doing it in the op's
// transaction (again from scratch when its batch is retried), and returns
// the comments whose status changed once committed. Once the op is queued
// it waits past ctx, so the answer is true to what was stored.
func Decide[T any](ctx context.Context, w *batch.Writer[T], d store.Decision, apply func(tx T) ([]store.ModComment, error)) ([]store.ModComment, error) {
	if err := Check(d); err != nil {
		return nil, err
	}
	var changed []store.ModComment
	err := w.Exec(ctx, func(tx T) error {
		var err error
		changed, err = apply(tx)
		return err
	})
	return changed, err
}

// Check refuses a decision that is not one of store's.
func Check(d store.Decision) error {
	if d != store.Approve && d != store.Reject && d != store.Delete {
		return errs.New(errs.BadRequest, "unknown decision %q", d)
	}
	return nil
}

// Targets returns the comments of ids that d changes, each once, in the
// order given; read returns a comment by id (false when there is none).
// It is all or nothing: an unknown id is NotFound, and approving or
// rejecting a comment that is not held is Conflict. Deleting a deleted
// comment changes nothing and is no error.
func Targets(ids []int64, d store.Decision, read func(id int64) (store.ModComment, bool, error)) ([]store.ModComment, error) {
	seen := make(map[int64]bool, len(ids))
	var out []store.ModComment
	for _, id := range ids {
		if seen[id] {
			continue
		}
		seen[id] = true
		m, ok, err := read(id)
		switch {
		case err != nil:
			return nil, err
		case !ok:
			return nil, errs.New(errs.NotFound, "comment %d does not exist", id)
		case d == store.Delete && m.Status == string(store.Deleted):
			continue
		case d != store.Delete && m.Status != string(store.Held):
			return nil, errs.New(errs.Conflict, "comment %d is %s, not held", id, m.Status)
		}
		out = append(out, m)
	}
	return out, nil
}

// Apply changes m as d does, by moderator by at now, and adds to ev what
// viewers must hear: an approved comment takes seq() (its room's next) and
// is published as viewers see it; a visible comment removed is retracted
// from every viewer, a shadowed one from its author's sockets.
func Apply(m *store.ModComment, d store.Decision, seq func() int64, by string, now protocol.Timestamp, ev *store.Events) {
	switch was := store.Status(m.Status); {
	case d == store.Approve:
		c := m.Comment
		c.Status, c.Seq = "", seq()
		ev.Comments = append(ev.Comments, c)
		m.Seq, m.Status = c.Seq, string(store.Visible)
	case was == store.Visible:
		m.Status = string(store.Deleted)
		batch.Retract(ev, store.Retraction{Room: m.Room, IDs: []int64{m.ID}})
	case was == store.Shadowed:
		m.Status = string(store.Deleted)
		batch.Retract(ev, store.Retraction{Room: m.Room, IDs: []int64{m.ID}, User: m.User.ID})
	default:
		m.Status = string(store.Deleted)
	}
	at := now
	// A decision reviews the comment's reports: they no longer count.
	m.ModeratedBy, m.ModeratedAt, m.Reports = by, &at, 0
}

// Record is how d changes the sender's record of a comment that was was:
// comments of theirs shown (accepted) and removed by moderators.
func Record(was store.Status, d store.Decision) (accepted, removed int64) {
	switch {
	case d == store.Approve:
		return 1, 0
	case was == store.Visible:
		return -1, 1
	default:
		return 0, 1
	}
}
