package plugintest

import (
	"log/slog"
	"testing"
	"time"

	"github.com/danmaku/danmaku/plugins"
)

// Host is a [plugins.Host] for tests: a manual clock, an in-memory block
// store and a logger writing to the test's output.
type Host struct {
	Clock  *Clock
	Blocks *BlockStore
	Log    *slog.Logger
}

var _ plugins.Host = (*Host)(nil)

// NewHost returns a host whose logs go to t's output.
func NewHost(t testing.TB) *Host {
	t.Helper()
	clock := NewClock()
	return &Host{
		Clock:  clock,
		Blocks: NewBlockStore(clock.Now),
		Log:    slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
}

// Logger returns h.Log.
func (h *Host) Logger() *slog.Logger { return h.Log }

// Now returns the manual clock's time.
func (h *Host) Now() time.Time { return h.Clock.Now() }

// BlockStore returns the in-memory store.
func (h *Host) BlockStore() plugins.BlockStore { return h.Blocks }
