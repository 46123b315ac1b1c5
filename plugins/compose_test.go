package plugins_test

import (
	"strings"
	"testing"

	"github.com/danmaku/danmaku/plugins"
	_ "github.com/danmaku/danmaku/plugins/all" // the default chain's plugins, in DefaultRegistry
	"github.com/danmaku/danmaku/plugins/plugintest"
	"github.com/danmaku/danmaku/plugins/ratelimit"
)

// ratelimitConfig decodes the config block of the chain's ratelimit entry.
func ratelimitConfig(t *testing.T, chain []plugins.Entry) ratelimit.Config {
	t.Helper()
	for _, e := range chain {
		if e.Name == "ratelimit" {
			var c ratelimit.Config
			if err := e.Config.Decode(&c); err != nil {
				t.Fatal(err)
			}
			return c
		}
	}
	t.Fatal("no ratelimit entry")
	return ratelimit.Config{}
}

func TestExtendsWithOverrides(t *testing.T) {
	tests := []struct {
		name, yaml string
		room       string
		slow       string // slow_mode after the overrides
		perUser    string // per_user after the overrides
	}{
		{"dotted override", `
rooms:
  live: {extends: default, overrides: {ratelimit.slow_mode: 30s}}
`, "live", "30s", "5/10s"},
		{"nested override", `
rooms:
  live:
    extends: default
    overrides:
      ratelimit: {slow_mode: 45s, per_user: 2/10s}
`, "live", "45s", "2/10s"},
		{"both forms merge", `
rooms:
  live:
    extends: default
    overrides:
      ratelimit: {per_user: 3/10s}
      ratelimit.slow_mode: 1m
`, "live", "1m0s", "3/10s"},
		{"extends a custom default chain", `
plugins:
  - {name: ratelimit, config: {per_user: 9/10s}}
rooms:
  live: {extends: default, overrides: {ratelimit.slow_mode: 5s}}
`, "live", "5s", "9/10s"},
		{"a pattern extends too", `
rooms:
  live-*: {extends: default, overrides: {ratelimit.slow_mode: 30s}}
`, "live-*", "30s", "5/10s"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := plugins.ParseConfig([]byte(tt.yaml))
			if err != nil {
				t.Fatal(err)
			}
			room := cfg.Rooms[tt.room]
			if got, want := chainNames(room.Plugins), chainNames(cfg.Plugins); got != want {
				t.Errorf("room chain %s, want the default chain %s", got, want)
			}
			c := ratelimitConfig(t, room.Plugins)
			if c.SlowMode.String() != tt.slow || c.PerUser.String() != tt.perUser {
				t.Errorf("slow_mode %v per_user %v, want %s and %s", c.SlowMode, c.PerUser, tt.slow, tt.perUser)
			}
			if d := ratelimitConfig(t, cfg.Plugins); d.SlowMode != 0 && !strings.Contains(tt.yaml, "9/10s") {
				t.Errorf("the default chain changed: slow_mode %v", d.SlowMode)
			}
			set, err := plugins.Build(cfg, nil, plugintest.NewHost(t))
			if err != nil {
				t.Fatal(err)
			}
			set.Close()
		})
	}
}

func chainNames(entries []plugins.Entry) string {
	var out []string
	for _, e := range entries {
		out = append(out, e.Name)
	}
	return strings.Join(out, ",")
}

func TestRoomPatterns(t *testing.T) {
	env := newEnv(t)
	s := env.set(t, `
plugins: [allow]
rooms:
  live-final: {plugins: [reject]}
  live-*: {plugins: [upper]}
  live-?: {plugins: [hold]}
  "[ab]*": {plugins: [shadow]}
`)
	tests := []struct{ room, chain string }{
		{"live-final", "live-final"}, // an exact id wins over patterns
		{"live-1", "live-*"},         // the first matching pattern in file order
		{"live-semis", "live-*"},
		{"alpha", "[ab]*"},
		{"lobby", ""}, // no match: the default chain
	}
	for _, tt := range tests {
		t.Run(tt.room, func(t *testing.T) {
			if got := s.Chain(tt.room).Room(); got != tt.chain {
				t.Errorf("chain for %q = %q, want %q", tt.room, got, tt.chain)
			}
		})
	}
	if got := strings.Join(s.Rooms(), ","); got != "live-final,live-*,live-?,[ab]*" {
		t.Errorf("Rooms() = %s", got)
	}
}

