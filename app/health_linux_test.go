//go:build linux

package app_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/danmaku/danmaku/app/apptest"
	"golang.org/x/sys/unix"
)

// TestReadyzWhenTheDiskRefusesWrites makes the kernel refuse every write
// to the database while the server runs, and checks that /readyz says so
// and recovers when writes work again.
//
// How: RLIMIT_FSIZE set to 0 makes each write(2) to a regular file fail
// with EFBIG, as a full or read-only disk would fail it. Unlike file
// modes, the limit binds root too, and it affects descriptors that are
// already open. The limit is per process, so the server runs as a child
// (apptest.Spawn) and only its limit is lowered, with prlimit(2): the test
// binary's own writes (go test's log, other tests' files) go on.
func TestReadyzWhenTheDiskRefusesWrites(t *testing.T) {
	apptest.SQLiteOnly(t, "the limit binds the server process's writes, not a database server's")
	p := apptest.Spawn(t, t.TempDir(), "127.0.0.1:0")
	ready := func() (int, healthBody) {
		t.Helper()
		var h healthBody
		return call(t, httpClient(t), "GET", p.URL()+"/readyz", nil, &h), h
	}
	if status, h := ready(); status != http.StatusOK {
		t.Fatalf("before: %d %+v", status, h)
	}

	var limit unix.Rlimit
	if err := unix.Prlimit(p.Pid(), unix.RLIMIT_FSIZE, nil, &limit); err != nil {
		t.Fatal(err)
	}
	refuse := limit
	refuse.Cur = 0
	if err := unix.Prlimit(p.Pid(), unix.RLIMIT_FSIZE, &refuse, nil); err != nil {
		t.Skipf("cannot lower the server's RLIMIT_FSIZE: %v", err)
	}
	status, h := ready()
	if err := unix.Prlimit(p.Pid(), unix.RLIMIT_FSIZE, &limit, nil); err != nil {
		t.Fatalf("restoring RLIMIT_FSIZE: %v", err)
	}
	if status != http.StatusServiceUnavailable || h.Status != "unavailable" || !strings.Contains(h.Checks["database"], "not writable") ||
		!strings.Contains(h.Checks["database"], "file too large") {
		t.Fatalf("while writes fail: %d %+v", status, h)
	}

	// Writes work again: ready again, and comments are stored.
	if status, h := ready(); status != http.StatusOK {
		t.Fatalf("after: %d %+v", status, h)
	}
	if status := call(t, httpClient(t), "POST", p.URL()+"/api/rooms/demo/comments", map[string]any{"text": "still here", "time": 1}, nil); status != http.StatusCreated {
		t.Fatalf("posting after recovery: %d", status)
	}
}
