package plugins

import (
	"errors"
	"sync"
	"sync/atomic"
	"time"
)

// Isolated is implemented by plugins that run code the server does not
// own: a sandboxed module or another service. The chain puts a circuit
// breaker ([DefaultBreaker]) in front of each unless its entry sets
// `breaker`; return false when it depends on configuration.
type Isolated interface {
	Isolated() bool
}

// BreakerConfig is a circuit breaker's policy: after Failures failures
// (errors, panics, timeouts) within Window, the plugin is skipped, with
// its on_error applied, for Cooldown; then one call tries it again, and
// closes the breaker if it succeeds or opens it for another Cooldown.
type BreakerConfig struct {
	Failures int           // failures that open the breaker; 0 turns it off
	Window   time.Duration // counted over this long
	Cooldown time.Duration // how long the plugin is skipped
}

// DefaultBreaker is the breaker of [Isolated] plugins.
var DefaultBreaker = BreakerConfig{Failures: 5, Window: 30 * time.Second, Cooldown: 30 * time.Second}

// ErrBreakerOpen is wrapped by [Result.Err] when a plugin was skipped
// because its circuit breaker is open.
var ErrBreakerOpen = errors.New("circuit breaker open: the plugin is skipped for its cool-down")

// BreakerState is where a circuit breaker is.
type BreakerState uint32

// The breaker states.
const (
	BreakerClosed   BreakerState = iota // calls go through
	BreakerOpen                         // calls are skipped until the cool-down ends
	BreakerHalfOpen                     // one trial call is on its way
)

var breakerStateNames = [...]string{"closed", "open", "half_open"}

// String returns "closed", "open" or "half_open", as in JSON.
func (s BreakerState) String() string {
	if int(s) < len(breakerStateNames) {
		return breakerStateNames[s]
	}
	return "unknown"
}

// breaker is one chain entry's circuit breaker. A closed breaker costs a
// call one atomic load; the mutex is taken only on failures and while open.
type breaker struct {
	cfg   BreakerConfig
	now   func() time.Time
	state atomic.Uint32 // a BreakerState
	opens atomic.Uint64

	mu          sync.Mutex
	windowStart time.Time
	failures    int
	openedAt    time.Time
}

func newBreaker(cfg BreakerConfig, now func() time.Time) *breaker {
	return &breaker{cfg: cfg, now: now}
}

// allow reports whether a call may go ahead: always while closed; while
// open, only once the cool-down is over, and then for one trial call,
// which trial reports.
func (b *breaker) allow() (ok, trial bool) {
	switch BreakerState(b.state.Load()) {
	case BreakerClosed:
		return true, false
	case BreakerHalfOpen:
		return false, false
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if BreakerState(b.state.Load()) != BreakerOpen || b.now().Sub(b.openedAt) < b.cfg.Cooldown {
		return false, false
	}
	b.state.Store(uint32(BreakerHalfOpen))
	return true, true
}

// skipping reports whether allow would refuse a call now, without taking
// the trial: open within the cool-down, or half open.
func (b *breaker) skipping() bool {
	switch BreakerState(b.state.Load()) {
	case BreakerClosed:
		return false
	case BreakerHalfOpen:
		return true
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	return BreakerState(b.state.Load()) != BreakerOpen || b.now().Sub(b.openedAt) < b.cfg.Cooldown
}

// untry gives back a trial that allow granted for a call never made, so
// the next call is the trial (the cool-down stays over).
func (b *breaker) untry() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if BreakerState(b.state.Load()) == BreakerHalfOpen {
		b.state.Store(uint32(BreakerOpen))
	}
}

// success notes a successful call; a successful trial closes the breaker.
func (b *breaker) success() {
	if BreakerState(b.state.Load()) != BreakerHalfOpen {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if BreakerState(b.state.Load()) == BreakerHalfOpen {
		b.failures = 0
		b.state.Store(uint32(BreakerClosed))
	}
}

// failure notes a failed call and reports whether it opened the breaker.
func (b *breaker) failure() (opened bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	now := b.now()
	switch BreakerState(b.state.Load()) {
	case BreakerOpen:
		return false // a call that started before the breaker opened
	case BreakerHalfOpen:
		b.open(now)
		return true
	}
	if b.failures == 0 || now.Sub(b.windowStart) > b.cfg.Window {
		b.windowStart, b.failures = now, 0
	}
	b.failures++
	if b.failures >= b.cfg.Failures {
		b.open(now)
		return true
	}
	return false
}

func (b *breaker) open(now time.Time) {
	b.openedAt, b.failures = now, 0
	b.state.Store(uint32(BreakerOpen))
	b.opens.Add(1)
}
