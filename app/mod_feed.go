package app

import (
	"bytes"
	"context"
	"sync"
	"time"

	"github.com/danmaku/danmaku/app/protocol"
	"github.com/danmaku/danmaku/app/store"
)

// Sizes of the moderators' feed.
const (
	feedItems      = 500         // most comments in one feed frame; older ones are dropped and counted
	snapshotHeld   = 200         // held comments in a snapshot
	snapshotRecent = 100         // recent comments in a snapshot
	statsEvery     = time.Second // how often changed plugin counters are pushed
)

// modFeed pushes what happens to the moderators' sockets: every stored
// comment (with its status), moderators' decisions, ban changes and the
// plugin counters. Comments are coalesced into one frame per FlushEvery,
// encoded once for all moderators, so a busy server costs a moderator one
// frame per tick, not one per comment.
type modFeed struct {
	app *App

	mu          sync.Mutex
	members     map[*client]struct{}
	pending     []store.ModComment
	dropped     int
	bansChanged bool
	lastStats   []byte
	closed      bool

	stop chan struct{}
	done chan struct{}
}

func newModFeed(a *App) *modFeed {
	f := &modFeed{app: a, members: map[*client]struct{}{}, stop: make(chan struct{}), done: make(chan struct{})}
	go f.run()
	return f
}

// noteComments queues stored or changed comments for the moderators.
// Called on the writer's delivery goroutine, so it only appends.
func (f *modFeed) noteComments(items []store.ModComment) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed || len(f.members) == 0 {
		return
	}
	f.pending = append(f.pending, items...)
	if over := len(f.pending) - 2*feedItems; over > 0 {
		f.dropped += over
		f.pending = append(f.pending[:0], f.pending[over:]...)
	}
}

// noteBans marks the ban list changed.
func (f *modFeed) noteBans() {
	f.mu.Lock()
	f.bansChanged = true
	f.mu.Unlock()
}

// noteStats makes the next stats tick push the counters even if unchanged
// (after a reload, which resets them).
func (f *modFeed) noteStats() {
	f.mu.Lock()
	f.lastStats = nil
	f.mu.Unlock()
}

func (f *modFeed) run() {
	defer close(f.done)
	flush := time.NewTicker(f.app.cfg.FlushEvery)
	defer flush.Stop()
	stats := time.NewTicker(statsEvery)
	defer stats.Stop()
	for {
		select {
		case <-f.stop:
			return
		case <-flush.C:
			f.flush()
		case <-stats.C:
			f.pushStats()
		}
	}
}

// members lists the moderators' sockets now.
func (f *modFeed) list() []*client {
	out := make([]*client, 0, len(f.members))
	for c := range f.members {
		out = append(out, c)
	}
	return out
}

// flush sends the queued comments and a changed ban list.
func (f *modFeed) flush() {
	f.mu.Lock()
	items, dropped, bans := f.pending, f.dropped, f.bansChanged
	f.pending, f.dropped, f.bansChanged = nil, 0, false
	members := f.list()
	f.mu.Unlock()
	if len(members) == 0 {
		return
	}
	var frames [][]byte
	if n := len(items); n > 0 {
		if n > feedItems {
			dropped += n - feedItems
			items = items[n-feedItems:]
		}
		frames = append(frames, encodeMod(modComments{Type: modTypeComments, Items: items, Dropped: dropped}))
	}
	if bans {
		frames = append(frames, encodeMod(modBans{Type: modTypeBans, Bans: f.app.blocks.Active()}))
	}
	for _, c := range members {
		c.mod.push(c, frames...)
	}
}

// pushStats sends the plugin counters when they changed.
func (f *modFeed) pushStats() {
	f.mu.Lock()
	members := f.list()
	f.mu.Unlock()
	if len(members) == 0 {
		return
	}
	frame := encodeMod(modStats{Type: modTypeStats, Stats: f.app.plugins.Stats()})
	f.mu.Lock()
	same := bytes.Equal(frame, f.lastStats)
	f.lastStats = frame
	f.mu.Unlock()
	if same {
		return
	}
	for _, c := range members {
		c.mod.push(c, frame)
	}
}

// connect adds a moderator's socket and sends it a snapshot.
func (f *modFeed) connect(c *client) {
	f.mu.Lock()
	if f.closed {
		f.mu.Unlock()
		return
	}
	f.members[c] = struct{}{}
	f.mu.Unlock()
	f.refresh(c)
}

func (f *modFeed) disconnect(c *client) {
	f.mu.Lock()
	delete(f.members, c)
	f.mu.Unlock()
}

// refresh sends c a fresh snapshot. Feed frames that come meanwhile wait
// until after it, so the moderator's page applies them to the snapshot
// they follow and loses nothing.
func (f *modFeed) refresh(c *client) {
	c.mod.hold()
	ctx, cancel := frameContext()
	defer cancel()
	snap, err := f.snapshot(ctx, c.mod.identity().User())
	if err != nil {
		f.app.log.Error("moderator snapshot failed", "err", err)
		c.mod.release(c, protocol.EncodeError("", err))
		return
	}
	c.mod.release(c, encodeMod(snap))
}

func (f *modFeed) snapshot(ctx context.Context, user protocol.User) (modSnapshot, error) {
	held, err := f.app.store.HeldComments(ctx, "", snapshotHeld)
	if err != nil {
		return modSnapshot{}, err
	}
	recent, err := f.app.store.RecentComments(ctx, store.RecentQuery{Limit: snapshotRecent})
	if err != nil {
		return modSnapshot{}, err
	}
	return modSnapshot{
		Type: modTypeSnapshot, User: user, Held: held, Recent: recent,
		Bans: f.app.blocks.Active(), Stats: f.app.plugins.Stats(),
	}, nil
}

// close stops the ticker; later notes are dropped.
func (f *modFeed) close() {
	f.mu.Lock()
	if f.closed {
		f.mu.Unlock()
		return
	}
	f.closed = true
	f.members = map[*client]struct{}{}
	f.mu.Unlock()
	close(f.stop)
	<-f.done
}
