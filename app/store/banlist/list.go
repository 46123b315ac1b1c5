// Package banlist keeps the bans in force in memory for any store backend,
// writing every change through to the backend's database.
package banlist

import (
	"cmp"
	"context"
	"net/netip"
	"slices"
	"sync"
	"time"

	"github.com/danmaku/danmaku/app/errs"
	"github.com/danmaku/danmaku/app/store"
	"github.com/danmaku/danmaku/plugins"
)

// Backend stores bans for a List.
type Backend interface {
	// AddBan stores b (which has a user id or an address) and returns it
	// with its ID and CreatedAt set; a room that does not exist is NotFound.
	AddBan(ctx context.Context, b store.Ban) (store.Ban, error)
	// LiftBan ends ban id now, keeping its row as history; lifting a
	// lifted ban returns it unchanged. An unknown id is NotFound.
	LiftBan(ctx context.Context, id int64, by string) (store.Ban, error)
	// ActiveBans returns the bans in force at now, oldest first.
	ActiveBans(ctx context.Context, now time.Time) ([]store.Ban, error)
}

// List is the bans in force, held in memory and written through to the
// backend. It is the plugins.BlockStore the blocklist plugin asks for every
// comment and join, so Lookup never touches the database.
type List struct {
	store Backend
	now   func() time.Time

	writeMu sync.Mutex // one ban change at a time, so the cache follows commit order

	mu     sync.RWMutex
	byUser map[string][]store.Ban
	byAddr map[netip.Addr][]store.Ban // bans of a single address
	ranges []store.Ban                // bans of wider address ranges
}

var (
	_ store.Bans          = (*List)(nil)
	_ plugins.BlockStore  = (*List)(nil)
	_ plugins.NonBlocking = (*List)(nil)
)

// Load reads the bans in force from s; now judges expiry (nil: time.Now).
func Load(ctx context.Context, s Backend, now func() time.Time) (*List, error) {
	if now == nil {
		now = time.Now
	}
	bans, err := s.ActiveBans(ctx, now())
	if err != nil {
		return nil, err
	}
	b := &List{store: s, now: now}
	b.rebuild(bans)
	return b, nil
}

// rebuild replaces the cache with bans. Called with mu held for writing, or before b is shared.
func (b *List) rebuild(bans []store.Ban) {
	b.byUser, b.byAddr, b.ranges = map[string][]store.Ban{}, map[netip.Addr][]store.Ban{}, nil
	for _, ban := range bans {
		b.index(ban)
	}
}

func (b *List) index(ban store.Ban) {
	if ban.UserID != "" {
		b.byUser[ban.UserID] = append(b.byUser[ban.UserID], ban)
	}
	switch {
	case !ban.IP.IsValid():
	case ban.IP.IsSingleIP():
		b.byAddr[ban.IP.Addr()] = append(b.byAddr[ban.IP.Addr()], ban)
	default:
		b.ranges = append(b.ranges, ban)
	}
}

// Active returns the bans in force, oldest first.
func (b *List) Active() []store.Ban {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return b.active(0)
}

// active lists the cached bans in force but skip, oldest first. Called with mu held.
func (b *List) active(skip int64) []store.Ban {
	now := b.now()
	seen := map[int64]bool{skip: true}
	out := []store.Ban{}
	add := func(list []store.Ban) {
		for _, ban := range list {
			if !seen[ban.ID] && ban.Active(now) {
				seen[ban.ID] = true
				out = append(out, ban)
			}
		}
	}
	for _, list := range b.byUser {
		add(list)
	}
	for _, list := range b.byAddr {
		add(list)
	}
	add(b.ranges)
	slices.SortFunc(out, func(x, y store.Ban) int { return cmp.Compare(x.ID, y.ID) })
	return out
}

// Ban stores ban and enforces it from now on. A ban of nobody (no user id,
// no address) is Invalid; its address is stored masked to its prefix.
func (b *List) Ban(ctx context.Context, ban store.Ban) (store.Ban, error) {
	if ban.UserID == "" && !ban.IP.IsValid() {
		return ban, errs.New(errs.Invalid, "a ban needs a user id or an address")
	}
	ban.IP = ban.IP.Masked()
	b.writeMu.Lock()
	defer b.writeMu.Unlock()
	ban, err := b.store.AddBan(ctx, ban)
	if err != nil {
		return ban, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.rebuild(append(b.active(0), ban)) // also drops the bans that expired
	return ban, nil
}

// Lift ends ban id now; see Backend.LiftBan.
func (b *List) Lift(ctx context.Context, id int64, by string) (store.Ban, error) {
	b.writeMu.Lock()
	defer b.writeMu.Unlock()
	ban, err := b.store.LiftBan(ctx, id, by)
	if err != nil {
		return ban, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.rebuild(b.active(id))
	return ban, nil
}

// Lookup implements plugins.BlockStore from memory.
func (b *List) Lookup(_ context.Context, q plugins.BlockQuery) (plugins.Block, bool, error) {
	now := b.now()
	b.mu.RLock()
	defer b.mu.RUnlock()
	if q.UserID != "" {
		if ban, ok := match(b.byUser[q.UserID], q.Room, now); ok {
			return ban, true, nil
		}
	}
	if !q.IP.IsValid() {
		return plugins.Block{}, false, nil
	}
	ip := q.IP.Unmap()
	if ban, ok := match(b.byAddr[ip], q.Room, now); ok {
		return ban, true, nil
	}
	for _, ban := range b.ranges {
		if ban.IP.Contains(ip) && inRoom(ban, q.Room) && ban.Active(now) {
			return block(ban), true, nil
		}
	}
	return plugins.Block{}, false, nil
}

// NonBlocking reports true: Lookup answers from memory.
func (b *List) NonBlocking() bool { return true }

func match(list []store.Ban, room string, now time.Time) (plugins.Block, bool) {
	for _, ban := range list {
		if inRoom(ban, room) && ban.Active(now) {
			return block(ban), true
		}
	}
	return plugins.Block{}, false
}

func inRoom(ban store.Ban, room string) bool { return ban.Room == "" || ban.Room == room }

func block(ban store.Ban) plugins.Block {
	blk := plugins.Block{Room: ban.Room, UserID: ban.UserID, IP: ban.IP, Reason: ban.Reason}
	if ban.Until != nil {
		blk.Until = ban.Until.Time()
	}
	return blk
}

// Reload reads the bans in force again: another node of a cluster changed them.
func (b *List) Reload(ctx context.Context) error {
	b.writeMu.Lock()
	defer b.writeMu.Unlock()
	bans, err := b.store.ActiveBans(ctx, b.now())
	if err != nil {
		return err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.rebuild(bans)
	return nil
}
