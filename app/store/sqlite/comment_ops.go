package sqlite

import (
	"context"
	"database/sql"
	"time"

	"github.com/danmaku/danmaku/app/protocol"
	"github.com/danmaku/danmaku/app/store"
)

// AddComment implements store.Comments: it queues an InsertComment op for c.
func (s *Store) AddComment(ctx context.Context, c store.NewComment, done func(protocol.Comment, error)) error {
	return s.Writer.Submit(ctx, &InsertComment{
		Room: c.Room, Draft: c.Draft, User: c.User, Status: c.Status, IP: c.IP, Note: c.Note, Key: c.Key, KeySince: c.KeySince,
		OnDone: func(op *InsertComment, err error) {
			if err != nil {
				done(protocol.Comment{}, err)
				return
			}
			done(op.Comment, nil)
		},
	})
}

// InsertComment is the op that stores a new comment. A visible comment gets
// the room's next seq in the same transaction and is fanned out after
// commit; a shadowed one is answered with the seq it would have had.
type InsertComment struct {
	Room   string
	Draft  protocol.Draft
	User   protocol.User
	Status store.Status // Visible when empty
	IP     string       // the client's address, shown to moderators only
	Note   string       // why moderation held or shadowed it, for moderators
	// Key and KeySince: see store.NewComment. A comment of the same send
	// stored already fails the op with a store.Duplicate cause.
	Key      string
	KeySince time.Time

	// Comment is the stored comment; valid in OnDone when err is nil (its
	// ID is set when the batch writes its rows, just before commit).
	Comment protocol.Comment
	// OnDone runs on the writer's delivery goroutine, so it must not block.
	OnDone func(op *InsertComment, err error)
}

var _ Op = (*InsertComment)(nil)

// Apply implements Op.
func (op *InsertComment) Apply(tx *Tx) error {
	if op.Status == "" {
		op.Status = store.Visible
	}
	rs, err := tx.room(op.Room)
	if err != nil {
		return err
	}
	if op.Key != "" {
		if err := tx.sameSend(op.User.ID, op.Key, op.KeySince); err != nil {
			return err
		}
	}
	if err := tx.touchUser(op.User); err != nil {
		return err
	}
	c := protocol.Comment{
		Room:      op.Room,
		Time:      op.Draft.Time,
		Text:      op.Draft.Text,
		Mode:      op.Draft.Mode,
		Color:     op.Draft.Color,
		Size:      op.Draft.Size,
		User:      op.User,
		CreatedAt: protocol.TimestampOf(tx.now),
	}
	visible := op.Status == store.Visible
	if c.Weight, err = tx.weightOf(c.User.ID, c.Text, 0, 0); err != nil {
		return err
	}
	var seq, shown sql.NullInt64
	switch op.Status { // a visible comment's seq is the one publish gives it
	case store.Shadowed:
		// The seq it would have taken: its ack looks like an accepted one.
		shown = sql.NullInt64{Int64: rs.lastSeq + 1, Valid: true}
		c.Seq = shown.Int64
	}
	key := sql.NullString{String: op.Key, Valid: op.Key != ""}
	event := -1
	if visible {
		if err := tx.noteSender(c.User.ID, 1, 0); err != nil {
			return err
		}
		tx.publish(rs, &c)
		seq = sql.NullInt64{Int64: c.Seq, Valid: true}
		event = len(tx.events.Comments) - 1
	}
	// The row is written with the batch's others, and gets its id, at flush.
	tx.queueComment(op, event, [commentRowArgs - 1]any{
		op.Room, seq, int64(c.Time), c.Text, c.Mode, c.Color, c.Size,
		c.User.ID, c.User.Name, int64(c.CreatedAt), string(op.Status), op.IP, op.Note, key, shown, c.Weight})
	op.Comment = c
	return nil
}

// Done implements Op.
func (op *InsertComment) Done(err error) {
	if op.OnDone != nil {
		op.OnDone(op, err)
	}
}
