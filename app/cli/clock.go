package cli

import (
	"context"
	"time"
)

// Clock is the time as commands that pace themselves (relay) see it, so
// that tests can run them on virtual time.
type Clock interface {
	Now() time.Time
	// Sleep waits for d (nothing when d <= 0) or until ctx ends.
	Sleep(ctx context.Context, d time.Duration) error
}

// clock returns io's clock, or the real one.
func (io IO) clock() Clock {
	if io.Clock != nil {
		return io.Clock
	}
	return realClock{}
}

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

func (realClock) Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
