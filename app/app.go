// Package app is the Danmaku server. This package is only the wiring: New
// builds every part (store, hub, services, transports) and hands each its
// dependencies; Start and Shutdown run them. Tests start a whole server
// with New and Start on 127.0.0.1:0. docs/architecture.md maps the parts.
package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"

	"github.com/danmaku/danmaku/app/auth"
	"github.com/danmaku/danmaku/app/feedback"
	"github.com/danmaku/danmaku/app/heat"
	"github.com/danmaku/danmaku/app/httpapi"
	"github.com/danmaku/danmaku/app/httpapi/middleware"
	"github.com/danmaku/danmaku/app/hub"
	"github.com/danmaku/danmaku/app/hub/cluster"
	"github.com/danmaku/danmaku/app/ingest"
	"github.com/danmaku/danmaku/app/interop"
	"github.com/danmaku/danmaku/app/metrics"
	"github.com/danmaku/danmaku/app/moderation"
	"github.com/danmaku/danmaku/app/netlimit"
	"github.com/danmaku/danmaku/app/pages"
	"github.com/danmaku/danmaku/app/privacy"
	"github.com/danmaku/danmaku/app/protocol"
	"github.com/danmaku/danmaku/app/rooms"
	"github.com/danmaku/danmaku/app/segments"
	"github.com/danmaku/danmaku/app/sessions"
	"github.com/danmaku/danmaku/app/socket"
	"github.com/danmaku/danmaku/app/store"
	"github.com/danmaku/danmaku/app/store/batch"
	"github.com/danmaku/danmaku/app/transfer"
	"github.com/danmaku/danmaku/plugins"
)

// App is one running server.
type App struct {
	cfg        Config
	log        *slog.Logger
	metrics    *metrics.Metrics
	store      store.Store
	hub        *hub.Hub
	cluster    *cluster.Broker // nil on a single node
	feed       *clusterFeed    // nil on a single node
	moderation *moderation.Service
	ingest     *ingest.Service
	feedback   *feedback.Service
	heat       *heat.Service
	segments   *segments.Service
	transfer   *transfer.Service
	sessions   *sessions.Service
	privacy    *privacy.Service
	sockets    *socket.Server
	http       *httpapi.Server

	stopJobs context.CancelFunc // the background jobs (the privacy sweep)
	jobs     sync.WaitGroup

	metricsLn *metrics.Listener // MetricsAddr's own listener, if any
	ln        *netlimit.Listener
	serveErr  chan error
	draining  atomic.Bool
	closeOnce sync.Once
	closeErr  error
}

// New opens the database (creating and migrating it when needed), seeds the
// demo room into a new database, and builds the services and the HTTP and
// WebSocket handlers. Nothing listens until Start.
func New(ctx context.Context, cfg Config) (*App, error) {
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	a := &App{cfg: cfg, log: cfg.Logger}
	limits := protocol.Limits{MinRunes: 1, MaxRunes: cfg.MaxTextRunes}
	a.metrics = metrics.New(metrics.Sources{
		Version:       cfg.Version,
		Vias:          []string{moderation.ViaWS, moderation.ViaREST, moderation.ViaDPlayer},
		Sockets:       func() (int, int) { return a.sockets.Count() },
		Rooms:         func() int { return a.hub.Rooms() },
		Writer:        func() store.WriterStats { return a.store.WriterStats() },
		WriterQueueAt: cfg.WriterQueue,
		Plugins:       func() plugins.Stats { return a.moderation.Stats() },
		Conns: func() (int, int) {
			if a.ln == nil {
				return 0, 0
			}
			return a.ln.Open()
		},
		Logger: a.log,
	})
	// A bad plugin config stops start-up before anything is created.
	source := moderation.Source{File: cfg.PluginsFile, Config: cfg.Plugins}
	if err := source.Check(cfg.PluginRegistry, a.log); err != nil {
		return nil, err
	}
	if err := moderation.CheckImportPlugins(cfg.ImportPlugins, cfg.PluginRegistry); err != nil {
		return nil, err
	}
	secret, err := auth.LoadSecret(cfg.Secret, cfg.DBPath, a.log)
	if err != nil {
		return nil, err
	}

	broker, err := a.newBroker(cfg)
	if err != nil {
		return nil, err
	}
	a.hub = hub.New(hub.Options{Broker: broker, BatchMax: cfg.BatchMax, FlushEvery: cfg.FlushEvery, Observer: a.metrics, Logger: a.log})
	st, err := openStore(ctx, cfg, batch.Options{
		MaxBatch:  cfg.WriterBatch,
		Linger:    cfg.WriterLinger,
		QueueSize: cfg.WriterQueue,
		OnCommit: func(ev store.Events) {
			// Segments first: a viewer told of a change by the hub
			// then fetches the segment's new version.
			a.segments.Note(ev)
			a.ingest.Deliver(ev)
			a.heat.Note(ev)
		},
		Observe: a.metrics.Commit,
		Weigh:   feedback.Weight,
		Logger:  a.log,
	})
	if err != nil {
		a.hub.Close()
		return nil, err
	}
	a.store = st.store
	if err := a.buildServices(ctx, cfg, st.bans, source, limits); err != nil {
		a.store.Close()
		a.hub.Close()
		return nil, err
	}
	roomsSvc := rooms.New(a.store, a.hub)
	if st.fresh && cfg.SeedDemo {
		if err := rooms.SeedDemo(ctx, a.store, a.store); err != nil {
			a.closeServices()
			return nil, err
		}
	}
	if err := a.buildTransports(cfg, roomsSvc, auth.NewSigner(secret)); err != nil {
		a.closeServices()
		return nil, err
	}
	return a, nil
}

