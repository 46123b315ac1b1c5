package store

import (
	"context"
	"time"
)

// Session is a server-side sign-in: a browser's (a guest's, or a user's
// who signed in at /login). Tokens carry its ID; a token is good only
// while its session exists and has not expired. Ending a session deletes
// it, so what is stored about a person's sessions is what is in force.
type Session struct {
	ID      string    `json:"id"`
	UserID  string    `json:"user_id"`
	Guest   bool      `json:"guest"`
	Created time.Time `json:"created_at"`
	Expires time.Time `json:"expires_at"`
}

// Sessions stores sessions, and each user's sign-out-everywhere cutoff.
// Every node of a cluster reads the same records, so a session ended on
// one node is refused by the others once their caches re-read it.
type Sessions interface {
	// CreateSession stores s once committed. An ID that exists is Conflict.
	CreateSession(ctx context.Context, s Session) error
	// Session returns session id; an unknown (or ended) one is NotFound.
	// An expired session may still be returned: callers compare Expires.
	Session(ctx context.Context, id string) (Session, error)
	// ExtendSession moves session id's expiry to expires; an unknown one
	// is NotFound.
	ExtendSession(ctx context.Context, id string, expires time.Time) error
	// EndSession deletes session id; ending an unknown one is no error.
	EndSession(ctx context.Context, id string) error
	// EndUserSessions deletes every session of user and records that
	// sessionless tokens of user issued before cutoff are refused. It
	// returns how many sessions it ended.
	EndUserSessions(ctx context.Context, user string, cutoff time.Time) (int, error)
	// SessionCutoff returns user's cutoff, zero when they never signed
	// out everywhere.
	SessionCutoff(ctx context.Context, user string) (time.Time, error)
	// UserSessions returns user's sessions, oldest first.
	UserSessions(ctx context.Context, user string) ([]Session, error)
	// PurgeSessions deletes the sessions that expired before now and
	// returns how many.
	PurgeSessions(ctx context.Context, now time.Time) (int, error)
}
