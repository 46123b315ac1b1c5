package moderation

import (
	"bytes"
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/danmaku/danmaku/app/auth"
	"github.com/danmaku/danmaku/app/protocol"
	"github.com/danmaku/danmaku/app/protocol/modproto"
	"github.com/danmaku/danmaku/app/store"
	"github.com/danmaku/danmaku/plugins"
)

// Sizes of the moderators' feed.
const (
	feedItems      = 500         // most comments in one feed frame; older ones are dropped and counted
	SnapshotHeld   = 200         // held comments in a snapshot, and the default page of the held list
	SnapshotRecent = 100         // recent comments in a snapshot, and the default page of the recent list
	statsEvery     = time.Second // how often changed plugin counters are pushed
	snapshotWait   = 5 * time.Second
)

// Subscriber is a moderator's connection as the feed sees it. Push and
// Release must not block; a subscriber whose moderator lost the right to
// the feed drops what is pushed (and closes itself).
type Subscriber interface {
	Identity() auth.Identity
	Push(frames ...[]byte)
	// Hold makes pushed frames wait until Release, which sends first, then them.
	Hold()
	Release(first []byte)
}

// feedDeps are what the feed reads.
type feedDeps struct {
	store Store
	bans  store.Bans
	stats func() plugins.Stats
	live  func(context.Context) (modproto.Live, error)
	every time.Duration
	log   *slog.Logger
}

// Feed pushes what happens to the moderators' sockets: every stored
// comment (with its status), moderators' decisions, ban changes and the
// plugin counters. Comments are coalesced into one frame per tick, encoded
// once for all moderators, so a busy server costs a moderator one frame
// per tick, not one per comment.
type Feed struct {
	deps feedDeps

	mu          sync.Mutex
	members     map[Subscriber]struct{}
	pending     []store.ModComment
	dropped     int
	bansChanged bool
	liveChanged bool
	lastStats   []byte
	closed      bool

	stop chan struct{}
	done chan struct{}
}

func newFeed(deps feedDeps) *Feed {
	f := &Feed{deps: deps, members: map[Subscriber]struct{}{}, stop: make(chan struct{}), done: make(chan struct{})}
	go f.run()
	return f
}

// NoteComments queues stored or changed comments for the moderators. It
// may be called on the writer's delivery goroutine, so it only appends.
func (f *Feed) NoteComments(items []store.ModComment) {
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
func (f *Feed) noteBans() {
	f.mu.Lock()
	f.bansChanged = true
	f.mu.Unlock()
}

// noteLive marks the live tools' state changed.
func (f *Feed) noteLive() {
	f.mu.Lock()
	f.liveChanged = true
	f.mu.Unlock()
}

// noteStats makes the next stats tick push the counters even if unchanged
// (after a reload, which resets them).
func (f *Feed) noteStats() {
	f.mu.Lock()
	f.lastStats = nil
	f.mu.Unlock()
}

func (f *Feed) run() {
	defer close(f.done)
	flush := time.NewTicker(f.deps.every)
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

// list returns the moderators' sockets now; f.mu must be held.
func (f *Feed) list() []Subscriber {
	out := make([]Subscriber, 0, len(f.members))
	for s := range f.members {
		out = append(out, s)
	}
	return out
}

// flush sends the queued comments and a changed ban list.
func (f *Feed) flush() {
	f.mu.Lock()
	items, dropped, bans, live := f.pending, f.dropped, f.bansChanged, f.liveChanged
	f.pending, f.dropped, f.bansChanged, f.liveChanged = nil, 0, false, false
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
		frames = append(frames, protocol.Encode(modproto.Comments{Type: modproto.TypeComments, Items: items, Dropped: dropped}))
	}
	if bans {
		frames = append(frames, protocol.Encode(modproto.Bans{Type: modproto.TypeBans, Bans: f.deps.bans.Active()}))
	}
	if live {
		ctx, cancel := context.WithTimeout(context.Background(), snapshotWait)
		l, err := f.deps.live(ctx)
		cancel()
		if err != nil {
			f.deps.log.Error("reading the live tools for the feed failed", "err", err)
		} else {
			frames = append(frames, protocol.Encode(l))
		}
	}
	for _, s := range members {
		s.Push(frames...)
	}
}

// pushStats sends the plugin counters when they changed.
func (f *Feed) pushStats() {
	f.mu.Lock()
	members := f.list()
	f.mu.Unlock()
	if len(members) == 0 {
		return
	}
	frame := protocol.Encode(modproto.Stats{Type: modproto.TypeStats, Stats: f.deps.stats()})
	f.mu.Lock()
	same := bytes.Equal(frame, f.lastStats)
	f.lastStats = frame
	f.mu.Unlock()
	if same {
		return
	}
	for _, s := range members {
		s.Push(frame)
	}
}

// Connect adds a moderator's socket and sends it a snapshot.
func (f *Feed) Connect(s Subscriber) {
	f.mu.Lock()
	if f.closed {
		f.mu.Unlock()
		return
	}
	f.members[s] = struct{}{}
	f.mu.Unlock()
	f.Refresh(s)
}

// Disconnect removes a moderator's socket.
func (f *Feed) Disconnect(s Subscriber) {
	f.mu.Lock()
	delete(f.members, s)
	f.mu.Unlock()
}

// RefreshAll sends every moderator's socket a fresh snapshot, one after
// another: after the cluster's bus was down, feed items other nodes sent
// meanwhile are lost, and the store has them all.
func (f *Feed) RefreshAll() {
	f.mu.Lock()
	members := f.list()
	f.mu.Unlock()
	for _, s := range members {
		f.Refresh(s)
	}
}

// Refresh sends s a fresh snapshot. Feed frames that come meanwhile wait
// until after it, so the moderator's page applies them to the snapshot
// they follow and loses nothing.
func (f *Feed) Refresh(s Subscriber) {
	s.Hold()
	ctx, cancel := context.WithTimeout(context.Background(), snapshotWait)
	defer cancel()
	snap, err := f.snapshot(ctx, s.Identity().User())
	if err != nil {
		f.deps.log.Error("moderator snapshot failed", "err", err)
		s.Release(protocol.EncodeError("", err))
		return
	}
	s.Release(protocol.Encode(snap))
}

func (f *Feed) snapshot(ctx context.Context, user protocol.User) (modproto.Snapshot, error) {
	held, err := f.deps.store.HeldComments(ctx, "", SnapshotHeld)
	if err != nil {
		return modproto.Snapshot{}, err
	}
	recent, err := f.deps.store.RecentComments(ctx, store.RecentQuery{Limit: SnapshotRecent})
	if err != nil {
		return modproto.Snapshot{}, err
	}
	reported, err := f.deps.store.ReportedComments(ctx, "", SnapshotHeld)
	if err != nil {
		return modproto.Snapshot{}, err
	}
	live, err := f.deps.live(ctx)
	if err != nil {
		return modproto.Snapshot{}, err
	}
	return modproto.Snapshot{
		Type: modproto.TypeSnapshot, User: user, Held: held, Recent: recent, Reported: reported,
		Bans: f.deps.bans.Active(), Stats: f.deps.stats(), Live: live,
	}, nil
}

// close stops the ticker; later notes are dropped.
func (f *Feed) close() {
	f.mu.Lock()
	if f.closed {
		f.mu.Unlock()
		return
	}
	f.closed = true
	f.members = map[Subscriber]struct{}{}
	f.mu.Unlock()
	close(f.stop)
	<-f.done
}
