package storetest

import (
	"context"
	"net/netip"
	"testing"
	"time"

	"github.com/danmaku/danmaku/app/errs"
	"github.com/danmaku/danmaku/app/protocol"
	"github.com/danmaku/danmaku/app/store"
	"github.com/danmaku/danmaku/plugins"
	"github.com/danmaku/danmaku/plugins/plugintest"
)

func until(t time.Time) *protocol.Timestamp {
	ts := protocol.TimestampOf(t)
	return &ts
}

func testBlocklistLookup(t *testing.T, b Backend) {
	s := open(t, b, Hooks{})
	ctx := context.Background()
	if _, err := s.CreateRoom(ctx, store.Room{ID: "r2", Title: "R2", Kind: store.KindVOD}); err != nil {
		t.Fatal(err)
	}
	clk := plugintest.NewClock()
	bl, err := s.LoadBlocklist(ctx, clk.Now)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range []store.Ban{
		{UserID: "global", Reason: "everywhere"},
		{UserID: "roomy", Room: "r", Reason: "room r only"},
		{IP: netip.MustParsePrefix("203.0.113.7/32"), Reason: "one address"},
		{IP: netip.MustParsePrefix("198.51.100.0/24"), Room: "r2", Reason: "a range in r2"},
		{IP: netip.MustParsePrefix("2001:db8:1::/48"), Reason: "an IPv6 range"},
		{UserID: "brief", Until: until(clk.Now().Add(time.Hour)), Reason: "an hour"},
		{UserID: "both", IP: netip.MustParsePrefix("192.0.2.9/32"), Reason: "user and address"},
	} {
		b.CreatedBy = "m1"
		if _, err := bl.Ban(ctx, b); err != nil {
			t.Fatalf("ban %+v: %v", b, err)
		}
	}
	ip := netip.MustParseAddr
	for _, tc := range []struct {
		name   string
		q      plugins.BlockQuery
		reason string // "" when no ban applies
	}{
		{"global user ban, any room", plugins.BlockQuery{Room: "r2", UserID: "global"}, "everywhere"},
		{"room ban in its room", plugins.BlockQuery{Room: "r", UserID: "roomy"}, "room r only"},
		{"room ban elsewhere", plugins.BlockQuery{Room: "r2", UserID: "roomy"}, ""},
		{"banned address", plugins.BlockQuery{Room: "r", UserID: "u", IP: ip("203.0.113.7")}, "one address"},
		{"IPv4-mapped banned address", plugins.BlockQuery{Room: "r", IP: ip("::ffff:203.0.113.7")}, "one address"},
		{"neighbouring address", plugins.BlockQuery{Room: "r", IP: ip("203.0.113.8")}, ""},
		{"range in its room", plugins.BlockQuery{Room: "r2", IP: ip("198.51.100.200")}, "a range in r2"},
		{"range elsewhere", plugins.BlockQuery{Room: "r", IP: ip("198.51.100.200")}, ""},
		{"IPv6 range", plugins.BlockQuery{Room: "r", IP: ip("2001:db8:1:ffff::1")}, "an IPv6 range"},
		{"outside the IPv6 range", plugins.BlockQuery{Room: "r", IP: ip("2001:db8:2::1")}, ""},
		{"timed ban in force", plugins.BlockQuery{Room: "r", UserID: "brief"}, "an hour"},
		{"both: by user", plugins.BlockQuery{Room: "r", UserID: "both", IP: ip("192.0.2.1")}, "user and address"},
		{"both: by address", plugins.BlockQuery{Room: "r", UserID: "someone", IP: ip("192.0.2.9")}, "user and address"},
		{"nobody", plugins.BlockQuery{Room: "r", UserID: "fine", IP: ip("192.0.2.1")}, ""},
		{"anonymous without address", plugins.BlockQuery{Room: "r"}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			blk, ok, err := bl.Lookup(ctx, tc.q)
			if err != nil {
				t.Fatal(err)
			}
			if ok != (tc.reason != "") || blk.Reason != tc.reason {
				t.Fatalf("Lookup = %+v, %v; want reason %q", blk, ok, tc.reason)
			}
		})
	}
	if !bl.NonBlocking() {
		t.Error("a cached blocklist must say it never blocks")
	}

	clk.Advance(2 * time.Hour)
	if _, ok, _ := bl.Lookup(ctx, plugins.BlockQuery{Room: "r", UserID: "brief"}); ok {
		t.Error("an expired ban still applies")
	}
	if got := len(bl.Active()); got != 6 {
		t.Errorf("%d bans in force after one expired, want 6", got)
	}
}

