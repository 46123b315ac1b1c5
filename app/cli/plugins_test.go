package cli_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/danmaku/danmaku/app"
	"github.com/danmaku/danmaku/app/apptest"
	_ "github.com/danmaku/danmaku/plugins/all" // the built-ins, as main.go registers them
	"github.com/danmaku/danmaku/plugins/wasm/wasmtest"
)

// pluginFile writes a plugin config next to a copy of the Go shout module.
func pluginFile(t *testing.T, yaml string) string {
	t.Helper()
	dir := t.TempDir()
	src, err := os.ReadFile(wasmtest.BuildGo(t, wasmtest.Path("examples/shout")))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "shout.wasm"), src, 0o600); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "plugins.yaml")
	if err := os.WriteFile(file, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	return file
}

const shoutConfig = `
plugins:
  - sanitize
  - {name: wasm, timeout: 2s, on_error: reject, config: {module: shout.wasm, settings: {min_length: 4}}}
rooms:
  quiet: {plugins: []}
`

func TestPluginsCheck(t *testing.T) {
	t.Run("a good file", func(t *testing.T) {
		file := pluginFile(t, shoutConfig)
		code, out, errOut := runCLI(t, nil, "plugins", "check", file)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		for _, want := range []string{file + ": ok", "default chain: sanitize → wasm", "room quiet: (no plugins)"} {
			if !strings.Contains(out, want) {
				t.Errorf("output lacks %q:\n%s", want, out)
			}
		}
	})
	for _, tc := range []struct{ name, yaml, want string }{
		{"a bad field", `plugins: [{name: wordfilter, config: {action: zap}}]`, `plugins[0] wordfilter: config.action: must be mask or reject, got "zap"`},
		{"a missing module", `plugins: [{name: wasm, config: {module: nope.wasm}}]`, `plugins[0] wasm: config.module: open `},
		{"a module that is not WebAssembly", `plugins: [{name: wasm, config: {module: plugins.yaml}}]`, `plugins[0] wasm: module plugins.yaml: compile:`},
		{"a module refusing its settings", `plugins: [{name: wasm, config: {module: shout.wasm, settings: {min_length: x}}}]`, `the module refused its settings: min_length must be an integer`},
		{"two errors on one line", "plugins:\n  - {name: wasm, config: {}}\n  - {name: links, on_error: maybe}", `plugins[1] links: on_error: must be allow or reject`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			file := pluginFile(t, tc.yaml)
			code, out, errOut := runCLI(t, nil, "plugins", "check", file)
			if code == 0 || !strings.Contains(errOut, tc.want) || strings.Count(errOut, "\n") != 1 {
				t.Fatalf("exit %d, stderr %q, stdout %q; want non-zero and one line naming %q", code, errOut, out, tc.want)
			}
			// The same message as the server refusing to start.
			cfg := apptest.Config(t, t.TempDir())
			cfg.Plugins, cfg.PluginsFile = nil, file
			a, err := app.New(context.Background(), cfg)
			if err == nil {
				_ = a.Shutdown(context.Background())
				t.Fatal("the server started with this file")
			}
			if got := strings.TrimSpace(strings.TrimPrefix(errOut, "danmaku: ")); got != err.Error() {
				t.Errorf("check said\n%s\nthe server said\n%s", got, err)
			}
		})
	}
	t.Run("usage", func(t *testing.T) {
		if code, _, errOut := runCLI(t, nil, "plugins", "check"); code == 0 || !strings.Contains(errOut, "usage: danmaku plugins check FILE") {
			t.Errorf("exit %d, %q", code, errOut)
		}
	})
}

func TestPluginsTry(t *testing.T) {
	file := pluginFile(t, shoutConfig)
	for _, tc := range []struct {
		name string
		args []string
		want []string
	}{
		{"shouting", []string{"-room", "demo", "-text", "STOP  THAT"}, []string{
			`room "demo" (the default chain), comment "STOP  THAT"`,
			`1.  sanitize  rewrite "STOP THAT" (`,
			`2.  wasm      reject: please don't shout`,
			`result: reject by wasm: please don't shout`,
		}},
		{"quiet", []string{"--room", "demo", "--text", "stop that"}, []string{"2.  wasm      allow", "result: allow, stored as \"stop that\""}},
		{"a room of its own", []string{"-room", "quiet", "-text", "STOP THAT"}, []string{`room "quiet" (its own chain)`, "result: allow"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, nil, append([]string{"plugins", "try", file}, tc.args...)...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			for _, want := range tc.want {
				if !strings.Contains(out, want) {
					t.Errorf("output lacks %q:\n%s", want, out)
				}
			}
		})
	}
	if code, _, errOut := runCLI(t, nil, "plugins", "try", file, "-room", "demo"); code == 0 || !strings.Contains(errOut, "-text is required") {
		t.Errorf("without -text: exit %d, %q", code, errOut)
	}
}
