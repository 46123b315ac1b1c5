package plugins

import (
	_ "embed"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"go.yaml.in/yaml/v3"
)

// DefaultTimeout is how long a plugin call may take unless its entry says otherwise.
const DefaultTimeout = 50 * time.Millisecond

// MaxTimeout bounds configured timeouts: a comment's sender waits for the chain.
const MaxTimeout = 10 * time.Second

// OnError is an entry's failure policy: what a plugin error, panic or timeout means.
type OnError string

// The failure policies.
const (
	// OnErrorAllow fails open: the comment passes that plugin unchanged.
	OnErrorAllow OnError = "allow"
	// OnErrorReject fails closed: the comment is rejected.
	OnErrorReject OnError = "reject"
)

// Config is the parsed plugin configuration: a default chain and per-room
// chains that replace it.
type Config struct {
	Plugins []Entry               // the default chain, in order
	Rooms   map[string]RoomConfig // room id → its own chain
}

// RoomConfig is one room's settings.
type RoomConfig struct {
	Plugins []Entry // replaces the default chain in this room; empty means no plugins
}

// Entry is one plugin in a chain.
type Entry struct {
	Name    string        // registered plugin name
	OnError OnError       // "allow" (default) or "reject"
	Timeout time.Duration // per call; DefaultTimeout when zero
	Config  RawConfig     // the plugin's own config block
	// Breaker is the entry's circuit breaker; nil means the plugin's
	// default ([DefaultBreaker] for [Isolated] plugins, else none), and
	// Failures 0 (`breaker: off`) means none.
	Breaker *BreakerConfig
}

//go:embed default.yaml
var defaultYAML []byte

// DefaultConfigYAML returns the YAML of [DefaultConfig], for docs and
// `config print` style commands.
func DefaultConfigYAML() string { return string(defaultYAML) }

// DefaultConfig returns the chain that runs without a config file:
// blocklist → sanitize → ratelimit → flood → links → wordfilter
// (see default.yaml for why that order).
func DefaultConfig() *Config {
	cfg, err := parseConfig(defaultYAML, "", nil)
	if err != nil {
		panic(fmt.Sprintf("plugins: embedded default.yaml: %v", err))
	}
	return cfg
}

// LoadConfig reads and parses a config file; relative paths in plugin
// config blocks (see [RawConfig.Path]) resolve against its directory.
func LoadConfig(path string) (*Config, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("plugins: %w", err)
	}
	cfg, err := parseConfig(src, filepath.Dir(path), DefaultConfig)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return cfg, nil
}

// ParseConfig parses a config document strictly: unknown keys and
// malformed entries are errors naming their place, all reported at once.
// A document without a `plugins` key gets the default chain; `plugins: []`
// means no plugins. Plugin names and config blocks are checked by [Build].
func ParseConfig(src []byte) (*Config, error) {
	return parseConfig(src, "", DefaultConfig)
}

func parseConfig(src []byte, dir string, defaults func() *Config) (*Config, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		return nil, err
	}
	p := parser{dir: dir}
	cfg := &Config{}
	sawPlugins := false
	if len(doc.Content) > 0 && doc.Content[0].Tag != "!!null" {
		root := doc.Content[0]
		if root.Kind != yaml.MappingNode {
			return nil, fmt.Errorf("line %d: the document must be a mapping with plugins and rooms", root.Line)
		}
		for i := 0; i+1 < len(root.Content); i += 2 {
			key, val := root.Content[i], root.Content[i+1]
			switch key.Value {
			case "plugins":
				sawPlugins = true
				cfg.Plugins = p.chain("plugins", val)
			case "rooms":
				cfg.Rooms = p.rooms(val)
			default:
				p.errorf("line %d: unknown field %q (want plugins or rooms)", key.Line, key.Value)
			}
		}
	}
	if err := errors.Join(p.errs...); err != nil {
		return nil, err
	}
	if !sawPlugins && defaults != nil {
		cfg.Plugins = defaults().Plugins
	}
	return cfg, nil
}

// parser collects every error of a document so an admin fixes them in one go.
type parser struct {
	dir  string
	errs []error
}

func (p *parser) errorf(format string, args ...any) {
	p.errs = append(p.errs, fmt.Errorf(format, args...))
}

