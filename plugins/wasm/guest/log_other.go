//go:build !wasip1

package guest

import (
	"fmt"
	"os"
)

// Log writes msg to the server's log at level (log/slog's: -4 debug,
// 0 info, 4 warn, 8 error); outside WebAssembly, as in tests, to stderr.
func Log(level int32, msg string) { fmt.Fprintf(os.Stderr, "guest log %d: %s\n", level, msg) }
