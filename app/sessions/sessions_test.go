package sessions

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/danmaku/danmaku/app/auth"
	"github.com/danmaku/danmaku/app/errs"
	"github.com/danmaku/danmaku/app/store"
)

// fakeStore is an in-memory store.Sessions that counts reads and can fail.
type fakeStore struct {
	mu       sync.Mutex
	sessions map[string]store.Session
	cutoffs  map[string]time.Time
	reads    int
	down     bool // reads fail
}

func newFakeStore() *fakeStore {
	return &fakeStore{sessions: map[string]store.Session{}, cutoffs: map[string]time.Time{}}
}

func (f *fakeStore) CreateSession(_ context.Context, s store.Session) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sessions[s.ID] = s
	return nil
}

func (f *fakeStore) Session(_ context.Context, id string) (store.Session, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reads++
	if f.down {
		return store.Session{}, errors.New("disk on fire")
	}
	s, ok := f.sessions[id]
	if !ok {
		return s, errs.New(errs.NotFound, "no such session")
	}
	return s, nil
}

func (f *fakeStore) ExtendSession(_ context.Context, id string, exp time.Time) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	s, ok := f.sessions[id]
	if !ok {
		return errs.New(errs.NotFound, "no such session")
	}
	s.Expires = exp
	f.sessions[id] = s
	return nil
}

func (f *fakeStore) EndSession(_ context.Context, id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.sessions, id)
	return nil
}

func (f *fakeStore) EndUserSessions(_ context.Context, user string, cutoff time.Time) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for id, s := range f.sessions {
		if s.UserID == user {
			delete(f.sessions, id)
			n++
		}
	}
	f.cutoffs[user] = cutoff
	return n, nil
}

func (f *fakeStore) SessionCutoff(_ context.Context, user string) (time.Time, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reads++
	if f.down {
		return time.Time{}, errors.New("disk on fire")
	}
	return f.cutoffs[user], nil
}

// clock is a settable now.
type clock struct{ t time.Time }

func (c *clock) now() time.Time          { return c.t }
func (c *clock) advance(d time.Duration) { c.t = c.t.Add(d) }

func newService(t *testing.T) (*Service, *fakeStore, *clock) {
	t.Helper()
	st := newFakeStore()
	c := &clock{t: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	s := New(st, 30*time.Second)
	s.now = c.now
	return s, st, c
}

var alice = auth.Identity{ID: "alice", Name: "Alice", Roles: []string{auth.RoleModerator}}

func tokenOf(sess store.Session, id auth.Identity) auth.Token {
	return auth.Token{Identity: id, Expires: sess.Expires, IssuedAt: sess.Created, Session: sess.ID}
}

func TestCheck(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		// do changes the world after the session started; it returns the
		// token to check.
		do   func(s *Service, st *fakeStore, c *clock, tok auth.Token) auth.Token
		want errs.Code // "" for accepted
	}{
		{"a live session", func(_ *Service, _ *fakeStore, _ *clock, tok auth.Token) auth.Token { return tok }, ""},
		{"ended on this node: at once", func(s *Service, _ *fakeStore, _ *clock, tok auth.Token) auth.Token {
			if err := s.End(ctx, tok.Session); err != nil {
				t.Fatal(err)
			}
			return tok
		}, errs.Unauthorized},
		{"ended on another node: within the recheck", func(_ *Service, st *fakeStore, c *clock, tok auth.Token) auth.Token {
			_ = st.EndSession(ctx, tok.Session)
			c.advance(31 * time.Second)
			return tok
		}, errs.Unauthorized},
		{"expired", func(_ *Service, _ *fakeStore, c *clock, tok auth.Token) auth.Token {
			c.advance(2 * time.Hour)
			return tok
		}, errs.Unauthorized},
		{"someone else's session id", func(_ *Service, _ *fakeStore, _ *clock, tok auth.Token) auth.Token {
			tok.Identity = auth.Identity{ID: "mallory", Name: "M"}
			return tok
		}, errs.Unauthorized},
		{"an unknown session", func(_ *Service, _ *fakeStore, _ *clock, tok auth.Token) auth.Token {
			tok.Session = "never-started"
			return tok
		}, errs.Unauthorized},
		{"the store cannot answer", func(_ *Service, st *fakeStore, c *clock, tok auth.Token) auth.Token {
			st.down = true
			c.advance(31 * time.Second)
			return tok
		}, errs.Unavailable},
		{"user signed out everywhere", func(s *Service, _ *fakeStore, _ *clock, tok auth.Token) auth.Token {
			if _, err := s.EndUser(ctx, alice.ID); err != nil {
				t.Fatal(err)
			}
			return tok
		}, errs.Unauthorized},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, st, c := newService(t)
			sess, err := s.Start(ctx, alice, c.now().Add(time.Hour))
			if err != nil {
				t.Fatal(err)
			}
			err = s.Check(ctx, tc.do(s, st, c, tokenOf(sess, alice)))
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tc.want != "" && (err == nil || errs.CodeOf(err) != tc.want):
				t.Fatalf("got %v, want %s", err, tc.want)
			}
		})
	}
}

