package app

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/netip"
	"net/url"
	"strings"
	"time"

	"github.com/danmaku/danmaku/app/httpapi/middleware"
	"github.com/danmaku/danmaku/app/privacy"
	"github.com/danmaku/danmaku/app/store/postgres"

	"github.com/danmaku/danmaku/plugins"
)

// Config is everything the server needs to start. Zero fields take the
// values of DefaultConfig; command-line flags and DANMAKU_* variables are
// mapped onto it by package cli.
type Config struct {
	Addr string // listen address, host:port
	// DBPath is the database: a SQLite file, or a postgres:// (or
	// postgresql://) URL of a PostgreSQL database, which several nodes
	// may share.
	DBPath string
	Sync   string // SQLite synchronous mode: normal or full
	// Redis (redis://host:port/N) turns on the cluster broker's Redis
	// transport: several nodes on one database then fan out to each
	// other's viewers. "" keeps the in-process broker.
	Redis string

	// MetricsAddr is where GET /metrics is served: "" on Addr, host:port on
	// a listener of its own (one only the monitoring network reaches), or
	// MetricsOff for nowhere.
	MetricsAddr string

	// Secret signs session cookies and tokens. When empty, one is generated
	// and kept in secret.key next to the database.
	Secret string
	// AllowedOrigins may open WebSockets and make cookie-authenticated REST
	// writes besides the server's own origin. "*" allows every origin.
	AllowedOrigins []string

	// Guests is what visitors without a sign-in may do: GuestsSend (watch,
	// comment, like), GuestsWatch (watch only) or GuestsOff (nothing).
	Guests string
	// AuthTimeout is how long a socket without credentials has to send an
	// auth frame when guests are off.
	AuthTimeout time.Duration

	// Abuse limits; a negative value turns a limit off.
	MaxConnsPerIP int           // open WebSockets from one IP
	FrameRate     float64       // frames per second one socket may send, sustained
	FrameBurst    int           // frames one socket may send at once above the rate
	RESTWrites    int           // REST writes (POST, PUT, PATCH, DELETE) per IP per RESTWindow
	RESTWindow    time.Duration // the window RESTWrites counts in

	// TCP connections on Addr (HTTP and WebSockets alike), capped below the
	// process's file-descriptor limit so that clients cannot exhaust it.
	MaxTCP      int // open at once; 0: the descriptor limit less FDReserve and what is open at start; negative: no cap
	MaxTCPPerIP int // open at once from one address (trusted proxies exempt); negative: no cap
	FDReserve   int // descriptors kept free for the database, metrics and the rest when MaxTCP is 0

	// ProxyHeader names the header a reverse proxy puts the client's IP in
	// (e.g. X-Real-IP); it is believed only from TrustedProxies.
	ProxyHeader    string
	TrustedProxies []string

	MaxTextRunes    int   // longest comment text, in characters
	MaxFrameBytes   int64 // largest WebSocket frame a client may send
	MaxBodyBytes    int   // largest REST request body
	MaxImportBytes  int   // largest upload to POST /api/rooms/:id/import
	MaxRoomsPerConn int   // rooms one socket may join at once
	SendBuffer      int   // frames queued per socket before it counts as slow
	CatchupLimit    int   // most comments replayed to one join with since

	// IdempotencyWindow is how long a comment's idempotency key makes a
	// resend by the same user answer with the comment stored first.
	IdempotencyWindow time.Duration

	WriterBatch  int           // most comments in one group commit
	WriterLinger time.Duration // how long a partial batch waits for more
	WriterQueue  int           // comments waiting for the writer

	BatchMax        time.Duration // longest a busy room holds comments to send them as one frame
	FlushEvery      time.Duration // least time between a room's presence (or likes) frames
	PingEvery       time.Duration // WebSocket ping interval
	PongWait        time.Duration // a socket with no pong for this long is closed
	WriteWait       time.Duration // a frame write that takes longer fails the socket
	ShutdownTimeout time.Duration

	SeedDemo bool // create the demo room when the database is new

	// ReportThreshold is how many distinct viewers' reports hide a comment
	// until a moderator decides; negative: reports never hide one.
	ReportThreshold int
	// IPRetention is how long client addresses are kept (on comments, and
	// on bans that ended); a background job erases older ones. Negative
	// keeps them for good.
	IPRetention time.Duration
	// SessionRecheck is how long a node trusts its cached view of a
	// session before reading the database again: a sign-out on another
	// node (or by a command-line tool) takes effect here within it.
	SessionRecheck time.Duration
	// OnSweep, when set, hears of every run of the privacy job (what it
	// erased, or why it failed): tests await it; it must not block.
	OnSweep func(privacy.Swept, error)

	// PluginsFile is the moderation plugin config (YAML, -plugins); reloads
	// read it again. Without it, Plugins runs, or else the default chain.
	PluginsFile string
	// Plugins is a parsed plugin config, used when PluginsFile is empty;
	// nil means plugins.DefaultConfig().
	Plugins *plugins.Config
	// PluginRegistry resolves plugin names; nil is the default registry,
	// which main.go fills by importing plugins/all. Tests pass their own.
	PluginRegistry *plugins.Registry
	// ImportPlugins names the plugins of the running chains that imported
	// comments pass (content filters: not rate limits); nil means
	// moderation.DefaultImportPlugins, and ["none"] none. Names given are checked
	// against the registry at start.
	ImportPlugins []string

	Logger     *slog.Logger
	Templates  fs.FS // page templates, *.html at the root
	Assets     fs.FS // static files served under /assets
	Migrations fs.FS // SQLite's SQL migrations at the root
	Version    string

	// PostgresMigrations are PostgreSQL's SQL migrations, at the root;
	// needed only when DBPath is a postgres:// URL.
	PostgresMigrations fs.FS
}

