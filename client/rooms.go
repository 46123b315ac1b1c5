package client

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/danmaku/danmaku/app/errs"
	"github.com/danmaku/danmaku/app/protocol"
)

// room is a room the client is in, or joining. Guarded by Client.mu.
type room struct {
	name    string
	lastSeq int64 // the last seq delivered: since= on the next join
	known   bool  // lastSeq is set (by Since, a welcome or a comment)
	sentOn  *session
	// welcomed is closed at the first welcome, once welcome is set;
	// failed, once err is set, when the first join was refused.
	welcomed, failed chan struct{}
	welcome          Welcome
	err              error
}

// settled reports whether Join has its answer. Called with Client.mu held.
func (r *room) settled() bool {
	select {
	case <-r.welcomed:
		return true
	case <-r.failed:
		return true
	default:
		return false
	}
}

// JoinOption configures one Join.
type JoinOption func(*room)

// Since starts the room's stream after seq: the comments after it come
// first (catch-up), then the live stream. Without it the stream starts
// with the first comment after joining.
func Since(seq int64) JoinOption {
	return func(r *room) { r.lastSeq, r.known = seq, true }
}

// Join enters room and returns the server's welcome; the room's events
// follow on Events. The client stays in the room across reconnects until
// Leave. A refused join (a ban: ErrForbidden; no such room: ErrNotFound)
// returns the server's *Error. Joining while offline waits for the
// connection.
func (c *Client) Join(ctx context.Context, name string, opts ...JoinOption) (Welcome, error) {
	if err := protocol.CheckRoomID(name); err != nil {
		return Welcome{}, serverError(errs.Invalid, errs.From(err).Message)
	}
	r := &room{name: name, welcomed: make(chan struct{}), failed: make(chan struct{})}
	for _, o := range opts {
		o(r)
	}
	c.mu.Lock()
	if c.err != nil {
		err := c.err
		c.mu.Unlock()
		return Welcome{}, err
	}
	if _, ok := c.rooms[name]; ok {
		c.mu.Unlock()
		return Welcome{}, &Error{Code: errs.Conflict, Message: fmt.Sprintf("already in room %q", name)}
	}
	c.rooms[name] = r
	c.mu.Unlock()

	for {
		c.mu.Lock()
		sess, wake := c.sess, c.online
		send := sess != nil && r.sentOn != sess
		if send {
			r.sentOn = sess
		}
		c.mu.Unlock()
		if send {
			sess.sendJoins(ctx, []*room{r})
		}
		if sess != nil {
			wake = sess.lost // the next connection joins again
		}
		select {
		case <-r.welcomed:
			return r.welcome, nil // set before welcomed was closed
		case <-r.failed:
			return Welcome{}, r.err
		case <-wake:
		case <-c.done:
			c.forget(r)
			return Welcome{}, c.Err()
		case <-ctx.Done():
			c.forget(r)
			c.leaveQuietly(r)
			return Welcome{}, ctx.Err()
		}
	}
}

// sendJoins writes a join frame for each room, resuming after its last
// seq. A failed write drops the connection; the next one joins again.
func (s *session) sendJoins(ctx context.Context, rooms []*room) {
	for _, r := range rooms {
		ref := s.c.nextRef("j")
		in := protocol.Inbound{Type: protocol.TypeJoin, Ref: ref, Room: r.name}
		s.c.mu.Lock()
		if r.known {
			since := r.lastSeq
			in.Since = &since
		}
		if !s.gone {
			s.joins[ref] = r
		}
		s.c.mu.Unlock()
		if err := s.write(ctx, in); err != nil {
			s.drop()
			return
		}
	}
}

// onWelcome records a room's welcome: the first sets where its stream
// starts, and completes Join.
func (c *Client) onWelcome(s *session, f *serverFrame) {
	c.mu.Lock()
	r, ok := c.rooms[f.Room]
	if !ok {
		c.mu.Unlock()
		return
	}
	for ref, jr := range s.joins {
		if jr == r {
			delete(s.joins, ref)
		}
	}
	resumed := r.known
	if !r.known {
		r.lastSeq, r.known = f.LastSeq, true
	}
	w := Welcome{Room: f.Room, Viewers: f.Viewers, LastSeq: f.LastSeq, User: f.User, Resumed: resumed}
	if !r.settled() {
		r.welcome = w
		close(r.welcomed)
	}
	c.mu.Unlock()
	c.emit(w)
}

// joinFailed drops a room whose join the server refused: Join returns the
// error, or, for a rejoin after a reconnect, an ErrorEvent says so.
func (c *Client) joinFailed(r *room, err error) {
	c.mu.Lock()
	if c.rooms[r.name] == r {
		delete(c.rooms, r.name)
	}
	first := !r.settled()
	if first {
		r.err = err
		close(r.failed)
	}
	c.mu.Unlock()
	if !first {
		c.emit(ErrorEvent{Room: r.name, Err: fmt.Errorf("client: could not rejoin room %q: %w", r.name, err)})
	}
}

// forget removes r from the client's rooms, if it is still there.
func (c *Client) forget(r *room) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.rooms[r.name] == r {
		delete(c.rooms, r.name)
	}
}

// leaveQuietly tells the server to take the connection out of r, when a
// join may have reached it; nothing waits for the answer.
func (c *Client) leaveQuietly(r *room) {
	c.mu.Lock()
	sess := c.sess
	sent := sess != nil && r.sentOn == sess
	c.mu.Unlock()
	if sent {
		_ = sess.write(context.Background(), protocol.Inbound{Type: protocol.TypeLeave, Room: r.name})
	}
}

// Leave takes the connection out of room: once Leave returns, no event of
// that room is delivered any more, and reconnects do not rejoin it.
func (c *Client) Leave(ctx context.Context, name string) error {
	c.mu.Lock()
	r, ok := c.rooms[name]
	if ok {
		delete(c.rooms, name)
		if !r.settled() { // a Join still waits for its welcome
			r.err = fmt.Errorf("client: left room %q before joining it", name)
			close(r.failed)
		}
	}
	sess := c.sess
	err := c.err
	c.mu.Unlock()
	switch {
	case err != nil:
		return err
	case !ok:
		return &Error{Code: errs.NotFound, Message: fmt.Sprintf("not in room %q", name)}
	case sess == nil:
		return nil // offline: the next connection does not join it
	}
	// A ping after the leave: its pong comes after the room's last frame
	// and after any error the leave gets.
	leaveRef, pingRef := c.nextRef("p"), c.nextRef("p")
	frames, _ := json.Marshal(protocol.Inbound{Type: protocol.TypeLeave, Ref: leaveRef, Room: name})
	req := sess.register(leaveRef, pingRef)
	if req == nil {
		return nil // the connection just ended, and with it the room
	}
	ping, _ := json.Marshal(protocol.Inbound{Type: protocol.TypePing, Ref: pingRef})
	if sess.writeRaw(ctx, frames) != nil || sess.writeRaw(ctx, ping) != nil {
		sess.unregister(leaveRef, pingRef)
		sess.drop()
		return nil
	}
	select {
	case rep := <-req.ch:
		if rep.err == ErrConnectionLost {
			return nil // the connection, and so the room, is gone
		}
		return rep.err
	case <-ctx.Done():
		sess.unregister(leaveRef, pingRef)
		return ctx.Err()
	}
}

// Rooms lists the rooms the client is in or joining, sorted.
func (c *Client) Rooms() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	names := make([]string, 0, len(c.rooms))
	for n := range c.rooms {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}
