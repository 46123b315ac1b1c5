package app

import (
	"context"

	"github.com/danmaku/danmaku/app/protocol"
	"github.com/danmaku/danmaku/app/store"
)

// submitComment is the one path every new comment takes, whatever API it
// came from: validate, moderate (the room's plugin chain, on the caller's
// goroutine, so a slow plugin holds up only this sender), then queue for
// the writer. done runs exactly once: with the stored comment after its
// transaction commits, or with the error (a held comment's is Held). It may
// run on the writer's delivery goroutine, so it must not block.
func (a *App) submitComment(ctx context.Context, room string, from sender, in protocol.CommentInput, done func(protocol.Comment, error)) {
	var v verdict
	done = a.countComment(from.Via, &v, done)
	draft, err := a.limits.Validate(in)
	if err != nil {
		done(protocol.Comment{}, err)
		return
	}
	v, err = a.moderate(ctx, room, from, &draft)
	if err != nil {
		done(protocol.Comment{}, err)
		return
	}
	nc := store.NewComment{
		Room:   room,
		Draft:  draft,
		User:   from.User(),
		Status: v.status,
		IP:     addrString(from.IP),
		Note:   v.note,
	}
	err = a.store.AddComment(ctx, nc, func(c protocol.Comment, err error) {
		if err != nil {
			done(protocol.Comment{}, err)
			return
		}
		a.stored(c, nc, from, v, done)
	})
	if err != nil {
		done(protocol.Comment{}, err)
	}
}

// submitCommentWait is submitComment for callers that wait for the outcome.
func (a *App) submitCommentWait(ctx context.Context, room string, from sender, in protocol.CommentInput) (protocol.Comment, error) {
	type result struct {
		c   protocol.Comment
		err error
	}
	ch := make(chan result, 1)
	a.submitComment(ctx, room, from, in, func(c protocol.Comment, err error) { ch <- result{c, err} })
	r := <-ch
	return r.c, r.err
}
