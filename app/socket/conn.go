package socket

import (
	"errors"
	"net"
	"net/netip"
	"sync/atomic"

	"github.com/gorilla/websocket"
	"github.com/olahol/melody"

	"github.com/danmaku/danmaku/app/protocol"
)

// WebSocket close codes the server uses (RFC 6455 §7.4.1).
const (
	closeGoingAway     = websocket.CloseGoingAway       // shutdown
	closePolicy        = websocket.ClosePolicyViolation // auth and abuse
	closeTryAgainLater = websocket.CloseTryAgainLater   // slow consumer
	sendBufferHeadroom = 8                              // slots kept free for the close frame
)

// Reasons the server closes sockets, as danmaku_socket_closes_total labels them.
const (
	closeLabelSlow         = "slow"
	closeLabelRateLimit    = "rate_limit"
	closeLabelWriteTimeout = "write_timeout"
)

// conn is what every socket has, viewer or moderator: its session, who it
// speaks for, its frame rate, and its send queue. Send may be called from
// anywhere; the rest runs on the socket's read goroutine unless it says so.
type conn struct {
	srv  *Server
	sess *melody.Session
	auth socketAuth // who it speaks for; read through identity()
	gate frameGate  // frame rate limit
	ip   string
	addr netip.Addr       // ip, parsed, for moderation
	raw  *handshakeWriter // the connection under the session, to cut it

	// queued counts frames handed to melody and not yet written; past limit
	// the socket is too slow and is closed instead of silently losing frames.
	queued atomic.Int32
	limit  int32
	slow   atomic.Bool
	// closing is set once the server has decided to close the socket, so
	// it is counted (and logged) for one reason only.
	closing atomic.Bool
}

func (c *conn) base() *conn { return c }

// Send queues one frame; it implements hub.Member.
func (c *conn) Send(frame []byte) {
	if c.slow.Load() {
		return
	}
	if c.queued.Add(1) > c.limit {
		if c.slow.CompareAndSwap(false, true) && c.closedBy(closeLabelSlow) {
			c.srv.log.Warn("closing slow websocket: send buffer full", "user", c.identity().ID, "ip", c.ip, "buffer", c.limit)
			c.close(closeTryAgainLater, "slow")
		}
		return
	}
	_ = c.sess.Write(frame)
}

// Backlog implements hub.Backlogger: frames queued and not yet written.
func (c *conn) Backlog() int { return int(c.queued.Load()) }

// sent is called once melody has written a frame.
func (c *conn) sent() { c.queued.Add(-1) }

// closedBy records that the server closes c for reason (a
// danmaku_socket_closes_total label). It reports false when c was already
// being closed for another, which then stands.
func (c *conn) closedBy(reason string) bool {
	if !c.closing.CompareAndSwap(false, true) {
		return false
	}
	c.srv.deps.Observer.SocketClosed(reason)
	return true
}

// close sends a close frame after whatever is queued; the socket's slots
// kept free (sendBufferHeadroom) guarantee it fits.
func (c *conn) close(code int, reason string) {
	_ = c.sess.CloseWithMsg(websocket.FormatCloseMessage(code, reason))
}

// cut drops the connection without a close handshake, for sockets that
// do not answer one.
func (c *conn) cut() {
	if c.raw != nil && c.raw.conn != nil {
		c.raw.conn.abort()
	}
}

func (c *conn) sendError(ref string, err error) { c.Send(protocol.EncodeError(ref, err)) }

// writeTimedOut reports whether err is a write deadline passing. Read
// timeouts (no pong, or the linger after a close) are *net.OpError "read".
func writeTimedOut(err error) bool {
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		return false
	}
	var op *net.OpError
	return !errors.As(err, &op) || op.Op == "write"
}
