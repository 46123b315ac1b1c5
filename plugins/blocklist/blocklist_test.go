package blocklist_test

import (
	"errors"
	"log/slog"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/danmaku/danmaku/plugins"
	"github.com/danmaku/danmaku/plugins/blocklist"
	"github.com/danmaku/danmaku/plugins/plugintest"
)

func newHost(t *testing.T) *plugintest.Host {
	t.Helper()
	h := plugintest.NewHost(t)
	h.Blocks.Add(plugins.Block{UserID: "troll", Reason: "spam"})
	h.Blocks.Add(plugins.Block{UserID: "brief", Until: h.Now().Add(time.Hour)})
	h.Blocks.Add(plugins.Block{UserID: "local", Room: "room1"})
	h.Blocks.Add(plugins.Block{IP: netip.MustParsePrefix("198.51.100.0/24")})
	return h
}

func from(user, ip string) plugins.Comment {
	c := plugintest.Comment("hello")
	c.User.ID = user
	c.IP = netip.MustParseAddr(ip)
	return c
}

func TestModerate(t *testing.T) {
	h := newHost(t)
	p := plugintest.New(t, blocklist.New, "", h)
	inOtherRoom := from("local", "192.0.2.1")
	inOtherRoom.Room = "room2"
	plugintest.Run(t, p, []plugintest.Case{
		{Name: "banned user", In: from("troll", "192.0.2.1"), Want: plugins.ActionReject, WantReason: "you are banned: spam"},
		{Name: "temporary ban says until", In: from("brief", "192.0.2.1"), Want: plugins.ActionReject, WantReason: "until 2026-01-01T13:00:00Z"},
		{Name: "room ban in its room", In: from("local", "192.0.2.1"), Want: plugins.ActionReject, WantReason: "from this room"},
		{Name: "room ban elsewhere", In: inOtherRoom, Want: plugins.ActionAllow},
		{Name: "banned address range", In: from("anyone", "198.51.100.7"), Want: plugins.ActionReject},
		{Name: "innocent", In: from("u1", "192.0.2.1"), Want: plugins.ActionAllow},
		{Name: "expired ban", Before: func() { h.Clock.Advance(2 * time.Hour) }, In: from("brief", "192.0.2.1"), Want: plugins.ActionAllow},
	})
}

func TestShadow(t *testing.T) {
	h := newHost(t)
	p := plugintest.New(t, blocklist.New, "action: shadow", h)
	plugintest.Run(t, p, []plugintest.Case{
		{Name: "banned user is shadowed", In: from("troll", "192.0.2.1"), Want: plugins.ActionShadow},
		{Name: "innocent", In: from("u1", "192.0.2.1"), Want: plugins.ActionAllow},
	})
	v, err := p.(plugins.JoinChecker).CheckJoin(t.Context(), plugins.Join{User: plugins.User{ID: "troll"}})
	if err != nil || v.Action != plugins.ActionAllow {
		t.Errorf("shadow-banned join = %v %v, want allowed so they notice nothing", v.Action, err)
	}
}

func TestCheckJoin(t *testing.T) {
	h := newHost(t)
	p := plugintest.New(t, blocklist.New, "", h).(plugins.JoinChecker)
	tests := []struct {
		name string
		j    plugins.Join
		want plugins.Action
	}{
		{"banned user refused", plugins.Join{Room: "room1", User: plugins.User{ID: "troll"}}, plugins.ActionReject},
		{"banned address refused", plugins.Join{Room: "room1", IP: netip.MustParseAddr("198.51.100.9")}, plugins.ActionReject},
		{"room ban elsewhere admitted", plugins.Join{Room: "room2", User: plugins.User{ID: "local"}}, plugins.ActionAllow},
		{"innocent admitted", plugins.Join{Room: "room1", User: plugins.User{ID: "u1"}}, plugins.ActionAllow},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := p.CheckJoin(t.Context(), tt.j)
			if err != nil || v.Action != tt.want {
				t.Errorf("CheckJoin = %v, %v; want %v", v.Action, err, tt.want)
			}
		})
	}
}

func TestStoreErrors(t *testing.T) {
	h := newHost(t)
	h.Blocks.Err = errors.New("database is locked")
	p := plugintest.New(t, blocklist.New, "", h)
	plugintest.Run(t, p, []plugintest.Case{{Name: "store error surfaces", Text: "hi", WantErr: true}})
}

func TestConfig(t *testing.T) {
	if err := plugintest.ConfigError(t, blocklist.New, "action: ban", nil); !strings.Contains(err.Error(), `action: must be reject or shadow, got "ban"`) {
		t.Errorf("error = %v", err)
	}
	noStore := plugins.BasicHost{Log: slog.New(slog.DiscardHandler)}
	if err := plugintest.ConfigError(t, blocklist.New, "", noStore); !errors.Is(err, blocklist.ErrNoStore) {
		t.Errorf("without a store: %v, want ErrNoStore", err)
	}
	if nb := plugintest.New(t, blocklist.New, "", nil).(plugins.NonBlocking); !nb.NonBlocking() {
		t.Error("memory store should make the plugin NonBlocking")
	}
}
