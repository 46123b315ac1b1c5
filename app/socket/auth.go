package socket

import (
	"context"
	"sync"
	"time"

	"github.com/danmaku/danmaku/app/auth"
	"github.com/danmaku/danmaku/app/errs"
	"github.com/danmaku/danmaku/app/httpapi/middleware"
)

// Close reasons sent with 1008 when a socket's identity ends.
const (
	reasonAuthTimeout = "authentication timeout"
	reasonExpired     = "token expired"
	// ReasonSignedOut is the close reason of the sockets of a session
	// that was signed out.
	ReasonSignedOut = middleware.ReasonSignedOut
)

// recheckTimeout bounds the store read a frame may wait for when this
// node's view of the socket's session is stale.
const recheckTimeout = 5 * time.Second

// socketAuth is who a socket speaks for. An auth frame, token expiry or a
// sign-out changes it while the socket is open, so every frame reads it
// afresh: a change takes effect from the very next frame.
type socketAuth struct {
	mu      sync.Mutex
	tok     auth.Token  // who, until when, on which session
	pending bool        // no identity yet (guests off): only auth is accepted
	revoked string      // why the identity ended; the socket is closing
	timer   *time.Timer // fires at token expiry, or at the auth deadline when pending
	gen     uint64      // bumped on every change, so a timer that lost the race does nothing
	ended   bool        // the socket closed: no new timers
}

// identity returns who the socket speaks for right now.
func (c *conn) identity() auth.Identity {
	c.auth.mu.Lock()
	defer c.auth.mu.Unlock()
	return c.auth.tok.Identity
}

// startAuth arms the timer that ends the identity the handshake proved, or,
// for a socket that came without one, the deadline for its auth frame. It
// runs once the socket is connected.
func (c *conn) startAuth() {
	c.auth.mu.Lock()
	defer c.auth.mu.Unlock()
	if c.auth.tok.Identity.Anonymous() {
		c.auth.pending = true
		c.armLocked(c.srv.cfg.AuthTimeout, reasonAuthTimeout)
		return
	}
	if !c.auth.tok.Expires.IsZero() {
		c.armLocked(time.Until(c.auth.tok.Expires), reasonExpired)
	}
}

// setCredentials makes the socket speak for t's identity until it expires.
func (c *conn) setCredentials(t auth.Token) {
	c.auth.mu.Lock()
	defer c.auth.mu.Unlock()
	c.auth.tok, c.auth.pending = t, false
	c.armLocked(time.Until(t.Expires), reasonExpired)
}

// recheck checks again that the socket's token still stands (its session
// not ended, on this node or another); every frame asks. A session that
// ended revokes the socket; a store that cannot answer refuses this
// frame only. Either way it returns why.
func (c *conn) recheck(ref string) error {
	c.auth.mu.Lock()
	t := c.auth.tok
	c.auth.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), recheckTimeout)
	defer cancel()
	err := c.srv.deps.Auth.Recheck(ctx, t)
	if err != nil && errs.CodeOf(err) == errs.Unauthorized {
		c.revoke(0, ref, errs.New(errs.Unauthorized, "%s", ReasonSignedOut))
	}
	return err
}

// revoked reports whether the socket's identity ended and it is closing.
func (c *conn) revoked() bool {
	c.auth.mu.Lock()
	defer c.auth.mu.Unlock()
	return c.auth.revoked != ""
}

// session returns the id of the session the socket stands on, or "".
func (c *conn) session() string {
	c.auth.mu.Lock()
	defer c.auth.mu.Unlock()
	return c.auth.tok.Session
}

// armLocked replaces the socket's timer: after d it is closed with 1008 and
// reason, unless its identity changed in the meantime.
func (c *conn) armLocked(d time.Duration, reason string) {
	c.auth.gen++
	if c.auth.timer != nil {
		c.auth.timer.Stop()
		c.auth.timer = nil
	}
	if c.auth.ended || c.auth.revoked != "" {
		return
	}
	gen := c.auth.gen
	c.auth.timer = time.AfterFunc(max(d, 0), func() { c.revoke(gen, "", errs.New(errs.Unauthorized, "%s", reason)) })
}

// revoke ends the socket's identity, if it is still generation gen (0: any):
// it sends why as an error frame (echoing ref), then closes the socket with
// 1008 and the error's message as the reason. Frames that arrive before the
// close completes are refused.
func (c *conn) revoke(gen uint64, ref string, why error) {
	reason := errs.From(why).Message
	c.auth.mu.Lock()
	if (gen != 0 && gen != c.auth.gen) || c.auth.ended || c.auth.revoked != "" {
		c.auth.mu.Unlock()
		return
	}
	c.auth.revoked = reason
	c.armLocked(0, "") // stops the timer
	c.auth.mu.Unlock()
	c.closedBy(revokeLabel(reason))
	c.sendError(ref, why)
	c.close(closePolicy, reason)
}

// endAuth stops the socket's timer when it closes.
func (c *conn) endAuth() {
	c.auth.mu.Lock()
	defer c.auth.mu.Unlock()
	c.auth.ended = true
	c.armLocked(0, "")
}

// revokeLabel names a revoked socket's close reason for metrics: one of a
// fixed few, never the free-text message.
func revokeLabel(reason string) string {
	switch reason {
	case reasonAuthTimeout:
		return "auth_timeout"
	case reasonExpired:
		return "token_expired"
	case ReasonSignedOut:
		return "signed_out"
	}
	return "unauthorized"
}
