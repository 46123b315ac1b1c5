package client

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// errSessionGone is a request on a connection that has just ended; it is
// tried again on the next one.
var errSessionGone = errors.New("client: connection ended")

// writeWait bounds one frame write; a server that takes longer is gone.
const writeWait = 10 * time.Second

// maxServerFrame bounds what one server frame may make the client buffer
// (a catch-up frame carries up to 500 comments).
const maxServerFrame = 1 << 20

// session is one WebSocket connection. The client replaces it on every
// reconnect; requests written on it are answered on it or fail with it.
type session struct {
	c    *Client
	conn *websocket.Conn
	wmu  sync.Mutex    // one writer at a time, as gorilla requires
	lost chan struct{} // closed when the reader has ended
	err  error         // why it ended; set before lost is closed

	// guarded by c.mu
	reqs  map[string]*request // by ref
	joins map[string]*room    // join refs, to match a refused join
	gone  bool                // the reader has ended: no new requests
}

// request is a frame waiting for its answer.
type request struct {
	ch chan reply // buffered: the first answer wins
}

// reply is the frame that answered a request, or why none will.
type reply struct {
	f   *serverFrame
	err error
}

func newSession(c *Client, conn *websocket.Conn) *session {
	conn.SetReadLimit(maxServerFrame)
	return &session{c: c, conn: conn, lost: make(chan struct{}),
		reqs: map[string]*request{}, joins: map[string]*room{}}
}

// register records a request under refs; nil when the session has ended.
func (s *session) register(refs ...string) *request {
	s.c.mu.Lock()
	defer s.c.mu.Unlock()
	if s.gone {
		return nil
	}
	req := &request{ch: make(chan reply, 1)}
	for _, ref := range refs {
		s.reqs[ref] = req
	}
	return req
}

// unregister forgets refs; a late answer is then dropped.
func (s *session) unregister(refs ...string) {
	s.c.mu.Lock()
	defer s.c.mu.Unlock()
	for _, ref := range refs {
		delete(s.reqs, ref)
	}
}

// answer settles the request for ref, if one waits; reports whether one did.
func (s *session) answer(ref string, r reply) bool {
	if ref == "" {
		return false
	}
	s.c.mu.Lock()
	req, ok := s.reqs[ref]
	if ok {
		for k, v := range s.reqs { // every ref of this request
			if v == req {
				delete(s.reqs, k)
			}
		}
	}
	s.c.mu.Unlock()
	if ok {
		select {
		case req.ch <- r:
		default:
		}
	}
	return ok
}

// write sends one JSON frame.
func (s *session) write(ctx context.Context, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return s.writeRaw(ctx, b)
}

// writeRaw sends one text frame, within writeWait and ctx's deadline.
func (s *session) writeRaw(ctx context.Context, b []byte) error {
	deadline := time.Now().Add(writeWait)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	_ = s.conn.SetWriteDeadline(deadline)
	return s.conn.WriteMessage(websocket.TextMessage, b)
}

// call writes frame (whose refs are refs) and waits for its answer. A
// frame that could not be written has not reached the server: written is
// false, and the connection is dropped so that the client reconnects.
func (s *session) call(ctx context.Context, frame []byte, refs ...string) (rep reply, written bool) {
	req := s.register(refs...)
	if req == nil {
		return reply{err: errSessionGone}, false
	}
	if err := s.writeRaw(ctx, frame); err != nil {
		s.unregister(refs...)
		s.drop()
		return reply{err: err}, false
	}
	select {
	case rep = <-req.ch:
		return rep, true
	case <-ctx.Done():
		s.unregister(refs...)
		return reply{err: ctx.Err()}, true
	}
}

// drop cuts the connection; the reader ends and the client reconnects.
func (s *session) drop() {
	s.c.mu.Lock()
	s.goneLocked()
	s.c.mu.Unlock()
	_ = s.conn.Close()
}

// goneLocked takes the session out of service: no new requests, and the
// client is offline until the next connection.
func (s *session) goneLocked() {
	s.gone = true
	if s.c.sess == s {
		s.c.sess = nil
		s.c.online = make(chan struct{})
	}
}

// closeGracefully sends a normal close frame and waits briefly for the
// server's answer before cutting the connection.
func (s *session) closeGracefully() {
	_ = s.conn.WriteControl(websocket.CloseMessage,
		websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(time.Second))
	select {
	case <-s.lost:
	case <-time.After(time.Second):
	}
	s.drop()
}

// read is the session's reader goroutine: it handles frames in order until
// the connection fails, then fails every request still waiting.
func (s *session) read() {
	defer s.c.wg.Done()
	defer s.finish()
	idle := s.c.opts.idleTimeout
	_ = s.conn.SetReadDeadline(time.Now().Add(idle))
	s.conn.SetPingHandler(func(data string) error {
		_ = s.conn.SetReadDeadline(time.Now().Add(idle))
		err := s.conn.WriteControl(websocket.PongMessage, []byte(data), time.Now().Add(writeWait))
		if err == websocket.ErrCloseSent {
			return nil
		}
		return err
	})
	for {
		_, data, err := s.conn.ReadMessage()
		if err != nil {
			s.err = err
			return
		}
		_ = s.conn.SetReadDeadline(time.Now().Add(idle))
		var f serverFrame
		if err := json.Unmarshal(data, &f); err != nil {
			s.c.opts.logger.Warn("danmaku client: a server frame is not JSON", "err", err)
			continue
		}
		s.c.handle(s, &f)
	}
}

// finish marks the session ended and fails what still waits on it: with
// the reason that ends the client when it does (a policy close, no
// reconnecting), else with ErrConnectionLost.
func (s *session) finish() {
	_ = s.conn.Close()
	s.c.mu.Lock()
	s.goneLocked()
	if fatal := s.c.fatal(s.err); fatal != nil {
		s.c.endLocked(fatal)
	}
	why := ErrConnectionLost
	if s.c.err != nil {
		why = s.c.err
	}
	reqs := s.reqs
	s.reqs = nil
	s.c.mu.Unlock()
	for _, req := range reqs {
		select {
		case req.ch <- reply{err: why}:
		default:
		}
	}
	close(s.lost)
}
