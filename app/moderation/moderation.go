// Package moderation decides what happens to every comment before anyone
// sees it: it runs the plugin chains (and reloads them), answers the join
// hooks, carries out moderators' decisions and bans, and feeds moderators'
// sockets with what happens. It knows nothing of HTTP or WebSockets.
package moderation

import (
	"context"
	"crypto/sha256"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/danmaku/danmaku/app/errs"
	"github.com/danmaku/danmaku/app/protocol"
	"github.com/danmaku/danmaku/app/store"
	"github.com/danmaku/danmaku/plugins"
)

// Store is what moderation reads and writes: the held queue, recent
// comments for moderators, and their decisions.
type Store interface {
	HeldComments(ctx context.Context, room string, limit int) ([]store.ModComment, error)
	RecentComments(ctx context.Context, q store.RecentQuery) ([]store.ModComment, error)
	PurgeCandidates(ctx context.Context, p store.Purge) ([]int64, error)
	Decide(ctx context.Context, ids []int64, d store.Decision, by string) ([]store.ModComment, error)
	ReportedComments(ctx context.Context, room string, limit int) ([]store.ModComment, error)
}

// Deps are the moderation service's dependencies.
type Deps struct {
	Source   Source            // where the plugin configuration comes from
	Registry *plugins.Registry // nil: plugins.DefaultRegistry
	Store    Store
	Bans     store.Bans
	Limits   protocol.Limits // a rewritten comment must pass them like a sent one
	// ImportPlugins names the plugins imports run (see ImportChains).
	ImportPlugins []string
	FlushEvery    time.Duration // how often the moderators' feed sends comments
	// OnBan, when set, hears of every new ban once it is in force (the
	// sockets close the banned viewers' connections, the other nodes of a
	// cluster are told).
	OnBan func(store.Ban)
	// OnUnban and OnReload, when set, hear of a lifted ban and of a
	// successful plugin reload (the other nodes of a cluster are told).
	OnUnban  func(store.Ban)
	OnReload func()
	// OnLive, when set, hears of every change to the live tools (room
	// modes, user actions, blocked terms) made on this node: the other
	// nodes of a cluster are told (see PeerLiveChanged).
	OnLive func()
	// Counters are the cluster's shared rate counters for the plugins
	// (nil on a single node).
	Counters plugins.Counters
	// Reloads, when set, counts reloads of the plugin configuration.
	Reloads ReloadObserver
	// Live stores the room modes, user actions, blocked terms and the
	// audit log; nil: the live tools are off (tests of the chain alone).
	Live store.Live
	// Shared, on a node of a cluster with Redis, holds slow mode's and
	// unique chat's memory for every node (nil: this node's own).
	Shared Shared
	// Announce tells viewers when a room's modes change.
	Announce Announcer
	Logger   *slog.Logger
}

// ReloadObserver hears of every reload of the plugin configuration (metrics).
type ReloadObserver interface {
	PluginsReloaded(ok bool)
}

// Service is the moderation of one server.
type Service struct {
	deps     Deps
	log      *slog.Logger
	pipeline *plugins.Pipeline
	feed     *Feed
	live     *live // nil without Deps.Live
	delay    *delayer

	// sum is the digest of the plugin file the running chains were read
	// from (see Converge).
	sumMu sync.Mutex
	sum   [sha256.Size]byte
}

// New builds the plugin chains of deps.Source and starts the moderators' feed.
func New(ctx context.Context, deps Deps) (*Service, error) {
	sum := deps.Source.fileSum()
	cfg, err := deps.Source.Load()
	if err != nil {
		return nil, err
	}
	s := &Service{deps: deps, log: deps.Logger, sum: sum}
	host := plugins.BasicHost{Log: deps.Logger.With("component", "plugins"), Blocks: deps.Bans, Shared: deps.Counters}
	s.pipeline, err = plugins.NewPipeline(cfg, deps.Registry, host)
	if err != nil {
		return nil, configError(err)
	}
	s.delay = s.newDelayer()
	if deps.Live != nil {
		s.live = newLive(deps.Live, deps.Shared, deps.Logger)
	}
	s.feed = newFeed(feedDeps{store: deps.Store, bans: deps.Bans, stats: s.Stats, live: s.LiveState, every: deps.FlushEvery, log: deps.Logger})
	return s, nil
}

// Feed returns the moderators' live feed.
func (s *Service) Feed() *Feed { return s.feed }

// Stats returns the plugin chains' counters.
func (s *Service) Stats() plugins.Stats { return s.pipeline.Stats() }

// Close stops the feed and closes the plugins.
func (s *Service) Close() error {
	s.delay.close()
	s.feed.close()
	return s.pipeline.Close()
}

// Reload re-reads the plugin configuration and swaps the new chains in
// without touching any connection. When the new configuration is bad, the
// running chains stay and the error (code invalid) says why.
func (s *Service) Reload(ctx context.Context) error {
	if err := s.reload(ctx); err != nil {
		return err
	}
	if s.deps.OnReload != nil {
		s.deps.OnReload()
	}
	return nil
}

func (s *Service) reload(_ context.Context) error {
	sum := s.deps.Source.fileSum()
	cfg, err := s.deps.Source.Load()
	if err == nil {
		err = s.pipeline.Reload(cfg)
		if err != nil {
			err = configError(err)
		} else {
			s.noteFileRead(sum)
		}
	}
	if s.deps.Reloads != nil {
		s.deps.Reloads.PluginsReloaded(err == nil)
	}
	if err != nil {
		s.log.Error("plugin reload failed, the running chains stay", "err", err)
		return errs.Wrap(err, errs.Invalid, err.Error())
	}
	s.log.Info("moderation plugins reloaded", "file", s.deps.Source.File, "config_hash", s.pipeline.Stats().ConfigHash)
	s.feed.noteStats()
	return nil
}

// Source is where the plugin configuration comes from: the file when one
// is named (read again on every reload), else Config, else the default chain.
type Source struct {
	File   string
	Config *plugins.Config
}

// Load returns the configuration to run.
func (src Source) Load() (*plugins.Config, error) {
	switch {
	case src.File != "":
		cfg, err := plugins.LoadConfig(src.File)
		if err != nil {
			return nil, configError(err)
		}
		return cfg, nil
	case src.Config != nil:
		return src.Config, nil
	}
	return plugins.DefaultConfig(), nil
}

// Check builds the configuration once with an empty ban list, so that a bad
// one stops start-up before the database is created or opened.
func (src Source) Check(reg *plugins.Registry, log *slog.Logger) error {
	cfg, err := src.Load()
	if err != nil {
		return err
	}
	set, err := plugins.Build(cfg, reg, plugins.BasicHost{Log: log, Blocks: plugins.NoBlocks{}})
	if err != nil {
		return configError(err)
	}
	return set.Close()
}

// configError puts a (possibly multi-line) plugin config error on one
// line that starts with the setting's name, "plugins: ".
func configError(err error) error {
	msg := strings.ReplaceAll(err.Error(), "\n", "; ")
	if !strings.HasPrefix(msg, "plugins: ") {
		msg = "plugins: " + msg
	}
	return errors.New(msg)
}