func testBlocklistWritesThroughAndLifts(t *testing.T, b Backend) {
	opener := b.New(t)
	s := opener(t, Hooks{})
	ctx := context.Background()
	bl, err := s.LoadBlocklist(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	keep, err := bl.Ban(ctx, store.Ban{UserID: "u1", Reason: "kept", CreatedBy: "m1"})
	if err != nil || keep.ID == 0 || keep.CreatedAt == 0 {
		t.Fatalf("Ban = %+v, %v", keep, err)
	}
	lifted, err := bl.Ban(ctx, store.Ban{IP: netip.MustParsePrefix("203.0.113.99/24"), CreatedBy: "m1"})
	if err != nil || lifted.IP != netip.MustParsePrefix("203.0.113.0/24") {
		t.Fatalf("Ban = %+v, %v; want the address masked to its prefix", lifted, err)
	}
	if _, err := bl.Ban(ctx, store.Ban{UserID: "u3", Until: until(time.Now().Add(-time.Minute)), CreatedBy: "m1"}); err != nil {
		t.Fatal(err)
	}
	got, err := bl.Lift(ctx, lifted.ID, "m2")
	if err != nil || got.LiftedBy != "m2" || got.LiftedAt == nil {
		t.Fatalf("Lift = %+v, %v", got, err)
	}
	if _, ok, _ := bl.Lookup(ctx, plugins.BlockQuery{IP: netip.MustParseAddr("203.0.113.5")}); ok {
		t.Error("a lifted ban still applies")
	}
	if again, err := bl.Lift(ctx, lifted.ID, "m3"); err != nil || again.LiftedBy != "m2" {
		t.Errorf("lifting twice: %+v, %v; want the first lift kept", again, err)
	}
	if _, err := bl.Lift(ctx, 1<<40, "m1"); errs.CodeOf(err) != errs.NotFound {
		t.Errorf("lifting an unknown ban: %v, want not_found", err)
	}
	if _, err := bl.Ban(ctx, store.Ban{UserID: "u", Room: "nope", CreatedBy: "m1"}); errs.CodeOf(err) != errs.NotFound {
		t.Errorf("ban in an unknown room: %v, want not_found", err)
	}
	if _, err := bl.Ban(ctx, store.Ban{CreatedBy: "m1"}); errs.CodeOf(err) != errs.Invalid {
		t.Errorf("ban of nobody: %v, want invalid", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	// After a restart only the ban in force is loaded; the history keeps all.
	s = opener(t, Hooks{})
	bl, err = s.LoadBlocklist(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if active := bl.Active(); len(active) != 1 || active[0].ID != keep.ID || active[0].Reason != "kept" {
		t.Fatalf("after restart: %+v, want only the ban in force", active)
	}
	if _, ok, _ := bl.Lookup(ctx, plugins.BlockQuery{UserID: "u1"}); !ok {
		t.Error("the ban in force does not apply after a restart")
	}
	history, err := s.BanHistory(ctx, 10)
	if err != nil || len(history) != 3 || history[0].UserID != "u3" || history[1].LiftedBy != "m2" || history[1].IP != lifted.IP {
		t.Fatalf("history: %+v, %v; want all 3 bans, newest first", history, err)
	}
}