// buildServices builds moderation (over the ban list), ingest and transfer.
func (a *App) buildServices(ctx context.Context, cfg Config, bans store.Bans, source moderation.Source, limits protocol.Limits) error {
	var err error
	a.moderation, err = moderation.New(ctx, moderation.Deps{
		Source: source, Registry: cfg.PluginRegistry, Store: a.store, Bans: bans, Limits: limits,
		ImportPlugins: cfg.ImportPlugins, FlushEvery: cfg.FlushEvery, Logger: a.log, Reloads: a.metrics,
		Live: a.store, Announce: a.hub,
		// Sockets exist by the time anyone bans: a ban closes its viewers' sockets.
		OnBan: func(b store.Ban) {
			a.sockets.CloseBanned(b)
			a.announce(topicBan, b)
		},
		OnUnban:  func(b store.Ban) { a.announce(topicUnban, b) },
		OnReload: func() { a.announce(topicReload, nil) },
		Counters: a.counters(),
		Shared:   a.liveShared(),
		OnLive:   func() { a.announce(topicLive, nil) },
	})
	if err != nil {
		return err
	}
	var feed ingest.Feed = a.moderation.Feed()
	if a.cluster != nil {
		a.feed = newClusterFeed(a.moderation.Feed(), a.cluster)
		feed = a.feed
		a.joinCluster()
	}
	a.ingest = ingest.New(ingest.Deps{
		Limits: limits, Moderator: a.moderation, Store: a.store, Hub: a.hub, Feed: feed, Observer: a.metrics,
		KeyWindow: cfg.IdempotencyWindow,
	})
	a.transfer = transfer.New(transfer.Deps{Store: a.store, Screener: a.moderation, Limits: limits, Skipper: a.hub, Logger: a.log})
	a.feedback = feedback.New(feedback.Deps{Store: a.store, HideAt: cfg.ReportThreshold, Logger: a.log})
	a.heat = heat.New(a.store, rooms.Replays{Spans: a.store})
	a.segments = segments.New(a.store)
	a.sessions = sessions.New(a.store, cfg.SessionRecheck)
	a.privacy = privacy.New(privacy.Deps{Store: a.store, Sessions: a.sessions, Retention: cfg.IPRetention, OnSweep: cfg.OnSweep, Logger: a.log})
	return nil
}

