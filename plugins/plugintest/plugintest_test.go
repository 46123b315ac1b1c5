package plugintest_test

import (
	"context"
	"net/netip"
	"testing"
	"time"

	"github.com/danmaku/danmaku/plugins"
	"github.com/danmaku/danmaku/plugins/plugintest"
)

func TestClock(t *testing.T) {
	c := plugintest.NewClock()
	if !c.Now().Equal(plugintest.Epoch) {
		t.Fatalf("Now = %v, want Epoch", c.Now())
	}
	c.Advance(90 * time.Second)
	if got := c.Now().Sub(plugintest.Epoch); got != 90*time.Second {
		t.Errorf("advanced %v, want 90s", got)
	}
}

func TestBlockStore(t *testing.T) {
	clock := plugintest.NewClock()
	s := plugintest.NewBlockStore(clock.Now)
	s.Add(plugins.Block{UserID: "u1", Room: "r1", Until: clock.Now().Add(time.Minute)})
	s.Add(plugins.Block{IP: netip.MustParsePrefix("2001:db8::/32")})
	tests := []struct {
		name    string
		advance time.Duration
		q       plugins.BlockQuery
		want    bool
	}{
		{"user in room", 0, plugins.BlockQuery{Room: "r1", UserID: "u1"}, true},
		{"user in other room", 0, plugins.BlockQuery{Room: "r2", UserID: "u1"}, false},
		{"address range", 0, plugins.BlockQuery{Room: "r2", IP: netip.MustParseAddr("2001:db8::5")}, true},
		{"other address", 0, plugins.BlockQuery{IP: netip.MustParseAddr("2001:db9::5")}, false},
		{"expired", time.Minute, plugins.BlockQuery{Room: "r1", UserID: "u1"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock.Advance(tt.advance)
			if _, ok, err := s.Lookup(t.Context(), tt.q); err != nil || ok != tt.want {
				t.Errorf("Lookup = %v, %v; want %v", ok, err, tt.want)
			}
		})
	}
}

func TestCaseDefaultsToText(t *testing.T) {
	p := plugintest.New(t, func() plugins.Moderator { return echo{} }, "", nil)
	plugintest.Run(t, p, []plugintest.Case{{Name: "text shorthand", Text: "hi", Want: plugins.ActionReject, WantReason: "room1 u1 hi"}})
}

// echo rejects with the room, user and text it saw.
type echo struct{}

func (echo) Moderate(_ context.Context, c plugins.Comment) (plugins.Verdict, error) {
	return plugins.Reject(c.Room + " " + c.User.ID + " " + c.Text), nil
}
