package socket

import (
	"time"

	"golang.org/x/time/rate"

	"github.com/danmaku/danmaku/app/errs"
	"github.com/danmaku/danmaku/app/moderation"
	"github.com/danmaku/danmaku/app/protocol"
)

// strikeWindow is how long dropped frames count against a socket: one
// with more than FrameBurst frames dropped within it is closed.
const strikeWindow = 10 * time.Second

// reasonFlood is the close reason for a socket that kept sending over its limit.
const reasonFlood = "rate limit exceeded"

// frameGate holds a socket's frame-rate state; only its read goroutine touches it.
type frameGate struct {
	limiter *rate.Limiter // nil: no limit
	dropped int           // frames dropped since windowStart
	since   time.Time
	closing bool // over the strike limit: the rest is dropped silently
}

func newFrameGate(cfg Config) frameGate {
	if cfg.FrameRate <= 0 {
		return frameGate{}
	}
	return frameGate{limiter: rate.NewLimiter(rate.Limit(cfg.FrameRate), cfg.FrameBurst)}
}

// allowFrame reports whether the frame data may be handled: not once the socket
// is closing, nor when it is over the socket's rate. A frame over the
// socket's rate is dropped with a rate_limited error frame; a socket that
// keeps going (more than FrameBurst drops within strikeWindow) is closed
// with 1008.
func (c *conn) allowFrame(data []byte) bool {
	g := &c.gate
	if g.closing || c.sess.IsClosed() { // frames still in flight after the close frame went out
		return false
	}
	if g.limiter == nil || g.limiter.Allow() {
		return true
	}
	now := time.Now()
	if now.Sub(g.since) > strikeWindow {
		g.since, g.dropped = now, 0
	}
	g.dropped++
	if g.dropped > c.srv.cfg.FrameBurst {
		g.closing = true
		c.closedBy(closeLabelRateLimit)
		c.srv.log.Warn("closing websocket: it kept sending over the frame rate limit",
			"user", c.identity().ID, "ip", c.ip, "rate", c.srv.cfg.FrameRate)
		c.close(closePolicy, reasonFlood)
		return false
	}
	in, _ := protocol.DecodeInbound(data) // only for the ref, to fail the right request
	err := errs.New(errs.RateLimited, "too many frames: at most %g per second, bursts of %d", c.srv.cfg.FrameRate, c.srv.cfg.FrameBurst)
	if in.Type == protocol.TypeComment {
		c.srv.deps.Ingest.Refused(moderation.ViaWS, err)
	}
	c.sendError(in.Ref, err)
	return false
}
