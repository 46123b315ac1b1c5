package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"slices"
	"syscall"

	"github.com/danmaku/danmaku/app"
	"github.com/danmaku/danmaku/app/moderation"
)

// serveFlags maps flags onto cfg and returns the flag set.
func serveFlags(cfg *app.Config, logLevel, logFormat *string) *flag.FlagSet {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.StringVar(&cfg.Addr, "addr", cfg.Addr, "listen address")
	fs.StringVar(&cfg.MetricsAddr, "metrics-addr", cfg.MetricsAddr, "where GET /metrics (Prometheus) is served: empty for -addr, host:port for a listener of its own, or off")
	fs.StringVar(&cfg.DBPath, "db", cfg.DBPath, "SQLite database file (created when missing), or a PostgreSQL database as postgres://user:password@host:port/name (needs DANMAKU_SECRET)")
	fs.StringVar(&cfg.Redis, "redis", cfg.Redis, "Redis URL (redis://host:port/N) for several nodes on one PostgreSQL database: comments, viewer counts, the moderators' feed, bans and reloads reach every node (empty: one node)")
	fs.StringVar(&cfg.Sync, "sync", cfg.Sync, "SQLite synchronous mode: normal (survives a process crash) or full (also survives power loss)")
	fs.Var((*listFlag)(&cfg.AllowedOrigins), "allowed-origins", "comma-separated origins allowed to open WebSockets and make signed-in REST writes besides the server's own, or *")
	fs.StringVar(&cfg.Guests, "guests", cfg.Guests, "what visitors who have not signed in may do: send (watch, comment, like), watch, or off")
	fs.DurationVar(&cfg.AuthTimeout, "auth-timeout", cfg.AuthTimeout, "with -guests off, how long a socket without credentials has to send its auth frame")
	fs.IntVar(&cfg.MaxConnsPerIP, "max-conns-per-ip", cfg.MaxConnsPerIP, "open WebSockets from one IP address (negative: no limit)")
	fs.IntVar(&cfg.MaxTCP, "max-tcp", cfg.MaxTCP, "TCP connections (HTTP and WebSockets) open at once on -addr; more are closed as soon as accepted (0: the open-files limit, ulimit -n, less -fd-reserve and what is open at start; negative: no cap)")
	fs.IntVar(&cfg.MaxTCPPerIP, "max-tcp-per-ip", cfg.MaxTCPPerIP, "TCP connections open at once on -addr from one IP address, -trusted-proxies exempt (negative: no cap)")
	fs.IntVar(&cfg.FDReserve, "fd-reserve", cfg.FDReserve, "file descriptors kept free for the database, the metrics listener and the rest when -max-tcp is 0")
	fs.Float64Var(&cfg.FrameRate, "frame-rate", cfg.FrameRate, "frames per second one WebSocket may send, sustained (negative: no limit)")
	fs.IntVar(&cfg.FrameBurst, "frame-burst", cfg.FrameBurst, "frames one WebSocket may send at once above -frame-rate; more than this many dropped within 10s closes it")
	fs.IntVar(&cfg.RESTWrites, "rest-writes", cfg.RESTWrites, "REST writes (POST, …) one IP address may make per -rest-window (negative: no limit)")
	fs.DurationVar(&cfg.RESTWindow, "rest-window", cfg.RESTWindow, "the window -rest-writes counts in")
	fs.StringVar(&cfg.ProxyHeader, "proxy-header", cfg.ProxyHeader, "header holding the client IP set by a reverse proxy, e.g. X-Real-IP (needs -trusted-proxies)")
	fs.Var((*listFlag)(&cfg.TrustedProxies), "trusted-proxies", "comma-separated IPs or CIDRs of reverse proxies whose -proxy-header and X-Forwarded-* are believed")
	fs.IntVar(&cfg.MaxTextRunes, "max-text", cfg.MaxTextRunes, "longest comment, in characters")
	fs.Int64Var(&cfg.MaxFrameBytes, "max-frame", cfg.MaxFrameBytes, "largest WebSocket frame a client may send, in bytes")
	fs.IntVar(&cfg.MaxBodyBytes, "max-body", cfg.MaxBodyBytes, "largest REST request body, in bytes")
	fs.IntVar(&cfg.MaxImportBytes, "max-import", cfg.MaxImportBytes, "largest file a moderator may upload to POST /api/rooms/:id/import, in bytes; the upload is read as it is stored, so memory does not grow with it")
	fs.IntVar(&cfg.MaxRoomsPerConn, "max-rooms", cfg.MaxRoomsPerConn, "rooms one WebSocket may be in at once (1 to 1000)")
	fs.IntVar(&cfg.SendBuffer, "send-buffer", cfg.SendBuffer, "frames queued per socket before it is closed as slow (16 to 65536)")
	fs.IntVar(&cfg.CatchupLimit, "catchup-limit", cfg.CatchupLimit, "most comments replayed on a reconnect with since")
	fs.DurationVar(&cfg.IdempotencyWindow, "idempotency-window", cfg.IdempotencyWindow, "how long a comment's idempotency_key makes a resend by the same user answer with the comment stored the first time")
	fs.IntVar(&cfg.WriterBatch, "writer-batch", cfg.WriterBatch, "most comments per group commit")
	fs.DurationVar(&cfg.WriterLinger, "writer-linger", cfg.WriterLinger, "how long a partial group commit waits for more comments")
	fs.IntVar(&cfg.WriterQueue, "writer-queue", cfg.WriterQueue, "comments waiting for the writer before senders are pushed back")
	fs.DurationVar(&cfg.BatchMax, "batch-max", cfg.BatchMax, "longest a busy room holds comments to send them together; a quiet room sends at once")
	fs.DurationVar(&cfg.FlushEvery, "flush-every", cfg.FlushEvery, "least time between a room's viewer-count (or like-count) pushes, coalesced")
	fs.DurationVar(&cfg.PingEvery, "ping-every", cfg.PingEvery, "WebSocket ping interval")
	fs.DurationVar(&cfg.PongWait, "pong-wait", cfg.PongWait, "close a socket that has not answered a ping for this long")
	fs.DurationVar(&cfg.WriteWait, "write-wait", cfg.WriteWait, "fail a socket whose frame write takes this long")
	fs.DurationVar(&cfg.ShutdownTimeout, "shutdown-timeout", cfg.ShutdownTimeout, "how long shutdown waits for requests and sockets")
	fs.BoolVar(&cfg.SeedDemo, "seed-demo", cfg.SeedDemo, "create the demo room in a new database")
	fs.IntVar(&cfg.ReportThreshold, "report-threshold", cfg.ReportThreshold, "distinct viewers whose reports hide a comment until a moderator decides (negative: never hide)")
	fs.DurationVar(&cfg.IPRetention, "ip-retention", cfg.IPRetention, "how long client addresses are kept (on comments, and on bans that ended) before a background job erases them; negative keeps them")
	fs.DurationVar(&cfg.SessionRecheck, "session-recheck", cfg.SessionRecheck, "how long a node trusts its cached view of a session: a sign-out on another node, or by a command-line tool, takes effect here within it")
	fs.StringVar(&cfg.PluginsFile, "plugins", cfg.PluginsFile, "moderation plugin config (YAML; see docs/plugins.md); reloaded on SIGHUP; default: the built-in chain")
	if cfg.ImportPlugins == nil {
		cfg.ImportPlugins = slices.Clone(moderation.DefaultImportPlugins)
	}
	fs.Var((*listFlag)(&cfg.ImportPlugins), "import-plugins", "comma-separated plugins of the chain that imported comments pass (content filters, not rate limits), or none")
	fs.StringVar(logLevel, "log-level", *logLevel, "debug, info, warn or error")
	fs.StringVar(logFormat, "log-format", *logFormat, "text or json")
	fs.String(configFlag, "", "YAML file of settings keyed by these flag names; flags and DANMAKU_* variables override it")
	return fs
}

