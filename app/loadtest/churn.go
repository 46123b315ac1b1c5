package loadtest

import (
	"context"
	"errors"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
)

// churn opens cfg.Churn extra sockets per second while the run sends: each
// joins a room (round-robin), reads whatever it is sent for about
// cfg.ChurnHold (0.5× to 1.5×, so they do not leave in step), and leaves
// with a normal close. They reconnect-storm the server's connect, join,
// catch-up and disconnect paths, which a leak would show in a long run;
// they are not part of the delivery accounting.
//
// A dial that fails on the network (a timeout, a reset: a loaded machine)
// is tried again, as a client reconnects; only the server's refusal of a
// handshake (an HTTP answer other than the upgrade) is a failure.
type churn struct {
	opened, retried, refused atomic.Int64
	wg                       sync.WaitGroup

	mu        sync.Mutex
	retryErrs map[string]int64 // why dials were tried again, by kind
}

// churnBackoff is the first pause before a failed dial is tried again; it
// doubles up to churnBackoffMax.
const (
	churnBackoff    = 50 * time.Millisecond
	churnBackoffMax = time.Second
)

// run starts a visit every 1/cfg.Churn seconds until window ends, then
// waits for the visits to leave. Visits dial under ctx (the whole run's),
// not window: a handshake under way when the window closes completes (or
// times out after cfg.DialTimeout) rather than being cut short, so the end
// of the window is never mistaken for a failure.
func (c *churn) run(window, ctx context.Context, r *run) {
	if r.cfg.Churn <= 0 {
		return
	}
	d := newDialers(r.cfg)
	tick := time.NewTicker(time.Duration(float64(time.Second) / r.cfg.Churn))
	defer tick.Stop()
	for i := 0; ; i++ {
		select {
		case <-window.Done():
			c.wg.Wait()
			return
		case <-tick.C:
		}
		c.wg.Go(func() { c.visit(window, ctx, r, d, i) })
	}
}

// visit is one churning socket's life: connect (trying again while the
// window is open), stay, leave.
func (c *churn) visit(window, ctx context.Context, r *run, d *dialers, i int) {
	room := r.plan.rooms[i%len(r.plan.rooms)].name
	conn := c.connect(window, ctx, r, d, i, room)
	if conn == nil {
		return
	}
	c.opened.Add(1)
	hold := time.Duration(float64(r.cfg.ChurnHold) * (0.5 + rand.Float64()))
	_ = conn.SetReadDeadline(time.Now().Add(hold))
	// The window's end cuts the stay short (at once if it is over already).
	stop := context.AfterFunc(window, func() { _ = conn.SetReadDeadline(time.Now()) })
	defer stop()
	for {
		if _, _, err := conn.NextReader(); err != nil {
			break
		}
	}
	msg := websocket.FormatCloseMessage(websocket.CloseNormalClosure, "")
	_ = conn.WriteControl(websocket.CloseMessage, msg, time.Now().Add(time.Second))
	_ = conn.Close()
}

// connect dials until it gets a socket, the server refuses one, or it is
// too late: the window closed (no new attempt then) or the run ended. It
// returns nil unless connected.
func (c *churn) connect(window, ctx context.Context, r *run, d *dialers, i int, room string) *websocket.Conn {
	pause := churnBackoff
	for {
		conn, err := d.dial(ctx, i, room)
		switch {
		case err == nil:
			return conn
		case ctx.Err() != nil:
			return nil // interrupted
		case errors.Is(err, websocket.ErrBadHandshake):
			c.refused.Add(1)
			r.count(r.sendErrors, "churn: "+err.Error())
			return nil
		case window.Err() != nil:
			return nil // too late to try again; not a visit, and not a loss
		}
		c.retried.Add(1)
		c.noteRetry(err)
		select {
		case <-window.Done():
			return nil
		case <-time.After(pause):
		}
		pause = min(2*pause, churnBackoffMax)
	}
}

// noteRetry counts why a dial is tried again.
func (c *churn) noteRetry(err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.retryErrs == nil {
		c.retryErrs = map[string]int64{}
	}
	bump(c.retryErrs, err.Error())
}

// fill puts the churn's counts into rep.
func (c *churn) fill(rep *Report) {
	c.mu.Lock()
	defer c.mu.Unlock()
	rep.ChurnOpened, rep.ChurnRetried, rep.ChurnFailed = c.opened.Load(), c.retried.Load(), c.refused.Load()
	if len(c.retryErrs) > 0 {
		rep.ChurnRetryErrors = tally(c.retryErrs)
	}
}
