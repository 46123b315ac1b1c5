package app

import (
	"context"
	"net/netip"
	"sync/atomic"
	"time"

	"github.com/olahol/melody"

	"github.com/danmaku/danmaku/app/errs"
	"github.com/danmaku/danmaku/app/hub"
	"github.com/danmaku/danmaku/app/protocol"
	"github.com/danmaku/danmaku/app/store"
)

// client is one WebSocket connection. Its rooms are touched only by the
// connection's own read goroutine (connect, frames, disconnect all run
// there); Send may be called from anywhere.
type client struct {
	app     *App
	sess    *melody.Session
	auth    socketAuth // who it speaks for; read through identity()
	gate    frameGate  // frame rate limit
	ip      string
	addr    netip.Addr // ip, parsed, for moderation
	initial *joinRequest
	// admitted is the room the handshake's join hooks let in, so the
	// initial join does not ask them twice.
	admitted string
	mod      *modMember // set on moderator sockets (/ws/admin)
	rooms    map[string]*hub.Subscription
	raw      *hijackRecorder // the connection under the session, to cut it

	// queued counts frames handed to melody and not yet written; past limit
	// the socket is too slow and is closed instead of silently losing frames.
	queued atomic.Int32
	limit  int32
	slow   atomic.Bool
	// closing is set once the server has decided to close the socket, so
	// it is counted (and logged) for one reason only.
	closing atomic.Bool
}

type joinRequest struct {
	room  string
	since *int64
}

var _ hub.Member = (*client)(nil)

// Send implements hub.Member.
func (c *client) Send(frame []byte) {
	if c.slow.Load() {
		return
	}
	if c.queued.Add(1) > c.limit {
		if c.slow.CompareAndSwap(false, true) && c.closedBy(closeLabelSlow) {
			c.app.log.Warn("closing slow websocket: send buffer full", "user", c.identity().ID, "ip", c.ip, "buffer", c.limit)
			c.close(closeTryAgainLater, "slow")
		}
		return
	}
	_ = c.sess.Write(frame)
}

// closedBy records that the server closes c for reason (a
// danmaku_socket_closes_total label). It reports false when c was already
// being closed for another, which then stands.
func (c *client) closedBy(reason string) bool {
	if !c.closing.CompareAndSwap(false, true) {
		return false
	}
	c.app.metrics.SocketClosed(reason)
	return true
}

// close sends a close frame after whatever is queued; the socket's slots
// kept free (sendBufferHeadroom) guarantee it fits.
func (c *client) close(code int, reason string) {
	_ = c.sess.CloseWithMsg(closeMessage(code, reason))
}

// cut drops the connection without a close handshake, for sockets that
// do not answer one.
func (c *client) cut() {
	if c.raw != nil && c.raw.conn != nil {
		c.raw.conn.abort()
	}
}

// Backlog implements hub.Backlogger: frames queued and not yet written.
func (c *client) Backlog() int { return int(c.queued.Load()) }

// sent is called once melody has written a frame.
func (c *client) sent() { c.queued.Add(-1) }

func (c *client) sendError(ref string, err error) {
	c.Send(protocol.EncodeError(ref, err))
}

// handle decodes one frame and runs it. Errors go back as error frames or
// failed acks; the connection stays open.
func (c *client) handle(data []byte) {
	in, err := protocol.DecodeInbound(data)
	if err != nil {
		c.sendError(in.Ref, err)
		return
	}
	if err := c.permit(in); err != nil {
		c.refuse(in, err)
		return
	}
	switch in.Type {
	case protocol.TypeAuth:
		c.authenticate(in)
	case protocol.TypeJoin:
		err = c.join(in.Room, in.Since)
	case protocol.TypeLeave:
		err = c.leave(in.Room)
	case protocol.TypeComment:
		c.comment(in)
	case protocol.TypeLike:
		c.like(in)
	case protocol.TypePing:
		c.Send(protocol.Encode(struct {
			Type string `json:"type"`
			Ref  string `json:"ref,omitempty"`
		}{protocol.TypePong, in.Ref}))
	default:
		err = errs.New(errs.BadRequest, "frame type %q is not supported yet", in.Type)
	}
	if err != nil {
		c.sendError(in.Ref, err)
	}
}

// frameContext bounds the storage work one frame may wait for.
func frameContext() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), 5*time.Second)
}

// join runs joinRoom on a short-lived goroutine and waits for it. The
// storage reads grow a deep stack, which would otherwise stay with the
// socket's read goroutine for the socket's whole life (about 4 KiB each).
func (c *client) join(roomID string, since *int64) error {
	var err error
	done := make(chan struct{})
	go func() {
		defer close(done)
		err = c.joinRoom(roomID, since)
	}()
	<-done
	return err
}