// DefaultConfig returns the defaults documented in the README.
func DefaultConfig() Config {
	return Config{
		Addr:              "127.0.0.1:8080",
		DBPath:            "./data/danmaku.db",
		Sync:              "normal",
		MaxTextRunes:      100,
		MaxFrameBytes:     4096,
		MaxBodyBytes:      64 << 10,
		MaxImportBytes:    64 << 20,
		MaxRoomsPerConn:   8,
		SendBuffer:        256,
		CatchupLimit:      10000,
		IdempotencyWindow: 10 * time.Minute,
		WriterBatch:       512,
		WriterQueue:       8192,
		BatchMax:          50 * time.Millisecond,
		FlushEvery:        250 * time.Millisecond,
		PingEvery:         25 * time.Second,
		PongWait:          60 * time.Second,
		WriteWait:         10 * time.Second,
		ShutdownTimeout:   10 * time.Second,
		SeedDemo:          true,
		Version:           "dev",
		Guests:            GuestsSend,
		AuthTimeout:       5 * time.Second,
		MaxConnsPerIP:     100,
		FrameRate:         10,
		FrameBurst:        20,
		RESTWrites:        120,
		RESTWindow:        time.Minute,
		MaxTCPPerIP:       256,
		FDReserve:         128,
		ReportThreshold:   3,
		IPRetention:       30 * 24 * time.Hour,
		SessionRecheck:    30 * time.Second,
	}
}

// What guests may do (Config.Guests).
const (
	GuestsSend  = middleware.GuestsSend  // watch, comment and like under a guest name
	GuestsWatch = middleware.GuestsWatch // watch only; commenting and liking need a sign-in
	GuestsOff   = middleware.GuestsOff   // nothing: every page, API call and socket needs a sign-in
)

// MetricsOff is the MetricsAddr that serves no /metrics (they are still
// counted: it costs next to nothing).
const MetricsOff = "off"

