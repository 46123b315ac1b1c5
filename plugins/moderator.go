package plugins

import "context"

// Moderator is the one method every plugin implements.
//
// Moderate sees the comment as the previous plugin left it and returns a
// verdict. ctx carries the plugin's deadline (its timeout, 50ms by default):
// a plugin that does I/O must honour it. Returning an error, panicking or
// missing the deadline all count as a failure, and the entry's on_error
// policy decides whether the comment passes or is rejected.
// Moderate is called from many goroutines at once and must be safe for that.
type Moderator interface {
	Moderate(ctx context.Context, c Comment) (Verdict, error)
}

// Factory makes a new, unconfigured plugin instance with its defaults set.
// Each chain entry gets its own instance.
type Factory func() Moderator

// Configurer is implemented by plugins that take a config block. Configure
// is called once, before Provision, even when the block is absent (then
// cfg is empty and defaults stand); it decodes and validates the block and
// returns a [FieldError] (see [FieldErrorf]) naming the offending field.
type Configurer interface {
	Configure(cfg RawConfig) error
}

// Provisioner is implemented by plugins that need host services (logger,
// clock, block store). Provision is called once, after Configure.
type Provisioner interface {
	Provision(h Host) error
}

// JoinChecker is implemented by plugins that can refuse a user at the door.
// Only an [ActionReject] verdict refuses; every other action admits.
type JoinChecker interface {
	CheckJoin(ctx context.Context, j Join) (Verdict, error)
}

// NonBlocking is implemented by plugins whose Moderate never waits: no I/O,
// no channel waits, no locks held across slow work. The chain calls such
// plugins inline on the caller's goroutine (no goroutine per comment), so
// their timeout can only be checked after they return, not enforced.
// Return false when it depends on configuration (e.g. a remote store).
type NonBlocking interface {
	NonBlocking() bool
}

// Closer is implemented by plugins holding resources (goroutines, files).
// Close is called once when the chain set is replaced or shut down, possibly
// while a call abandoned after its timeout is still running.
type Closer interface {
	Close() error
}
