package client_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/danmaku/danmaku/app"
	"github.com/danmaku/danmaku/app/apptest"
	"github.com/danmaku/danmaku/client"
)

var tokenModes = []struct {
	name string
	mode client.TokenMode
}{
	{"bearer header", client.TokenHeader},
	{"query", client.TokenQuery},
	{"auth frame", client.TokenFrame},
}

// TestTokenModes signs in each way on a server without guests.
func TestTokenModes(t *testing.T) {
	s := apptest.Start(t, func(cfg *app.Config) { cfg.Guests = app.GuestsOff })
	tok := userToken(t, "alice", time.Hour)
	for _, tc := range tokenModes {
		t.Run(tc.name, func(t *testing.T) {
			c := dial(t, s.URL(), client.WithToken(tok), client.WithTokenMode(tc.mode))
			if w := join(t, c, "demo"); w.User.ID != "alice" || w.User.Guest {
				t.Errorf("joined as %+v, want alice", w.User)
			}
			send(t, c, "demo", "signed in by "+tc.name)
		})
	}
	t.Run("no token", func(t *testing.T) {
		c := dial(t, s.URL())
		ctx, cancel := context.WithTimeout(context.Background(), waitFor)
		defer cancel()
		if _, err := c.Join(ctx, "demo"); !errors.Is(err, client.ErrUnauthorized) {
			t.Errorf("joining without a token where guests are off: %v, want ErrUnauthorized", err)
		}
	})
}

// TestExpiredToken: a token that has expired is refused with a clear
// error, whichever way it travels, and the client does not keep trying.
func TestExpiredToken(t *testing.T) {
	s := apptest.Start(t)
	expired := userToken(t, "alice", -time.Minute)
	for _, tc := range tokenModes {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), waitFor)
			defer cancel()
			c, err := client.Dial(ctx, s.URL(), client.WithToken(expired), client.WithTokenMode(tc.mode))
			if err == nil {
				c.Close()
				t.Fatal("Dial with an expired token succeeded")
			}
			var e *client.Error
			if !errors.Is(err, client.ErrUnauthorized) || !errors.As(err, &e) || !strings.HasPrefix(e.Message, "token expired") {
				t.Fatalf("Dial: %v, want unauthorized: token expired", err)
			}
			if strings.Contains(err.Error(), expired) {
				t.Errorf("the error shows the token: %v", err)
			}
			if wantStatus := 401; tc.mode != client.TokenFrame && e.Status != wantStatus {
				t.Errorf("status %d, want %d", e.Status, wantStatus)
			}
		})
	}
}

// TestTokenExpiresWhileConnected: without a way to get a fresh token, the
// server's 1008 "token expired" ends the client, and Err says so.
func TestTokenExpiresWhileConnected(t *testing.T) {
	s := apptest.Start(t)
	c := dial(t, s.URL(), client.WithToken(userToken(t, "alice", 2*time.Second)), fastRetry)
	join(t, c, "demo")
	select {
	case <-c.Done():
	case <-time.After(waitFor):
		t.Fatal("the client is still running after its token expired")
	}
	var e *client.Error
	if err := c.Err(); !errors.As(err, &e) || e.Code != "unauthorized" || e.Message != "token expired" || e.CloseCode != 1008 {
		t.Fatalf("Err() = %#v, want unauthorized: token expired, close 1008", c.Err())
	}
	for range c.Events() { // closed once what was queued is read
	}
	if _, err := c.Send(context.Background(), "demo", client.Draft{Text: "late"}); !errors.Is(err, client.ErrUnauthorized) {
		t.Errorf("Send after the end: %v, want the reason it ended", err)
	}
}

// TestTokenSourceRefreshes: a bot whose tokens live 2 s stays connected
// across several of them: each is replaced with an auth frame before it
// expires, and the socket is never closed.
func TestTokenSourceRefreshes(t *testing.T) {
	s := apptest.Start(t)
	var mu sync.Mutex
	calls := 0
	src := func(ctx context.Context) (string, error) {
		mu.Lock()
		defer mu.Unlock()
		calls++
		return userToken(t, "bot", 2*time.Second), nil
	}
	c := dial(t, s.URL(), client.WithTokenSource(src), client.WithToken("never used"))
	join(t, c, "demo")
	// The second refresh comes after the first token's expiry (its 3/4
	// mark is past the first token's end), so by then the server has
	// checked the refreshed identity.
	timeout := time.After(waitFor)
	for i := 0; i < 2; {
		var ev client.Event
		select {
		case ev = <-c.Events():
		case <-timeout:
			t.Fatalf("%d refreshes within %v, want 2", i, waitFor)
		}
		switch ev := ev.(type) {
		case client.Authed:
			if ev.User.ID != "bot" || time.Until(ev.ExpiresAt) <= 0 {
				t.Fatalf("authed %+v, want bot with a future expiry", ev)
			}
			i++
		case client.Disconnected:
			t.Fatalf("disconnected while refreshing tokens: %v", ev.Err)
		case nil:
			t.Fatalf("the client ended: %v", c.Err())
		}
	}
	send(t, c, "demo", "still signed in")
	mu.Lock()
	defer mu.Unlock()
	if calls < 3 {
		t.Errorf("the token source was called %d times, want the connect and two refreshes", calls)
	}
}
