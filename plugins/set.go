package plugins

import (
	"context"
	"errors"
	"log/slog"
	"maps"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Set is a built configuration: the default chain and the room chains.
// Use it directly, or let a [Pipeline] hold it and swap it on reload.
type Set struct {
	def      *Chain
	rooms    map[string]*Chain
	closers  []Closer
	loadedAt time.Time
	log      *slog.Logger

	refs      atomic.Int64 // the owner's reference plus in-flight calls (Pipeline)
	closeOnce sync.Once
	closeErr  error
}

// Chain returns the chain for room: its own if configured, else the default.
func (s *Set) Chain(room string) *Chain {
	if ch, ok := s.rooms[room]; ok {
		return ch
	}
	return s.def
}

// Run moderates c with the chain of c.Room.
func (s *Set) Run(ctx context.Context, c Comment) Result { return s.Chain(c.Room).Run(ctx, c) }

// Join checks j with the chain of j.Room.
func (s *Set) Join(ctx context.Context, j Join) JoinResult { return s.Chain(j.Room).Join(ctx, j) }

// Stats snapshots the counters of every chain.
func (s *Set) Stats() Stats {
	st := Stats{LoadedAt: s.loadedAt, Default: s.def.Stats()}
	if len(s.rooms) > 0 {
		st.Rooms = make(map[string]ChainStats, len(s.rooms))
		for room, ch := range s.rooms {
			st.Rooms[room] = ch.Stats()
		}
	}
	return st
}

// Rooms returns the rooms that have their own chain.
func (s *Set) Rooms() []string { return slices.Sorted(maps.Keys(s.rooms)) }

// Close closes every plugin instance that implements [Closer], once; later
// calls return the first result. Calls still running may see closed plugins.
func (s *Set) Close() error {
	s.closeOnce.Do(func() { s.closeErr = s.closePlugins() })
	return s.closeErr
}

func (s *Set) closePlugins() error {
	var errs []error
	for _, c := range s.closers {
		if err := c.Close(); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// acquire takes a reference unless the set is already being closed.
func (s *Set) acquire() bool {
	for {
		n := s.refs.Load()
		if n <= 0 {
			return false
		}
		if s.refs.CompareAndSwap(n, n+1) {
			return true
		}
	}
}

// release drops a reference; the last one closes the plugins, in the
// background when a comment's caller drops it so the caller does not wait.
func (s *Set) release(background bool) {
	if s.refs.Add(-1) != 0 {
		return
	}
	closeAndLog := func() {
		if err := s.Close(); err != nil {
			s.log.Warn("closing replaced moderation plugins", "err", err)
		}
	}
	if background {
		go closeAndLog()
	} else {
		closeAndLog()
	}
}
