package loadtest

import (
	"context"
	"net/netip"
	"strings"
	"testing"
	"time"
)

func TestConfigValidate(t *testing.T) {
	ok := Config{Addr: "127.0.0.1:1", Viewers: 10, Senders: 2, Rooms: 2, RoomRate: 5, Duration: time.Second}
	tests := []struct {
		name   string
		change func(*Config)
		want   string // substring of the error; "" for valid
	}{
		{"valid", func(*Config) {}, ""},
		{"idle run", func(c *Config) { c.Senders, c.RoomRate = 0, 0 }, ""},
		{"no addr", func(c *Config) { c.Addr = "" }, "addr"},
		{"bad mode", func(c *Config) { c.Mode = "xml" }, "mode"},
		{"wire v1", func(c *Config) { c.Wire = 1 }, ""},
		{"unknown wire version", func(c *Config) { c.Wire = 3 }, "wire"},
		{"no sockets", func(c *Config) { c.Viewers, c.Senders, c.RoomRate = 0, 0, 0 }, "socket"},
		{"both rates", func(c *Config) { c.Rate = 10 }, "not both"},
		{"rate without senders", func(c *Config) { c.Senders = 0 }, "sender"},
		{"room rate with a senderless room", func(c *Config) { c.Rooms = 3 }, "every room"},
		{"room prefix needing escapes", func(c *Config) { c.RoomPrefix = `a"b` }, "prefix"},
		{"relative path", func(c *Config) { c.Path = "ws" }, "path"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := ok
			tt.change(&c)
			err := c.withDefaults().validate()
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("validate = %v, want nil", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("validate = %v, want an error about %q", err, tt.want)
			}
		})
	}
}

func TestCheckTargetRefusesRemote(t *testing.T) {
	ctx := context.Background()
	if err := checkTarget(ctx, Config{Addr: "127.0.0.1:9090"}); err != nil {
		t.Errorf("loopback target refused: %v", err)
	}
	if err := checkTarget(ctx, Config{Addr: "192.0.2.1:80"}); err == nil || !strings.Contains(err.Error(), "loopback") {
		t.Errorf("remote target: got %v, want a loopback error", err)
	}
	if err := checkTarget(ctx, Config{Addr: "127.0.0.1:9090, 127.0.0.2:9091"}); err != nil {
		t.Errorf("a cluster on loopback refused: %v", err)
	}
	if err := checkTarget(ctx, Config{Addr: "127.0.0.1:9090,192.0.2.1:80"}); err == nil || !strings.Contains(err.Error(), "192.0.2.1") {
		t.Errorf("a cluster with a remote node: got %v, want that node refused", err)
	}
	src := Config{Addr: "127.0.0.1:9090", Sources: []netip.Addr{netip.MustParseAddr("192.0.2.7")}}
	if err := checkTarget(ctx, src); err == nil {
		t.Error("non-loopback source: want an error")
	}
}

func TestDialersSpreadSocketsOverAddrs(t *testing.T) {
	d := newDialers(Config{Addr: "127.0.0.1:1,127.0.0.1:2,127.0.0.1:3", Path: "/ws"})
	var got []string
	for i := range 4 {
		got = append(got, d.bases[i%len(d.bases)].Host)
	}
	want := []string{"127.0.0.1:1", "127.0.0.1:2", "127.0.0.1:3", "127.0.0.1:1"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("sockets 0..3 go to %v, want %v", got, want)
	}
}
