package postgres

import (
	"context"
	"fmt"
	"slices"

	"github.com/danmaku/danmaku/app/errs"
	"github.com/danmaku/danmaku/app/protocol"
	"github.com/danmaku/danmaku/app/store"
	"github.com/danmaku/danmaku/app/store/batch"
)

// Decide implements store.Moderation: it runs a ModerateComments op and
// waits for its commit. Once the op is queued it waits past ctx, so the
// answer is true to what was stored.
func (s *Store) Decide(ctx context.Context, ids []int64, d store.Decision, by string) ([]store.ModComment, error) {
	if err := checkText("the moderator", by); err != nil {
		return nil, err
	}
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
// Deleting an already deleted comment changes nothing and is no error. It
// locks the comments' rows, so that decisions on other nodes wait.
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

// roomChange is what a decision does to one room's counters.
type roomChange struct{ approved, removed, base int64 }

// Apply implements Op.
func (op *ModerateComments) Apply(tx *Tx) error {
	op.Changed = nil // Apply runs again when its batch is retried
	if op.Decision != store.Approve && op.Decision != store.Reject && op.Decision != store.Delete {
		return errs.New(errs.BadRequest, "unknown decision %q", op.Decision)
	}
	targets, err := op.targets(tx)
	if err != nil || len(targets) == 0 {
		return err
	}
	rooms := map[string]*roomChange{}
	for _, m := range targets {
		rc := rooms[m.Room]
		if rc == nil {
			rc = &roomChange{}
			rooms[m.Room] = rc
		}
		if op.Decision == store.Approve {
			rc.approved++
		} else if m.Status == string(store.Visible) {
			rc.removed++
		}
	}
	if err := bumpRooms(tx, rooms); err != nil {
		return err
	}
	now := protocol.TimestampOf(tx.now)
	var ids, seqs []int64
	var statuses []string
	for _, m := range targets {
		switch was := store.Status(m.Status); {
		case op.Decision == store.Approve:
			rc := rooms[m.Room]
			rc.base++
			c := m.Comment
			c.Status, c.Seq = "", rc.base
			tx.events.Comments = append(tx.events.Comments, c)
			m.Seq, m.Status = c.Seq, string(store.Visible)
		case was == store.Visible:
			m.Status = string(store.Deleted)
			batch.Retract(&tx.events, store.Retraction{Room: m.Room, IDs: []int64{m.ID}})
		case was == store.Shadowed:
			m.Status = string(store.Deleted)
			batch.Retract(&tx.events, store.Retraction{Room: m.Room, IDs: []int64{m.ID}, User: m.User.ID})
		default:
			m.Status = string(store.Deleted)
		}
		m.ModeratedBy, m.ModeratedAt = op.By, &now
		ids, statuses, seqs = append(ids, m.ID), append(statuses, m.Status), append(seqs, m.Seq)
		op.Changed = append(op.Changed, m)
	}
	if _, err := tx.Exec(`UPDATE comments c SET status = u.status, seq = nullif(u.seq, 0), moderated_by = $4, moderated_at = $5
		FROM unnest($1::bigint[], $2::text[], $3::bigint[]) AS u(id, status, seq) WHERE c.id = u.id`,
		ids, statuses, seqs, op.By, int64(now)); err != nil {
		return fmt.Errorf("moderating comments: %w", err)
	}
	tx.events.Moderated = append(tx.events.Moderated, op.Changed...)
	return nil
}

// bumpRooms applies each room's change, in room id order (the order every
// node locks rooms in), and sets each one's base: its last seq before the
// approved comments.
func bumpRooms(tx *Tx, rooms map[string]*roomChange) error {
	names := make([]string, 0, len(rooms))
	for id := range rooms {
		names = append(names, id)
	}
	slices.Sort(names)
	for _, id := range names {
		rc := rooms[id]
		if err := tx.QueryRow(`UPDATE rooms SET last_seq = last_seq + $2, comment_count = comment_count + $2 - $3
			WHERE id = $1 RETURNING last_seq - $2`, id, rc.approved, rc.removed).Scan(&rc.base); err != nil {
			return fmt.Errorf("updating room %s: %w", id, err)
		}
	}
	return nil
}

// targets reads and locks the comments the decision changes, in the order
// given, checking each first.
func (op *ModerateComments) targets(tx *Tx) ([]store.ModComment, error) {
	rows, err := tx.Query(`SELECT `+modColumns+` FROM comments WHERE id = ANY($1) ORDER BY id FOR UPDATE`, op.IDs)
	if err != nil {
		return nil, fmt.Errorf("reading comments: %w", err)
	}
	byID := map[int64]store.ModComment{}
	for rows.Next() {
		m, err := scanModComment(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("reading comments: %w", err)
		}
		byID[m.ID] = m
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reading comments: %w", err)
	}
	seen := make(map[int64]bool, len(op.IDs))
	var out []store.ModComment
	for _, id := range op.IDs {
		if seen[id] {
			continue
		}
		seen[id] = true
		m, ok := byID[id]
		switch {
		case !ok:
			return nil, errs.New(errs.NotFound, "comment %d does not exist", id)
		case op.Decision == store.Delete && m.Status == string(store.Deleted):
			continue
		case op.Decision != store.Delete && m.Status != string(store.Held):
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
