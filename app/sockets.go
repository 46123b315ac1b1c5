package app

import (
	"bufio"
	"context"
	"errors"
	"net"
	"net/http"
	"sync"
	"time"
)

// sockets is the registry of open WebSocket clients.
type sockets struct {
	mu      sync.Mutex
	clients map[*client]struct{}
	mods    int            // how many of clients are moderator sockets
	wg      sync.WaitGroup // one per handshake, done when its handler returns
}

func (s *sockets) add(c *client) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.clients == nil {
		s.clients = map[*client]struct{}{}
	}
	if _, ok := s.clients[c]; !ok && c.mod != nil {
		s.mods++
	}
	s.clients[c] = struct{}{}
}

func (s *sockets) remove(c *client) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.clients[c]; ok && c.mod != nil {
		s.mods--
	}
	delete(s.clients, c)
}

// count returns how many viewer and moderator sockets are open.
func (s *sockets) count() (viewers, moderators int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.clients) - s.mods, s.mods
}

func (s *sockets) each(fn func(*client)) {
	s.mu.Lock()
	list := make([]*client, 0, len(s.clients))
	for c := range s.clients {
		list = append(list, c)
	}
	s.mu.Unlock()
	for _, c := range list {
		fn(c)
	}
}

// closeAll asks every socket to close with code, waits up to grace for the
// clients to answer, then cuts the connections that are left, and waits for
// their handlers to return (bounded by ctx).
func (s *sockets) closeAll(ctx context.Context, code int, reason string, grace time.Duration) error {
	s.each(func(c *client) { c.close(code, reason) })
	graceCtx, cancel := context.WithTimeout(ctx, grace)
	defer cancel()
	if waitGroup(graceCtx, &s.wg) == nil {
		return nil
	}
	s.each(func(c *client) { c.cut() })
	return waitGroup(ctx, &s.wg)
}

// waitGroup waits for wg or ctx, whichever ends first.
func waitGroup(ctx context.Context, wg *sync.WaitGroup) error {
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// hijackRecorder keeps the raw connection the upgrader hijacks, so that a
// socket that never answers a close frame can still be cut, and hands the
// upgrader a socketConn around it.
type hijackRecorder struct {
	http.ResponseWriter
	tcp  net.Conn // the TCP connection, from the HTTP server
	conn *socketConn
}

// Hijack implements http.Hijacker.
func (h *hijackRecorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	hj, ok := h.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, errors.New("connection cannot be hijacked")
	}
	conn, rw, err := hj.Hijack()
	if err != nil {
		return conn, rw, err
	}
	cc := &socketConn{Conn: conn}
	cc.tcp, _ = h.tcp.(tcpConn)
	h.conn = cc
	// The buffered reader and writer must go through cc too.
	rw.Reader.Reset(cc)
	rw.Writer.Reset(cc)
	return cc, rw, nil
}
