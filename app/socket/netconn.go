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
// It does two things the plain hijacked connection does not:
//
//   - After a failed write (a client that stopped reading) Close resets the
//     connection at once, so the kernel does not keep megabytes queued for a
//     peer that will never read them.
//   - Otherwise Close shuts the write side (FIN after the close frame) and
//     lets melody read, and drop, what the client still has in flight for
//     closeLinger before closing: closing with unread data would reset the
//     connection and lose the close frame, so a flooding client would never
//     learn its close code and reason.
//
// Read deadlines are the connection's own: fasthttp clears its deadlines
// before it hands the connection over (bridge.go), so melody's hold.
type socketConn struct {
	net.Conn         // the hijacked connection
	tcp      tcpConn // the TCP connection under it, or nil (e.g. TLS)
	failed   atomic.Bool
	once     sync.Once
}

// Write implements net.Conn, noting failures.
func (c *socketConn) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	if err != nil {
		c.failed.Store(true)
	}
	return n, err
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
	if reset && c.tcp != nil {
		_ = c.tcp.SetLinger(0)
	}
	_ = c.Conn.Close()
}
