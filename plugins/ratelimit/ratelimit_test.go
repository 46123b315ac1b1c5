package ratelimit_test

import (
	"net/netip"
	"testing"
	"time"

	"github.com/danmaku/danmaku/plugins"
	"github.com/danmaku/danmaku/plugins/plugintest"
	"github.com/danmaku/danmaku/plugins/ratelimit"
)

func comment(user, ip, room string) plugins.Comment {
	c := plugintest.Comment("hi")
	c.User.ID, c.IP, c.Room = user, netip.MustParseAddr(ip), room
	return c
}

func TestPerUser(t *testing.T) {
	h := plugintest.NewHost(t)
	p := plugintest.New(t, ratelimit.New, `{per_user: "2/10s", per_ip: off}`, h)
	u1 := comment("u1", "192.0.2.1", "r")
	plugintest.Run(t, p, []plugintest.Case{
		{Name: "first", In: u1, Want: plugins.ActionAllow},
		{Name: "second (burst)", In: u1, Want: plugins.ActionAllow},
		{Name: "third too fast", In: u1, Want: plugins.ActionReject, WantReason: "try again in 5s"},
		{Name: "other user unaffected", In: comment("u2", "192.0.2.1", "r"), Want: plugins.ActionAllow},
		{Name: "limit is across rooms", In: comment("u1", "192.0.2.1", "other"), Want: plugins.ActionReject},
		{Name: "a token back after 5s", Before: func() { h.Clock.Advance(5 * time.Second) }, In: u1, Want: plugins.ActionAllow},
		{Name: "and only one", In: u1, Want: plugins.ActionReject},
		{Name: "moderator exempt", In: func() plugins.Comment {
			c := u1
			c.User.Roles = []string{"moderator"}
			return c
		}(), Want: plugins.ActionAllow},
	})
}

func TestPerIP(t *testing.T) {
	h := plugintest.NewHost(t)
	p := plugintest.New(t, ratelimit.New, `{per_user: "10/10s", per_ip: "2/10s"}`, h)
	plugintest.Run(t, p, []plugintest.Case{
		{Name: "a", In: comment("a", "192.0.2.1", "r"), Want: plugins.ActionAllow},
		{Name: "b same ip", In: comment("b", "192.0.2.1", "r"), Want: plugins.ActionAllow},
		{Name: "c same ip limited", In: comment("c", "192.0.2.1", "r"), Want: plugins.ActionReject},
		{Name: "other ip", In: comment("c", "192.0.2.2", "r"), Want: plugins.ActionAllow},
		{Name: "ipv6 same /64 shares", In: comment("d", "2001:db8::1", "r"), Want: plugins.ActionAllow},
		{Name: "ipv6 same /64", In: comment("e", "2001:db8::2", "r"), Want: plugins.ActionAllow},
		{Name: "ipv6 same /64 limited", In: comment("f", "2001:db8::ffff", "r"), Want: plugins.ActionReject},
		{Name: "ipv6 other /64", In: comment("f", "2001:db8:0:1::1", "r"), Want: plugins.ActionAllow},
	})
	// The user bucket was not charged by the IP refusal: "c" sent 2 accepted comments of 10.
}

func TestIPRefusalRefundsUserToken(t *testing.T) {
	h := plugintest.NewHost(t)
	p := plugintest.New(t, ratelimit.New, `{per_user: "1/10s", per_ip: "1/10s"}`, h)
	plugintest.Run(t, p, []plugintest.Case{
		{Name: "x takes the ip's token", In: comment("x", "192.0.2.1", "r"), Want: plugins.ActionAllow},
		{Name: "y refused by ip", In: comment("y", "192.0.2.1", "r"), Want: plugins.ActionReject},
		{Name: "y still has its own token elsewhere", In: comment("y", "192.0.2.2", "r"), Want: plugins.ActionAllow},
	})
}

func TestSlowMode(t *testing.T) {
	h := plugintest.NewHost(t)
	p := plugintest.New(t, ratelimit.New, `{per_user: off, per_ip: off, slow_mode: 30s}`, h)
	u1 := comment("u1", "192.0.2.1", "r")
	plugintest.Run(t, p, []plugintest.Case{
		{Name: "first", In: u1, Want: plugins.ActionAllow},
		{Name: "too soon", Before: func() { h.Clock.Advance(29 * time.Second) }, In: u1, Want: plugins.ActionReject, WantReason: "try again in 1s"},
		{Name: "per room", In: comment("u1", "192.0.2.1", "other"), Want: plugins.ActionAllow},
		{Name: "refused attempts do not restart the wait", Before: func() { h.Clock.Advance(time.Second) }, In: u1, Want: plugins.ActionAllow},
		{Name: "the accepted one does", Before: func() { h.Clock.Advance(10 * time.Second) }, In: u1, Want: plugins.ActionReject, WantReason: "try again in 20s"},
		{Name: "anonymous users are not slowed (no id)", In: comment("", "192.0.2.9", "r"), Want: plugins.ActionAllow},
	})
}

func TestConfig(t *testing.T) {
	plugintest.ConfigErrors(t, ratelimit.New, []plugintest.ConfigCase{
		{Name: "bad rate", Config: `per_user: "fast"`, Want: `not a rate like 5/10s`},
		{Name: "bad count", Config: `per_user: "0/10s"`, Want: "count must be a positive integer"},
		{Name: "bad period", Config: `per_ip: "5/soon"`, Want: "period must be a positive duration"},
		{Name: "negative slow", Config: `slow_mode: -1s`, Want: "slow_mode: must not be negative"},
		{Name: "max keys", Config: `max_keys: 0`, Want: "max_keys: must be positive"},
	})
}

func TestRateText(t *testing.T) {
	tests := []struct {
		in   string
		want string
	}{{"5/10s", "5/10s"}, {"1/s", "1/1s"}, {"3/m", "3/1m0s"}, {"off", "off"}, {"", "off"}}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			var r ratelimit.Rate
			if err := r.UnmarshalText([]byte(tt.in)); err != nil || r.String() != tt.want {
				t.Errorf("parse %q = %v, %v; want %s", tt.in, r, err, tt.want)
			}
		})
	}
}
