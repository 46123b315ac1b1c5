package netlimit

import (
	"fmt"
	"os"
	"syscall"
)

// DescriptorLimit is the process's soft limit on open files (RLIMIT_NOFILE).
func DescriptorLimit() (int, error) {
	var r syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &r); err != nil {
		return 0, fmt.Errorf("reading RLIMIT_NOFILE: %w", err)
	}
	if r.Cur > 1<<30 {
		return 1 << 30, nil
	}
	return int(r.Cur), nil
}

// OpenDescriptors counts the process's open file descriptors (Linux
// /proc/self/fd; it needs a descriptor of its own to look).
func OpenDescriptors() (int, error) {
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return 0, err
	}
	return len(entries) - 1, nil // less the one ReadDir held
}

// minConns is the smallest connection budget worth serving with.
const minConns = 16

// Budget is the total connection cap that leaves reserve descriptors free
// for everything but client connections, given the descriptor limit and
// how many are open now. It fails when that leaves fewer than minConns.
func Budget(limit, open, reserve int) (int, error) {
	n := limit - open - reserve
	if n < minConns {
		return 0, fmt.Errorf("the open-files limit (ulimit -n) is %d and %d are open: after a reserve of %d (-fd-reserve), "+
			"fewer than %d are left for connections; raise the limit or set -max-tcp", limit, open, reserve, minConns)
	}
	return n, nil
}
