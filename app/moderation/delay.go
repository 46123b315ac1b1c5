package moderation

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/danmaku/danmaku/app/errs"
	"github.com/danmaku/danmaku/app/store"
)

// delaySystem is who approves the comments the chat delay held, in the
// moderated_by column and the feed.
const delaySystem = "chat-delay"

// delayer approves comments the chat delay held once their wait is over,
// unless a moderator decided first.
type delayer struct {
	decide func(ctx context.Context, ids []int64) error
	log    interface {
		Warn(msg string, args ...any)
	}

	mu     sync.Mutex
	timers map[int64]*time.Timer
	closed bool
}

// release approves comment id after wait.
func (d *delayer) release(id int64, wait time.Duration) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return
	}
	d.timers[id] = time.AfterFunc(wait, func() {
		d.mu.Lock()
		delete(d.timers, id)
		closed := d.closed
		d.mu.Unlock()
		if closed {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), ActionTimeout)
		defer cancel()
		if err := d.decide(ctx, []int64{id}); err != nil && errs.CodeOf(err) != errs.Conflict {
			d.log.Warn("releasing a delayed comment failed", "comment", id, "err", err)
		}
	})
}

// close stops the timers; the comments they would release stay held, and
// the next start releases them (resume).
func (d *delayer) close() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.closed = true
	for _, t := range d.timers {
		t.Stop()
	}
	d.timers = nil
}

// ReleaseLater approves comment id, which the chat delay held, after wait
// (ingest calls it once the comment is stored).
func (s *Service) ReleaseLater(id int64, wait time.Duration) { s.delay.release(id, wait) }

// ResumeDelayed releases the comments a stopped server's chat delay still
// held: at once, since their wait is over or nearly so. The server calls
// it once it is built, as releasing commits and delivers.
func (s *Service) ResumeDelayed(ctx context.Context) error {
	if s.live == nil {
		return nil
	}
	held, err := s.deps.Store.HeldComments(ctx, "", maxPurge)
	if err != nil {
		return err
	}
	for _, c := range held {
		if strings.HasPrefix(c.Note, delayNote) {
			s.delay.release(c.ID, 0)
		}
	}
	return nil
}

func (s *Service) newDelayer() *delayer {
	return &delayer{
		timers: map[int64]*time.Timer{}, log: s.log,
		decide: func(ctx context.Context, ids []int64) error {
			_, err := s.deps.Store.Decide(ctx, ids, store.Approve, delaySystem)
			return err
		},
	}
}
