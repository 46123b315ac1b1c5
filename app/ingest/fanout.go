package ingest

import (
	"context"

	"github.com/danmaku/danmaku/app/errs"
	"github.com/danmaku/danmaku/app/hub"
	"github.com/danmaku/danmaku/app/moderation"
	"github.com/danmaku/danmaku/app/protocol"
	"github.com/danmaku/danmaku/app/store"
)

// UserMember is a hub member that speaks for one user: the viewers'
// sockets are, so a shadowed comment can reach its sender's sockets only.
type UserMember = hub.UserMember

// stored finishes a comment once its transaction committed: the sender's
// answer, the shadow illusion, and the moderators' feed.
func (s *Service) stored(c protocol.Comment, nc store.NewComment, from moderation.Sender, v moderation.Verdict, done func(protocol.Comment, error)) {
	v.Committed(context.Background()) // the plugins that observe outcomes hear of it
	switch {
	case v.Status == store.Held && v.Delay > 0:
		s.deps.Moderator.ReleaseLater(c.ID, v.Delay)
		done(protocol.Comment{}, errs.New(errs.Delayed, "%s", v.Reason))
	case v.Status == store.Held:
		done(protocol.Comment{}, errs.New(errs.Held, "%s", v.Reason))
	case v.Status == store.Shadowed:
		done(c, nil)
		// Only the sender's own sockets in the room see it, as if it were
		// live (in their wire version), on whichever nodes they are.
		s.deps.Hub.PublishCommentsToUser(context.Background(), c.Room, from.ID, []protocol.Comment{c})
	default:
		done(c, nil)
	}
	c.Status = string(v.Status)
	s.deps.Feed.NoteComments([]store.ModComment{{Comment: c, IP: nc.IP, Note: nc.Note}})
}

// Deliver hands what a committed batch changed to the hub, and moderators'
// decisions to their feed. It runs on the writer's delivery goroutine and
// only queues: each room fans out on its own.
func (s *Service) Deliver(ev store.Events) {
	ctx := context.Background()
	s.deps.Hub.PublishComments(ctx, ev.Comments)
	if len(ev.Likes) > 0 {
		counts := make([]hub.LikeCount, len(ev.Likes))
		for i, l := range ev.Likes {
			counts[i] = hub.LikeCount{Room: l.Room, CommentID: l.CommentID, Likes: l.Likes}
		}
		s.deps.Hub.NoteLikes(ctx, counts)
	}
	s.retract(ev.Retracts)
	s.weigh(ev.Weights)
	if len(ev.Moderated) > 0 {
		s.deps.Feed.NoteComments(ev.Moderated)
	}
}

// retract tells viewers to drop the comments moderators removed.
func (s *Service) retract(rs []store.Retraction) {
	for _, r := range rs {
		if r.User != "" {
			s.deps.Hub.PublishToUser(context.Background(), r.Room, r.User, protocol.EncodeRetract(r.Room, r.IDs))
			continue
		}
		s.deps.Hub.PublishRetract(context.Background(), r.Room, r.IDs)
	}
}

// weigh tells viewers of comments' new quality weights, a frame per room.
func (s *Service) weigh(ws []store.WeightChange) {
	byRoom := map[string]map[int64]int{}
	var order []string
	for _, w := range ws {
		m := byRoom[w.Room]
		if m == nil {
			m = map[int64]int{}
			byRoom[w.Room] = m
			order = append(order, w.Room)
		}
		m[w.CommentID] = w.Weight
	}
	for _, room := range order {
		s.deps.Hub.PublishWeights(context.Background(), room, byRoom[room])
	}
}
