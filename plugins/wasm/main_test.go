package wasm_test

import (
	"fmt"
	"testing"

	"github.com/danmaku/danmaku/plugins/wasm/wasmtest"
)

func TestMain(m *testing.M) { wasmtest.Main(m) }

// The modules the tests run, built with the real toolchains.
func shoutGo(t testing.TB) string { return wasmtest.BuildGo(t, wasmtest.Path("examples/shout")) }
func tester(t testing.TB) string  { return wasmtest.BuildGo(t, wasmtest.Path("testdata/tester")) }
func wrongExports(t testing.TB) string {
	return wasmtest.BuildAssemblyScript(t, wasmtest.Path("testdata/wrongexports"))
}
func shoutAS(t testing.TB) string {
	return wasmtest.BuildAssemblyScript(t, wasmtest.Path("examples/shout-as"))
}

// block is a plugin config block running module with extra YAML fields.
func block(module, extra string) string {
	if extra != "" {
		extra = ", " + extra
	}
	return fmt.Sprintf("{module: %q%s}", module, extra)
}
