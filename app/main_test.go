package app_test

import (
	"os"
	"testing"

	"github.com/danmaku/danmaku/app/apptest"
)

// TestMain lets this test binary run as the server that apptest.Spawn
// starts in a child process (the crash and descriptor tests kill or starve it).
func TestMain(m *testing.M) {
	apptest.ServeIfChild()
	os.Exit(m.Run())
}
