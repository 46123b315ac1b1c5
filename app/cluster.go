package app

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/danmaku/danmaku/app/hub"
	"github.com/danmaku/danmaku/app/hub/cluster"
	"github.com/danmaku/danmaku/app/moderation"
	"github.com/danmaku/danmaku/app/protocol"
	"github.com/danmaku/danmaku/app/store"
	"github.com/danmaku/danmaku/app/store/postgres"
	"github.com/danmaku/danmaku/plugins"
)

// Topics of the cluster bus (cluster.Broker.Send).
const (
	topicFeed   = "feed"   // comments for the moderators' feed
	topicBan    = "ban"    // a ban made: reload the list, close the banned sockets
	topicUnban  = "unban"  // a ban lifted: reload the list
	topicReload = "reload" // the plugin chains were reloaded
	topicLive   = "live"   // the live tools changed: read them again, tell the moderators
	topicRejoin = "rejoin" // a node's bus is back (or answers one that is): see rejoin
)

// clustered reports whether the server runs as a node of a cluster: with
// Redis, or on a PostgreSQL database other nodes may share (without
// Redis, their comments arrive by reading it every PollEvery).
func (c Config) clustered() bool { return c.Redis != "" || postgres.IsURL(c.DBPath) }

// newBroker returns the hub's broker: the in-process one for a single
// node, else the cluster broker over Redis (when set) and the store,
// which it reads through a.store once New has opened it.
func (a *App) newBroker(cfg Config) (hub.Broker, error) {
	if !cfg.clustered() {
		return hub.NewMemoryBroker(), nil
	}
	opts := cluster.Options{Store: storeReader{a}, Logger: a.log.With("component", "cluster"), OnReconnect: a.rejoined}
	if cfg.Redis != "" {
		c, err := cluster.Connect(cfg.Redis)
		if err != nil {
			return nil, fmt.Errorf("config: redis: %w", err)
		}
		opts.Redis = c
	}
	b, err := cluster.New(opts)
	if err != nil {
		if opts.Redis != nil {
			opts.Redis.Close()
		}
		return nil, err
	}
	a.cluster = b
	return b, nil
}

// storeReader is what the cluster broker reads of the store.
type storeReader struct{ a *App }

func (r storeReader) CommentsAfter(ctx context.Context, room string, after int64, limit int) ([]protocol.Comment, error) {
	return r.a.store.CommentsAfter(ctx, room, after, limit)
}

func (r storeReader) LastSeq(ctx context.Context, room string) (int64, error) {
	rm, err := r.a.store.Room(ctx, room)
	return rm.LastSeq, err
}

// clusterFeed is the moderators' feed of every node: what this node
// stores reaches its own moderators at once and the other nodes' in one
// bus message per feedEvery, not one per comment.
type clusterFeed struct {
	local *moderation.Feed
	b     *cluster.Broker

	mu      sync.Mutex
	pending []store.ModComment
	stop    chan struct{}
	done    chan struct{}
}

// feedEvery is how often the feed's comments go to the other nodes.
const feedEvery = 50 * time.Millisecond

// feedMax bounds what waits for the next send; the feed itself sends
// moderators at most 500 a frame and counts the rest as dropped.
const feedMax = 2000

func newClusterFeed(local *moderation.Feed, b *cluster.Broker) *clusterFeed {
	f := &clusterFeed{local: local, b: b, stop: make(chan struct{}), done: make(chan struct{})}
	go f.run()
	return f
}

// NoteComments implements ingest.Feed.
func (f *clusterFeed) NoteComments(items []store.ModComment) {
	f.local.NoteComments(items)
	f.mu.Lock()
	f.pending = append(f.pending, items...)
	if over := len(f.pending) - feedMax; over > 0 {
		f.pending = append(f.pending[:0], f.pending[over:]...)
	}
	f.mu.Unlock()
}

func (f *clusterFeed) run() {
	defer close(f.done)
	t := time.NewTicker(feedEvery)
	defer t.Stop()
	for {
		select {
		case <-f.stop:
			return
		case <-t.C:
		}
		f.mu.Lock()
		items := f.pending
		f.pending = nil
		f.mu.Unlock()
		if len(items) == 0 {
			continue
		}
		if data, err := json.Marshal(items); err == nil {
			f.b.Send(topicFeed, data)
		}
	}
}

// close stops the sends; what waits is dropped, as the feed drops what
// it has not sent when it closes.
func (f *clusterFeed) close() {
	close(f.stop)
	<-f.done
}

