package app

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"time"
)

// Config is everything the server needs to start. Zero fields take the
// values of DefaultConfig; command-line flags and DANMAKU_* variables are
// mapped onto it by package cli.
type Config struct {
	Addr   string // listen address, host:port
	DBPath string // SQLite database file
	Sync   string // SQLite synchronous mode: normal or full

	// Secret signs session cookies and tokens. When empty, one is generated
	// and kept in secret.key next to the database.
	Secret string
	// AllowedOrigins may open WebSockets besides the server's own origin.
	// "*" allows every origin.
	AllowedOrigins []string

	MaxTextRunes    int   // longest comment text, in characters
	MaxFrameBytes   int64 // largest WebSocket frame a client may send
	MaxBodyBytes    int   // largest REST request body
	MaxRoomsPerConn int   // rooms one socket may join at once
	SendBuffer      int   // frames queued per socket before it counts as slow
	CatchupLimit    int   // most comments replayed to one join with since

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

	Logger     *slog.Logger
	Templates  fs.FS // page templates, *.html at the root
	Assets     fs.FS // static files served under /assets
	Migrations fs.FS // SQL migrations at the root
	Version    string
}

// DefaultConfig returns the defaults documented in the README.
func DefaultConfig() Config {
	return Config{
		Addr:            "127.0.0.1:8080",
		DBPath:          "./data/danmaku.db",
		Sync:            "normal",
		MaxTextRunes:    100,
		MaxFrameBytes:   4096,
		MaxBodyBytes:    64 << 10,
		MaxRoomsPerConn: 8,
		SendBuffer:      256,
		CatchupLimit:    10000,
		WriterBatch:     512,
		WriterQueue:     8192,
		BatchMax:        50 * time.Millisecond,
		FlushEvery:      250 * time.Millisecond,
		PingEvery:       25 * time.Second,
		PongWait:        60 * time.Second,
		WriteWait:       10 * time.Second,
		ShutdownTimeout: 10 * time.Second,
		SeedDemo:        true,
		Version:         "dev",
	}
}

// withDefaults fills zero fields from DefaultConfig.
func (c Config) withDefaults() Config {
	d := DefaultConfig()
	setDefault(&c.Addr, d.Addr)
	setDefault(&c.DBPath, d.DBPath)
	setDefault(&c.Sync, d.Sync)
	setDefault(&c.MaxTextRunes, d.MaxTextRunes)
	setDefault(&c.MaxFrameBytes, d.MaxFrameBytes)
	setDefault(&c.MaxBodyBytes, d.MaxBodyBytes)
	setDefault(&c.MaxRoomsPerConn, d.MaxRoomsPerConn)
	setDefault(&c.SendBuffer, d.SendBuffer)
	setDefault(&c.CatchupLimit, d.CatchupLimit)
	setDefault(&c.WriterBatch, d.WriterBatch)
	setDefault(&c.WriterQueue, d.WriterQueue)
	setDefault(&c.BatchMax, d.BatchMax)
	setDefault(&c.FlushEvery, d.FlushEvery)
	setDefault(&c.PingEvery, d.PingEvery)
	setDefault(&c.PongWait, d.PongWait)
	setDefault(&c.WriteWait, d.WriteWait)
	setDefault(&c.ShutdownTimeout, d.ShutdownTimeout)
	setDefault(&c.Version, d.Version)
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

// validate reports the first setting that cannot work, naming it.
func (c Config) validate() error {
	switch {
	case c.Sync != "normal" && c.Sync != "full":
		return fmt.Errorf("sync must be normal or full, got %q", c.Sync)
	case c.MaxTextRunes < 1 || c.MaxTextRunes > 10000:
		return fmt.Errorf("max-text must be from 1 to 10000, got %d", c.MaxTextRunes)
	case c.MaxFrameBytes < 256:
		return fmt.Errorf("max-frame must be at least 256 bytes, got %d", c.MaxFrameBytes)
	case c.SendBuffer < 16:
		return fmt.Errorf("send-buffer must be at least 16 frames, got %d", c.SendBuffer)
	case c.Secret != "" && len(c.Secret) < 32:
		return errors.New("secret must be at least 32 characters")
	case c.BatchMax < 0 || c.FlushEvery < 0:
		return errors.New("batch-max and flush-every cannot be negative")
	case c.Migrations == nil:
		return errors.New("no migrations given")
	case c.PongWait <= c.PingEvery:
		return fmt.Errorf("pong-wait (%s) must be longer than ping-every (%s)", c.PongWait, c.PingEvery)
	}
	return nil
}
