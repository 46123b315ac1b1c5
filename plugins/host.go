package plugins

import (
	"log/slog"
	"time"
)

// Host is what the server offers plugins in [Provisioner.Provision].
type Host interface {
	// Logger returns the logger plugins should use; never nil.
	Logger() *slog.Logger
	// Now returns the current time; tests inject a fake clock here.
	Now() time.Time
	// BlockStore returns the ban store, or nil if the host has none.
	BlockStore() BlockStore
}

// BasicHost is a ready-made [Host] from plain values; zero fields get
// defaults (slog.Default, time.Now, no block store).
type BasicHost struct {
	Log    *slog.Logger
	Clock  func() time.Time
	Blocks BlockStore
	Shared Counters // the cluster's shared counters; nil on a single node
}

var _ Host = BasicHost{}

// Logger returns h.Log or slog.Default.
func (h BasicHost) Logger() *slog.Logger {
	if h.Log == nil {
		return slog.Default()
	}
	return h.Log
}

// Now returns h.Clock() or time.Now.
func (h BasicHost) Now() time.Time {
	if h.Clock == nil {
		return time.Now()
	}
	return h.Clock()
}

// BlockStore returns h.Blocks, which may be nil.
func (h BasicHost) BlockStore() BlockStore { return h.Blocks }
