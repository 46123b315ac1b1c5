package plugins_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/danmaku/danmaku/plugins"
)

func TestConfigErrors(t *testing.T) {
	env := newEnv(t)
	tests := []struct {
		name   string
		config string
		want   []string // substrings, all expected
	}{
		{"unknown top-level key", "plugin: []", []string{`line 1: unknown field "plugin"`}},
		{"document not a mapping", "- a", []string{"must be a mapping"}},
		{"plugins not a list", "plugins: {a: 1}", []string{"plugins: line 1: must be a list"}},
		{"entry without name", "plugins: [{on_error: allow}]", []string{"plugins[0]: line 1: name is required"}},
		{"unknown entry key", "plugins:\n  - name: tag\n    ob_error: allow\n",
			[]string{`plugins[0] tag: unknown field "ob_error" (line 3`}},
		{"bad on_error", "plugins: [{name: tag, on_error: maybe}]", []string{`plugins[0] tag: on_error: must be allow or reject, got "maybe"`}},
		{"bad timeout", "plugins: [{name: tag, timeout: soon}]", []string{`plugins[0] tag: timeout: "soon" is not a duration`}},
		{"zero timeout", "plugins: [{name: tag, timeout: 0s}]", []string{"plugins[0] tag: timeout: must be between"}},
		{"bad breaker", "plugins: [{name: tag, breaker: sometimes}]", []string{"plugins[0] tag: breaker: line 1: must be off or a mapping"}},
		{"breaker without failures", "plugins: [{name: tag, breaker: {failures: 0}}]", []string{"breaker: failures: must be at least 1 (use breaker: off"}},
		{"breaker unknown key", "plugins: [{name: tag, breaker: {failure: 3}}]", []string{"breaker: failure: unknown field"}},
		{"breaker bad cooldown", "plugins: [{name: tag, breaker: {cooldown: -1s}}]", []string{"breaker: cooldown: must be positive"}},
		{"config not a mapping", "plugins: [{name: tag, config: [1]}]", []string{"plugins[0] tag: config: line 1: must be a mapping"}},
		{"room without plugins", "rooms: {r1: {}}", []string{"rooms.r1: plugins is required"}},
		{"room unknown key", "rooms: {r1: {plugins: [], slow: 1}}", []string{`rooms.r1: unknown field "slow"`}},
		{"all errors at once", "plugins: [{name: a, on_error: x}, {name: b, timeout: y}]",
			[]string{"plugins[0] a: on_error", "plugins[1] b: timeout"}},
		// Checked by Build, which knows the registry and the plugins.
		{"unknown plugin", "plugins: [tag, wordfiltr]", []string{`plugins[1]: unknown plugin "wordfiltr" (registered: allow, `}},
		{"plugin field error", "plugins: [{name: tag, config: {action: zap}}]",
			[]string{`plugins[0] tag: config.action: must be mask or reject, got "zap"`}},
		{"plugin unknown config key", "plugins:\n  - name: tag\n    config:\n      zap: 1\n",
			[]string{"plugins[0] tag: config.zap: unknown field (line 4)"}},
		{"plugin nested unknown config key", "plugins: [{name: tag, config: {nested: {deep: 1, deeper: 2}}}]",
			[]string{"plugins[0] tag: config.nested.deeper: unknown field"}},
		{"plugin config type error", "plugins: [{name: tag, config: {nested: {deep: many}}}]",
			[]string{`plugins[0] tag: config.nested.deep: cannot use "many" as a whole number (line 1)`}},
		{"config for a plugin without one", "plugins: [{name: noconfig, config: {a: 1}}]",
			[]string{"plugins[0] noconfig: config: this plugin takes no config"}},
		{"room chain error", "rooms: {r1: {plugins: [allow, {name: tag, config: {action: zap}}]}}",
			[]string{`rooms.r1.plugins[1] tag: config.action: must be mask or reject`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := plugins.ParseConfig([]byte(tt.config))
			if err == nil {
				var s *plugins.Set
				s, err = plugins.Build(cfg, env.reg, env.host)
				if err == nil {
					s.Close()
					t.Fatalf("config %q was accepted", tt.config)
				}
			}
			for _, want := range tt.want {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error:\n%v\nwant it to contain:\n%s", err, want)
				}
			}
		})
	}
}

