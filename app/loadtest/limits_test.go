package loadtest

import (
	"strings"
	"syscall"
	"testing"
)

func TestEnsureFileLimit(t *testing.T) {
	var orig syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &orig); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &orig); err != nil {
			t.Errorf("restoring the open-files limit: %v", err)
		}
	})
	if orig.Max < 1024 {
		t.Skipf("hard open-files limit %d is too low to exercise raising", orig.Max)
	}
	lowered := syscall.Rlimit{Cur: 256, Max: orig.Max}
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lowered); err != nil {
		t.Fatal(err)
	}

	if err := ensureFileLimit(100); err != nil {
		t.Errorf("100 sockets under a soft limit of 256: %v", err)
	}
	if err := ensureFileLimit(900); err != nil {
		t.Errorf("900 sockets with room under the hard limit: %v", err)
	}
	var now syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &now); err != nil || now.Cur != orig.Max {
		t.Errorf("soft limit %d after raising (err %v), want the hard limit %d", now.Cur, err, orig.Max)
	}
	err := ensureFileLimit(int(orig.Max))
	if err == nil || !strings.Contains(err.Error(), "open-files limit") || !strings.Contains(err.Error(), "own process") {
		t.Errorf("sockets past the hard limit: %v, want advice about the limit and a separate server process", err)
	}
}
