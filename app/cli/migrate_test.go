package cli_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/danmaku/danmaku/app/cli"
)

// run runs the binary's entry point in-process and returns its exit code
// and output.
func run(t *testing.T, files cli.Files, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr strings.Builder
	code := cli.Main(context.Background(), args, cli.IO{Env: func(k string) string { return env[k] }, Stdout: &stdout, Stderr: &stderr}, files)
	return code, stdout.String(), stderr.String()
}

func TestMigrateCommand(t *testing.T) {
	dir := t.TempDir()
	migrations := filepath.Join(dir, "migrations")
	if err := os.Mkdir(migrations, 0o755); err != nil {
		t.Fatal(err)
	}
	initSQL, err := os.ReadFile("../../migrations/00001_init.sql")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(migrations, "00001_init.sql"), initSQL, 0o644); err != nil {
		t.Fatal(err)
	}
	files := cli.Files{Migrations: os.DirFS(migrations)}
	db := filepath.Join(dir, "data", "danmaku.db")

	steps := []struct {
		name   string
		env    map[string]string
		args   []string
		before func()
		code   int
		stdout []string
		stderr string
	}{
		{name: "status of a missing database", args: []string{"migrate", "status", "-db", db}, code: 2, stderr: "no database at " + db + " (migrate up creates it)"},
		{name: "up creates and migrates", args: []string{"migrate", "up", "-db", db}, stdout: []string{"applied 00001_init.sql\n"}},
		{name: "up again has nothing to do", args: []string{"migrate", "-db", db, "up"}, stdout: []string{"no pending migrations in " + db}},
		{
			name: "a new migration is pending; the database comes from DANMAKU_DB",
			before: func() {
				write(t, filepath.Join(migrations, "00099_extra.sql"), "-- +goose Up\nCREATE TABLE extra (x INTEGER) STRICT;\n-- +goose Down\nDROP TABLE extra;\n")
			},
			env:    map[string]string{"DANMAKU_DB": db},
			args:   []string{"migrate", "status"},
			stdout: []string{"VERSION  STATE    APPLIED AT", "\n1        applied  20", "00001_init.sql\n", "\n99       pending  ", "00099_extra.sql\n", "1 applied, 1 pending\n"},
		},
		{
			name:   "up applies it; the database comes from the config file",
			before: func() { write(t, filepath.Join(dir, "danmaku.yaml"), "db: "+db+"\naddr: 127.0.0.1:0\n") },
			args:   []string{"migrate", "-config", filepath.Join(dir, "danmaku.yaml"), "up"},
			stdout: []string{"applied 00099_extra.sql\n"},
		},
		{name: "all applied", args: []string{"migrate", "-db", db, "status"}, stdout: []string{"2 applied, 0 pending\n"}},
		{name: "no action", args: []string{"migrate", "-db", db}, code: 2, stderr: "usage: danmaku migrate [flags] up|status"},
		{name: "unknown action", args: []string{"migrate", "sideways"}, code: 2, stderr: `migrate: unknown action "sideways", want up or status`},
		{name: "extra argument", args: []string{"migrate", "up", "now"}, code: 2, stderr: `migrate: unexpected argument "now"`},
		{name: "unknown flag", args: []string{"migrate", "-nope", "up"}, code: 2, stderr: "flag provided but not defined: -nope"},
		{name: "bad setting", env: map[string]string{"DANMAKU_MAX_TEXT": "lots"}, args: []string{"migrate", "status", "-db", db}, code: 2, stderr: `invalid value "lots" for max-text (from DANMAKU_MAX_TEXT)`},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			if st.before != nil {
				st.before()
			}
			code, stdout, stderr := run(t, files, st.env, st.args...)
			if code != st.code || !strings.Contains(stderr, st.stderr) {
				t.Fatalf("exit %d, stderr %q; want %d, %q", code, stderr, st.code, st.stderr)
			}
			for _, want := range st.stdout {
				if !strings.Contains(stdout, want) {
					t.Fatalf("stdout lacks %q:\n%s", want, stdout)
				}
			}
		})
	}
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
