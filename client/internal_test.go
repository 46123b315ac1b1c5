package client

import (
	"encoding/base64"
	"strings"
	"testing"
	"time"
)

func TestParseEndpoints(t *testing.T) {
	for _, tc := range []struct {
		in, ws, rest, err string
	}{
		{in: "ws://127.0.0.1:8080/ws", ws: "ws://127.0.0.1:8080/ws", rest: "http://127.0.0.1:8080"},
		{in: "http://127.0.0.1:8080", ws: "ws://127.0.0.1:8080/ws", rest: "http://127.0.0.1:8080"},
		{in: "https://example.org/", ws: "wss://example.org/ws", rest: "https://example.org"},
		{in: "wss://example.org/danmaku/ws", ws: "wss://example.org/danmaku/ws", rest: "https://example.org/danmaku"},
		{in: "https://example.org/danmaku", ws: "wss://example.org/danmaku/ws", rest: "https://example.org/danmaku"},
		{in: "localhost:8080", ws: "ws://localhost:8080/ws", rest: "http://localhost:8080"},
		{in: "ftp://example.org", err: "scheme"},
		{in: "ws:///ws", err: "no host"},
		{in: "ws://h/ws?room=demo", err: "Join"},
		{in: "ws://h/ws?token=x", err: "WithToken"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			e, err := parseEndpoints(tc.in)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v, want one mentioning %q", err, tc.err)
				}
				return
			}
			if err != nil || e.ws.String() != tc.ws || e.rest.String() != tc.rest {
				t.Fatalf("got %s and %s (%v), want %s and %s", &e.ws, &e.rest, err, tc.ws, tc.rest)
			}
		})
	}
}

func TestBackoffGrowsWithJitter(t *testing.T) {
	o := defaultOptions()
	o.backoffMin, o.backoffMax, o.jitter = 100*time.Millisecond, time.Second, 0.5
	for _, tc := range []struct {
		attempt  int
		min, max time.Duration
	}{
		{1, 50 * time.Millisecond, 100 * time.Millisecond},
		{2, 100 * time.Millisecond, 200 * time.Millisecond},
		{4, 400 * time.Millisecond, 800 * time.Millisecond},
		{5, 500 * time.Millisecond, time.Second}, // capped
		{50, 500 * time.Millisecond, time.Second},
	} {
		seen := map[time.Duration]bool{}
		for range 100 {
			d := o.backoff(tc.attempt)
			if d < tc.min || d > tc.max {
				t.Fatalf("attempt %d waits %v, want %v to %v", tc.attempt, d, tc.min, tc.max)
			}
			seen[d] = true
		}
		if len(seen) < 10 {
			t.Errorf("attempt %d: %d distinct delays in 100, want jitter", tc.attempt, len(seen))
		}
	}
}

func TestTokenExpiry(t *testing.T) {
	jwt := func(payload string) string {
		return "e30." + base64.RawURLEncoding.EncodeToString([]byte(payload)) + ".sig"
	}
	for _, tc := range []struct {
		name, tok string
		want      time.Time
		ok        bool
	}{
		{"exp", jwt(`{"sub":"u","exp":1900000000}`), time.Unix(1900000000, 0), true},
		{"no exp", jwt(`{"sub":"u"}`), time.Time{}, false},
		{"not a JWT", "opaque", time.Time{}, false},
		{"bad base64", "a.!!!.c", time.Time{}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := tokenExpiry(tc.tok)
			if ok != tc.ok || !got.Equal(tc.want) {
				t.Errorf("tokenExpiry = %v, %v; want %v, %v", got, ok, tc.want, tc.ok)
			}
		})
	}
	now := time.Unix(1000, 0)
	if d := refreshDelay(now, now.Add(time.Hour)); d != 45*time.Minute {
		t.Errorf("refresh of a 1-h token after %v, want 45m", d)
	}
	if d := refreshDelay(now, now.Add(-time.Minute)); d != minRefresh {
		t.Errorf("refresh of an expired token after %v, want %v", d, minRefresh)
	}
}
