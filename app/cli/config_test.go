package cli

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/danmaku/danmaku/app"
)

// writeConfig writes a YAML config file into a temp dir and returns its path.
func writeConfig(t *testing.T, yaml string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "danmaku.yaml")
	if err := os.WriteFile(path, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// parseServe parses args and env as serve does and returns the config.
func parseServe(t *testing.T, args []string, env map[string]string) (app.Config, string, origins, error) {
	t.Helper()
	cfg := app.DefaultConfig()
	level, format := "info", "text"
	var stderr strings.Builder
	from, err := parseFlags(serveFlags(&cfg, &level, &format), args, IO{Env: func(k string) string { return env[k] }, Stderr: &stderr})
	return cfg, level, from, err
}

func TestPrecedence(t *testing.T) {
	file := writeConfig(t, `
addr: 127.0.0.1:7001          # a string
max-text: 70                  # an int
flush-every: 70ms             # a duration
seed-demo: false              # a bool
allowed-origins:              # a list; an item may hold a comma
  - https://file.example
  - "https://odd,one.example"
log-level: warn
`)
	env := map[string]string{
		"DANMAKU_ADDR":            "127.0.0.1:7002",
		"DANMAKU_MAX_TEXT":        "72",
		"DANMAKU_FLUSH_EVERY":     "72ms",
		"DANMAKU_SEED_DEMO":       "true",
		"DANMAKU_ALLOWED_ORIGINS": "https://env.example, https://env2.example",
	}
	flags := []string{"-addr", "127.0.0.1:7003", "-max-text", "73", "-flush-every", "73ms", "-seed-demo=false", "-allowed-origins", "https://flag.example"}
	type values struct {
		addr    string
		maxText int
		flush   time.Duration
		seed    bool
		origins []string
	}
	d := app.DefaultConfig()
	for _, tc := range []struct {
		name   string
		args   []string
		env    map[string]string
		want   values
		origin string // where addr came from
	}{
		{"defaults", nil, nil, values{d.Addr, d.MaxTextRunes, d.FlushEvery, d.SeedDemo, nil}, ""},
		{"the file over defaults", []string{"-config", file}, nil,
			values{"127.0.0.1:7001", 70, 70 * time.Millisecond, false, []string{"https://file.example", "https://odd,one.example"}}, file + " line 2"},
		{"the file named by DANMAKU_CONFIG", nil, map[string]string{"DANMAKU_CONFIG": file},
			values{"127.0.0.1:7001", 70, 70 * time.Millisecond, false, []string{"https://file.example", "https://odd,one.example"}}, file + " line 2"},
		{"the environment over the file", []string{"-config", file}, env,
			values{"127.0.0.1:7002", 72, 72 * time.Millisecond, true, []string{"https://env.example", "https://env2.example"}}, "DANMAKU_ADDR"},
		{"flags over the environment", append([]string{"-config", file}, flags...), env,
			values{"127.0.0.1:7003", 73, 73 * time.Millisecond, false, []string{"https://flag.example"}}, "flag -addr"},
		{"flags over defaults", flags, nil,
			values{"127.0.0.1:7003", 73, 73 * time.Millisecond, false, []string{"https://flag.example"}}, "flag -addr"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, level, from, err := parseServe(t, tc.args, tc.env)
			if err != nil {
				t.Fatal(err)
			}
			got := values{cfg.Addr, cfg.MaxTextRunes, cfg.FlushEvery, cfg.SeedDemo, cfg.AllowedOrigins}
			if got.addr != tc.want.addr || got.maxText != tc.want.maxText || got.flush != tc.want.flush ||
				got.seed != tc.want.seed || !slices.Equal(got.origins, tc.want.origins) {
				t.Fatalf("got %+v, want %+v", got, tc.want)
			}
			if from["addr"] != tc.origin {
				t.Fatalf("addr came from %q, want %q", from["addr"], tc.origin)
			}
			// Settings no layer above touches still come from the file.
			if wantLevel := map[bool]string{true: "warn", false: "info"}[slices.Contains(tc.args, file) || tc.env["DANMAKU_CONFIG"] != ""]; level != wantLevel {
				t.Fatalf("log-level %q, want %q", level, wantLevel)
			}
		})
	}
}

