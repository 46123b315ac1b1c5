package moderation

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/danmaku/danmaku/app/auth"
	"github.com/danmaku/danmaku/app/errs"
	"github.com/danmaku/danmaku/app/protocol"
	"github.com/danmaku/danmaku/app/store"
)

// sharedLive is one database's live tools, as every node reads them.
type sharedLive struct {
	store.Live // methods the test does not call panic
	mu         sync.Mutex
	modes      map[string]store.RoomModes
	reads      int
}

func (s *sharedLive) AllRoomModes(context.Context) ([]store.RoomModes, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reads++
	var out []store.RoomModes
	for _, m := range s.modes {
		out = append(out, m)
	}
	return out, nil
}
func (s *sharedLive) ActiveTerms(context.Context, time.Time) ([]store.BlockedTerm, error) {
	return nil, nil
}
func (s *sharedLive) ActiveUserActions(context.Context, time.Time) ([]store.UserAction, error) {
	return nil, nil
}

func (s *sharedLive) set(m store.RoomModes) {
	s.mu.Lock()
	s.modes[m.Room] = m
	s.mu.Unlock()
}

// TestLiveStateAcrossNodes: a mode set through one node applies there at
// once and on another node within LiveTTL, which reads the store no more
// often than that.
func TestLiveStateAcrossNodes(t *testing.T) {
	db := &sharedLive{modes: map[string]store.RoomModes{}}
	now := time.Unix(1_800_000_000, 0)
	clock := func() time.Time { return now }
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	a, b := newLive(db, nil, log), newLive(db, nil, log)
	a.now, b.now = clock, clock
	viewer := Sender{Identity: auth.Identity{ID: "v1", Roles: []string{auth.RoleViewer}}}
	send := func(l *live) error {
		d := protocol.Draft{Text: "hi"}
		sc, err := l.screen(context.Background(), "r", viewer, &d)
		if err == nil {
			l.accepted(context.Background(), sc)
		}
		return err
	}
	for _, l := range []*live{a, b} {
		if err := send(l); err != nil {
			t.Fatalf("no modes yet: %v", err)
		}
	}
	db.set(store.RoomModes{Room: "r", SlowSeconds: 60})
	a.invalidate() // what SetModes does on the node the change went through
	now = now.Add(time.Second)
	if err := send(a); errs.CodeOf(err) != errs.SlowMode {
		t.Errorf("on the node that changed it: %v, want slow_mode at once", err)
	}
	if err := send(b); err != nil {
		t.Errorf("on another node before LiveTTL: %v, want the old modes still", err)
	}
	reads := db.reads
	now = now.Add(LiveTTL)
	if err := send(b); errs.CodeOf(err) != errs.SlowMode {
		t.Errorf("on another node after LiveTTL: %v, want slow_mode", err)
	}
	for range 10 {
		_ = send(b)
	}
	if db.reads != reads+1 {
		t.Errorf("%d reads of the store for 11 comments within LiveTTL, want 1", db.reads-reads)
	}
}

// TestTermExpiry: a term masks until its expiry and not from then on,
// even while the node's cached state still lists it.
func TestTermExpiry(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	at := func(d time.Duration) *protocol.Timestamp { ts := protocol.TimestampOf(now.Add(d)); return &ts }
	for _, tc := range []struct {
		name  string
		until *protocol.Timestamp
		want  string
	}{
		{"no expiry", nil, "a **** day"},
		{"expires later", at(time.Minute), "a **** day"},
		{"expired a moment ago", at(-time.Millisecond), "a darn day"},
		{"expires right now", at(0), "a darn day"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ct, ok := compileTerm(store.BlockedTerm{ID: 1, Term: "darn", Action: store.TermMask, Until: tc.until})
			if !ok {
				t.Fatal("term does not compile")
			}
			l := newLive(&sharedLive{modes: map[string]store.RoomModes{}}, nil, slog.New(slog.NewTextHandler(io.Discard, nil)))
			l.now = func() time.Time { return now }
			l.state = &liveState{at: now, modes: map[string]store.RoomModes{}, terms: []compiledTerm{ct}, index: indexTerms([]compiledTerm{ct})}
			d := protocol.Draft{Text: "a darn day"}
			if _, err := l.screen(context.Background(), "r", Sender{Identity: auth.Identity{ID: "v1"}}, &d); err != nil {
				t.Fatal(err)
			}
			if d.Text != tc.want {
				t.Errorf("stored %q, want %q", d.Text, tc.want)
			}
		})
	}
}