// buildTransports builds the WebSocket server, the pages and the HTTP server.
func (a *App) buildTransports(cfg Config, roomsSvc *rooms.Service, signer *auth.Signer) error {
	authn := &middleware.Auth{Signer: signer, Sessions: a.sessions, Guests: cfg.Guests, Failed: a.metrics.AuthFailed}
	origins := middleware.Origins{Allowed: cfg.AllowedOrigins, ProxyHeader: cfg.ProxyHeader}
	a.sockets = socket.New(socket.Config{
		MaxFrameBytes: cfg.MaxFrameBytes, SendBuffer: cfg.SendBuffer,
		PingEvery: cfg.PingEvery, PongWait: cfg.PongWait, WriteWait: cfg.WriteWait, AuthTimeout: cfg.AuthTimeout,
		MaxRoomsPerConn: cfg.MaxRoomsPerConn, CatchupLimit: cfg.CatchupLimit,
		FrameRate: cfg.FrameRate, FrameBurst: cfg.FrameBurst, MaxConnsPerIP: cfg.MaxConnsPerIP,
		SessionRecheck: cfg.SessionRecheck,
	}, socket.Deps{
		Ingest: a.ingest, Feedback: a.feedback, Moderation: a.moderation, Store: a.store, Hub: a.hub,
		Auth: authn, Origins: origins, Observer: a.metrics, Logger: a.log,
	})
	authn.Sockets = a.sockets // sign-outs close the sockets of what ended
	var err error
	a.http, err = httpapi.New(httpapi.Config{
		MaxBodyBytes: cfg.MaxBodyBytes, MaxImportBytes: cfg.MaxImportBytes,
		ProxyHeader: cfg.ProxyHeader, TrustedProxies: cfg.TrustedProxies, AllowedOrigins: cfg.AllowedOrigins,
		RESTWrites: cfg.RESTWrites, RESTWindow: cfg.RESTWindow, MetricsHere: cfg.MetricsAddr == "",
	}, httpapi.Deps{
		Rooms: roomsSvc, Store: a.store, Ingest: a.ingest, Moderation: a.moderation, Transfer: a.transfer,
		Feedback: a.feedback, Heat: a.heat, Segments: a.segments,
		Sockets: a.sockets, Assets: cfg.Assets, Templates: cfg.Templates, Auth: authn, Origins: origins, Metrics: a.metrics,
		Pages: pages.Deps{
			Rooms: roomsSvc, Spans: a.store, Names: a.store, Auth: authn, Origins: origins, MaxText: cfg.MaxTextRunes,
		},
		Draining: a.draining.Load,
		Redis:    a.redisHealth(),
		Pressure: func() string {
			if a.ln == nil {
				return ""
			}
			return a.ln.Pressure()
		},
		Logger: a.log,
	})
	return err
}

// closeServices undoes New after the services were built.
func (a *App) closeServices() {
	a.moderation.Close()
	a.store.Close()
	a.closeFeed()
	a.hub.Close()
}

// Start listens on the configured address and serves in the background.
// It returns once the listener is open. First it undoes the imports a
// stopped server left half stored (see store.Imports), and releases the
// comments its chat delay still held.
func (a *App) Start() error {
	undone, err := a.store.UndoUnfinishedImports(context.Background())
	if err != nil {
		return fmt.Errorf("undoing unfinished imports: %w", err)
	}
	if len(undone) > 0 {
		a.log.Warn("undid imports that a stopped server left unfinished", "import_ids", undone)
	}
	if err := a.moderation.ResumeDelayed(context.Background()); err != nil {
		return fmt.Errorf("releasing the comments the chat delay held: %w", err)
	}
	if a.cfg.MetricsAddr != "" && a.cfg.MetricsAddr != MetricsOff {
		if a.metricsLn, err = metrics.Listen(a.cfg.MetricsAddr, a.metrics, a.log); err != nil {
			return err
		}
		a.log.Info("serving metrics", "url", a.metricsLn.URL())
	}
	limits, err := a.connLimits()
	if err == nil {
		var ln net.Listener
		if ln, err = net.Listen("tcp", a.cfg.Addr); err != nil {
			err = fmt.Errorf("listening on %s: %w", a.cfg.Addr, err)
		} else {
			a.ln = netlimit.Wrap(ln, limits, a.metrics, a.log)
		}
	}
	if err != nil {
		if a.metricsLn != nil {
			_ = a.metricsLn.Shutdown(context.Background())
		}
		return err
	}
	a.serveErr = make(chan error, 1)
	go func() {
		err := a.http.Serve(a.ln)
		if a.draining.Load() {
			return // Shutdown stopped it
		}
		if err == nil {
			err = errors.New("the listener closed")
		}
		a.serveErr <- fmt.Errorf("serving on %s stopped: %w", a.cfg.Addr, err)
	}()
	jobs, stop := context.WithCancel(context.Background())
	a.stopJobs = stop
	a.jobs.Go(func() { a.privacy.Run(jobs) })
	return nil
}

// connLimits are the caps on TCP connections (Config.MaxTCP, MaxTCPPerIP):
// by default the descriptor limit less FDReserve and what is open now.
func (a *App) connLimits() (netlimit.Limits, error) {
	l := netlimit.Limits{Total: max(a.cfg.MaxTCP, 0), PerIP: max(a.cfg.MaxTCPPerIP, 0)}
	for _, p := range a.cfg.TrustedProxies {
		if pfx, err := netip.ParsePrefix(p); err == nil {
			l.Exempt = append(l.Exempt, pfx)
		} else if addr, err := netip.ParseAddr(p); err == nil {
			l.Exempt = append(l.Exempt, netip.PrefixFrom(addr, addr.BitLen()))
		}
	}
	limit, err := netlimit.DescriptorLimit()
	if err != nil {
		a.log.Warn("cannot read the open-files limit: TCP connections are capped by -max-tcp only", "err", err)
		return l, nil
	}
	l.Descriptors = limit
	open, err := netlimit.OpenDescriptors()
	if a.cfg.MaxTCP == 0 && err == nil {
		if l.Total, err = netlimit.Budget(limit, open, a.cfg.FDReserve); err != nil {
			return l, err
		}
	}
	a.log.Info("capping TCP connections", "max_tcp", l.Total, "max_tcp_per_ip", l.PerIP, "open_files_limit", limit, "open_now", open)
	return l, nil
}

