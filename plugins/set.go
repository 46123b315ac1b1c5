package plugins

import (
	"context"
	"errors"
	"log/slog"
	"maps"
	"path"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Set is a built configuration: the default chain and the room chains.
// Use it directly, or let a [Pipeline] hold it and swap it on reload.
type Set struct {
	def       *Chain
	rooms     map[string]*Chain
	patterns  []*Chain    // rooms keyed by a pattern (live-*), in config order
	instances []*instance // every instance the chains use; the set closes those it owns
	loadedAt  time.Time
	hash      string
	log       *slog.Logger

	refs      atomic.Int64 // the owner's reference plus in-flight calls (Pipeline)
	closeOnce sync.Once
	closeErr  error
}

// Chain returns the chain for room: its own if configured, else that of
// the first room pattern matching it (in config order), else the default.
func (s *Set) Chain(room string) *Chain {
	if ch, ok := s.rooms[room]; ok {
		return ch
	}
	for _, ch := range s.patterns {
		if ok, _ := path.Match(ch.room, room); ok {
			return ch
		}
	}
	return s.def
}

// Hash is a short digest of the configuration the set runs (every entry's
// name, settings and config block): equal hashes mean equal chains.
func (s *Set) Hash() string { return s.hash }

// chains returns every chain: the default, the rooms, the patterns.
func (s *Set) chains() []*Chain {
	out := []*Chain{s.def}
	for _, room := range slices.Sorted(maps.Keys(s.rooms)) {
		out = append(out, s.rooms[room])
	}
	return append(out, s.patterns...)
}

// entryAt returns the entry at p in s, or nil (also when s is nil).
func (s *Set) entryAt(p place) *entry {
	if s == nil {
		return nil
	}
	for _, ch := range s.chains() {
		if ch.room != p.chain {
			continue
		}
		for _, e := range ch.entries {
			if e.at == p {
				return e
			}
		}
	}
	return nil
}

// adopt makes s the owner of every instance it kept from a previous set,
// so the previous set no longer closes them. Call it once s is in place.
func (s *Set) adopt() {
	for _, inst := range s.instances {
		inst.owner.Store(s)
	}
}

// Run moderates c with the chain of c.Room.
func (s *Set) Run(ctx context.Context, c Comment) Result { return s.Chain(c.Room).Run(ctx, c) }

// Join checks j with the chain of j.Room.
func (s *Set) Join(ctx context.Context, j Join) JoinResult { return s.Chain(j.Room).Join(ctx, j) }

// Stats snapshots the counters of every chain.
func (s *Set) Stats() Stats {
	st := Stats{LoadedAt: s.loadedAt, ConfigHash: s.hash, Default: s.def.Stats()}
	if n := len(s.rooms) + len(s.patterns); n > 0 {
		st.Rooms = make(map[string]ChainStats, n)
		for room, ch := range s.rooms {
			st.Rooms[room] = ch.Stats()
		}
		for _, ch := range s.patterns {
			st.Rooms[ch.room] = ch.Stats()
		}
	}
	return st
}

// Rooms returns the rooms that have their own chain, patterns included.
func (s *Set) Rooms() []string {
	rooms := slices.Sorted(maps.Keys(s.rooms))
	for _, ch := range s.patterns {
		rooms = append(rooms, ch.room)
	}
	return rooms
}

// Close closes every plugin instance that implements [Closer], once; later
// calls return the first result. Calls still running may see closed plugins.
func (s *Set) Close() error {
	s.closeOnce.Do(func() { s.closeErr = s.closePlugins() })
	return s.closeErr
}

func (s *Set) closePlugins() error {
	var errs []error
	for _, inst := range s.instances {
		if inst.closer == nil || inst.owner.Load() != s {
			continue // holds nothing, or a later set kept it
		}
		if err := inst.closer.Close(); err != nil {
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
