package plugintest

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/danmaku/danmaku/plugins"
)

// Comment returns a comment with text and ordinary defaults: room "room1",
// user "u1" (no roles), IP 192.0.2.1, 12.5 s into the video, white medium
// scrolling text. Change fields on the result for other cases.
func Comment(text string) plugins.Comment {
	return plugins.Comment{
		Room:  "room1",
		User:  plugins.User{ID: "u1", Name: "viewer"},
		IP:    netip.MustParseAddr("192.0.2.1"),
		Text:  text,
		Time:  12.5,
		Mode:  plugins.ModeScroll,
		Color: "#ffffff",
		Size:  plugins.SizeMedium,
	}
}

// New makes a plugin with f, configures it from YAML config text (as under
// `config:` in the server's file; "" for defaults) and provisions it with
// host (nil: a fresh [NewHost]). It fails the test on any error.
func New(t testing.TB, f plugins.Factory, config string, host plugins.Host) plugins.Moderator {
	t.Helper()
	m, err := build(t, f, config, host)
	if err != nil {
		t.Fatalf("plugintest.New: %v", err)
	}
	if c, ok := m.(plugins.Closer); ok {
		t.Cleanup(func() {
			if err := c.Close(); err != nil {
				t.Errorf("Close: %v", err)
			}
		})
	}
	return m
}

// ConfigError configures and provisions a plugin like [New] but expects it
// to fail, and returns the error for the test to inspect.
func ConfigError(t testing.TB, f plugins.Factory, config string, host plugins.Host) error {
	t.Helper()
	m, err := build(t, f, config, host)
	if err == nil {
		t.Fatalf("plugintest.ConfigError: config %q was accepted", config)
	}
	if c, ok := m.(plugins.Closer); ok {
		_ = c.Close()
	}
	return err
}

// ConfigCase is one row of a config validation table: the plugin must
// refuse Config (YAML text) with an error containing Want.
type ConfigCase struct {
	Name, Config, Want string
}

// ConfigErrors checks each case with [ConfigError], as subtests.
func ConfigErrors(t *testing.T, f plugins.Factory, cases []ConfigCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.Name, func(t *testing.T) {
			t.Helper()
			if err := ConfigError(t, f, tc.Config, nil); !strings.Contains(err.Error(), tc.Want) {
				t.Errorf("config %q: error %q, want it to contain %q", tc.Config, err, tc.Want)
			}
		})
	}
}

func build(t testing.TB, f plugins.Factory, config string, host plugins.Host) (plugins.Moderator, error) {
	t.Helper()
	raw, err := plugins.ParseRawConfig(config)
	if err != nil {
		return nil, err
	}
	if host == nil {
		host = NewHost(t)
	}
	m := f()
	if c, ok := m.(plugins.Configurer); ok {
		if err := c.Configure(raw); err != nil {
			return m, err
		}
	}
	if p, ok := m.(plugins.Provisioner); ok {
		if err := p.Provision(host); err != nil {
			return m, err
		}
	}
	return m, nil
}

// Set builds a whole configuration from YAML text (the server's file
// format) with reg and host, closing it when the test ends.
func Set(t testing.TB, reg *plugins.Registry, host plugins.Host, config string) *plugins.Set {
	t.Helper()
	cfg, err := plugins.ParseConfig([]byte(config))
	if err != nil {
		t.Fatalf("plugintest.Set: %v", err)
	}
	s, err := plugins.Build(cfg, reg, host)
	if err != nil {
		t.Fatalf("plugintest.Set: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Set.Close: %v", err)
		}
	})
	return s
}
