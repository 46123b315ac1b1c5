package main

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/danmaku/danmaku/plugins/wasm/wasmtest"
)

// TestMain removes the WebAssembly modules the tests built.
func TestMain(m *testing.M) { wasmtest.Main(m) }

// TestSIGHUPReloadsAChangedWasmModule runs the binary's entry point with a
// WebAssembly plugin, replaces the module with one rebuilt with another
// min_length, and sends SIGHUP, as an operator would.
func TestSIGHUPReloadsAChangedWasmModule(t *testing.T) {
	dir := t.TempDir()
	install := func(module string) {
		t.Helper()
		b, err := os.ReadFile(module)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "next.wasm"), b, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(filepath.Join(dir, "next.wasm"), filepath.Join(dir, "shout.wasm")); err != nil {
			t.Fatal(err)
		}
	}
	example := wasmtest.Path("examples/shout")
	install(wasmtest.BuildGo(t, example))
	pluginsFile := filepath.Join(dir, "plugins.yaml")
	if err := os.WriteFile(pluginsFile, []byte("plugins: [{name: wasm, timeout: 5s, on_error: reject, config: {module: shout.wasm}}]\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	logW, waitLog := logMessages(t)
	ctx, cancel := context.WithCancel(context.Background())
	base, exit := serveInProcess(t, ctx, []string{"-db", filepath.Join(dir, "danmaku.db"), "-plugins", pluginsFile, "-log-format", "json"}, logW)
	defer logW.Close()

	if got := postComment(t, base, "OMG WOW"); got != http.StatusCreated { // 7 runes: not over the default 8
		t.Fatalf("before SIGHUP: %d, want 201", got)
	}
	install(wasmtest.BuildGoEdited(t, example, "var minLength = 8", "var minLength = 3"))
	hup(t)
	waitLog("moderation plugins reloaded")
	if got := postComment(t, base, "OMG WOW"); got != http.StatusUnprocessableEntity {
		t.Fatalf("after SIGHUP with the rebuilt module: %d, want 422 (please don't shout)", got)
	}
	cancel()
	waitExit(t, exit)
}
