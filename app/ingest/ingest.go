// Package ingest is the one path every new comment takes, whatever API it
// came from: validate, moderate, write, and, once committed, fan out. It
// knows nothing of HTTP or WebSockets; transports call Submit.
package ingest

import (
	"context"
	"errors"
	"time"

	"github.com/danmaku/danmaku/app/errs"
	"github.com/danmaku/danmaku/app/hub"
	"github.com/danmaku/danmaku/app/moderation"
	"github.com/danmaku/danmaku/app/protocol"
	"github.com/danmaku/danmaku/app/store"
)

// Moderator decides what happens to a comment (see moderation.Service).
type Moderator interface {
	Moderate(ctx context.Context, room string, from moderation.Sender, d *protocol.Draft) (moderation.Verdict, error)
	// ReleaseLater shows a comment the room's chat delay held once wait is over.
	ReleaseLater(id int64, wait time.Duration)
}

// Writer stores comments; done runs once the comment is committed, and
// finds them by their idempotency keys (see store.Comments).
type Writer interface {
	AddComment(ctx context.Context, c store.NewComment, done func(protocol.Comment, error)) error
	CommentByKey(ctx context.Context, userID, key string, since time.Time) (store.Stored, error)
}

// Hub fans committed changes out to the rooms' viewers.
type Hub interface {
	PublishComments(ctx context.Context, items []protocol.Comment)
	NoteLikes(ctx context.Context, changes []hub.LikeCount)
	PublishRetract(ctx context.Context, room string, ids []int64)
	PublishWeights(ctx context.Context, room string, weights map[int64]int)
	PublishToUser(ctx context.Context, room, user string, frame []byte)
	PublishCommentsToUser(ctx context.Context, room, user string, items []protocol.Comment)
}

// Feed hears of every stored comment, for the moderators.
type Feed interface {
	NoteComments(items []store.ModComment)
}

// Observer counts comments by outcome (metrics).
type Observer interface {
	CommentReceived(via string)
	CommentAccepted(via string)
	CommentRejected(via, reason, plugin string)
}

// Deps are the ingest service's dependencies.
type Deps struct {
	Limits    protocol.Limits
	Moderator Moderator
	Store     Writer
	Hub       Hub
	Feed      Feed
	Observer  Observer
	// KeyWindow is how long an idempotency key makes a resend answer with
	// the comment stored the first time.
	KeyWindow time.Duration
}

// Service takes in comments.
type Service struct{ deps Deps }

// New returns the ingest service over deps.
func New(deps Deps) *Service { return &Service{deps: deps} }

// Submit validates a comment, moderates it (the room's plugin chain, on
// the caller's goroutine, so a slow plugin holds up only this sender),
// then queues it for the writer. done runs exactly once: with the stored
// comment after its transaction commits, or with the error (a held
// comment's is Held). It may run on the writer's delivery goroutine, so it
// must not block.
func (s *Service) Submit(ctx context.Context, room string, from moderation.Sender, in protocol.CommentInput, done func(protocol.Comment, error)) {
	var v moderation.Verdict
	done = s.count(from.Via, &v, done)
	draft, err := s.deps.Limits.Validate(in)
	if err != nil {
		done(protocol.Comment{}, err)
		return
	}
	var since time.Time
	if in.IdempotencyKey != "" {
		// A resend is answered before moderation, whose rate and repeat
		// limits would otherwise refuse the very comment they let in.
		since = time.Now().Add(-s.deps.KeyWindow)
		st, err := s.deps.Store.CommentByKey(ctx, from.ID, in.IdempotencyKey, since)
		if err == nil {
			resent(st, done)
			return
		}
		if errs.CodeOf(err) != errs.NotFound {
			done(protocol.Comment{}, err)
			return
		}
	}
	v, err = s.deps.Moderator.Moderate(ctx, room, from, &draft)
	if err != nil {
		done(protocol.Comment{}, err)
		return
	}
	nc := store.NewComment{Room: room, Draft: draft, User: from.User(), Status: v.Status, IP: addrString(from), Note: v.Note,
		Key: in.IdempotencyKey, KeySince: since}
	err = s.deps.Store.AddComment(ctx, nc, func(c protocol.Comment, err error) {
		var dup *store.Duplicate
		if errors.As(err, &dup) { // the same send, committed meanwhile
			resent(dup.Original, done)
			return
		}
		if err != nil {
			done(protocol.Comment{}, err)
			return
		}
		s.stored(c, nc, from, v, done)
	})
	if err != nil {
		done(protocol.Comment{}, err)
	}
}

// resent answers a resend with what the first send stored, as its sender
// was answered then: the comment (a shadowed one with the seq its ack
// carried), or held; one a moderator has removed since is rejected.
func resent(st store.Stored, done func(protocol.Comment, error)) {
	switch st.Status {
	case store.Visible, store.Shadowed:
		done(st.Comment, nil)
	case store.Held:
		done(protocol.Comment{}, errs.New(errs.Held, "your comment is waiting for a moderator"))
	default:
		done(protocol.Comment{}, errs.New(errs.Rejected, "this comment was removed by a moderator"))
	}
}

// SubmitWait is Submit for callers that wait for the outcome.
func (s *Service) SubmitWait(ctx context.Context, room string, from moderation.Sender, in protocol.CommentInput) (protocol.Comment, error) {
	type result struct {
		c   protocol.Comment
		err error
	}
	ch := make(chan result, 1)
	s.Submit(ctx, room, from, in, func(c protocol.Comment, err error) { ch <- result{c, err} })
	r := <-ch
	return r.c, r.err
}

// addrString is the sender's address as stored with comments ("" when unknown).
func addrString(from moderation.Sender) string {
	if !from.IP.IsValid() {
		return ""
	}
	return from.IP.String()
}
