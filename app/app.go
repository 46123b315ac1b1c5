// Package app is the Danmaku server: HTTP and WebSocket endpoints over the
// rooms hub and the SQLite store. Tests start a whole server with New and
// Start on 127.0.0.1:0.
package app

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/olahol/melody"

	"github.com/danmaku/danmaku/app/auth"
	"github.com/danmaku/danmaku/app/hub"
	"github.com/danmaku/danmaku/app/metrics"
	"github.com/danmaku/danmaku/app/protocol"
	"github.com/danmaku/danmaku/app/store"
	"github.com/danmaku/danmaku/app/store/sqlite"
	"github.com/danmaku/danmaku/plugins"
)

// App is one running server.
type App struct {
	cfg    Config
	log    *slog.Logger
	store  *sqlite.Store
	hub    *hub.Hub
	ws     *melody.Melody
	http   *fiber.App
	signer *auth.Signer
	limits protocol.Limits
	assets *assetFiles // nil without an asset tree

	plugins *plugins.Pipeline // the moderation chains
	blocks  *sqlite.Blocklist // bans, in memory, written through
	feed    *modFeed          // live updates for moderators' sockets

	metrics    *metrics.Metrics
	metricsSrv *metricsServer // MetricsAddr's own listener, if any

	ln        net.Listener
	serveErr  chan error
	draining  atomic.Bool
	sockets   sockets
	conns     connLimit // open sockets per IP
	closeOnce sync.Once
	closeErr  error
}

// New opens the database (creating and migrating it when needed), seeds the
// demo room into a new database, and builds the HTTP and WebSocket handlers.
// Nothing listens until Start.
func New(ctx context.Context, cfg Config) (*App, error) {
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	a := &App{cfg: cfg, log: cfg.Logger, limits: protocol.Limits{MinRunes: 1, MaxRunes: cfg.MaxTextRunes}}
	a.conns.max = cfg.MaxConnsPerIP
	a.metrics = a.newMetrics()
	// A bad plugin config stops start-up before anything is created.
	pluginCfg, err := a.pluginConfig()
	if err != nil {
		return nil, err
	}
	if err := a.checkPlugins(pluginCfg); err != nil {
		return nil, err
	}
	if err := a.checkImportPlugins(); err != nil {
		return nil, err
	}

	secret, err := a.loadSecret()
	if err != nil {
		return nil, err
	}
	a.signer = auth.NewSigner(secret)

	_, statErr := os.Stat(cfg.DBPath)
	fresh := errors.Is(statErr, fs.ErrNotExist)
	a.hub = hub.New(hub.Options{BatchMax: cfg.BatchMax, FlushEvery: cfg.FlushEvery, Observer: a.metrics, Logger: a.log})
	a.store, err = sqlite.Open(ctx, sqlite.Options{
		Path:       cfg.DBPath,
		Sync:       sqlite.Sync(cfg.Sync),
		Migrations: cfg.Migrations,
		Writer: sqlite.WriterOptions{
			MaxBatch:  cfg.WriterBatch,
			Linger:    cfg.WriterLinger,
			QueueSize: cfg.WriterQueue,
			OnCommit:  a.onCommit,
			Observe:   a.metrics.Commit,
			Logger:    a.log,
		},
	})
	if err != nil {
		a.hub.Close()
		return nil, err
	}
	if fresh && cfg.SeedDemo {
		if err := seedDemo(ctx, a.store); err != nil {
			a.store.Close()
			a.hub.Close()
			return nil, err
		}
	}
	if err := a.startModeration(ctx, pluginCfg); err != nil {
		a.store.Close()
		a.hub.Close()
		return nil, err
	}
	a.ws = a.newMelody()
	a.http, err = a.newFiber()
	if err != nil {
		a.stopModeration()
		a.store.Close()
		a.hub.Close()
		return nil, err
	}
	return a, nil
}

// loadSecret returns the signing secret; see LoadSecret.
func (a *App) loadSecret() ([]byte, error) { return LoadSecret(a.cfg.Secret, a.cfg.DBPath, a.log) }

// onCommit hands what a committed batch changed to the hub. It runs on the
// writer's delivery goroutine and only queues: each room fans out on its own.
func (a *App) onCommit(ev store.Events) {
	a.hub.PublishComments(context.Background(), ev.Comments)
	a.hub.NoteLikes(context.Background(), ev.Likes)
	a.retract(ev.Retracts)
}

// Start listens on the configured address and serves in the background.
// It returns once the listener is open. First it undoes the imports a
// stopped server left half stored (see store.UndoUnfinishedImports).
func (a *App) Start() error {
	undone, err := a.store.UndoUnfinishedImports(context.Background())
	if err != nil {
		return fmt.Errorf("undoing unfinished imports: %w", err)
	}
	if len(undone) > 0 {
		a.log.Warn("undid imports that a stopped server left unfinished", "import_ids", undone)
	}
	if err := a.startMetrics(); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", a.cfg.Addr)
	if err != nil {
		_ = a.stopMetrics(context.Background())
		return fmt.Errorf("listening on %s: %w", a.cfg.Addr, err)
	}
	a.ln = ln
	a.serveErr = make(chan error, 1)
	go func() { a.serveErr <- a.http.Listener(ln) }()
	return nil
}

// Addr returns the address the server listens on, once started.
func (a *App) Addr() string { return a.ln.Addr().String() }

// URL returns the server's base URL, once started.
func (a *App) URL() string { return "http://" + a.Addr() }

// Done is closed with the serving error if the server stops on its own.
func (a *App) Done() <-chan error { return a.serveErr }

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
	// melody's own Close races with sessions that are ending (a session can
	// block forever unregistering from a stopped hub), so it runs only once
	// every socket handler has returned.
	if err := a.sockets.closeAll(ctx, closeGoingAway, "server shutting down", closeGrace); err != nil {
		errList = append(errList, fmt.Errorf("closing sockets: %w", err))
	} else if err := a.ws.Close(); err != nil && !errors.Is(err, melody.ErrClosed) {
		errList = append(errList, err)
	}
	if a.ln != nil {
		if err := a.http.ShutdownWithContext(ctx); err != nil {
			errList = append(errList, fmt.Errorf("stopping http: %w", err))
		}
	}
	if err := a.stopMetrics(ctx); err != nil {
		errList = append(errList, fmt.Errorf("stopping the metrics listener: %w", err))
	}
	if err := a.stopModeration(); err != nil {
		errList = append(errList, fmt.Errorf("closing moderation plugins: %w", err))
	}
	if err := a.store.Close(); err != nil {
		errList = append(errList, fmt.Errorf("closing store: %w", err))
	}
	if err := a.hub.Close(); err != nil {
		errList = append(errList, fmt.Errorf("closing hub: %w", err))
	}
	return errors.Join(errList...)
}

// closeGrace is how long shutdown waits for clients to answer the close
// frame before cutting their connections.
const closeGrace = 2 * time.Second
