package plugins

import (
	_ "embed"
	"errors"
	"fmt"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
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

// DefaultMaxAbandoned is how many of an instance's calls may be abandoned
// at their deadline and still running before new calls fail fast.
const DefaultMaxAbandoned = 64

// Config is the parsed plugin configuration: a default chain and per-room
// chains that replace it.
type Config struct {
	Plugins []Entry // the default chain, in order
	// Rooms maps a room id, or a pattern such as live-* (path.Match
	// syntax), to its own chain. An exact id wins over patterns; patterns
	// are tried in the order of the file (sorted when built in Go).
	Rooms map[string]RoomConfig

	roomOrder []string // the keys of Rooms as the file lists them
}

// RoomConfig is one room's (or room pattern's) settings.
type RoomConfig struct {
	// Plugins replaces the default chain in this room; empty means no
	// plugins. With Extends, it is the default chain with Overrides applied.
	Plugins []Entry
	// Extends is "default" when the room's chain is the default chain
	// with Overrides, or empty.
	Extends string
	// Overrides maps a plugin name to config settings that replace (or
	// add to) those of every entry of that name in the default chain.
	Overrides map[string]RawConfig
}

// Only returns a copy of c whose chains keep only the entries keep
// accepts, in their order and with their settings, the rooms (and the
// order of their patterns) as they were.
func (c *Config) Only(keep func(Entry) bool) *Config {
	cut := func(entries []Entry) []Entry {
		out := []Entry{}
		for _, e := range entries {
			if keep(e) {
				out = append(out, e)
			}
		}
		return out
	}
	out := &Config{Plugins: cut(c.Plugins), roomOrder: c.roomOrder}
	if len(c.Rooms) > 0 {
		out.Rooms = make(map[string]RoomConfig, len(c.Rooms))
		for room, rc := range c.Rooms {
			out.Rooms[room] = RoomConfig{Plugins: cut(rc.Plugins)}
		}
	}
	return out
}

// isPattern reports whether a rooms key is a pattern rather than an id.
func isPattern(room string) bool { return strings.ContainsAny(room, "*?[") }

// roomKeys returns the keys of Rooms: in the file's order when parsed.
func (c *Config) roomKeys() []string {
	if len(c.roomOrder) == len(c.Rooms) {
		return c.roomOrder
	}
	return slices.Sorted(maps.Keys(c.Rooms))
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
	// Mode is enforce (the default, also when empty) or dry_run.
	Mode EntryMode
	// MaxAbandoned caps the instance's calls abandoned at their deadline
	// and still running; past it calls fail fast under on_error. 0 means
	// DefaultMaxAbandoned, a negative value no cap (`max_abandoned: off`).
	MaxAbandoned int
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
	var raw yaml.Node
	if err := yaml.Unmarshal(src, &raw); err != nil {
		return nil, err
	}
	doc, err := expandAliases(&raw)
	if err != nil {
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
				cfg.Rooms, cfg.roomOrder = p.rooms(val)
			default:
				p.errorf("line %d: unknown field %q (want plugins or rooms)", key.Line, key.Value)
			}
		}
	}
	if !sawPlugins && defaults != nil {
		cfg.Plugins = defaults().Plugins
	}
	p.extend(cfg)
	if err := errors.Join(p.errs...); err != nil {
		return nil, err
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

func (p *parser) rooms(n *yaml.Node) (map[string]RoomConfig, []string) {
	if n.Tag == "!!null" {
		return nil, nil
	}
	if n.Kind != yaml.MappingNode {
		p.errorf("rooms: line %d: must be a mapping of room id to settings", n.Line)
		return nil, nil
	}
	rooms := make(map[string]RoomConfig, len(n.Content)/2)
	var order []string
	for i := 0; i+1 < len(n.Content); i += 2 {
		key, val := n.Content[i], n.Content[i+1]
		where := "rooms." + key.Value
		switch {
		case key.Value == "":
			p.errorf("rooms: line %d: empty room id", key.Line)
			continue
		case isPattern(key.Value) && !validPattern(key.Value):
			p.errorf("%s: line %d: not a valid room pattern (use * and ? as in live-*)", where, key.Line)
			continue
		case val.Kind != yaml.MappingNode:
			p.errorf("%s: line %d: must be a mapping with plugins, or extends and overrides", where, val.Line)
			continue
		}
		if _, dup := rooms[key.Value]; dup {
			p.errorf("%s: line %d: listed twice", where, key.Line)
			continue
		}
		rooms[key.Value] = p.room(where, val)
		order = append(order, key.Value)
	}
	return rooms, order
}

// room parses one room's settings: plugins, or extends with overrides.
func (p *parser) room(where string, n *yaml.Node) RoomConfig {
	var rc RoomConfig
	saw := false
	var overrides *yaml.Node
	for j := 0; j+1 < len(n.Content); j += 2 {
		k, v := n.Content[j], n.Content[j+1]
		switch k.Value {
		case "plugins":
			saw = true
			rc.Plugins = p.chain(where+".plugins", v)
		case "extends":
			if v.Value != "default" {
				p.errorf("%s: extends: line %d: only default can be extended, got %q", where, v.Line, v.Value)
				continue
			}
			rc.Extends = v.Value
		case "overrides":
			overrides = v
		default:
			p.errorf("%s: unknown field %q (line %d; want plugins, or extends and overrides)", where, k.Value, k.Line)
		}
	}
	switch {
	case saw && rc.Extends != "":
		p.errorf("%s: plugins and extends exclude each other: list the chain, or extend the default one with overrides", where)
	case !saw && rc.Extends == "":
		p.errorf("%s: plugins is required (use [] for a room without plugins, or extends: default)", where)
	case overrides != nil && rc.Extends == "":
		p.errorf("%s: overrides needs extends: default", where)
	case overrides != nil:
		rc.Overrides = p.overrides(where+".overrides", overrides)
	}
	return rc
}

// overrides parses `plugin: {setting: value}` pairs and the dotted
// shorthand `plugin.setting: value`.
func (p *parser) overrides(where string, n *yaml.Node) map[string]RawConfig {
	if n.Kind != yaml.MappingNode {
		p.errorf("%s: line %d: must be a mapping of plugin name to settings", where, n.Line)
		return nil
	}
	out := map[string]RawConfig{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		name, field, dotted := strings.Cut(k.Value, ".")
		if dotted {
			v = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: k.Line, Column: k.Column,
				Content: []*yaml.Node{{Kind: yaml.ScalarNode, Tag: "!!str", Value: field, Line: k.Line, Column: k.Column}, v}}
		}
		if v.Kind != yaml.MappingNode {
			p.errorf("%s.%s: line %d: must be a mapping of settings", where, k.Value, v.Line)
			continue
		}
		prev := out[name].node
		if prev != nil {
			v = mergeMapping(prev, v)
		}
		out[name] = RawConfig{node: v, dir: p.dir}
	}
	return out
}

