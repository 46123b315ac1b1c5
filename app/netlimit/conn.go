package netlimit

import (
	"errors"
	"net"
	"net/netip"
	"sync"
)

// conn is an accepted connection, uncounted when it closes.
type conn struct {
	net.Conn
	l      *Listener
	ip     netip.Addr
	capped bool // counted against its address's cap
	once   sync.Once
}

// Close implements net.Conn; the first call frees the connection's place.
func (c *conn) Close() error {
	err := c.Conn.Close()
	c.once.Do(func() { c.l.release(c.ip, c.capped) })
	return err
}

// errNotTCP is what the TCP-only calls return on other connections.
var errNotTCP = errors.New("netlimit: not a TCP connection")

// CloseWrite shuts the sending side of a TCP connection (the WebSocket
// layer sends FIN after a close frame).
func (c *conn) CloseWrite() error {
	if tc, ok := c.Conn.(*net.TCPConn); ok {
		return tc.CloseWrite()
	}
	return errNotTCP
}

// SetLinger sets SO_LINGER on a TCP connection (0: reset on close).
func (c *conn) SetLinger(sec int) error {
	if tc, ok := c.Conn.(*net.TCPConn); ok {
		return tc.SetLinger(sec)
	}
	return errNotTCP
}
