package app_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/danmaku/danmaku/app"
	"github.com/danmaku/danmaku/app/apptest"
	"github.com/danmaku/danmaku/app/protocol"
)

// TestShutdownDoesNotLogStalledSocketsAsWriteTimeouts shuts a server down
// while a client that stopped reading has the server's writes to it
// blocked: shutdown ends that socket with the rest, and the log must not
// call it a slow consumer whose write outlasted -write-wait.
func TestShutdownDoesNotLogStalledSocketsAsWriteTimeouts(t *testing.T) {
	for _, tc := range []struct {
		name      string
		writeWait time.Duration
	}{
		{"write-wait shorter than the close grace", 300 * time.Millisecond},
		{"write-wait longer than the close grace", 10 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			logs := &logBuffer{}
			s := startServer(t, func(c *app.Config) {
				c.Logger = slog.New(slog.NewTextHandler(io.MultiWriter(logs, apptest.LogWriter(t)), &slog.HandlerOptions{Level: slog.LevelDebug}))
				c.MaxTextRunes = 10000
				c.SendBuffer, c.WriteWait = 10000, tc.writeWait
			})
			createRoom(t, s, "stall", "live")
			hc := httpClient(t)
			big := strings.Repeat("😀", 10000) // 40 KB a comment: 100 of them outgrow the kernel's buffers
			for i := range 100 {
				if status := call(t, hc, "POST", s.URL()+"/api/rooms/stall/comments", map[string]any{"text": big}, nil); status != http.StatusCreated {
					t.Fatalf("backlog %d: %d", i, status)
				}
			}
			reader := dial(t, s, "?room=stall")
			reader.next(protocol.TypeWelcome)
			stalled := dialStalled(t, s, "?room=stall&since=0", stalledReadBuffer)
			defer stalled.Close()
			deadline := time.Now().Add(waitFor)
			for viewers(t, s, "stall") != 2 {
				if time.Now().After(deadline) {
					t.Fatal("the stalled client never joined")
				}
			}

			ctx, cancel := context.WithTimeout(context.Background(), waitFor)
			defer cancel()
			if err := s.Shutdown(ctx); err != nil {
				t.Fatalf("Shutdown: %v", err)
			}
			if code := reader.waitClosed(); code != 1001 {
				t.Errorf("the reading client got close %d, want 1001", code)
			}
			out := logs.String()
			if strings.Contains(out, "write-wait") || strings.Contains(out, "slow websocket") {
				t.Errorf("shutdown logged a stalled socket as slow:\n%s", out)
			}
		})
	}
}
