package cli_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/danmaku/danmaku/app/store/sqlite"
)

// TestDataCommandsRefuseBadUse covers what the data commands say before
// they touch anything; their work is tested against a running server in
// package app (TestBackupWhileCommentsArriveAndRestore, TestExportAndEraseUser).
func TestDataCommandsRefuseBadUse(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "danmaku.db")
	junk := filepath.Join(dir, "junk.db")
	if err := os.WriteFile(junk, []byte("not a database"), 0o644); err != nil {
		t.Fatal(err)
	}
	valid := filepath.Join(dir, "valid.db")
	st, err := sqlite.Open(context.Background(), sqlite.Options{Path: valid, Migrations: os.DirFS("../../migrations")})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		args   []string
		stderr string
	}{
		{"backup without a file", []string{"backup", "-db", db}, "usage: danmaku backup"},
		{"backup of a missing database", []string{"backup", "-db", db, filepath.Join(dir, "b.db")}, "no database at " + db},
		{"restore without a file", []string{"restore", "-db", db}, "usage: danmaku restore"},
		{"restore of something that is not a backup", []string{"restore", "-db", db, "-yes", junk}, "the backup is not usable"},
		{"restore without -yes and nobody to ask", []string{"restore", "-db", db, valid}, "run with -yes"},
		{"export-user without -user", []string{"export-user", "-db", db}, "-user is required"},
		{"erase-user without -user", []string{"erase-user", "-db", db}, "-user is required"},
		{"erase-user of a missing database", []string{"erase-user", "-db", db, "-user", "u1", "-yes"}, "no database at " + db},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, errOut := runCLI(t, nil, tc.args...)
			if code != 2 || !strings.Contains(errOut, tc.stderr) {
				t.Fatalf("exit %d, stderr %q; want 2 and %q", code, errOut, tc.stderr)
			}
		})
	}
	if _, err := os.Stat(db); !os.IsNotExist(err) {
		t.Fatalf("a refused command created the database: %v", err)
	}
}
