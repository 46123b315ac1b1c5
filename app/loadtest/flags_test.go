package loadtest

import (
	"flag"
	"io"
	"net/netip"
	"slices"
	"testing"
	"time"
)

func parseFlags(t *testing.T, args ...string) (*Config, error) {
	t.Helper()
	fs := flag.NewFlagSet("loadtest", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	cfg := RegisterFlags(fs)
	return cfg, fs.Parse(args)
}

func TestRegisterFlags(t *testing.T) {
	cfg, err := parseFlags(t, "-mode", "raw", "-addr", "127.0.0.1:9090", "-viewers", "5000", "-rooms", "2",
		"-rate", "200", "-room-rate", "5", "-duration", "20s", "-sources", "3", "-token", "tok", "-pid", "42", "-json")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Mode != ModeRaw || cfg.Addr != "127.0.0.1:9090" || cfg.Viewers != 5000 || cfg.Rooms != 2 ||
		cfg.Duration != 20*time.Second || cfg.Token != "tok" || cfg.PID != 42 || !cfg.JSON {
		t.Errorf("flags not applied: %+v", cfg)
	}
	if cfg.RoomRate != 5 || cfg.Rate != 0 {
		t.Errorf("rate %v room-rate %v: want the later -room-rate to replace -rate", cfg.Rate, cfg.RoomRate)
	}
	want := []netip.Addr{netip.MustParseAddr("127.0.0.1"), netip.MustParseAddr("127.0.0.2"), netip.MustParseAddr("127.0.0.3")}
	if !slices.Equal(cfg.Sources, want) {
		t.Errorf("sources %v, want %v", cfg.Sources, want)
	}
}

func TestRegisterFlagsDefaultsValidate(t *testing.T) {
	cfg, err := parseFlags(t)
	if err != nil {
		t.Fatal(err)
	}
	if err := cfg.withDefaults().validate(); err != nil {
		t.Errorf("defaults do not validate: %v", err)
	}
}

func TestRegisterFlagsRejects(t *testing.T) {
	for _, args := range [][]string{
		{"-mode", "binary"},
		{"-rate", "-3"},
		{"-room-rate", "fast"},
		{"-sources", "0"},
		{"-sources", "127.0.0.1,nope"},
	} {
		t.Run(args[0]+" "+args[1], func(t *testing.T) {
			if _, err := parseFlags(t, args...); err == nil {
				t.Errorf("parsing %q: want an error", args)
			}
		})
	}
}

func TestParseSourcesList(t *testing.T) {
	got, err := parseSources("127.0.0.5, 127.0.0.9")
	if err != nil {
		t.Fatal(err)
	}
	if want := []netip.Addr{netip.MustParseAddr("127.0.0.5"), netip.MustParseAddr("127.0.0.9")}; !slices.Equal(got, want) {
		t.Errorf("parseSources = %v, want %v", got, want)
	}
}
