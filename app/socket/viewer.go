package socket

import (
	"context"
	"time"

	"github.com/danmaku/danmaku/app/errs"
	"github.com/danmaku/danmaku/app/hub"
	"github.com/danmaku/danmaku/app/moderation"
	"github.com/danmaku/danmaku/app/protocol"
	"github.com/danmaku/danmaku/app/store"
)

// viewerSocket is a viewer's connection, GET /ws. Its rooms are touched
// only by the connection's own read goroutine (connect, frames, disconnect
// all run there).
type viewerSocket struct {
	conn
	initial *joinRequest
	// admitted is the room the handshake's join hooks let in, so the
	// initial join does not ask them twice.
	admitted string
	rooms    map[string]*hub.Subscription
	joined   joinedRooms      // rooms, for other goroutines
	banned   *protocol.Banned // the handshake found the user banned: close at once
	version  protocol.Version // how comments frames are written (?v=)
	comments commentQueue     // comments being moderated, off the read goroutine
}

type joinRequest struct {
	room  string
	since *int64
}

var (
	_ hub.Member     = (*viewerSocket)(nil)
	_ hub.Backlogger = (*viewerSocket)(nil)
	_ hub.Versioned  = (*viewerSocket)(nil)
)

// WireVersion is the version the handshake asked for (hub.Versioned).
func (c *viewerSocket) WireVersion() protocol.Version { return c.version }

// UserID is the user the socket speaks for now (ingest.UserMember).
func (c *viewerSocket) UserID() string { return c.identity().ID }

func (c *viewerSocket) connected() {
	if c.banned != nil {
		c.closeBanned(*c.banned)
		return
	}
	if !c.identity().Anonymous() { // an anonymous socket joins once it has authenticated
		c.joinInitial()
	}
}

func (c *viewerSocket) disconnected() {
	c.comments.stop()
	c.leaveAll()
}

func (c *viewerSocket) message(data []byte) { c.handle(data) }

// from is the socket's user as a sender.
func (c *viewerSocket) from() moderation.Sender {
	return moderation.Sender{Identity: c.identity(), IP: c.addr, Via: moderation.ViaWS}
}

// admit runs the room's join hooks for this socket, except for the room
// its handshake already admitted.
func (c *viewerSocket) admit(ctx context.Context, room string) error {
	if c.admitted == room {
		c.admitted = ""
		return nil
	}
	return c.srv.deps.Moderation.Admit(ctx, room, c.from())
}

