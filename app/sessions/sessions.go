// Package sessions keeps track of who is signed in: server-side session
// records in the store, and a node-local cache of them so that the check
// every request and frame makes stays a map lookup.
//
// A session ended on this node is refused here at once (the cache learns
// of it before the store does). Other nodes re-read a session from the
// store once their cached view of it is older than Recheck, so an end on
// one node takes effect on every node within Recheck; a broker that
// announced ends (like hub.Broker announces comments) could make that
// immediate, without changing this package's callers.
package sessions

import (
	"context"
	"crypto/rand"
	"sync"
	"time"

	"github.com/danmaku/danmaku/app/auth"
	"github.com/danmaku/danmaku/app/errs"
	"github.com/danmaku/danmaku/app/store"
)

// Store is what sessions need of storage (see store.Sessions).
type Store interface {
	CreateSession(ctx context.Context, s store.Session) error
	Session(ctx context.Context, id string) (store.Session, error)
	ExtendSession(ctx context.Context, id string, expires time.Time) error
	EndSession(ctx context.Context, id string) error
	EndUserSessions(ctx context.Context, user string, cutoff time.Time) (int, error)
	SessionCutoff(ctx context.Context, user string) (time.Time, error)
}

// DefaultRecheck is how long a node trusts its cached view of a session.
const DefaultRecheck = 30 * time.Second

// maxCached bounds each cache; past it, stale entries go first.
const maxCached = 200_000

// Service starts, checks and ends sessions.
type Service struct {
	store   Store
	recheck time.Duration
	now     func() time.Time

	mu       sync.RWMutex
	sessions map[string]cachedSession
	cutoffs  map[string]cachedCutoff
	pruned   time.Time // when stale entries were last dropped
}

type cachedSession struct {
	user    string
	expires time.Time
	alive   bool // false: unknown to the store, or ended
	read    time.Time
}

type cachedCutoff struct {
	before time.Time
	read   time.Time
}

// New returns the service over st; recheck <= 0 means DefaultRecheck.
func New(st Store, recheck time.Duration) *Service {
	if recheck <= 0 {
		recheck = DefaultRecheck
	}
	return &Service{
		store: st, recheck: recheck, now: time.Now,
		sessions: map[string]cachedSession{}, cutoffs: map[string]cachedCutoff{},
	}
}

// Start stores a new session for id that lasts until exp and returns it.
func (s *Service) Start(ctx context.Context, id auth.Identity, exp time.Time) (store.Session, error) {
	now := s.now()
	sess := store.Session{ID: rand.Text(), UserID: id.ID, Guest: id.Guest, Created: now, Expires: exp}
	if err := s.store.CreateSession(ctx, sess); err != nil {
		return store.Session{}, err
	}
	s.remember(sess.ID, cachedSession{user: sess.UserID, expires: exp, alive: true, read: now})
	return sess, nil
}

// Extend moves session id's expiry to exp.
func (s *Service) Extend(ctx context.Context, id, user string, exp time.Time) error {
	if err := s.store.ExtendSession(ctx, id, exp); err != nil {
		return err
	}
	s.remember(id, cachedSession{user: user, expires: exp, alive: true, read: s.now()})
	return nil
}

// Check reports whether the token t stands on is still good: its session
// exists, belongs to its user and has not expired, or, for a sessionless
// token, its user has not signed out everywhere since it was issued. A
// refusal is Unauthorized; a store that cannot answer is Unavailable.
func (s *Service) Check(ctx context.Context, t auth.Token) error {
	if t.Session == "" {
		before, err := s.cutoff(ctx, t.Identity.ID)
		if err != nil {
			return err
		}
		if !before.IsZero() && t.IssuedAt.Before(before) {
			return errs.New(errs.Unauthorized, "signed out: this token was ended by a sign-out everywhere")
		}
		return nil
	}
	c, err := s.session(ctx, t.Session)
	if err != nil {
		return err
	}
	if !c.alive || c.user != t.Identity.ID || !s.now().Before(c.expires) {
		return errs.New(errs.Unauthorized, "signed out: this session has ended")
	}
	return nil
}

