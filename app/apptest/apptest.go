// Package apptest starts real Danmaku servers for tests: app.New and Start
// on 127.0.0.1 over a SQLite file in a temporary directory (or, with
// DANMAKU_TEST_DB=postgres, a fresh PostgreSQL database), with the
// repository's migrations, templates and assets read from disk, plus small
// REST helpers. Spawn runs one in a child process instead, for tests that
// kill it. Both the app tests and the browser tests use it.
package apptest

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime/pprof"
	"strings"
	"testing"
	"time"

	"github.com/danmaku/danmaku/app"
	"github.com/danmaku/danmaku/plugins"
)

// WaitFor bounds every wait on an event in tests.
const WaitFor = 10 * time.Second

// Secret signs the test servers' sessions, so tests can mint tokens.
const Secret = "test-secret-test-secret-test-secret"

// Server is a running server and the config it was started with.
type Server struct {
	*app.App
	Cfg app.Config
}

// Config returns a config for a server whose database lives in dir.
func Config(t testing.TB, dir string) app.Config {
	t.Helper()
	root := RepoRoot(t)
	cfg := app.DefaultConfig()
	cfg.Addr = "127.0.0.1:0"
	cfg.DBPath = DB(t, dir)
	files := repoFiles(root)
	cfg.Migrations, cfg.Templates, cfg.Assets = files.Migrations, files.Templates, files.Assets
	cfg.PostgresMigrations = files.PostgresMigrations
	cfg.FlushEvery = 20 * time.Millisecond
	cfg.Secret = Secret
	// Generous abuse limits: tests of other things send bursts from one IP;
	// the limit tests set their own.
	cfg.MaxConnsPerIP, cfg.MaxTCPPerIP, cfg.FrameRate, cfg.RESTWrites = -1, -1, -1, -1
	// No moderation: tests send fast and repeat themselves. Moderation
	// tests set the chain they test.
	cfg.Plugins = &plugins.Config{}
	cfg.Logger = slog.New(slog.NewTextHandler(LogWriter(t), &slog.HandlerOptions{Level: slog.LevelWarn}))
	return cfg
}

// RepoRoot is the directory holding go.mod, found upwards from the test's directory.
func RepoRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("apptest: no go.mod above the test's directory")
		}
		dir = parent
	}
}

// Start starts a server with the test config, changed by tweak.
func Start(t testing.TB, tweak ...func(*app.Config)) *Server {
	t.Helper()
	cfg := Config(t, t.TempDir())
	for _, f := range tweak {
		f(&cfg)
	}
	return StartWith(t, cfg)
}

// StartWith starts a server with cfg and stops it when the test ends.
func StartWith(t testing.TB, cfg app.Config) *Server {
	t.Helper()
	s := New(t, cfg)
	if err := s.Start(); err != nil {
		t.Fatalf("Start: %v", err)
	}
	return s
}

// New builds a server with cfg, not listening yet, and stops it when the test ends.
func New(t testing.TB, cfg app.Config) *Server {
	t.Helper()
	a, err := app.New(context.Background(), cfg)
	if err != nil {
		t.Fatalf("app.New: %v", err)
	}
	s := &Server{App: a, Cfg: cfg}
	t.Cleanup(func() { s.Stop(t) })
	return s
}

// Stop shuts the server down (once; later calls do nothing).
func (s *Server) Stop(t testing.TB) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), WaitFor)
	defer cancel()
	if err := s.Shutdown(ctx); err != nil {
		pprof.Lookup("goroutine").WriteTo(os.Stderr, 1)
		t.Errorf("Shutdown: %v", err)
	}
}

// Restart stops the server and starts a new one on the same database and a new port.
func (s *Server) Restart(t testing.TB) *Server {
	t.Helper()
	s.Stop(t)
	cfg := s.Cfg
	cfg.Addr = "127.0.0.1:0"
	return StartWith(t, cfg)
}

// Successor stops the server and builds the next one on the same database
// and address, as a restarted deployment would be, without starting it:
// the test calls Start when it is ready for clients to come back.
func (s *Server) Successor(t testing.TB) *Server {
	t.Helper()
	addr := s.Addr()
	s.Stop(t)
	cfg := s.Cfg
	cfg.Addr = addr
	return New(t, cfg)
}

// LogWriter sends server logs to the test log, so they show on failure.
func LogWriter(t testing.TB) io.Writer { return testWriter{t} }

type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}
