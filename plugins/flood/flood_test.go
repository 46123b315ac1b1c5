package flood_test

import (
	"fmt"
	"net/netip"
	"testing"
	"time"

	"github.com/danmaku/danmaku/plugins"
	"github.com/danmaku/danmaku/plugins/flood"
	"github.com/danmaku/danmaku/plugins/plugintest"
)

func from(user, text string) plugins.Comment {
	c := plugintest.Comment(text)
	c.User.ID = user
	return c
}

func TestRuns(t *testing.T) {
	p := plugintest.New(t, flood.New, "{max_run: 3, repeat_window: 0s, crowd_max: 0}", nil)
	plugintest.Run(t, p, []plugintest.Case{
		{Name: "short run kept", Text: "哈哈哈", Want: plugins.ActionAllow},
		{Name: "long run shortened", Text: "哈哈哈哈哈哈哈哈哈哈", Want: plugins.ActionRewrite, WantText: "哈哈哈"},
		{Name: "every run, rest intact", Text: "好!!!!!!看aaaaab", Want: plugins.ActionRewrite, WantText: "好!!!看aaab"},
		{Name: "digits keep their value", Text: "1000000", Want: plugins.ActionAllow},
		{Name: "emoji runs", Text: "😂😂😂😂😂", Want: plugins.ActionRewrite, WantText: "😂😂😂"},
	})
}

func TestRepeats(t *testing.T) {
	h := plugintest.NewHost(t)
	p := plugintest.New(t, flood.New, "{repeat_window: 30s, crowd_max: 0}", h)
	anon := func(ip string) plugins.Comment {
		c := from("", "free stuff")
		c.IP = netip.MustParseAddr(ip)
		return c
	}
	mod := from("u1", "hello there")
	mod.User.Roles = []string{"admin"}
	plugintest.Run(t, p, []plugintest.Case{
		{Name: "first", In: from("u1", "hello there"), Want: plugins.ActionAllow},
		{Name: "normalised repeat", In: from("u1", "HELLO   there!!"), Want: plugins.ActionReject, WantReason: "already said"},
		{Name: "full-width repeat", In: from("u1", "ｈｅｌｌｏ ｔｈｅｒｅ"), Want: plugins.ActionReject},
		{Name: "other user same text", In: from("u2", "hello there"), Want: plugins.ActionAllow},
		{Name: "other room", In: func() plugins.Comment { c := from("u1", "hello there"); c.Room = "r2"; return c }(), Want: plugins.ActionAllow},
		{Name: "admin exempt", In: mod, Want: plugins.ActionAllow},
		{Name: "within window from last accepted", Before: func() { h.Clock.Advance(29 * time.Second) }, In: from("u1", "hello there"), Want: plugins.ActionReject},
		{Name: "after window", Before: func() { h.Clock.Advance(time.Second) }, In: from("u1", "hello there"), Want: plugins.ActionAllow},
		{Name: "anonymous by address", In: anon("192.0.2.7"), Want: plugins.ActionAllow},
		{Name: "anonymous repeat", In: anon("192.0.2.7"), Want: plugins.ActionReject},
		{Name: "other address", In: anon("192.0.2.8"), Want: plugins.ActionAllow},
	})
}

func TestCrowd(t *testing.T) {
	for _, action := range []plugins.Action{plugins.ActionReject, plugins.ActionHold} {
		t.Run(action.String(), func(t *testing.T) {
			h := plugintest.NewHost(t)
			p := plugintest.New(t, flood.New, fmt.Sprintf("{crowd_max: 3, crowd_window: 10s, crowd_action: %s, crowd_min_length: 8}", action), h)
			wave := "buy cheap gold now"
			cases := []plugintest.Case{}
			for i := 1; i <= 3; i++ {
				cases = append(cases, plugintest.Case{Name: fmt.Sprintf("sender %d", i), In: from(fmt.Sprint("u", i), wave), Want: plugins.ActionAllow})
			}
			cases = append(cases,
				plugintest.Case{Name: "fourth sender", In: from("u4", "Buy cheap GOLD now!"), Want: action, WantReason: "many people"},
				plugintest.Case{Name: "short texts exempt", In: from("u4", "2333"), Want: plugins.ActionAllow},
				plugintest.Case{Name: "window passes", Before: func() { h.Clock.Advance(10 * time.Second) }, In: from("u5", wave), Want: plugins.ActionAllow},
			)
			plugintest.Run(t, p, cases)
		})
	}
}

func TestConfigErrors(t *testing.T) {
	plugintest.ConfigErrors(t, flood.New, []plugintest.ConfigCase{
		{Name: "action", Config: "crowd_action: ban", Want: `crowd_action: must be reject or hold, got "ban"`},
		{Name: "window", Config: "{crowd_max: 3, crowd_window: 0s}", Want: "crowd_window: must be positive"},
		{Name: "run", Config: "max_run: -1", Want: "max_run: must not be negative"},
		{Name: "repeat", Config: "repeat_window: -1s", Want: "repeat_window: must not be negative"},
	})
}
