package plugins

import (
	"context"
	"time"
)

// Counters keep rate-limit state that every node of a cluster shares (in
// Redis), so a limit holds whichever node a user's comments reach. A
// plugin gets them from a [CountersHost]; when a call fails (the shared
// store is down) it falls back to counters of its own.
type Counters interface {
	// Take takes a token from the bucket key, which holds n tokens and
	// refills them over per, and returns 0; or, when the bucket is empty,
	// takes none and returns how long until a token is there. With
	// consume false it only looks.
	Take(ctx context.Context, key string, n int, per time.Duration, consume bool) (time.Duration, error)
	// Held returns how much longer key is held (0: it is not).
	Held(ctx context.Context, key string) (time.Duration, error)
	// Hold holds key for d.
	Hold(ctx context.Context, key string, d time.Duration) error
}

// CountersHost is a [Host] that may offer shared [Counters].
type CountersHost interface {
	Host
	// Counters returns the cluster's shared counters, or nil on a single node.
	Counters() Counters
}

var _ CountersHost = BasicHost{}

// Counters returns h.Shared, which may be nil.
func (h BasicHost) Counters() Counters { return h.Shared }