// extend makes the chains of rooms with extends: the default chain, each
// entry's config block with the room's overrides for that plugin applied.
func (p *parser) extend(cfg *Config) {
	for _, room := range cfg.roomKeys() {
		rc := cfg.Rooms[room]
		if rc.Extends == "" {
			continue
		}
		chain := slices.Clone(cfg.Plugins)
		for _, name := range slices.Sorted(maps.Keys(rc.Overrides)) {
			found := false
			for i := range chain {
				if chain[i].Name != name {
					continue
				}
				found = true
				over := rc.Overrides[name]
				base := chain[i].Config.node
				if base == nil {
					chain[i].Config = RawConfig{node: over.node, dir: over.dir}
					continue
				}
				chain[i].Config = RawConfig{node: mergeMapping(base, over.node), dir: chain[i].Config.dir}
			}
			if !found {
				p.errorf("rooms.%s.overrides.%s: the default chain has no plugin %q", room, name, name)
			}
		}
		rc.Plugins = chain
		cfg.Rooms[room] = rc
	}
}

// mergeMapping returns a new mapping: base's pairs with over's values in
// place of those with the same key, and over's other pairs appended.
func mergeMapping(base, over *yaml.Node) *yaml.Node {
	out := *base
	out.Content = slices.Clone(base.Content)
	for i := 0; i+1 < len(over.Content); i += 2 {
		k, v := over.Content[i], over.Content[i+1]
		replaced := false
		for j := 0; j+1 < len(out.Content); j += 2 {
			if out.Content[j].Value == k.Value {
				out.Content[j+1], replaced = v, true
			}
		}
		if !replaced {
			out.Content = append(out.Content, k, v)
		}
	}
	return &out
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
	e := Entry{OnError: OnErrorAllow, Timeout: DefaultTimeout, Mode: ModeEnforce, Config: RawConfig{dir: p.dir}}
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
			if !oneOf(&e.OnError, val.Value, OnErrorAllow, OnErrorReject) {
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
		case "mode":
			if !oneOf(&e.Mode, val.Value, ModeEnforce, ModeDryRun) {
				bad("mode: must be enforce or dry_run, got %q", val.Value)
			}
		case "max_abandoned":
			n, err := strconv.Atoi(val.Value)
			switch {
			case val.Value == "off":
				e.MaxAbandoned = -1
			case err != nil || n < 1:
				bad("max_abandoned: must be a positive number or off, got %q", val.Value)
			default:
				e.MaxAbandoned = n
			}
		case "config":
			rc, err := rawConfigOf(val, p.dir)
			if err != nil {
				bad("config: %v", err)
			}
			e.Config = rc
		default:
			bad("unknown field %q (line %d; want name, on_error, timeout, breaker, mode, max_abandoned, config)", key.Value, key.Line)
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

// oneOf sets *dst to value if it is one of the allowed values.
func oneOf[T ~string](dst *T, value string, allowed ...T) bool {
	if !slices.Contains(allowed, T(value)) {
		return false
	}
	*dst = T(value)
	return true
}

// validPattern reports whether a room pattern is well formed.
func validPattern(pattern string) bool {
	_, err := path.Match(pattern, "")
	return err == nil
}
