package wasm_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/danmaku/danmaku/plugins"
	"github.com/danmaku/danmaku/plugins/plugintest"
	"github.com/danmaku/danmaku/plugins/wasm"
)

func TestConfigErrors(t *testing.T) {
	module := tester(t)
	notWasm := filepath.Join(t.TempDir(), "notes.wasm")
	if err := os.WriteFile(notWasm, []byte("not a module"), 0o600); err != nil {
		t.Fatal(err)
	}
	// A module whose only content is an import of env.abort, byte by byte.
	foreign := filepath.Join(t.TempDir(), "foreign.wasm")
	if err := os.WriteFile(foreign, []byte("\x00asm\x01\x00\x00\x00"+
		"\x01\x04\x01\x60\x00\x00"+ // types: () -> ()
		"\x02\x0d\x01\x03env\x05abort\x00\x00"), 0o600); err != nil { // imports: env.abort, a function of type 0
		t.Fatal(err)
	}
	plugintest.ConfigErrors(t, wasm.New, []plugintest.ConfigCase{
		{Name: "a foreign import", Config: block(foreign, ""), Want: "ABI check: the module imports env.abort, which the host does not offer"},
		{Name: "no module", Config: `{}`, Want: "module: is required"},
		{Name: "missing file", Config: `{module: /nonexistent/x.wasm}`, Want: "module: open /nonexistent/x.wasm"},
		{Name: "not WebAssembly", Config: block(notWasm, ""), Want: "compile:"},
		{Name: "memory unit", Config: block(module, "memory: 16 parsecs"), Want: "not a size like 16MiB"},
		{Name: "memory below a page", Config: block(module, "memory: 1KiB"), Want: "memory: must be at least 64KiB"},
		{Name: "memory below the module's own minimum", Config: block(module, "memory: 1MiB"), Want: "over limit of 16 pages (1 Mi)"},
		{Name: "no instances", Config: block(module, "instances: 0"), Want: "instances: must be between 1 and 256"},
		{Name: "unknown field", Config: block(module, "modul: x"), Want: "modul: unknown field"},
		{Name: "settings refused", Config: block(module, "settings: {fail: true}"), Want: "the module refused its settings: fail is set"},
		{Name: "wrong exports", Config: block(wrongExports(t), ""), Want: "ABI check: the module exports no danmaku_moderate() -> i32 (it exports: danmaku_abi_version, moderate)"},
	})
}

// TestModulePathIsRelativeToTheConfigFile loads a config file naming
// `module: shout.wasm` that sits next to it.
func TestModulePathIsRelativeToTheConfigFile(t *testing.T) {
	src, err := os.ReadFile(shoutGo(t))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "shout.wasm"), src, 0o600); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "plugins.yaml")
	if err := os.WriteFile(file, []byte("plugins: [{name: wasm, timeout: 5s, config: {module: shout.wasm}}]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Chdir(t.TempDir()) // elsewhere: the path must not depend on the working directory
	cfg, err := plugins.LoadConfig(file)
	if err != nil {
		t.Fatal(err)
	}
	s, err := plugins.Build(cfg, registry(), plugintest.NewHost(t))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	plugintest.RunChain(t, s, []plugintest.Case{
		{Name: "shout", Text: "PLEASE STOP", Want: plugins.ActionReject, WantReason: "please don't shout", WantPlugin: "wasm"},
		{Name: "quiet", Text: "please stop"},
	})
}

func TestByteSize(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want wasm.ByteSize
		err  bool
	}{
		{"16MiB", 16 << 20, false}, {"512KiB", 512 << 10, false}, {"1GiB", 1 << 30, false},
		{"65536", 65536, false}, {"2MB", 2e6, false}, {"5GiB", 0, true}, {"-1MiB", 0, true}, {"lots", 0, true},
	} {
		t.Run(tc.in, func(t *testing.T) {
			var b wasm.ByteSize
			err := b.UnmarshalText([]byte(tc.in))
			if (err != nil) != tc.err || (!tc.err && b != tc.want) {
				t.Errorf("UnmarshalText(%q) = %d, %v; want %d, error %v", tc.in, b, err, tc.want, tc.err)
			}
		})
	}
	if s := wasm.ByteSize(16 << 20).String(); s != "16MiB" {
		t.Errorf("String() = %q", s)
	}
}