// withDefaults fills zero fields from DefaultConfig.
func (c Config) withDefaults() Config {
	d := DefaultConfig()
	setDefault(&c.Addr, d.Addr)
	setDefault(&c.DBPath, d.DBPath)
	setDefault(&c.Sync, d.Sync)
	setDefault(&c.MaxTextRunes, d.MaxTextRunes)
	setDefault(&c.MaxFrameBytes, d.MaxFrameBytes)
	setDefault(&c.MaxBodyBytes, d.MaxBodyBytes)
	setDefault(&c.MaxImportBytes, d.MaxImportBytes)
	setDefault(&c.MaxRoomsPerConn, d.MaxRoomsPerConn)
	setDefault(&c.SendBuffer, d.SendBuffer)
	setDefault(&c.CatchupLimit, d.CatchupLimit)
	setDefault(&c.IdempotencyWindow, d.IdempotencyWindow)
	setDefault(&c.WriterBatch, d.WriterBatch)
	setDefault(&c.WriterQueue, d.WriterQueue)
	setDefault(&c.BatchMax, d.BatchMax)
	setDefault(&c.FlushEvery, d.FlushEvery)
	setDefault(&c.PingEvery, d.PingEvery)
	setDefault(&c.PongWait, d.PongWait)
	setDefault(&c.WriteWait, d.WriteWait)
	setDefault(&c.ShutdownTimeout, d.ShutdownTimeout)
	setDefault(&c.Version, d.Version)
	setDefault(&c.Guests, d.Guests)
	setDefault(&c.AuthTimeout, d.AuthTimeout)
	setDefault(&c.MaxConnsPerIP, d.MaxConnsPerIP)
	setDefault(&c.FrameRate, d.FrameRate)
	setDefault(&c.FrameBurst, d.FrameBurst)
	setDefault(&c.RESTWrites, d.RESTWrites)
	setDefault(&c.RESTWindow, d.RESTWindow)
	setDefault(&c.ReportThreshold, d.ReportThreshold)
	setDefault(&c.MaxTCPPerIP, d.MaxTCPPerIP)
	setDefault(&c.FDReserve, d.FDReserve)
	setDefault(&c.IPRetention, d.IPRetention)
	setDefault(&c.SessionRecheck, d.SessionRecheck)
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	return c
}

func setDefault[T comparable](field *T, def T) {
	var zero T
	if *field == zero {
		*field = def
	}
}

// maxSendBuffer bounds -send-buffer: every socket gets a queue of that many
// slots up front (8 bytes each), and a socket that far behind is gone anyway.
const maxSendBuffer = 1 << 16