func TestBuildErrorClosesPluginsBuiltSoFar(t *testing.T) {
	env := newEnv(t)
	cfg, err := plugins.ParseConfig([]byte("plugins: [allow, allow, nope]"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := plugins.Build(cfg, env.reg, env.host); err == nil {
		t.Fatal("Build accepted an unknown plugin")
	}
	if got := env.closed.Load(); got != 2 {
		t.Errorf("closed %d plugins, want the 2 built before the error", got)
	}
}

func TestParseConfig(t *testing.T) {
	defaultNames := names(plugins.DefaultConfig().Plugins)
	tests := []struct {
		name, config string
		want         []string
		wantTimeout  time.Duration
		wantOnError  plugins.OnError
	}{
		{"empty document gets the default chain", "", defaultNames, plugins.DefaultTimeout, plugins.OnErrorAllow},
		{"rooms only gets the default chain", "rooms: {r: {plugins: []}}", defaultNames, plugins.DefaultTimeout, plugins.OnErrorAllow},
		{"explicit empty chain", "plugins: []", []string{}, 0, ""},
		{"shorthand names", "plugins: [a, b]", []string{"a", "b"}, plugins.DefaultTimeout, plugins.OnErrorAllow},
		{"entry settings", "plugins: [{name: a, timeout: 2s, on_error: reject}]", []string{"a"}, 2 * time.Second, plugins.OnErrorReject},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := plugins.ParseConfig([]byte(tt.config))
			if err != nil {
				t.Fatal(err)
			}
			if got := names(cfg.Plugins); strings.Join(got, ",") != strings.Join(tt.want, ",") {
				t.Errorf("chain = %v, want %v", got, tt.want)
			}
			if len(cfg.Plugins) > 0 && (cfg.Plugins[0].Timeout != tt.wantTimeout || cfg.Plugins[0].OnError != tt.wantOnError) {
				t.Errorf("entry = %+v, want timeout %v on_error %v", cfg.Plugins[0], tt.wantTimeout, tt.wantOnError)
			}
		})
	}
}

func names(entries []plugins.Entry) []string {
	out := make([]string, len(entries))
	for i, e := range entries {
		out[i] = e.Name
	}
	return out
}

func TestDefaultConfigNamesTheBuiltins(t *testing.T) {
	want := "blocklist,sanitize,ratelimit,flood,links,wordfilter"
	if got := strings.Join(names(plugins.DefaultConfig().Plugins), ","); got != want {
		t.Errorf("default chain = %s, want %s", got, want)
	}
}

func TestLoadConfigResolvesPathsNextToTheFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "plugins.yaml")
	if err := os.WriteFile(path, []byte("plugins: [{name: a, config: {file: words.txt}}]"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := plugins.LoadConfig(path)
	if err != nil {
		t.Fatal(err)
	}
	raw := cfg.Plugins[0].Config
	if got, want := raw.Path("words.txt"), filepath.Join(dir, "words.txt"); got != want {
		t.Errorf("Path = %q, want %q", got, want)
	}
	if got := raw.Path("/abs/w.txt"); got != "/abs/w.txt" {
		t.Errorf("Path(abs) = %q", got)
	}
	if _, err := plugins.LoadConfig(filepath.Join(dir, "missing.yaml")); err == nil {
		t.Error("LoadConfig(missing) succeeded")
	}
}

func TestRawConfigDecode(t *testing.T) {
	type inner struct {
		N int `yaml:"n"`
	}
	type target struct {
		Words   []string      `yaml:"words"`
		Wait    time.Duration `yaml:"wait"`
		Inner   inner         `yaml:"inner"`
		List    []inner       `yaml:"list"`
		Kept    string        `yaml:"kept"`
		Default string
	}
	tests := []struct {
		name, src, wantErr string
	}{
		{"ok", "words: [a]\nwait: 50ms\ninner: {n: 2}\nlist: [{n: 1}]\ndefault: x", ""},
		{"unknown", "wurds: [a]", "wurds: unknown field (line 1)"},
		{"unknown in list item", "list: [{n: 1}, {m: 2}]", "list[1].m: unknown field"},
		{"bad duration", "wait: soon", `wait: cannot use "soon" as a duration like 30s (line 1)`},
		{"bad number in a nested field", "inner: {n: lots}", `inner.n: cannot use "lots" as a whole number`},
		{"list for a scalar", "kept: [a]", "kept: cannot use a list as a string"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw, err := plugins.ParseRawConfig(tt.src)
			if err != nil {
				t.Fatal(err)
			}
			v := target{Kept: "default"}
			err = raw.Decode(&v)
			if tt.wantErr == "" {
				if err != nil || v.Wait != 50*time.Millisecond || v.Inner.N != 2 || v.Kept != "default" || v.Default != "x" {
					t.Errorf("Decode = %+v, %v", v, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("Decode error = %v, want %q", err, tt.wantErr)
			}
		})
	}
}
