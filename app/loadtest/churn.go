package loadtest

import (
	"context"
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
type churn struct {
	opened, failed atomic.Int64
	wg             sync.WaitGroup
}

// run churns until ctx ends, then waits for its sockets to leave.
func (c *churn) run(ctx context.Context, r *run) {
	if r.cfg.Churn <= 0 {
		return
	}
	d := newDialers(r.cfg)
	tick := time.NewTicker(time.Duration(float64(time.Second) / r.cfg.Churn))
	defer tick.Stop()
	for i := 0; ; i++ {
		select {
		case <-ctx.Done():
			c.wg.Wait()
			return
		case <-tick.C:
		}
		c.wg.Go(func() { c.visit(ctx, r, d, i) })
	}
}

// visit is one churning socket's life.
func (c *churn) visit(ctx context.Context, r *run, d *dialers, i int) {
	room := r.plan.rooms[i%len(r.plan.rooms)].name
	conn, err := d.dial(ctx, i, room)
	if err != nil {
		if ctx.Err() == nil {
			c.failed.Add(1)
			r.count(r.sendErrors, "churn: "+err.Error())
		}
		return
	}
	c.opened.Add(1)
	hold := time.Duration(float64(r.cfg.ChurnHold) * (0.5 + rand.Float64()))
	_ = conn.SetReadDeadline(time.Now().Add(hold))
	go func() {
		select {
		case <-ctx.Done():
			_ = conn.SetReadDeadline(time.Now())
		case <-time.After(hold):
		}
	}()
	for {
		if _, _, err := conn.NextReader(); err != nil {
			break
		}
	}
	msg := websocket.FormatCloseMessage(websocket.CloseNormalClosure, "")
	_ = conn.WriteControl(websocket.CloseMessage, msg, time.Now().Add(time.Second))
	_ = conn.Close()
}
