// Package privacy keeps what is stored about people to what is needed:
// a background job erases client addresses once they are older than the
// retention period (and purges ended sessions), and a person's data
// request is answered with an export of, or the erasure of, their
// comments, likes and sessions. docs/operations.md ("Data we keep") lists
// what is stored about whom.
package privacy

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/danmaku/danmaku/app/errs"
	"github.com/danmaku/danmaku/app/store"
)

// Store is what privacy needs of storage (see store.Privacy and
// store.Sessions).
type Store interface {
	UserData(ctx context.Context, user string) (store.UserData, error)
	EraseUser(ctx context.Context, user string, cutoff time.Time) (store.Erasure, error)
	EraseAddresses(ctx context.Context, before time.Time) (store.AddressErasure, error)
	PurgeSessions(ctx context.Context, now time.Time) (int, error)
}

// Sessions is this node's view of sessions, told when a user's end.
type Sessions interface {
	Forget(user string)
}

// Deps are the service's dependencies and settings.
type Deps struct {
	Store    Store
	Sessions Sessions // nil: no cache to tell (a command-line tool)
	// Retention is how long client addresses are kept; <= 0 keeps them.
	Retention time.Duration
	// OnSweep, when set, hears of every sweep the job makes (metrics, tests).
	OnSweep func(Swept, error)
	Logger  *slog.Logger
}

// Service runs the retention job and answers data requests.
type Service struct {
	deps Deps
	now  func() time.Time
}

// New returns the service.
func New(deps Deps) *Service {
	if deps.Logger == nil {
		deps.Logger = slog.Default()
	}
	return &Service{deps: deps, now: time.Now}
}

// Swept is what one sweep erased.
type Swept struct {
	Addresses store.AddressErasure
	Sessions  int // expired sessions purged
}

// Sweep erases the addresses older than the retention period and purges
// expired sessions, now.
func (s *Service) Sweep(ctx context.Context) (Swept, error) {
	var out Swept
	now := s.now()
	var errList []error
	if s.deps.Retention > 0 {
		var err error
		out.Addresses, err = s.deps.Store.EraseAddresses(ctx, now.Add(-s.deps.Retention))
		errList = append(errList, err)
	}
	n, err := s.deps.Store.PurgeSessions(ctx, now)
	out.Sessions = n
	errList = append(errList, err)
	return out, errors.Join(errList...)
}

// Every returns how often the job sweeps: a tenth of the retention, so an
// address outlives it by at most that much, but at least every hour (for
// sessions) and at most every 10ms.
func (s *Service) Every() time.Duration {
	if s.deps.Retention <= 0 {
		return time.Hour
	}
	return min(max(s.deps.Retention/10, 10*time.Millisecond), time.Hour)
}

// Run sweeps once at once and then every Every until ctx ends.
func (s *Service) Run(ctx context.Context) {
	t := time.NewTicker(s.Every())
	defer t.Stop()
	for {
		swept, err := s.Sweep(ctx)
		if ctx.Err() != nil {
			return
		}
		switch {
		case err != nil:
			s.deps.Logger.Error("privacy sweep failed; it runs again later", "err", err)
		case swept.Addresses.Comments+swept.Addresses.Bans+swept.Sessions > 0:
			s.deps.Logger.Info("privacy sweep", "comment_addresses_erased", swept.Addresses.Comments,
				"ban_addresses_erased", swept.Addresses.Bans, "sessions_purged", swept.Sessions)
		}
		if s.deps.OnSweep != nil {
			s.deps.OnSweep(swept, err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Export returns everything stored about user.
func (s *Service) Export(ctx context.Context, user string) (store.UserData, error) {
	if user == "" {
		return store.UserData{}, errs.New(errs.Invalid, "a user id is required")
	}
	return s.deps.Store.UserData(ctx, user)
}

// Erase erases user's comments, likes and sessions (see
// store.Privacy.EraseUser) and ends what this node knows of their
// sessions and tokens.
func (s *Service) Erase(ctx context.Context, user string) (store.Erasure, error) {
	if user == "" {
		return store.Erasure{}, errs.New(errs.Invalid, "a user id is required")
	}
	now := s.now()
	if s.deps.Sessions != nil {
		s.deps.Sessions.Forget(user)
	}
	out, err := s.deps.Store.EraseUser(ctx, user, now)
	if err == nil {
		s.deps.Logger.Info("erased a user's data", "user", user, "comments", out.Comments, "likes", out.Likes, "sessions", out.Sessions)
	}
	return out, err
}