// Addr returns the address the server listens on, once started.
func (a *App) Addr() string { return a.ln.Addr().String() }

// URL returns the server's base URL, once started.
func (a *App) URL() string { return "http://" + a.Addr() }

// MetricsURL returns where the Prometheus metrics are served, once
// started: on the main listener, on MetricsAddr's own, or "" when off.
func (a *App) MetricsURL() string {
	switch {
	case a.metricsLn != nil:
		return a.metricsLn.URL()
	case a.cfg.MetricsAddr == "" && a.ln != nil:
		return a.URL() + metrics.Path
	}
	return ""
}

// Done delivers an error if the server stops serving on its own (not by
// Shutdown): a fatal listener error. The process should then exit with a
// failure, so that a supervisor restarts it.
func (a *App) Done() <-chan error { return a.serveErr }

// ReloadPlugins re-reads the plugin configuration and swaps the new chains
// in without touching any connection; see moderation.Service.Reload.
func (a *App) ReloadPlugins(ctx context.Context) error { return a.moderation.Reload(ctx) }

// Import imports a file into a room; see transfer.Service.Import.
func (a *App) Import(ctx context.Context, r io.Reader, opt transfer.ImportOptions) (transfer.ImportReport, error) {
	return a.transfer.Import(ctx, r, opt)
}

// Export writes a room's comments; see transfer.Service.Export.
func (a *App) Export(ctx context.Context, w io.Writer, room string, format interop.Format) (int, error) {
	return a.transfer.Export(ctx, w, room, format)
}

// EnsureRoom creates a room unless it exists; see transfer.Service.EnsureRoom.
func (a *App) EnsureRoom(ctx context.Context, room string) (bool, error) {
	return a.transfer.EnsureRoom(ctx, room)
}

// SweepRetention runs the privacy job now: it erases the client addresses
// older than IPRetention and purges expired sessions (the server also
// runs it in the background).
func (a *App) SweepRetention(ctx context.Context) (privacy.Swept, error) { return a.privacy.Sweep(ctx) }

// ExportUser returns everything stored about user (a data request).
func (a *App) ExportUser(ctx context.Context, user string) (store.UserData, error) {
	return a.privacy.Export(ctx, user)
}

// EraseUser erases user's comments, likes and sessions (a data request),
// and closes their open sockets on this server.
func (a *App) EraseUser(ctx context.Context, user string) (store.Erasure, error) {
	out, err := a.privacy.Erase(ctx, user)
	if err == nil && a.sockets != nil {
		a.sockets.RevokeUser(user, socket.ReasonSignedOut)
	}
	return out, err
}

// Shutdown stops taking connections, closes every socket with 1001, lets
// in-flight requests finish, then drains the writer so that every comment
// that was accepted is committed before the database closes.
func (a *App) Shutdown(ctx context.Context) error {
	a.closeOnce.Do(func() { a.closeErr = a.shutdown(ctx) })
	return a.closeErr
}

func (a *App) shutdown(ctx context.Context) error {
	a.draining.Store(true)
	var errList []error
	if err := a.sockets.Shutdown(ctx); err != nil {
		errList = append(errList, fmt.Errorf("closing sockets: %w", err))
	}
	if a.ln != nil {
		if err := a.http.Shutdown(ctx); err != nil {
			errList = append(errList, fmt.Errorf("stopping http: %w", err))
		}
	}
	if a.metricsLn != nil {
		if err := a.metricsLn.Shutdown(ctx); err != nil {
			errList = append(errList, fmt.Errorf("stopping the metrics listener: %w", err))
		}
	}
	if a.stopJobs != nil {
		a.stopJobs()
		stopped := make(chan struct{})
		go func() { a.jobs.Wait(); close(stopped) }()
		select {
		case <-stopped:
		case <-ctx.Done():
			errList = append(errList, fmt.Errorf("the privacy job did not stop: %w", ctx.Err()))
		}
	}
	if err := a.moderation.Close(); err != nil {
		errList = append(errList, fmt.Errorf("closing moderation plugins: %w", err))
	}
	if err := a.store.Close(); err != nil {
		errList = append(errList, fmt.Errorf("closing store: %w", err))
	}
	a.closeFeed()
	if err := a.hub.Close(); err != nil {
		errList = append(errList, fmt.Errorf("closing hub: %w", err))
	}
	return errors.Join(errList...)
}
