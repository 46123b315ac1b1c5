package store

import (
	"context"
	"fmt"
	"time"

	"github.com/danmaku/danmaku/app/errs"

	"github.com/danmaku/danmaku/app/protocol"
)

// Status is a comment's moderation state.
type Status string

// The comment states. Only visible comments reach other viewers and replay.
const (
	Visible  Status = "visible"
	Held     Status = "held"
	Shadowed Status = "shadowed"
	Deleted  Status = "deleted"
)

// NewComment is a comment that moderation let in, to be stored.
type NewComment struct {
	Room   string
	Draft  protocol.Draft
	User   protocol.User
	Status Status // Visible when empty
	IP     string // the client's address, shown to moderators only
	Note   string // why moderation held or shadowed it, for moderators
	// Key is the client's idempotency key ("" for none). A comment of the
	// same user with the same key created at or after KeySince is the same
	// send: AddComment then stores nothing and answers with a Duplicate.
	Key      string
	KeySince time.Time
}

// Stored is a comment found by its idempotency key: as its sender was
// answered (a shadowed one with the seq its ack carried) and its status.
type Stored struct {
	Comment protocol.Comment
	Status  Status
}

// Duplicate is the cause of the Conflict error AddComment answers for a
// resend (see NewComment.Key): Original is the comment stored before.
type Duplicate struct{ Original Stored }

func (d *Duplicate) Error() string { return "this comment's idempotency key is stored already" }

// Events is what a committed batch changed that viewers must hear about.
type Events struct {
	// Comments became visible, in seq order within each room.
	Comments []protocol.Comment
	// Likes holds new like counts.
	Likes []LikeChange
	// Retracts lists comments moderators removed, for viewers to drop.
	Retracts []Retraction
	// Moderated lists the comments moderators must see again, as they are
	// now: status changes (a moderator's decision, a recall, a hide by
	// reports) and new reports, for the moderators' feed.
	Moderated []ModComment
	// Weights lists visible comments whose quality weight changed.
	Weights []WeightChange
}

// LikeChange is a new like count: of a comment when CommentID is set, else of the room's video.
type LikeChange struct {
	Room      string
	CommentID int64
	Likes     int64
}

// Comments stores new comments and reads the visible ones back.
type Comments interface {
	// AddComment queues c for storing. done runs exactly once after the
	// commit, with the stored comment (its ID, CreatedAt and, when visible,
	// the room's next Seq; when shadowed, the seq it would have taken, which
	// the room's next visible comment takes instead, so that its sender's
	// ack looks like any other), or with the error (NotFound for a missing
	// room, Conflict with a Duplicate cause for a resend). It may run on the writer's delivery goroutine, so it must not
	// block. A non-nil return (Unavailable: queue full until ctx ended, or
	// the store is closing) means done will not run.
	AddComment(ctx context.Context, c NewComment, done func(protocol.Comment, error)) error
	// CommentsByTime returns a room's visible comments with from <= time
	// < to (video time), ordered by time, at most limit of them.
	CommentsByTime(ctx context.Context, room string, from, to protocol.Seconds, limit int) ([]protocol.Comment, error)
	// CommentsByTimeFor is CommentsByTime as viewer sees it: the visible
	// comments plus viewer's own shadowed ones.
	CommentsByTimeFor(ctx context.Context, room, viewer string, from, to protocol.Seconds, limit int) ([]protocol.Comment, error)
	// CommentsAfter returns a room's visible comments with seq > after, in
	// seq order, at most limit of them.
	CommentsAfter(ctx context.Context, room string, after int64, limit int) ([]protocol.Comment, error)
	// LatestVisible returns a room's newest visible comments (by seq), at
	// most limit of them, newest first.
	LatestVisible(ctx context.Context, room string, limit int) ([]protocol.Comment, error)
	// CommentByKey returns userID's comment stored with idempotency key at
	// or after since, whatever its status; NotFound when there is none.
	CommentByKey(ctx context.Context, userID, key string, since time.Time) (Stored, error)
	// EachVisible calls fn with a room's visible comments up to seq upTo,
	// by video time (then seq), a page of at most pageSize at a time,
	// without holding a snapshot open between pages. It stops at fn's
	// first error and returns it.
	EachVisible(ctx context.Context, room string, upTo int64, pageSize int, fn func([]protocol.Comment) error) error
}

// Likes records likes, once per user and target.
type Likes interface {
	// LikeComment records userID's like of a visible comment and returns
	// the comment's like count; a second like by the same user changes
	// nothing. A comment that is not visible is NotFound. When rooms is
	// not nil, the comment must be in one of them (Forbidden otherwise):
	// a socket likes only comments of the rooms it has joined.
	LikeComment(ctx context.Context, commentID int64, userID string, rooms []string) (LikeChange, error)
	// LikeRoom records userID's like of a room's video and returns the
	// room's like count; a second like by the same user changes nothing.
	LikeRoom(ctx context.Context, roomID, userID string) (LikeChange, error)
}

// FoundByKey is CommentByKey's answer for a backend's lookup of a comment
// by its key: st when found (missing false) and stored at or after since,
// else NotFound; a failed lookup (err) comes back wrapped.
func FoundByKey(st Stored, missing bool, err error, since time.Time) (Stored, error) {
	switch {
	case err != nil:
		return Stored{}, fmt.Errorf("store: reading a comment by its key: %w", err)
	case missing:
		return Stored{}, errs.New(errs.NotFound, "no comment with this idempotency key")
	case st.Comment.CreatedAt.Time().Before(since):
		return Stored{}, errs.New(errs.NotFound, "no comment with this idempotency key since %s", since)
	}
	return st, nil
}
