package loadtest

import (
	"bytes"
	"context"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/danmaku/danmaku/bench/melodyrelay/relay"
)

// startRelay serves the real bare-melody baseline on a free loopback port.
func startRelay(t *testing.T) (string, *relay.Relay) {
	t.Helper()
	srv, err := relay.Start("127.0.0.1:0", 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Error(err)
		}
	})
	return srv.Addr(), srv.Relay
}

func TestRawModeAgainstMelodyRelay(t *testing.T) {
	addr, rl := startRelay(t)
	cfg := Config{
		Mode: ModeRaw, Addr: addr,
		Rooms: 4, Viewers: 196, Senders: 4, RoomRate: 10,
		Duration: 2 * time.Second, Drain: 20 * time.Second, // drain ends as soon as all arrived
		PID: os.Getpid(), // client and server share this process: exercises /proc sampling
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var progress bytes.Buffer
	rep, err := Run(ctx, cfg, &progress)
	if err != nil {
		t.Fatalf("Run: %v\nprogress:\n%s", err, progress.String())
	}

	if rep.Sent == 0 || rep.Sent > rep.Planned || rep.Planned != 80 {
		t.Errorf("sent %d of planned %d, want 0 < sent ≤ planned = 80", rep.Sent, rep.Planned)
	}
	if rep.Accepted != rep.Sent {
		t.Errorf("raw mode accepted %d of %d written", rep.Accepted, rep.Sent)
	}
	const perRoom = 50 // 49 viewers + 1 sender
	if rep.Expected != rep.Accepted*perRoom {
		t.Errorf("expected %d, want accepted × %d = %d", rep.Expected, perRoom, rep.Accepted*perRoom)
	}
	if rep.Delivered != rep.Expected || rep.Lost != 0 || rep.LossRatio != 0 {
		t.Errorf("delivered %d of %d expected (lost %d, ratio %v), want all", rep.Delivered, rep.Expected, rep.Lost, rep.LossRatio)
	}
	bad := map[string]int64{"duplicates": rep.Duplicates, "dropped": rep.Dropped, "cross-room": rep.CrossRoom,
		"bogus": rep.Bogus, "foreign": rep.Foreign, "unaccepted": rep.Unaccepted, "malformed": rep.Malformed}
	for name, n := range bad {
		if n != 0 {
			t.Errorf("%s = %d, want 0", name, n)
		}
	}
	if rep.Latency.Count != rep.Delivered || rep.Latency.Max < rep.Latency.P50 {
		t.Errorf("latency %+v inconsistent with %d deliveries", rep.Latency, rep.Delivered)
	}
	if rep.Server == nil || rep.Server.Error != "" || rep.Server.RSSConnected <= 0 {
		t.Errorf("server stats %+v, want samples of this process", rep.Server)
	}
	if st := rl.Stats(); st.FramesIn < rep.Sent || st.Dropped != 0 {
		t.Errorf("relay saw %d frames (dropped %d), want ≥ %d sent and no drops", st.FramesIn, st.Dropped, rep.Sent)
	}
	var text strings.Builder
	if err := rep.WriteText(&text); err != nil || !strings.Contains(text.String(), "lost 0 ") {
		t.Errorf("text report (%v):\n%s", err, text.String())
	}
}

func TestConnectFailureIsReported(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close() // nothing listens there now: every dial is refused

	cfg := Config{Mode: ModeRaw, Addr: addr, Viewers: 50, Duration: time.Second}
	rep, err := Run(context.Background(), cfg, nil)
	if err == nil || !strings.Contains(err.Error(), "connect:") || !strings.Contains(err.Error(), "refused") {
		t.Fatalf("Run against a closed port: %v, want a connect error naming the refusal", err)
	}
	if rep.Sent != 0 || rep.Sockets != 50 {
		t.Errorf("partial report sent %d sockets %d, want 0 and 50", rep.Sent, rep.Sockets)
	}
}

func TestJoinTimesOutWithoutWelcome(t *testing.T) {
	// The raw relay never sends a welcome, so json mode must give up on the
	// join with a clear error instead of waiting forever.
	addr, _ := startRelay(t)
	cfg := Config{Mode: ModeJSON, Addr: addr, Viewers: 3, Duration: time.Second, JoinTimeout: 300 * time.Millisecond}
	_, err := Run(context.Background(), cfg, nil)
	if err == nil || !strings.Contains(err.Error(), "not joined") {
		t.Fatalf("json mode against the raw relay (no welcome): %v, want a join timeout", err)
	}
}