// joinRoom adds the socket to a room: welcome first, then the comments after
// since (when given), then the live stream, with no gap and no duplicate.
func (c *client) joinRoom(roomID string, since *int64) error {
	if err := protocol.CheckRoomID(roomID); err != nil {
		return err
	}
	if _, ok := c.rooms[roomID]; ok {
		return errs.New(errs.Conflict, "already in room %q", roomID)
	}
	if len(c.rooms) >= c.app.cfg.MaxRoomsPerConn {
		return errs.New(errs.RateLimited, "a socket may be in at most %d rooms", c.app.cfg.MaxRoomsPerConn)
	}
	ctx, cancel := frameContext()
	defer cancel()
	if err := c.admit(ctx, roomID); err != nil {
		return err
	}

	// Join before reading last_seq: everything committed after the read is
	// then sure to be in the subscription's held messages.
	sub, viewers, err := c.app.hub.Join(roomID, c)
	if err != nil {
		return err
	}
	room, err := c.app.store.Room(ctx, roomID)
	if err != nil {
		sub.Leave()
		return err
	}
	if c.rooms == nil {
		c.rooms = map[string]*hub.Subscription{}
	}
	c.rooms[roomID] = sub
	c.Send(protocol.Encode(protocol.Welcome{
		Type: protocol.TypeWelcome, Room: roomID, Viewers: viewers, LastSeq: room.LastSeq, User: c.identity().Me(),
	}))
	after := room.LastSeq
	if since != nil && *since < room.LastSeq {
		after, err = c.catchUp(ctx, roomID, *since)
		if err != nil {
			c.app.log.Error("catch-up failed", "room", roomID, "err", err)
			after = *since
			c.sendError("", errs.New(errs.Internal, "could not replay missed comments"))
		}
	}
	sub.Release(after)
	return nil
}

// catchUpChunk is how many comments go in one catch-up frame.
const catchUpChunk = hub.MaxItemsPerFrame

// catchUp sends the room's comments after since and returns the last seq
// sent. Past CatchupLimit it stops and sends a gap frame telling the client
// to fetch the rest over REST.
func (c *client) catchUp(ctx context.Context, roomID string, since int64) (int64, error) {
	limit := c.app.cfg.CatchupLimit
	items, err := c.app.store.CommentsAfter(ctx, roomID, since, limit+1)
	if err != nil {
		return since, err
	}
	truncated := len(items) > limit
	if truncated {
		items = items[:limit]
	}
	last := since
	for start := 0; start < len(items); start += catchUpChunk {
		chunk := items[start:min(start+catchUpChunk, len(items))]
		c.Send(protocol.EncodeComments(roomID, chunk))
		last = chunk[len(chunk)-1].Seq
	}
	if truncated {
		c.Send(protocol.Encode(protocol.Gap{Type: protocol.TypeGap, Room: roomID, AfterSeq: last}))
	}
	return last, nil
}

func (c *client) leave(roomID string) error {
	sub, ok := c.rooms[roomID]
	if !ok {
		return errs.New(errs.NotFound, "not in room %q", roomID)
	}
	sub.Leave()
	delete(c.rooms, roomID)
	return nil
}

func (c *client) leaveAll() {
	for id, sub := range c.rooms {
		sub.Leave()
		delete(c.rooms, id)
	}
}

// roomFor picks the room a frame is about: the one it names, which the
// socket must be in, or the socket's only room.
func (c *client) roomFor(named string) (string, error) {
	if named != "" {
		if _, ok := c.rooms[named]; !ok {
			return "", errs.New(errs.Forbidden, "join room %q before sending to it", named)
		}
		return named, nil
	}
	if len(c.rooms) == 1 {
		for id := range c.rooms {
			return id, nil
		}
	}
	return "", errs.New(errs.BadRequest, "room is required when the socket is in %d rooms", len(c.rooms))
}

// comment submits a comment; the ack is sent once it is committed.
func (c *client) comment(in protocol.Inbound) {
	room, err := c.roomFor(in.Room)
	if err != nil {
		c.app.commentRefused(viaWS, err)
		c.Send(ackError(in.Ref, err))
		return
	}
	ctx, cancel := frameContext()
	defer cancel()
	ref := in.Ref
	c.app.submitComment(ctx, room, c.from(), in.CommentInput, func(stored protocol.Comment, err error) {
		if err != nil {
			c.Send(ackError(ref, err))
			return
		}
		c.Send(protocol.Encode(protocol.Ack{Type: protocol.TypeAck, Ref: ref, OK: true, Comment: &stored}))
	})
}

// like likes a comment, or the room's video when no comment_id is given.
func (c *client) like(in protocol.Inbound) {
	ctx, cancel := frameContext()
	defer cancel()
	ack := protocol.Ack{Type: protocol.TypeAck, Ref: in.Ref, OK: true}
	if in.CommentID != nil {
		change, err := c.app.store.LikeComment(ctx, *in.CommentID, c.identity().ID)
		if err != nil {
			c.Send(ackError(in.Ref, err))
			return
		}
		ack.Room, ack.CommentID, ack.Likes = change.Room, in.CommentID, &change.Likes
	} else {
		room, err := c.roomFor(in.Room)
		if err == nil {
			var change store.LikeChange
			change, err = c.app.store.LikeRoom(ctx, room, c.identity().ID)
			ack.Room, ack.Likes = room, &change.Likes
		}
		if err != nil {
			c.Send(ackError(in.Ref, err))
			return
		}
	}
	c.Send(protocol.Encode(ack))
}

func ackError(ref string, err error) []byte {
	return protocol.Encode(protocol.Ack{Type: protocol.TypeAck, Ref: ref, OK: false, Error: protocol.BodyOf(err)})
}
