package loadtest

import (
	"fmt"
	"syscall"
)

// fdSlack covers the files a run needs besides its sockets (stdio, /proc reads, the runtime).
const fdSlack = 64

// ensureFileLimit raises the soft open-files limit to the hard limit when
// sockets would not fit, and fails with advice when even that is too low.
func ensureFileLimit(sockets int) error {
	need := uint64(sockets + fdSlack)
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return fmt.Errorf("open-files limit: %w", err)
	}
	if lim.Cur >= need {
		return nil
	}
	if lim.Max >= need {
		raised := lim
		raised.Cur = lim.Max
		if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &raised); err != nil {
			return fmt.Errorf("raising the open-files limit from %d to %d: %w", lim.Cur, lim.Max, err)
		}
		return nil
	}
	return fmt.Errorf("open-files limit is %d (hard %d) but %d sockets need about %d; "+
		"raise it (ulimit -n) or open fewer sockets; a server in this same process needs as many again, "+
		"so past ~%d sockets run the server in its own process", lim.Cur, lim.Max, sockets, need, (lim.Max-fdSlack)/2)
}