func serve(ctx context.Context, args []string, io IO, files Files) error {
	cfg := app.DefaultConfig()
	logLevel, logFormat := "info", "text"
	from, err := parseFlags(serveFlags(&cfg, &logLevel, &logFormat), args, io)
	if err != nil {
		return err
	}
	logger, err := complete(&cfg, io, files, logLevel, logFormat)
	if err != nil {
		return from.explain(err)
	}

	ctx, stop := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	a, err := app.New(ctx, cfg)
	if err != nil {
		return from.explain(err)
	}
	if err := a.Start(); err != nil {
		_ = a.Shutdown(context.Background())
		return err
	}
	fmt.Fprintf(io.Stdout, "Danmaku %s listening on %s\n", Version, a.URL())
	failed := waitAndReload(ctx, a, hup, logger)
	shutdownCtx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	err = a.Shutdown(shutdownCtx)
	switch {
	case failed != nil: // the process must fail, so that a supervisor restarts it
		return errors.Join(failed, err)
	case err != nil:
		return fmt.Errorf("shutdown: %w", err)
	}
	logger.Info("stopped cleanly")
	return nil
}

// complete fills in what flags do not set: the secret, the logger, the
// embedded files and the version.
func complete(cfg *app.Config, io IO, files Files, logLevel, logFormat string) (*slog.Logger, error) {
	// The secret is read from the environment only: flags show up in ps.
	cfg.Secret = io.Env("DANMAKU_SECRET")
	logger, err := newLogger(io, logLevel, logFormat)
	if err != nil {
		return nil, err
	}
	cfg.Logger = logger
	cfg.Templates, cfg.Assets, cfg.Migrations = files.Templates, files.Assets, files.Migrations
	cfg.PostgresMigrations = files.PostgresMigrations
	cfg.Version = Version
	return logger, nil
}

// server is what waitAndReload watches (an *app.App).
type server interface {
	ReloadPlugins(ctx context.Context) error
	Done() <-chan error
}

// waitAndReload reloads the moderation plugins on every SIGHUP (a bad
// config keeps the running chains; ReloadPlugins logs why) until the
// server is told to stop (nil) or stops on its own (the error: a fatal
// one, which must not end the process as a clean stop would).
func waitAndReload(ctx context.Context, a server, hup <-chan os.Signal, logger *slog.Logger) error {
	for {
		select {
		case <-hup:
			_ = a.ReloadPlugins(ctx)
		case <-ctx.Done():
			logger.Info("shutting down")
			return nil
		case err := <-a.Done():
			logger.Error("server stopped on its own; exiting with a failure", "err", err)
			return err
		}
	}
}

func newLogger(io IO, level, format string) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("-log-level: %w", err)
	}
	opts := &slog.HandlerOptions{Level: lv}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(io.Stderr, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(io.Stderr, opts)), nil
	default:
		return nil, fmt.Errorf("-log-format must be text or json, got %q", format)
	}
}
