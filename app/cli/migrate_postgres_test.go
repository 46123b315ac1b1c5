package cli_test

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/danmaku/danmaku/app/cli"
	"github.com/danmaku/danmaku/app/internal/pgtest"
)

// TestMigrateCommandOnPostgres runs migrate against a PostgreSQL URL: status
// changes nothing, up applies PostgreSQL's own migrations, and the
// password never shows in the output.
func TestMigrateCommandOnPostgres(t *testing.T) {
	db := strings.Replace(pgtest.DB(t), "postgres@", "postgres:hunter2@", 1) // the test server trusts any password
	files := cli.Files{Migrations: os.DirFS("../../migrations"), PostgresMigrations: os.DirFS("../../migrations/postgres")}
	all, err := fs.Glob(files.PostgresMigrations, "*.sql")
	if err != nil || len(all) == 0 {
		t.Fatalf("PostgreSQL migrations: %v, %v", all, err)
	}
	n := len(all)
	for _, st := range []struct {
		name   string
		args   []string
		stdout string
	}{
		{"status of a new database", []string{"migrate", "status", "-db", db}, fmt.Sprintf("0 applied, %d pending\n", n)},
		{"status changed nothing", []string{"migrate", "status", "-db", db}, fmt.Sprintf("0 applied, %d pending\n", n)},
		{"up", []string{"migrate", "up", "-db", db}, "applied 00001_init.sql\n"},
		{"up again", []string{"migrate", "up", "-db", db}, "no pending migrations in postgres://postgres:xxxxx@127.0.0.1:"},
		{"all applied", []string{"migrate", "status", "-db", db}, fmt.Sprintf("%d applied, 0 pending\n", n)},
	} {
		t.Run(st.name, func(t *testing.T) {
			code, stdout, stderr := run(t, files, nil, st.args...)
			if code != 0 || !strings.Contains(stdout, st.stdout) || strings.Contains(stdout+stderr, "hunter2") {
				t.Fatalf("exit %d, stdout %q, stderr %q; want 0 and %q, without the password", code, stdout, stderr, st.stdout)
			}
		})
	}
}

// TestTokenOnPostgresNeedsTheSecret: there is no file next to a database
// server to keep a generated secret in, so token says what to set.
func TestTokenOnPostgresNeedsTheSecret(t *testing.T) {
	code, _, stderr := run(t, cli.Files{}, nil, "token", "-user", "alice", "-db", "postgres://db.example/danmaku")
	if code == 0 || !strings.Contains(stderr, "set DANMAKU_SECRET") {
		t.Fatalf("exit %d, stderr %q; want a failure asking for DANMAKU_SECRET", code, stderr)
	}
}

// TestBackupAndRestoreOnPostgresPointToItsTools: backup and restore copy
// SQLite files; on a PostgreSQL URL they say what to use instead.
func TestBackupAndRestoreOnPostgresPointToItsTools(t *testing.T) {
	for _, cmd := range []string{"backup", "restore"} {
		t.Run(cmd, func(t *testing.T) {
			code, _, stderr := run(t, cli.Files{}, nil, cmd, "-db", "postgres://db.example/danmaku", filepath.Join(t.TempDir(), "b.db"))
			if code == 0 || !strings.Contains(stderr, "use pg_dump and pg_restore") {
				t.Fatalf("exit %d, stderr %q; want a failure naming pg_dump", code, stderr)
			}
		})
	}
}