func TestConfigFileErrors(t *testing.T) {
	for _, tc := range []struct {
		name, yaml string
		env        map[string]string
		err        string // FILE stands for the file's path
	}{
		{"unknown setting", "addr: x\nmax-txt: 5\n", nil, `FILE line 2: unknown setting "max-txt"`},
		{"secret", "secret: abc\n", nil, "FILE line 1: the secret is read from DANMAKU_SECRET only"},
		{"config inside config", "config: other.yaml\n", nil, `FILE line 1: "config" cannot be set inside the config file`},
		{"set twice", "addr: a\n\naddr: b\n", nil, "FILE line 3: addr is set twice (first on line 1)"},
		{"a list for a single value", "addr: [a, b]\n", nil, "FILE line 1: addr takes one value, not a list"},
		{"a mapping", "max-text:\n  value: 5\n", nil, "FILE line 1: max-text must be a value, not a mapping"},
		{"no value", "max-text:\n", nil, "FILE line 1: max-text has no value"},
		{"a list of lists", "allowed-origins: [[a]]\n", nil, "FILE line 1: allowed-origins must be a list of plain values"},
		{"not a mapping", "- addr\n", nil, `FILE line 1: the file must be a mapping of settings, like "addr: 127.0.0.1:8080"`},
		{"not YAML", "addr: [unclosed\n", nil, "config file FILE: yaml: line 1: did not find expected ',' or ']'"},
		{"a bad int in the file", "seed-demo: true\nmax-text: lots\n", nil, `invalid value "lots" for max-text (from FILE line 2): parse error`},
		{"a bad duration in the file", "flush-every: soon\n", nil, `invalid value "soon" for flush-every (from FILE line 1): parse error`},
		{"a YAML 1.1 bool in the file", "seed-demo: no\n", nil, `invalid value "no" for seed-demo (from FILE line 1): parse error`},
		{"a bad value in the environment", "", map[string]string{"DANMAKU_WRITER_LINGER": "5 parsecs"}, `invalid value "5 parsecs" for writer-linger (from DANMAKU_WRITER_LINGER): parse error`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := writeConfig(t, tc.yaml)
			_, _, _, err := parseServe(t, []string{"-config", path}, tc.env)
			want := strings.ReplaceAll(tc.err, "FILE", path)
			if err == nil || err.Error() != want {
				t.Fatalf("error %v\nwant  %s", err, want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("the error is not one line: %q", err)
			}
		})
	}
	t.Run("a missing file", func(t *testing.T) {
		_, _, _, err := parseServe(t, []string{"-config", "/nonexistent/danmaku.yaml"}, nil)
		if !errors.Is(err, os.ErrNotExist) || !strings.Contains(err.Error(), "config file: stat /nonexistent/danmaku.yaml") {
			t.Fatalf("error %v", err)
		}
	})
	t.Run("an empty file sets nothing", func(t *testing.T) {
		cfg, _, _, err := parseServe(t, []string{"-config", writeConfig(t, "# nothing yet\n")}, nil)
		if err != nil || cfg.Addr != app.DefaultConfig().Addr {
			t.Fatalf("%+v, %v", cfg.Addr, err)
		}
	})
}

func TestExplain(t *testing.T) {
	from := origins{"max-text": "danmaku.yaml line 3", "log-level": "DANMAKU_LOG_LEVEL"}
	for _, tc := range []struct{ err, want string }{
		{"config: max-text must be from 1 to 10000, got 0", "config: max-text must be from 1 to 10000, got 0 (max-text is set by danmaku.yaml line 3)"},
		{"-log-level: slog: level string \"loud\": unknown name", "-log-level: slog: level string \"loud\": unknown name (log-level is set by DANMAKU_LOG_LEVEL)"},
		{"config: sync must be normal or full, got \"x\"", "config: sync must be normal or full, got \"x\""},
		{"store: opening x: permission denied", "store: opening x: permission denied"},
	} {
		if got := from.explain(errors.New(tc.err)).Error(); got != tc.want {
			t.Errorf("explain(%q) = %q, want %q", tc.err, got, tc.want)
		}
	}
}

func TestParseRejectsArguments(t *testing.T) {
	cfg := app.DefaultConfig()
	level, format := "info", "text"
	var stderr strings.Builder
	err := parse(serveFlags(&cfg, &level, &format), []string{"-addr", "127.0.0.1:9", "extra"}, IO{Env: func(string) string { return "" }, Stderr: &stderr})
	if err == nil || err.Error() != `unexpected argument "extra"` || cfg.Addr != "127.0.0.1:9" {
		t.Fatalf("parse: %v, addr %q", err, cfg.Addr)
	}
}

func TestOnlyServerSettingsComeFromTheEnvironmentAndFile(t *testing.T) {
	env := IO{Env: func(k string) string {
		return map[string]string{"DANMAKU_ADDR": "127.0.0.1:1", "DANMAKU_USER": "env-user", "DANMAKU_DB": "/env/danmaku.db"}[k]
	}, Stderr: &strings.Builder{}}
	withTool := func(own string) func() *flag.FlagSet {
		return func() *flag.FlagSet {
			var cfg app.Config
			var level, format string
			fs := serveFlags(&cfg, &level, &format)
			fs.Init("tool", flag.ContinueOnError)
			fs.String(own, "default", "a command's own flag")
			return fs
		}
	}
	for _, tc := range []struct {
		name  string
		flags func() *flag.FlagSet
		flag  string
		want  string
	}{
		{"a server setting in a tool", withTool("user"), "db", "/env/danmaku.db"},
		{"a tool's own flag", withTool("user"), "user", "default"},
		{"a command without the server's settings", func() *flag.FlagSet {
			fs := flag.NewFlagSet("loadtest", flag.ContinueOnError)
			fs.String("addr", "127.0.0.1:8080", "the server to load")
			return fs
		}, "addr", "127.0.0.1:8080"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fs := tc.flags()
			if err := parse(fs, nil, env); err != nil {
				t.Fatal(err)
			}
			if got := fs.Lookup(tc.flag).Value.String(); got != tc.want {
				t.Errorf("-%s = %q, want %q", tc.flag, got, tc.want)
			}
		})
	}
	t.Run("a tool's own flag in the file", func(t *testing.T) {
		fs := withTool("user")()
		err := parse(fs, []string{"-config", writeConfig(t, "user: file-user\n")}, IO{Env: func(string) string { return "" }, Stderr: &strings.Builder{}})
		if err == nil || !strings.Contains(err.Error(), `unknown setting "user"`) {
			t.Errorf("got %v, want an unknown setting", err)
		}
	})
}