func (p *parser) rooms(n *yaml.Node) map[string]RoomConfig {
	if n.Tag == "!!null" {
		return nil
	}
	if n.Kind != yaml.MappingNode {
		p.errorf("rooms: line %d: must be a mapping of room id to settings", n.Line)
		return nil
	}
	rooms := make(map[string]RoomConfig, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		key, val := n.Content[i], n.Content[i+1]
		where := "rooms." + key.Value
		switch {
		case key.Value == "":
			p.errorf("rooms: line %d: empty room id", key.Line)
			continue
		case val.Kind != yaml.MappingNode:
			p.errorf("%s: line %d: must be a mapping with plugins", where, val.Line)
			continue
		}
		var rc RoomConfig
		saw := false
		for j := 0; j+1 < len(val.Content); j += 2 {
			k, v := val.Content[j], val.Content[j+1]
			if k.Value != "plugins" {
				p.errorf("%s: unknown field %q (line %d)", where, k.Value, k.Line)
				continue
			}
			saw = true
			rc.Plugins = p.chain(where+".plugins", v)
		}
		if !saw {
			p.errorf("%s: plugins is required (use [] for a room without plugins)", where)
		}
		rooms[key.Value] = rc
	}
	return rooms
}

func (p *parser) chain(where string, n *yaml.Node) []Entry {
	if n.Tag == "!!null" {
		return []Entry{}
	}
	if n.Kind != yaml.SequenceNode {
		p.errorf("%s: line %d: must be a list of plugins", where, n.Line)
		return nil
	}
	entries := make([]Entry, 0, len(n.Content))
	for i, item := range n.Content {
		if e, ok := p.entry(fmt.Sprintf("%s[%d]", where, i), item); ok {
			entries = append(entries, e)
		}
	}
	return entries
}

// entry parses `- name: x` mappings and the `- x` shorthand.
func (p *parser) entry(where string, n *yaml.Node) (Entry, bool) {
	e := Entry{OnError: OnErrorAllow, Timeout: DefaultTimeout, Config: RawConfig{dir: p.dir}}
	if n.Kind == yaml.ScalarNode && n.Tag == "!!str" {
		e.Name = n.Value
		return e, true
	}
	if n.Kind != yaml.MappingNode {
		p.errorf("%s: line %d: must be a plugin name or a mapping with name", where, n.Line)
		return e, false
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == "name" {
			e.Name = n.Content[i+1].Value
		}
	}
	if e.Name == "" {
		p.errorf("%s: line %d: name is required", where, n.Line)
		return e, false
	}
	where += " " + e.Name
	ok := true
	bad := func(format string, args ...any) {
		p.errorf(where+": "+format, args...)
		ok = false
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		key, val := n.Content[i], n.Content[i+1]
		switch key.Value {
		case "name":
		case "on_error":
			switch OnError(val.Value) {
			case OnErrorAllow, OnErrorReject:
				e.OnError = OnError(val.Value)
			default:
				bad("on_error: must be allow or reject, got %q", val.Value)
			}
		case "timeout":
			d, err := time.ParseDuration(val.Value)
			switch {
			case err != nil:
				bad("timeout: %q is not a duration like 50ms", val.Value)
			case d <= 0 || d > MaxTimeout:
				bad("timeout: must be between 0 and %v, got %v", MaxTimeout, d)
			default:
				e.Timeout = d
			}
		case "breaker":
			bc, err := breakerOf(val)
			if err != nil {
				bad("breaker: %v", err)
			}
			e.Breaker = bc
		case "config":
			rc, err := rawConfigOf(val, p.dir)
			if err != nil {
				bad("config: %v", err)
			}
			e.Config = rc
		default:
			bad("unknown field %q (line %d; want name, on_error, timeout, breaker, config)", key.Value, key.Line)
		}
	}
	return e, ok
}

// breakerOf parses `breaker: off` or a mapping of failures, window and
// cooldown over [DefaultBreaker].
func breakerOf(n *yaml.Node) (*BreakerConfig, error) {
	if n.Kind == yaml.ScalarNode && n.Value == "off" {
		return &BreakerConfig{}, nil
	}
	if n.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("line %d: must be off or a mapping with failures, window and cooldown", n.Line)
	}
	var raw struct {
		Failures *int           `yaml:"failures"`
		Window   *time.Duration `yaml:"window"`
		Cooldown *time.Duration `yaml:"cooldown"`
	}
	if err := (RawConfig{node: n}).Decode(&raw); err != nil {
		return nil, err
	}
	bc := DefaultBreaker
	if raw.Failures != nil {
		bc.Failures = *raw.Failures
	}
	if raw.Window != nil {
		bc.Window = *raw.Window
	}
	if raw.Cooldown != nil {
		bc.Cooldown = *raw.Cooldown
	}
	switch {
	case bc.Failures < 1:
		return nil, fmt.Errorf("failures: must be at least 1 (use breaker: off to turn it off), got %d", bc.Failures)
	case bc.Window <= 0:
		return nil, fmt.Errorf("window: must be positive, got %v", bc.Window)
	case bc.Cooldown <= 0:
		return nil, fmt.Errorf("cooldown: must be positive, got %v", bc.Cooldown)
	}
	return &bc, nil
}