// session returns the cached view of session id, reading the store when
// it is stale.
func (s *Service) session(ctx context.Context, id string) (cachedSession, error) {
	now := s.now()
	s.mu.RLock()
	c, ok := s.sessions[id]
	s.mu.RUnlock()
	if ok && now.Sub(c.read) < s.recheck {
		return c, nil
	}
	sess, err := s.store.Session(ctx, id)
	switch {
	case err != nil && errs.CodeOf(err) == errs.NotFound:
		c = cachedSession{read: now}
	case err != nil:
		return c, errs.Wrap(err, errs.Unavailable, "could not check your session: try again")
	default:
		c = cachedSession{user: sess.UserID, expires: sess.Expires, alive: true, read: now}
	}
	s.remember(id, c)
	return c, nil
}

// cutoff returns user's sign-out-everywhere instant, cached like sessions.
func (s *Service) cutoff(ctx context.Context, user string) (time.Time, error) {
	now := s.now()
	s.mu.RLock()
	c, ok := s.cutoffs[user]
	s.mu.RUnlock()
	if ok && now.Sub(c.read) < s.recheck {
		return c.before, nil
	}
	before, err := s.store.SessionCutoff(ctx, user)
	if err != nil {
		return time.Time{}, errs.Wrap(err, errs.Unavailable, "could not check your token: try again")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cutoffs[user] = cachedCutoff{before: before, read: now}
	s.pruneLocked(now)
	return before, nil
}

// End ends session id: refused on this node at once, and in the store.
func (s *Service) End(ctx context.Context, id string) error {
	s.remember(id, cachedSession{read: s.now()})
	return s.store.EndSession(ctx, id)
}

// EndUser ends every session of user and every sessionless token of
// theirs issued until now ("sign out everywhere"), and returns how many
// sessions there were.
func (s *Service) EndUser(ctx context.Context, user string) (int, error) {
	now := s.now()
	s.forget(user, now)
	return s.store.EndUserSessions(ctx, user, now)
}

// Forget drops what this node cached about user, after their sessions
// ended elsewhere (an erasure): they are refused here from now on.
func (s *Service) Forget(user string) { s.forget(user, s.now()) }

func (s *Service) forget(user string, now time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for id, c := range s.sessions {
		if c.user == user {
			s.sessions[id] = cachedSession{read: now}
		}
	}
	// The store's cutoff is now too. Tokens issued earlier in this very
	// second are refused with the older ones: iat has second precision.
	s.cutoffs[user] = cachedCutoff{before: now, read: now}
}

func (s *Service) remember(id string, c cachedSession) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sessions[id] = c
	s.pruneLocked(s.now())
}

// pruneLocked drops stale entries (they would be read again anyway) every
// few recheck intervals, so the cache follows the sessions in use rather
// than every session ever seen; and at once when a map is over maxCached.
func (s *Service) pruneLocked(now time.Time) {
	full := len(s.sessions) > maxCached || len(s.cutoffs) > maxCached
	if !full && now.Sub(s.pruned) < 4*s.recheck {
		return
	}
	s.pruned = now
	prune(s.sessions, func(c cachedSession) bool { return now.Sub(c.read) >= s.recheck })
	prune(s.cutoffs, func(c cachedCutoff) bool { return now.Sub(c.read) >= s.recheck })
}

// prune drops the stale entries of m, and when that is not enough, half
// of the rest (any half: they are read again when next asked for).
func prune[V any](m map[string]V, stale func(V) bool) {
	for k, v := range m {
		if stale(v) {
			delete(m, k)
		}
	}
	if len(m) > maxCached {
		n := len(m) / 2
		for k := range m {
			if n == 0 {
				break
			}
			delete(m, k)
			n--
		}
	}
}
