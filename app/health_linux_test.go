//go:build linux

package app_test

import (
	"net/http"
	"strings"
	"syscall"
	"testing"

	"github.com/danmaku/danmaku/app/apptest"
)

// TestReadyzWhenTheDiskRefusesWrites makes the kernel refuse every write
// to the database while the server runs, and checks that /readyz says so
// and recovers when writes work again.
//
// How: RLIMIT_FSIZE set to 0 makes each write(2) to a regular file fail
// with EFBIG, as a full or read-only disk would fail it. Unlike file
// modes, the limit binds root too, and it affects descriptors that are
// already open, which chmod does not. Go ignores the SIGXFSZ that comes
// with it. The limit is process-wide, so it is lowered only around one
// request, and this package's tests do not run in parallel.
func TestReadyzWhenTheDiskRefusesWrites(t *testing.T) {
	apptest.SQLiteOnly(t, "the limit binds this process's writes, not a database server's")
	s := startServer(t)
	if status, h := readyz(t, s); status != http.StatusOK {
		t.Fatalf("before: %d %+v", status, h)
	}

	var limit syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_FSIZE, &limit); err != nil {
		t.Fatal(err)
	}
	refuse := limit
	refuse.Cur = 0
	if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &refuse); err != nil {
		t.Skipf("cannot lower RLIMIT_FSIZE: %v", err)
	}
	restored := false
	restore := func() {
		if !restored {
			restored = true
			if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &limit); err != nil {
				t.Fatalf("restoring RLIMIT_FSIZE: %v", err)
			}
		}
	}
	defer restore()
	status, h := readyz(t, s)
	restore()
	if status != http.StatusServiceUnavailable || h.Status != "unavailable" || !strings.Contains(h.Checks["database"], "not writable") ||
		!strings.Contains(h.Checks["database"], "file too large") {
		t.Fatalf("while writes fail: %d %+v", status, h)
	}

	// Writes work again: ready again, and comments are stored.
	if status, h := readyz(t, s); status != http.StatusOK {
		t.Fatalf("after: %d %+v", status, h)
	}
	if status := call(t, httpClient(t), "POST", s.URL()+"/api/rooms/demo/comments", map[string]any{"text": "still here", "time": 1}, nil); status != http.StatusCreated {
		t.Fatalf("posting after recovery: %d", status)
	}
}
