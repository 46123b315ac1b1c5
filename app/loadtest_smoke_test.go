package app_test

import (
	"bytes"
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/danmaku/danmaku/app"
	"github.com/danmaku/danmaku/app/loadtest"
	"github.com/danmaku/danmaku/plugins"
)

// forLoad sets up a server for load, in the one place that says how: an
// explicit empty moderation chain (the default one's per-user rate limit
// would reject the senders) and no per-socket or per-address limits (the
// tool sends from a few loopback addresses, faster than a person types).
func forLoad(cfg *app.Config) {
	cfg.SeedDemo = false
	cfg.Plugins, cfg.PluginsFile = &plugins.Config{}, ""
	cfg.MaxConnsPerIP, cfg.FrameRate, cfg.RESTWrites = -1, -1, -1
}

// TestLoadtestSmoke runs the load tool against the real server, in each
// wire version: a few hundred sockets for a few seconds. It asserts
// delivery, never speed.
func TestLoadtestSmoke(t *testing.T) {
	for _, wire := range []int{1, 2} {
		t.Run("v"+strconv.Itoa(wire), func(t *testing.T) { loadtestSmoke(t, wire) })
	}
}

func loadtestSmoke(t *testing.T, wire int) {
	s := startServer(t, forLoad)
	const rooms = 4
	for i := range rooms {
		createRoom(t, s, "lt"+strconv.Itoa(i), "live")
	}
	cfg := loadtest.Config{
		Addr: s.Addr(), Wire: wire, Rooms: rooms, Viewers: 296, Senders: rooms, RoomRate: 20,
		Duration: 2 * time.Second, Drain: waitFor, // the drain ends as soon as everything arrived
		Churn: 20, ChurnHold: 200 * time.Millisecond, // sockets coming and going beside the counted ones
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var progress bytes.Buffer
	rep, err := loadtest.Run(ctx, cfg, &progress)
	if err != nil {
		t.Fatalf("loadtest: %v\nprogress:\n%s", err, progress.String())
	}
	if rep.Sent == 0 || rep.Acked != rep.Sent || rep.Rejected != 0 {
		t.Errorf("sent %d, acked %d, rejected %d (%v): want every comment acked", rep.Sent, rep.Acked, rep.Rejected, rep.RejectCodes)
	}
	if rep.Expected != rep.Acked*int64(cfg.Sockets()/rooms) {
		t.Errorf("expected %d deliveries, want acked %d × %d sockets per room", rep.Expected, rep.Acked, cfg.Sockets()/rooms)
	}
	if rep.Delivered != rep.Expected || rep.Lost != 0 {
		t.Errorf("delivered %d of %d expected (lost %d): want zero loss", rep.Delivered, rep.Expected, rep.Lost)
	}
	bad := map[string]int64{"duplicates": rep.Duplicates, "dropped sockets": rep.Dropped, "cross-room": rep.CrossRoom,
		"bogus": rep.Bogus, "unaccepted": rep.Unaccepted, "malformed": rep.Malformed, "unmatched acks": rep.UnmatchedAcks}
	for name, n := range bad {
		if n != 0 {
			t.Errorf("%s = %d, want 0", name, n)
		}
	}
	// Churn happened and the server refused none of it. A dial that timed
	// out on this loaded machine was tried again, as a client reconnects:
	// that is no loss, so it is only logged.
	if rep.ChurnOpened == 0 || rep.ChurnFailed != 0 {
		t.Errorf("churn: %d sockets came and went, %d refused; want some, none refused", rep.ChurnOpened, rep.ChurnFailed)
	}
	if rep.ChurnRetried > 0 {
		t.Logf("churn: %d dials tried again: %v", rep.ChurnRetried, rep.ChurnRetryErrors)
	}
	if len(rep.ServerErrs) > 0 || len(rep.Errors) > 0 {
		t.Errorf("errors: server %v, run %v", rep.ServerErrs, rep.Errors)
	}
}