// joinCluster hands moderation's events to the other nodes and takes
// theirs: the feed, ban changes, plugin reloads.
func (a *App) joinCluster() {
	b := a.cluster
	b.Handle(topicFeed, func(p []byte) {
		var items []store.ModComment
		if err := json.Unmarshal(p, &items); err == nil {
			a.moderation.Feed().NoteComments(items)
		}
	})
	bans := func(p []byte, closeSockets bool) {
		// Off the subscriber's goroutine: reading the ban list takes a query.
		go func() {
			a.resyncBans()
			var ban store.Ban
			if closeSockets && json.Unmarshal(p, &ban) == nil {
				a.sockets.CloseBanned(ban)
			}
		}()
	}
	b.Handle(topicBan, func(p []byte) { bans(p, true) })
	b.Handle(topicUnban, func(p []byte) { bans(p, false) })
	b.Handle(topicRejoin, func(p []byte) {
		var r rejoin
		if json.Unmarshal(p, &r) == nil {
			go a.peerRejoined(r) // reads the store: off the subscriber's goroutine
		}
	})
	b.Handle(topicLive, func([]byte) {
		go a.moderation.PeerLiveChanged() // its feed reads the store: off the subscriber's goroutine
	})
	b.Handle(topicReload, func([]byte) {
		go func() {
			if err := a.moderation.ReloadHere(context.Background()); err != nil {
				a.log.Error("cluster: reloading the plugins as another node did failed", "err", err)
			}
		}()
	})
}

// announce sends a moderation event to the other nodes, if any.
func (a *App) announce(topic string, v any) {
	if a.cluster == nil {
		return
	}
	data, _ := json.Marshal(v)
	a.cluster.Send(topic, data)
}

// redisHealth is /readyz's Redis check: nil without Redis.
func (a *App) redisHealth() func() error {
	if a.cluster == nil || a.cfg.Redis == "" {
		return nil
	}
	return a.cluster.Ready
}

// counters are the cluster's shared rate counters: nil on a single node.
func (a *App) counters() plugins.Counters {
	if a.cluster == nil {
		return nil
	}
	return a.cluster.Counters()
}

// liveShared is the live tools' shared state: nil without Redis.
func (a *App) liveShared() moderation.Shared {
	if a.cluster == nil {
		return nil
	}
	if s := a.cluster.Shared(); s != nil {
		return s
	}
	return nil
}

// closeFeed stops the cluster feed's sends, if there is one.
func (a *App) closeFeed() {
	if a.feed != nil {
		a.feed.close()
	}
}

// rejoin is what a node says on the bus when its bus is back after an
// outage (Ask), and what another node running other plugin chains
// answers it: the hash of the plugin configuration it runs.
type rejoin struct {
	Hash string `json:"hash"`
	Ask  bool   `json:"ask,omitempty"`
}

// rejoined runs when this node's bus is back after an outage: whatever
// the bus carried meanwhile is lost both ways (feed items, ban and live
// tool changes, plugin reloads). This node reads its state again and
// refreshes its moderators' pages from the store, and asks the other
// nodes to do the same and to say which plugin chains they run.
func (a *App) rejoined() {
	a.catchUp()
	a.announce(topicRejoin, rejoin{Hash: a.moderation.ConfigHash(), Ask: true})
}

// peerRejoined answers another node's rejoin: when it asks, what it sent
// meanwhile was lost here, so this node catches up and answers with its
// plugin hash if that differs; either way a differing hash may mean a
// reload this node missed (moderation.Service.Converge).
func (a *App) peerRejoined(r rejoin) {
	mine := a.moderation.ConfigHash()
	if r.Ask {
		a.catchUp()
		if r.Hash != mine {
			a.announce(topicRejoin, rejoin{Hash: mine})
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	reloaded, err := a.moderation.Converge(ctx, r.Hash)
	switch {
	case err != nil:
		a.log.Error("cluster: reloading the plugins another node runs failed", "err", err)
	case reloaded:
		a.log.Info("cluster: reloaded the plugins, as another node did while the bus was down", "config_hash", a.moderation.ConfigHash())
	}
}

// catchUp reads again what the bus may have lost: the ban list, the live
// tools, and the moderators' snapshots (held queue, recent comments …).
func (a *App) catchUp() {
	a.resyncBans()
	a.moderation.PeerLiveChanged()
	a.moderation.Feed().RefreshAll()
}

// resyncBans reads the ban list again: another node changed it, or Redis
// came back and changes made meanwhile may not have reached this node.
func (a *App) resyncBans() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := a.moderation.PeerBansChanged(ctx); err != nil {
		a.log.Error("cluster: reloading the ban list failed", "err", err)
	}
}
