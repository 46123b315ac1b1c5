package client_test

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/danmaku/danmaku/app/apptest"
	"github.com/danmaku/danmaku/client"
)

// TestModesAndTheirRefusals: a client hears a room's live modes after its
// welcome and when moderators change them, and the modes' refusals match
// their sentinels.
func TestModesAndTheirRefusals(t *testing.T) {
	srv := apptest.Start(t)
	mod := apptest.ModeratorClient(t)
	setModes := func(body map[string]any) {
		t.Helper()
		if st := apptest.Call(t, mod, "PUT", srv.URL()+"/api/admin/rooms/demo/modes", body, nil); st != http.StatusOK {
			t.Fatalf("modes %v: status %d", body, st)
		}
	}
	setModes(map[string]any{"slow_seconds": 60})
	c := dial(t, srv.URL())
	join(t, c, "demo")
	if m := next[client.Modes](t, c); m.Room != "demo" || m.Modes.SlowSeconds != 60 {
		t.Fatalf("modes after the welcome: %+v", m)
	}
	send(t, c, "demo", "first")
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	if _, err := c.Send(ctx, "demo", client.Draft{Text: "second"}); !errors.Is(err, client.ErrSlowMode) {
		t.Errorf("a second comment in slow mode: %v, want ErrSlowMode", err)
	}
	setModes(map[string]any{"slow_seconds": 0, "delay_seconds": 300})
	if m := next[client.Modes](t, c); m.Modes.SlowSeconds != 0 || m.Modes.DelaySeconds != 300 {
		t.Fatalf("modes after the change: %+v", m)
	}
	if _, err := c.Send(ctx, "demo", client.Draft{Text: "delayed"}); !errors.Is(err, client.ErrDelayed) {
		t.Errorf("a comment under the chat delay: %v, want ErrDelayed", err)
	}
}
