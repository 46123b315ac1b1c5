package sqlite

import (
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/danmaku/danmaku/app/store"
)

// senderRecord is a user's record as a batch sees it: what was read, plus
// what the batch changed, which flush writes back.
type senderRecord struct {
	known               bool // the user has a row
	createdAt           int64
	accepted, removed   int64
	dAccepted, dRemoved int64
}

// sender reads a user's record once per batch.
func (t *Tx) sender(id string) (*senderRecord, error) {
	if r, ok := t.senders[id]; ok {
		return r, nil
	}
	r := &senderRecord{}
	err := t.stmt(t.stmts.userRecord).QueryRowContext(t.ctx, id).Scan(&r.createdAt, &r.accepted, &r.removed)
	switch {
	case err == nil:
		r.known = true
	case !errors.Is(err, sql.ErrNoRows):
		return nil, fmt.Errorf("reading user %s: %w", id, err)
	}
	t.senders[id] = r
	return r, nil
}

// noteSender changes a user's record by accepted and removed comments.
func (t *Tx) noteSender(id string, accepted, removed int64) error {
	r, err := t.sender(id)
	if err != nil {
		return err
	}
	r.dAccepted += accepted
	r.dRemoved += removed
	return nil
}

// flushSenders writes the records the batch changed.
func (t *Tx) flushSenders() error {
	for id, r := range t.senders {
		if !r.known || r.dAccepted == 0 && r.dRemoved == 0 {
			continue
		}
		if _, err := t.stmt(t.stmts.bumpUserRecord).ExecContext(t.ctx, r.dAccepted, r.dRemoved, id); err != nil {
			return fmt.Errorf("updating user %s: %w", id, err)
		}
	}
	return nil
}

// weightOf computes the weight of a comment by user with text, likes and
// reports, from the user's record as this batch sees it.
func (t *Tx) weightOf(user, text string, likes, reports int64) (int, error) {
	r, err := t.sender(user)
	if err != nil {
		return 0, err
	}
	sig := store.QualitySignals{Text: text, Likes: likes, Reports: reports}
	if r.known {
		sig.Sender = true
		sig.Accepted = max(0, r.accepted+r.dAccepted)
		sig.Removed = max(0, r.removed+r.dRemoved)
		sig.Age = max(0, t.now.Sub(time.UnixMilli(r.createdAt)))
	}
	return min(10, max(0, t.weigh(sig))), nil
}

// reweigh computes a comment's weight again after its likes or reports
// changed, stores it when it changed, and tells viewers of a visible one.
func (t *Tx) reweigh(commentID int64) error {
	_, err := t.reweighed(commentID)
	return err
}

// reweighed is reweigh, returning the weight.
func (t *Tx) reweighed(commentID int64) (int, error) {
	var room, user, text, status string
	var likes, reports int64
	var weight int
	err := t.stmt(t.stmts.commentForWeight).QueryRowContext(t.ctx, commentID).
		Scan(&room, &user, &text, &status, &likes, &reports, &weight)
	if err != nil {
		return 0, fmt.Errorf("reading comment %d: %w", commentID, err)
	}
	w, err := t.weightOf(user, text, likes, reports)
	if err != nil || w == weight {
		return weight, err
	}
	if _, err := t.stmt(t.stmts.setWeight).ExecContext(t.ctx, w, commentID); err != nil {
		return 0, fmt.Errorf("weighing comment %d: %w", commentID, err)
	}
	if status == string(store.Visible) {
		t.events.Weights = append(t.events.Weights, store.WeightChange{Room: room, CommentID: commentID, Weight: w})
	}
	return w, nil
}
