package client

import (
	"github.com/danmaku/danmaku/app/protocol"
)

// handle acts on one server frame, on the session's reader goroutine.
func (c *Client) handle(s *session, f *serverFrame) {
	switch f.Type {
	case protocol.TypeAck:
		if f.OK {
			s.answer(f.Ref, reply{f: f})
		} else {
			s.answer(f.Ref, reply{err: f.failure()})
		}
	case protocol.TypePong:
		s.answer(f.Ref, reply{f: f})
	case protocol.TypeAuthed:
		c.mu.Lock()
		c.tokenExp = f.ExpiresAt.Time()
		c.mu.Unlock()
		s.answer(f.Ref, reply{f: f})
		c.emit(Authed{User: f.User, ExpiresAt: f.ExpiresAt.Time()})
	case protocol.TypeError:
		c.onError(s, f)
	case protocol.TypeWelcome:
		c.onWelcome(s, f)
	case protocol.TypeComments:
		c.deliver(f.Room, f.Items)
	case protocol.TypeGap:
		c.fillGap(f.Room, f.AfterSeq)
	case protocol.TypeLikes:
		if c.inRoom(f.Room) {
			c.emit(Likes{Room: f.Room, RoomLikes: f.RoomLikes, Comments: f.likeCounts()})
		}
	case protocol.TypePresence:
		if c.inRoom(f.Room) {
			c.emit(Presence{Room: f.Room, Viewers: f.Viewers})
		}
	case protocol.TypeRetract:
		if c.inRoom(f.Room) {
			c.emit(Retract{Room: f.Room, IDs: f.IDs})
		}
	case protocol.TypeModes:
		if c.inRoom(f.Room) {
			c.emit(Modes{Room: f.Room, Modes: protocol.Modes{Type: f.Type, Room: f.Room, SlowSeconds: f.SlowSeconds,
				UniqueWindow: f.UniqueWindow, SignedInOnly: f.SignedInOnly, DelaySeconds: f.DelaySeconds, Emergency: f.Emergency}})
		}
	default:
		c.opts.logger.Warn("danmaku client: unknown server frame type", "type", f.Type)
	}
}

// onError settles the request an error frame answers (a refused join
// drops the room), or reports it as an event.
func (c *Client) onError(s *session, f *serverFrame) {
	err := f.failure()
	c.mu.Lock()
	r := s.joins[f.Ref]
	delete(s.joins, f.Ref)
	c.mu.Unlock()
	if r != nil {
		c.joinFailed(r, err)
		return
	}
	if !s.answer(f.Ref, reply{err: err}) {
		c.emit(ErrorEvent{Err: err})
	}
}

// inRoom reports whether the client is in room, so that frames still in
// flight from a room it left are dropped.
func (c *Client) inRoom(room string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	_, ok := c.rooms[room]
	return ok
}

// deliver emits the comments of room the client has not delivered yet.
// A room's stream comes in seq order, catch-up first, so anything at or
// below the last seq delivered is a duplicate; comments without a seq are
// not part of the stream and always pass.
func (c *Client) deliver(room string, items []protocol.Comment) {
	c.mu.Lock()
	r, ok := c.rooms[room]
	if !ok {
		c.mu.Unlock()
		return
	}
	fresh := items[:0:0]
	for _, it := range items {
		if it.Seq != 0 {
			if r.known && it.Seq <= r.lastSeq {
				continue
			}
			r.lastSeq, r.known = it.Seq, true
		}
		fresh = append(fresh, it)
	}
	c.mu.Unlock()
	if len(fresh) > 0 {
		c.emit(Comments{Room: room, Items: fresh})
	}
}
