package loadtest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
)

// ramp dials every socket with at most cfg.Dials in flight and starts its
// reader. It stops feeding new dials at the first failure: the run cannot
// start anyway, and a dead server should not cost a full timeout per socket.
func (r *run) ramp(ctx context.Context, pw io.Writer) error {
	d := newDialers(r.cfg)
	jobs := make(chan int)
	var (
		wg             sync.WaitGroup
		opened, failed atomic.Int64
		failures       = map[string]int64{}
	)
	for range min(r.cfg.Dials, len(r.socks)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				s := r.socks[i]
				conn, err := d.dial(ctx, i, r.plan.rooms[s.room].name)
				if err != nil {
					failed.Add(1)
					r.count(failures, err.Error())
					continue
				}
				s.conn = conn
				r.readers.Add(1)
				go r.read(s)
				opened.Add(1)
			}
		}()
	}
	fed := make(chan struct{})
	go func() {
		defer close(fed)
		defer close(jobs)
		for i := range r.socks {
			if failed.Load() > 0 || ctx.Err() != nil {
				return
			}
			jobs <- i
		}
	}()
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for waiting := true; waiting; {
		select {
		case <-fed:
			waiting = false
		case <-tick.C:
			fmt.Fprintf(pw, "connect  %d/%d open, %d failed\n", opened.Load(), len(r.socks), failed.Load())
		}
	}
	wg.Wait()
	if n := failed.Load(); n > 0 {
		return fmt.Errorf("connect: %d of %d sockets failed (%d opened before the ramp stopped): %s",
			n, len(r.socks), opened.Load(), strings.Join(tally(failures), "; "))
	}
	return ctx.Err()
}

// join waits until every socket has joined its room: in json mode each must
// get its welcome; in raw mode, where the relay says nothing, the first socket
// of each room repeats a sync frame until every member has seen one relayed.
func (r *run) join(ctx context.Context, pw io.Writer, t0 time.Time) error {
	timeout := time.NewTimer(r.cfg.JoinTimeout)
	defer timeout.Stop()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	lastLine := time.Now()
	for {
		if r.cfg.Mode == ModeRaw {
			if err := r.sendSync(); err != nil {
				return err
			}
		}
		select {
		case <-r.allJoined:
			fmt.Fprintf(pw, "joined   %d sockets in %.1fs\n", len(r.socks), time.Since(t0).Seconds())
			return nil
		case <-ctx.Done():
			return ctx.Err()
		case <-timeout.C:
			return fmt.Errorf("join: %d of %d sockets not joined after %s (%d dropped)",
				r.unjoined.Load(), len(r.socks), r.cfg.JoinTimeout, r.dropped.Load())
		case <-tick.C:
			if time.Since(lastLine) >= time.Second {
				fmt.Fprintf(pw, "join     %d/%d joined\n", int64(len(r.socks))-r.unjoined.Load(), len(r.socks))
				lastLine = time.Now()
			}
		}
	}
}

// sendSync writes the barrier frame from the first socket of every room that
// still has an unjoined member.
func (r *run) sendSync() error {
	pending := make([]bool, len(r.rooms))
	first := make([]*socket, len(r.rooms))
	for _, s := range r.socks {
		if first[s.room] == nil {
			first[s.room] = s
		}
		if !s.joined.Load() {
			pending[s.room] = true
		}
	}
	var errs []error
	for room, p := range pending {
		if !p {
			continue
		}
		s := first[room]
		_ = s.conn.SetWriteDeadline(time.Now().Add(writeWait))
		if err := s.conn.WriteMessage(websocket.TextMessage, r.sync); err != nil {
			errs = append(errs, fmt.Errorf("join: sync frame to room %s: %w", r.plan.rooms[room].name, err))
		}
	}
	return errors.Join(errs...)
}