func TestYAMLAnchors(t *testing.T) {
	env := newEnv(t)
	s := env.set(t, `
plugins:
  - &tagged {name: tag, config: {tag: x}}
  - &up upper
rooms:
  r1: {plugins: [*tagged, *up]}
  r2:
    plugins:
      - <<: *tagged
        config: {tag: y}
  r3: &same {plugins: [*up]}
  r4: *same
`)
	tests := []struct{ room, want string }{
		{"room1", "HI-X"}, // default: tag x then upper
		{"r1", "HI-X"},
		{"r2", "hi-y"}, // the merge took name from the anchor, config from here
		{"r3", "HI"},
		{"r4", "HI"},
	}
	for _, tt := range tests {
		t.Run(tt.room, func(t *testing.T) {
			c := plugintest.Comment("hi")
			c.Room = tt.room
			if got := s.Run(t.Context(), c).Comment.Text; got != tt.want {
				t.Errorf("text = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestCompositionErrors(t *testing.T) {
	tests := []struct{ name, yaml, want string }{
		{"override of a plugin not in the default chain", "rooms: {live: {extends: default, overrides: {nope.x: 1}}}",
			`rooms.live.overrides.nope: the default chain has no plugin "nope"`},
		{"plugins and extends", "rooms: {live: {extends: default, plugins: []}}", "rooms.live: plugins and extends exclude each other"},
		{"overrides without extends", "rooms: {live: {plugins: [], overrides: {ratelimit.slow_mode: 1s}}}", "rooms.live: overrides needs extends: default"},
		{"extends something else", "rooms: {live: {extends: other}}", `rooms.live: extends: line 1: only default can be extended, got "other"`},
		{"bad pattern", "rooms: {'live-[': {plugins: []}}", "rooms.live-[: line 1: not a valid room pattern"},
		{"override of the wrong type names room, plugin and field", "rooms:\n  live-*:\n    extends: default\n    overrides:\n      ratelimit.slow_mode: soon\n",
			`rooms.live-*.plugins[2] ratelimit: config.slow_mode: cannot use "soon" as a duration like 30s (line 5)`},
		{"override of an unknown field", "rooms: {live: {extends: default, overrides: {ratelimit: {slow: 1s}}}}",
			"rooms.live.plugins[2] ratelimit: config.slow: unknown field"},
		{"wrong type in a plugin's block", "plugins:\n  - name: ratelimit\n    config:\n      max_keys: lots\n",
			`plugins[0] ratelimit: config.max_keys: cannot use "lots" as a whole number (line 4)`},
		{"wrong type in a list", "plugins:\n  - name: ratelimit\n    config:\n      exempt_roles: {a: 1}\n",
			"plugins[0] ratelimit: config.exempt_roles: cannot use a mapping as a list (line 4)"},
		{"wrong type through an anchor", "plugins:\n  - name: ratelimit\n    config: {exempt_roles: [&s 7x], per_user: *s}\n",
			`plugins[0] ratelimit: config.per_user: "7x" is not a rate like 5/10s (line 3)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := plugins.ParseConfig([]byte(tt.yaml))
			if err == nil {
				var s *plugins.Set
				if s, err = plugins.Build(cfg, nil, plugintest.NewHost(t)); err == nil {
					s.Close()
					t.Fatalf("accepted:\n%s", tt.yaml)
				}
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error:\n%v\nwant it to contain:\n%s", err, tt.want)
			}
		})
	}
}

// TestOnlyKeepsOrder: a cut-down copy (the import chains) keeps the
// entries' order and the patterns' order of the file.
func TestOnlyKeepsOrder(t *testing.T) {
	env := newEnv(t)
	cfg := mustParse(t, `
plugins: [upper, tag, allow]
rooms:
  z-*: {plugins: [allow, upper]}
  z-a*: {plugins: [tag, allow]}
`)
	cut := cfg.Only(func(e plugins.Entry) bool { return e.Name != "allow" })
	s, err := plugins.Build(cut, env.reg, env.host)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	tests := []struct{ room, chain, names string }{
		{"lobby", "", "upper,tag"},
		{"z-abc", "z-*", "upper"}, // z-* comes first in the file, though z-a* sorts first
	}
	for _, tt := range tests {
		t.Run(tt.room, func(t *testing.T) {
			ch := s.Chain(tt.room)
			if ch.Room() != tt.chain || strings.Join(ch.Names(), ",") != tt.names {
				t.Errorf("chain %q %v, want %q %s", ch.Room(), ch.Names(), tt.chain, tt.names)
			}
		})
	}
}
