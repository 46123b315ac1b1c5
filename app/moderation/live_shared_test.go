package moderation

import (
	"context"
	"errors"
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

// memShared is Shared in memory, for two nodes' live tools; while down
// it answers nothing but errors.
type memShared struct {
	mu    sync.Mutex
	down  bool
	held  map[string]bool
	texts map[string][]string
}

var errSharedDown = errors.New("shared state down")

func (m *memShared) Held(_ context.Context, key string) (time.Duration, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.down {
		return 0, errSharedDown
	}
	if m.held[key] {
		return time.Minute, nil
	}
	return 0, nil
}

func (m *memShared) Hold(_ context.Context, key string, _ time.Duration) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.down {
		return errSharedDown
	}
	m.held[key] = true
	return nil
}

func (m *memShared) RecentTexts(_ context.Context, room string, n int) ([]string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.down {
		return nil, errSharedDown
	}
	return m.texts[room][:min(n, len(m.texts[room]))], nil
}

func (m *memShared) NoteText(_ context.Context, room, text string, keep int) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.down {
		return errSharedDown
	}
	m.texts[room] = append([]string{text}, m.texts[room]...)[:min(keep, len(m.texts[room])+1)]
	return nil
}

// TestSharedSlowModeAndUniqueChat: with the shared state answering, a
// comment accepted on node a counts on node b (slow mode, unique chat);
// while it does not, each node decides by what it accepted itself.
func TestSharedSlowModeAndUniqueChat(t *testing.T) {
	for _, tc := range []struct {
		name   string
		down   bool
		wantOn map[string]errs.Code // refusals on node b; "" means accepted
	}{
		{"shared", false, map[string]errs.Code{"same sender": errs.SlowMode, "same text": errs.Repeated}},
		{"down: each node alone", true, map[string]errs.Code{"same sender": "", "same text": ""}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db := &sharedLive{modes: map[string]store.RoomModes{"r": {Room: "r", SlowSeconds: 60, UniqueWindow: 5}}}
			sh := &memShared{down: tc.down, held: map[string]bool{}, texts: map[string][]string{}}
			log := slog.New(slog.NewTextHandler(io.Discard, nil))
			a, b := newLive(db, sh, log), newLive(db, sh, log)
			send := func(l *live, user, text string) error {
				d := protocol.Draft{Text: text}
				sc, err := l.screen(context.Background(), "r", Sender{Identity: auth.Identity{ID: user, Roles: []string{auth.RoleViewer}}}, &d)
				if err == nil {
					l.accepted(context.Background(), sc)
				}
				return err
			}
			if err := send(a, "v1", "hello there"); err != nil {
				t.Fatalf("first comment on a: %v", err)
			}
			for name, err := range map[string]error{
				"same sender": send(b, "v1", "something else"),
				"same text":   send(b, "v2", "Hello, there!"),
			} {
				if got := codeOf(err); got != tc.wantOn[name] {
					t.Errorf("%s on b: %v, want code %q", name, err, tc.wantOn[name])
				}
			}
			// Node a's own memory holds its sender either way.
			if err := send(a, "v1", "again"); codeOf(err) != errs.SlowMode {
				t.Errorf("a second comment on a: %v, want slow mode", err)
			}
		})
	}
}

// codeOf is err's code, "" for nil.
func codeOf(err error) errs.Code {
	if err == nil {
		return ""
	}
	return errs.CodeOf(err)
}
