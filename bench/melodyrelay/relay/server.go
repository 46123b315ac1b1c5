package relay

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"
)

// Server is a relay listening on a TCP address.
type Server struct {
	*Relay
	ln   net.Listener
	srv  *http.Server
	done chan error
}

// Start listens on addr ("127.0.0.1:0" picks a free port) and serves a new
// relay with the given MaxMessageSize (≤ 0: DefaultMaxMessageSize).
func Start(addr string, maxMessageSize int64) (*Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("relay: listen: %w", err)
	}
	s := &Server{Relay: New(maxMessageSize), ln: ln, done: make(chan error, 1)}
	s.srv = &http.Server{Handler: s.Relay, ReadHeaderTimeout: 10 * time.Second}
	go func() { s.done <- s.srv.Serve(ln) }()
	return s, nil
}

// Addr is the address the server listens on.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Done delivers the serve loop's error if it stops on its own.
func (s *Server) Done() <-chan error { return s.done }

// Shutdown closes every WebSocket (net/http does not track hijacked
// connections, melody does) and stops the HTTP server.
func (s *Server) Shutdown(ctx context.Context) error {
	_ = s.Relay.Close() // ErrClosed on a second call: already done.
	if err := s.srv.Shutdown(ctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("relay: shutdown: %w", err)
	}
	return nil
}
