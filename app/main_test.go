package app_test

import (
	"testing"

	"github.com/danmaku/danmaku/app/apptest"
	"github.com/danmaku/danmaku/plugins/wasm/wasmtest"
)

// TestMain lets this test binary run as the server that apptest.Spawn
// starts in a child process (the crash and descriptor tests kill or starve
// it), and shares the WebAssembly modules the tests build (wasmtest.Main
// removes them at the end).
func TestMain(m *testing.M) {
	apptest.ServeIfChild()
	wasmtest.Main(m)
}
