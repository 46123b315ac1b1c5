package decide

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/danmaku/danmaku/app/store"
)

// NoteRecalled is the moderators' note on a comment its sender recalled.
const NoteRecalled = "recalled by its sender"

// ReportNote tells moderators why reports held a comment:
// "reported by 3 viewers: spam ×2, abuse".
func ReportNote(n int64, reasons map[string]int64) string {
	parts := make([]string, 0, len(reasons))
	for _, r := range store.ReportReasons {
		switch k := reasons[r]; {
		case k == 1:
			parts = append(parts, r)
		case k > 1:
			parts = append(parts, r+" ×"+strconv.FormatInt(k, 10))
		}
	}
	return fmt.Sprintf("reported by %d viewers: %s", n, strings.Join(parts, ", "))
}
