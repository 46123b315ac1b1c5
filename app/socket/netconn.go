package socket

import (
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// closeLinger is how long a socket the server closes keeps reading (and
// dropping) what the client still sends, before the connection goes.
const closeLinger = time.Second

// tcpConn is what socketConn needs of the TCP connection under a socket.
type tcpConn interface {
	CloseWrite() error
	SetLinger(sec int) error
}

// socketConn is the connection under a WebSocket, as the upgrader sees it.
// It does three things the plain hijacked connection does not:
//
//   - Read deadlines hold. The HTTP server clears the connection's deadlines
//     once its handler returns, which can be after melody has set the first
//     one, so a client that never answers a ping would never time out.
//     socketConn keeps its own timer and expires the read itself.
//   - After a failed write (a client that stopped reading) Close resets the
//     connection at once, so the kernel does not keep megabytes queued for a
//     peer that will never read them.
//   - Otherwise Close shuts the write side (FIN after the close frame) and
//     lets melody read, and drop, what the client still has in flight for
//     closeLinger before closing: closing with unread data would reset the
//     connection and lose the close frame, so a flooding client would never
//     learn its close code and reason.
type socketConn struct {
	net.Conn         // the hijacked connection; its Close frees the HTTP server's hold on it
	tcp      tcpConn // the TCP connection under it, or nil (e.g. TLS)
	failed   atomic.Bool
	once     sync.Once

	mu       sync.Mutex
	deadline time.Time   // the read deadline asked for; zero: none
	timer    *time.Timer // fires at deadline
}

// Write implements net.Conn, noting failures.
func (c *socketConn) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	if err != nil {
		c.failed.Store(true)
	}
	return n, err
}

// SetReadDeadline implements net.Conn; the deadline is enforced by a timer
// as well as by the connection (see socketConn).
func (c *socketConn) SetReadDeadline(t time.Time) error {
	c.mu.Lock()
	c.deadline = t
	switch {
	case t.IsZero() && c.timer != nil:
		c.timer.Stop()
	case t.IsZero():
	case c.timer == nil:
		c.timer = time.AfterFunc(time.Until(t), c.expire)
	default:
		c.timer.Reset(time.Until(t))
	}
	c.mu.Unlock()
	return c.Conn.SetReadDeadline(t)
}

// SetDeadline implements net.Conn.
func (c *socketConn) SetDeadline(t time.Time) error {
	if err := c.SetReadDeadline(t); err != nil {
		return err
	}
	return c.Conn.SetWriteDeadline(t)
}

// expire makes a read blocked past the deadline fail, even if the deadline
// was cleared under it.
func (c *socketConn) expire() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.deadline.IsZero() {
		return
	}
	if left := time.Until(c.deadline); left > 0 { // moved on since the timer was set
		c.timer.Reset(left)
		return
	}
	_ = c.Conn.SetReadDeadline(time.Unix(1, 0))
}

// Close implements net.Conn; see socketConn.
func (c *socketConn) Close() error {
	c.once.Do(func() {
		if c.tcp == nil || c.failed.Load() || c.tcp.CloseWrite() != nil {
			c.end(true)
			return
		}
		_ = c.SetReadDeadline(time.Now().Add(closeLinger))
		time.AfterFunc(closeLinger, func() { c.end(false) })
	})
	return nil
}

// abort resets the connection now, for clients that do not answer a close.
func (c *socketConn) abort() {
	c.once.Do(func() {})
	c.end(true)
}

// end closes the connection; with reset, discarding what is still queued
// for the peer (RST) instead of delivering it first.
func (c *socketConn) end(reset bool) {
	c.mu.Lock()
	if c.timer != nil {
		c.timer.Stop()
	}
	c.mu.Unlock()
	if reset && c.tcp != nil {
		_ = c.tcp.SetLinger(0)
	}
	_ = c.Conn.Close()
}
