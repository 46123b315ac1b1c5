package plugintest

import (
	"sync"
	"time"
)

// Epoch is where a new [Clock] starts: a fixed instant, so tests are repeatable.
var Epoch = time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)

// Clock is a manual clock; time moves only when the test says so.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock returns a clock at [Epoch].
func NewClock() *Clock { return &Clock{now: Epoch} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}