func TestCheckIsCachedUntilTheRecheck(t *testing.T) {
	ctx := context.Background()
	s, st, c := newService(t)
	sess, err := s.Start(ctx, alice, c.now().Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	tok := tokenOf(sess, alice)
	for range 100 {
		if err := s.Check(ctx, tok); err != nil {
			t.Fatal(err)
		}
	}
	if st.reads != 0 {
		t.Fatalf("%d store reads for a session this node started, want 0", st.reads)
	}
	c.advance(31 * time.Second)
	for range 100 {
		if err := s.Check(ctx, tok); err != nil {
			t.Fatal(err)
		}
	}
	if st.reads != 1 {
		t.Fatalf("%d store reads after the recheck interval, want 1", st.reads)
	}
}

func TestSessionlessTokensAndTheCutoff(t *testing.T) {
	ctx := context.Background()
	s, _, c := newService(t)
	issued := c.now().Add(-time.Minute).Truncate(time.Second)
	old := auth.Token{Identity: alice, IssuedAt: issued, Expires: c.now().Add(time.Hour)}
	if err := s.Check(ctx, old); err != nil {
		t.Fatalf("a sessionless token before any sign-out: %v", err)
	}
	c.advance(time.Second) // the sign-out comes after the token
	if _, err := s.EndUser(ctx, alice.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.Check(ctx, old); errs.CodeOf(err) != errs.Unauthorized {
		t.Fatalf("a token issued before sign-out everywhere: %v, want refused", err)
	}
	c.advance(2 * time.Second)
	fresh := auth.Token{Identity: alice, IssuedAt: c.now().Truncate(time.Second), Expires: c.now().Add(time.Hour)}
	if err := s.Check(ctx, fresh); err != nil {
		t.Fatalf("a token issued after the sign-out: %v", err)
	}
	// A fresh node (empty cache) reads the cutoff from the store.
	other := New(s.store, time.Minute)
	other.now = c.now
	if err := other.Check(ctx, old); errs.CodeOf(err) != errs.Unauthorized {
		t.Fatalf("another node took the old token: %v", err)
	}
	bob := auth.Token{Identity: auth.Identity{ID: "bob", Name: "Bob"}, IssuedAt: issued, Expires: c.now().Add(time.Hour)}
	if err := other.Check(ctx, bob); err != nil {
		t.Fatalf("another user's token: %v", err)
	}
}

func TestTheCacheIsBounded(t *testing.T) {
	ctx := context.Background()
	s, st, c := newService(t)
	for i := range maxCached + 10 {
		id := "s" + string(rune('a'+i%26)) + time.Duration(i).String()
		st.sessions[id] = store.Session{ID: id, UserID: "u", Expires: c.now().Add(time.Hour)}
		_ = s.Check(ctx, auth.Token{Identity: auth.Identity{ID: "u"}, Session: id})
	}
	if n := len(s.sessions); n > maxCached {
		t.Fatalf("%d sessions cached, want at most %d", n, maxCached)
	}
}

func TestTheCacheFollowsTheSessionsInUse(t *testing.T) {
	ctx := context.Background()
	s, _, c := newService(t)
	for range 100 {
		if _, err := s.Start(ctx, alice, c.now().Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	c.advance(5 * 30 * time.Second) // none of them used since
	live, err := s.Start(ctx, alice, c.now().Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if len(s.sessions) != 1 {
		t.Fatalf("%d sessions cached, want only the one in use", len(s.sessions))
	}
	if err := s.Check(ctx, tokenOf(live, alice)); err != nil {
		t.Fatal(err)
	}
}