// handle decodes one frame and runs it. Errors go back as error frames or
// failed acks; the connection stays open.
func (c *viewerSocket) handle(data []byte) {
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
	case protocol.TypeUnlike, protocol.TypeReport, protocol.TypeRecall:
		c.feedback(in)
	case protocol.TypePing:
		c.Send(protocol.EncodePong(in.Ref))
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
func (c *viewerSocket) join(roomID string, since *int64) error {
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
func (c *viewerSocket) joinRoom(roomID string, since *int64) error {
	if err := protocol.CheckRoomID(roomID); err != nil {
		return err
	}
	if _, ok := c.rooms[roomID]; ok {
		return errs.New(errs.Conflict, "already in room %q", roomID)
	}
	if len(c.rooms) >= c.srv.cfg.MaxRoomsPerConn {
		return errs.New(errs.RateLimited, "a socket may be in at most %d rooms", c.srv.cfg.MaxRoomsPerConn)
	}
	ctx, cancel := frameContext()
	defer cancel()
	if err := c.admit(ctx, roomID); err != nil {
		return c.refuseJoin(ctx, roomID, err)
	}

	// Join before reading last_seq: everything committed after the read is
	// then sure to be in the subscription's held messages.
	sub, viewers, err := c.srv.deps.Hub.Join(roomID, c)
	if err != nil {
		return err
	}
	room, err := c.srv.deps.Store.Room(ctx, roomID)
	if err != nil {
		sub.Leave()
		return err
	}
	if c.rooms == nil {
		c.rooms = map[string]*hub.Subscription{}
	}
	c.rooms[roomID] = sub
	c.joined.set(roomID, true)
	c.Send(protocol.Encode(protocol.Welcome{
		Type: protocol.TypeWelcome, Room: roomID, Viewers: viewers, LastSeq: room.LastSeq, User: c.identity().Me(),
	}))
	after := room.LastSeq
	if since != nil && *since < room.LastSeq {
		after, err = c.catchUp(ctx, roomID, *since)
		if err != nil {
			c.srv.log.Error("catch-up failed", "room", roomID, "err", err)
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
func (c *viewerSocket) catchUp(ctx context.Context, roomID string, since int64) (int64, error) {
	limit := c.srv.cfg.CatchupLimit
	items, err := c.srv.deps.Store.CommentsAfter(ctx, roomID, since, limit+1)
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
		c.Send(protocol.EncodeCommentsAs(c.version, roomID, chunk))
		last = chunk[len(chunk)-1].Seq
	}
	if truncated {
		c.Send(protocol.Encode(protocol.Gap{Type: protocol.TypeGap, Room: roomID, AfterSeq: last}))
	}
	return last, nil
}

func (c *viewerSocket) leave(roomID string) error {
	sub, ok := c.rooms[roomID]
	if !ok {
		return errs.New(errs.NotFound, "not in room %q", roomID)
	}
	sub.Leave()
	delete(c.rooms, roomID)
	c.joined.set(roomID, false)
	return nil
}

func (c *viewerSocket) leaveAll() {
	for id, sub := range c.rooms {
		sub.Leave()
		delete(c.rooms, id)
		c.joined.set(id, false)
	}
}

// roomFor picks the room a frame is about: the one it names, which the
// socket must be in, or the socket's only room.
func (c *viewerSocket) roomFor(named string) (string, error) {
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

// comment submits a comment; the ack is sent once it is committed. The
// comment is moderated on the socket's comment queue, not here: the read
// goroutine goes on with the next frame (a ping, a like) at once.
func (c *viewerSocket) comment(in protocol.Inbound) {
	room, err := c.roomFor(in.Room)
	if err == nil && !c.comments.push(func() { c.submit(room, in) }) {
		err = errs.New(errs.RateLimited, "too many comments waiting on this socket (at most %d): wait for their acks", maxCommentsInFlight)
	}
	if err != nil {
		c.srv.deps.Ingest.Refused(moderation.ViaWS, err)
		c.Send(protocol.EncodeAckError(in.Ref, err))
	}
}

// submit hands one comment to ingest, on the socket's comment queue.
func (c *viewerSocket) submit(room string, in protocol.Inbound) {
	ctx, cancel := frameContext()
	defer cancel()
	ref := in.Ref
	c.srv.deps.Ingest.Submit(ctx, room, c.from(), in.CommentInput, func(stored protocol.Comment, err error) {
		if err != nil {
			c.Send(protocol.EncodeAckError(ref, err))
			return
		}
		c.Send(protocol.Encode(protocol.Ack{Type: protocol.TypeAck, Ref: ref, OK: true, Comment: &stored}))
	})
}

// like likes a comment, or the room's video when no comment_id is given.
func (c *viewerSocket) like(in protocol.Inbound) {
	ctx, cancel := frameContext()
	defer cancel()
	ack := protocol.Ack{Type: protocol.TypeAck, Ref: in.Ref, OK: true}
	if in.CommentID != nil {
		change, err := c.srv.deps.Store.LikeComment(ctx, *in.CommentID, c.identity().ID, c.likeRooms(in.Room))
		if err != nil {
			c.Send(protocol.EncodeAckError(in.Ref, err))
			return
		}
		ack.Room, ack.CommentID, ack.Likes = change.Room, in.CommentID, &change.Likes
	} else {
		room, err := c.roomFor(in.Room)
		if err == nil {
			var change store.LikeChange
			change, err = c.srv.deps.Store.LikeRoom(ctx, room, c.identity().ID)
			ack.Room, ack.Likes = room, &change.Likes
		}
		if err != nil {
			c.Send(protocol.EncodeAckError(in.Ref, err))
			return
		}
	}
	c.Send(protocol.Encode(ack))
}

// likeRooms are the rooms whose comments a like frame may like: the one
// it names, or else every room the socket is in. Never nil, so a socket
// in no room may like nothing.
func (c *viewerSocket) likeRooms(named string) []string {
	if named != "" {
		if _, ok := c.rooms[named]; !ok {
			return []string{}
		}
		return []string{named}
	}
	rooms := make([]string, 0, len(c.rooms))
	for id := range c.rooms {
		rooms = append(rooms, id)
	}
	return rooms
}

// permit decides whether the socket may send in right now: nothing but
// auth while pending, nothing at all once revoked, and comments and likes
// only for those who may participate.
func (c *viewerSocket) permit(in protocol.Inbound) error {
	c.auth.mu.Lock()
	pending, revoked, id := c.auth.pending, c.auth.revoked, c.auth.tok.Identity
	c.auth.mu.Unlock()
	switch {
	case revoked != "":
		return errs.New(errs.Unauthorized, "%s", revoked)
	case in.Type == protocol.TypeAuth:
		return nil
	case pending:
		return errs.New(errs.Unauthorized, "send an auth frame with your token first")
	}
	if err := c.recheck(in.Ref); err != nil {
		return err
	}
	switch in.Type {
	case protocol.TypeComment, protocol.TypeLike, protocol.TypeUnlike, protocol.TypeReport, protocol.TypeRecall:
		return c.srv.deps.Auth.MayParticipate(id)
	}
	return nil
}

// refuse answers a frame permit refused: a failed ack for requests that
// expect one, an error frame otherwise.
func (c *viewerSocket) refuse(in protocol.Inbound, err error) {
	if in.Type == protocol.TypeComment {
		c.srv.deps.Ingest.Refused(moderation.ViaWS, err)
	}
	switch in.Type {
	case protocol.TypeComment, protocol.TypeLike, protocol.TypeUnlike, protocol.TypeReport, protocol.TypeRecall:
		c.Send(protocol.EncodeAckError(in.Ref, err))
	default:
		c.sendError(in.Ref, err)
	}
}

// authenticate handles an auth frame: a good token makes the socket that
// token's user (answered with authed, then the join the handshake asked
// for, if it was waiting); a bad one gets an error frame and a 1008 close.
func (c *viewerSocket) authenticate(in protocol.Inbound) {
	ctx, cancel := context.WithTimeout(context.Background(), recheckTimeout)
	defer cancel()
	t, err := c.srv.deps.Auth.Verify(ctx, in.Token)
	if err != nil {
		c.revoke(0, in.Ref, err)
		return
	}
	c.setCredentials(t)
	c.Send(protocol.Encode(protocol.Authed{
		Type: protocol.TypeAuthed, Ref: in.Ref, User: t.Identity.Me(), ExpiresAt: protocol.TimestampOf(t.Expires),
	}))
	c.joinInitial()
}

// joinInitial joins the room the handshake named, once.
func (c *viewerSocket) joinInitial() {
	if j := c.initial; j != nil {
		c.initial = nil
		if err := c.join(j.room, j.since); err != nil {
			c.sendError("", err)
		}
	}
}
