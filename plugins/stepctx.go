package plugins

import (
	"context"
	"sync"
	"time"
)

// stepCtx is the context a plugin call receives: its parent plus the call's
// deadline. Unlike context.WithDeadline it starts no timer unless the
// plugin asks for Done, which most plugins (pure CPU work) never do; that
// saves a timer and its allocations per plugin per comment.
type stepCtx struct {
	parent   context.Context
	deadline time.Time

	mu         sync.Mutex
	done       chan struct{}
	err        error
	timer      *time.Timer
	stopParent func() bool
}

var _ context.Context = (*stepCtx)(nil)

func newStepCtx(parent context.Context, deadline time.Time) *stepCtx {
	return &stepCtx{parent: parent, deadline: deadline}
}

// reuse readies c for the next inline call if no timer was ever armed on
// it (Done never called), else returns a new context: an un-armed one holds
// nothing that could fire later. Only [NonBlocking] plugins, which promise
// not to keep ctx past their return, get a reused context.
func (c *stepCtx) reuse(parent context.Context, deadline time.Time) *stepCtx {
	if c != nil {
		c.mu.Lock()
		ok := c.done == nil
		if ok {
			c.parent, c.deadline, c.err = parent, deadline, nil
		}
		c.mu.Unlock()
		if ok {
			return c
		}
	}
	return newStepCtx(parent, deadline)
}

// Deadline returns the earlier of the call's and the parent's deadlines.
func (c *stepCtx) Deadline() (time.Time, bool) {
	if d, ok := c.parent.Deadline(); ok && d.Before(c.deadline) {
		return d, true
	}
	return c.deadline, true
}

// Value defers to the parent.
func (c *stepCtx) Value(key any) any { return c.parent.Value(key) }

// Done lazily arms a timer for the deadline and a hook on the parent.
func (c *stepCtx) Done() <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.done != nil {
		return c.done
	}
	c.done = make(chan struct{})
	if c.err != nil {
		close(c.done)
		return c.done
	}
	c.timer = time.AfterFunc(time.Until(c.deadline), func() { c.cancel(context.DeadlineExceeded) })
	if c.parent.Done() != nil {
		c.stopParent = context.AfterFunc(c.parent, func() { c.cancel(c.parent.Err()) })
	}
	return c.done
}

// Err reports expiry by looking at the clock, so polling needs no timer.
func (c *stepCtx) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err == nil {
		if err := c.parent.Err(); err != nil {
			c.cancelLocked(err)
		} else if !time.Now().Before(c.deadline) {
			c.cancelLocked(context.DeadlineExceeded)
		}
	}
	return c.err
}

// String names the context in panics and debug output.
func (c *stepCtx) String() string { return "plugins.stepCtx" }

// release ends the context when the call returns, stopping any timer.
func (c *stepCtx) release() { c.cancel(context.Canceled) }

func (c *stepCtx) cancel(err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.cancelLocked(err)
}

func (c *stepCtx) cancelLocked(err error) {
	if c.err != nil {
		return
	}
	c.err = err
	if c.done != nil {
		close(c.done)
	}
	if c.timer != nil {
		c.timer.Stop()
	}
	if c.stopParent != nil {
		c.stopParent()
	}
}