// validate reports the first setting that cannot work, naming it.
func (c Config) validate() error {
	switch {
	case c.Sync != "normal" && c.Sync != "full":
		return fmt.Errorf("sync must be normal or full, got %q", c.Sync)
	case c.MaxTextRunes < 1 || c.MaxTextRunes > 10000:
		return fmt.Errorf("max-text must be from 1 to 10000, got %d", c.MaxTextRunes)
	case c.MaxFrameBytes < 256:
		return fmt.Errorf("max-frame must be at least 256 bytes, got %d", c.MaxFrameBytes)
	case c.MaxImportBytes < c.MaxBodyBytes:
		return fmt.Errorf("max-import (%d) must be at least max-body (%d)", c.MaxImportBytes, c.MaxBodyBytes)
	case c.SendBuffer < 16 || c.SendBuffer > maxSendBuffer:
		return fmt.Errorf("send-buffer must be from 16 to %d frames, got %d", maxSendBuffer, c.SendBuffer)
	case c.MaxRoomsPerConn < 1 || c.MaxRoomsPerConn > 1000:
		return fmt.Errorf("max-rooms must be from 1 to 1000, got %d", c.MaxRoomsPerConn)
	case c.CatchupLimit < 1:
		return fmt.Errorf("catchup-limit must be at least 1, got %d", c.CatchupLimit)
	case c.Secret != "" && len(c.Secret) < 32:
		return errors.New("secret must be at least 32 characters")
	case c.BatchMax < 0 || c.FlushEvery < 0:
		return errors.New("batch-max and flush-every cannot be negative")
	case c.Migrations == nil && !postgres.IsURL(c.DBPath):
		return errors.New("no migrations given")
	case c.PostgresMigrations == nil && postgres.IsURL(c.DBPath):
		return errors.New("no PostgreSQL migrations given")
	case c.PongWait <= c.PingEvery:
		return fmt.Errorf("pong-wait (%s) must be longer than ping-every (%s)", c.PongWait, c.PingEvery)
	case c.Guests != GuestsSend && c.Guests != GuestsWatch && c.Guests != GuestsOff:
		return fmt.Errorf("guests must be send, watch or off, got %q", c.Guests)
	case c.FrameRate > 0 && c.FrameBurst < 1:
		return fmt.Errorf("frame-burst must be at least 1, got %d", c.FrameBurst)
	case c.FDReserve < 0:
		return fmt.Errorf("fd-reserve cannot be negative, got %d", c.FDReserve)
	case c.RESTWindow < time.Second:
		return fmt.Errorf("rest-window must be at least 1s, got %s", c.RESTWindow)
	case c.ProxyHeader != "" && len(c.TrustedProxies) == 0:
		return errors.New("proxy-header needs trusted-proxies: the addresses of the proxies allowed to set it")
	}
	if err := c.checkPositive(); err != nil {
		return err
	}
	if err := c.checkMetricsAddr(); err != nil {
		return err
	}
	for _, p := range c.TrustedProxies {
		if _, err := netip.ParsePrefix(p); err != nil {
			if _, err := netip.ParseAddr(p); err != nil {
				return fmt.Errorf("trusted-proxies: %q is not an IP address or a CIDR like 10.0.0.0/8", p)
			}
		}
	}
	for _, o := range c.AllowedOrigins {
		if o != "*" && !validOrigin(o) {
			return fmt.Errorf("allowed-origins: %q is not an origin like https://example.com[:port]", o)
		}
	}
	return nil
}

// checkPositive checks the sizes and intervals that only work above zero
// (zero itself was replaced by the default): a negative ping interval, for
// one, would pass start-up and then panic on the first socket.
func (c Config) checkPositive() error {
	for _, d := range []struct {
		name string
		v    time.Duration
	}{
		{"ping-every", c.PingEvery}, {"write-wait", c.WriteWait}, {"shutdown-timeout", c.ShutdownTimeout}, {"auth-timeout", c.AuthTimeout},
		{"idempotency-window", c.IdempotencyWindow},
		{"session-recheck", c.SessionRecheck},
	} {
		if d.v <= 0 {
			return fmt.Errorf("%s must be positive, got %s", d.name, d.v)
		}
	}
	for _, n := range []struct {
		name string
		v    int
	}{
		{"max-body", c.MaxBodyBytes}, {"writer-batch", c.WriterBatch}, {"writer-queue", c.WriterQueue},
	} {
		if n.v <= 0 {
			return fmt.Errorf("%s must be positive, got %d", n.name, n.v)
		}
	}
	if c.WriterLinger < 0 {
		return fmt.Errorf("writer-linger cannot be negative, got %s", c.WriterLinger)
	}
	return nil
}

// validOrigin reports whether s is scheme://host[:port] and nothing more.
func validOrigin(s string) bool {
	u, err := url.Parse(strings.TrimSuffix(s, "/"))
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" &&
		u.Path == "" && u.RawQuery == "" && u.Fragment == "" && u.User == nil &&
		!strings.ContainsAny(s, " ;,'\"")
}

// checkMetricsAddr validates Config.MetricsAddr.
func (c Config) checkMetricsAddr() error {
	switch {
	case c.MetricsAddr == "" || c.MetricsAddr == MetricsOff:
		return nil
	}
	_, port, err := net.SplitHostPort(c.MetricsAddr)
	switch {
	case err != nil:
		return fmt.Errorf("metrics-addr must be host:port, empty or off, got %q", c.MetricsAddr)
	case c.MetricsAddr == c.Addr && port != "0":
		return fmt.Errorf("metrics-addr must differ from addr (leave it empty to serve /metrics on addr), got %q", c.MetricsAddr)
	}
	return nil
}
