package store_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestStoreNamesNoBackend keeps package store a contract a second backend
// can implement: it must not pull in SQL, a driver or a migration tool.
func TestStoreNamesNoBackend(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	deps := strings.Fields(string(out))
	for _, banned := range []string{"database/sql", "github.com/mattn/go-sqlite3", "github.com/pressly/goose/v3", "github.com/danmaku/danmaku/app/store/sqlite"} {
		t.Run(banned, func(t *testing.T) {
			for _, d := range deps {
				if d == banned {
					t.Fatalf("package store depends on %s", banned)
				}
			}
		})
	}
}
