package sqlite_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/danmaku/danmaku/app/store"
	"github.com/danmaku/danmaku/app/store/sqlite"
)

// migrationsWith copies the real migrations into a temp dir, adds extra
// files, and returns the dir.
func migrationsWith(t *testing.T, extra map[string]string) string {
	t.Helper()
	dir := copyMigrations(t, func(string) bool { return true })
	for name, sql := range extra {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(sql), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// copyMigrations copies SQLite's migrations whose file names keep accepts
// into a temp dir, and returns the dir.
func copyMigrations(t *testing.T, keep func(name string) bool) string {
	t.Helper()
	dir := t.TempDir()
	for _, name := range sqlFiles(t) {
		if !keep(name) {
			continue
		}
		data, err := os.ReadFile(filepath.Join("../../../migrations", name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// sqlFiles names SQLite's migrations, the .sql files at the folder's root
// (the Postgres ones have a folder of their own there).
func sqlFiles(t *testing.T) []string {
	t.Helper()
	names, err := filepath.Glob("../../../migrations/*.sql")
	if err != nil || len(names) == 0 {
		t.Fatalf("no migrations: %v", err)
	}
	for i, n := range names {
		names[i] = filepath.Base(n)
	}
	return names
}

// realMigrations counts the migrations the binary ships.
func realMigrations(t *testing.T) int {
	t.Helper()
	return len(sqlFiles(t))
}

const extraMigration = "-- +goose Up\nCREATE TABLE extra (x INTEGER) STRICT;\n-- +goose Down\nDROP TABLE extra;\n"

func versions(ms []store.MigrationState) (applied, pending []int64) {
	for _, m := range ms {
		if m.Applied {
			applied = append(applied, m.Version)
		} else {
			pending = append(pending, m.Version)
		}
	}
	return applied, pending
}

func TestMigrations(t *testing.T) {
	ctx := context.Background()
	db := filepath.Join(t.TempDir(), "sub", "m.db")
	first := os.DirFS(migrationsWith(t, map[string]string{}))
	second := os.DirFS(migrationsWith(t, map[string]string{"99999_extra.sql": extraMigration}))

	if _, err := sqlite.MigrationStatus(ctx, db, first); err == nil || !strings.Contains(err.Error(), "no database at") {
		t.Fatalf("status of a missing database: %v", err)
	}
	if _, err := os.Stat(db); !os.IsNotExist(err) {
		t.Fatalf("status created the database: %v", err)
	}
	real := realMigrations(t)
	applied, err := sqlite.MigrateUp(ctx, db, first)
	if err != nil || len(applied) != real || applied[0].Version != 1 || applied[0].File != "00001_init.sql" {
		t.Fatalf("up: %+v, %v", applied, err)
	}
	if again, err := sqlite.MigrateUp(ctx, db, first); err != nil || len(again) != 0 {
		t.Fatalf("second up: %+v, %v", again, err)
	}
	status, err := sqlite.MigrationStatus(ctx, db, second)
	if a, p := versions(status); err != nil || len(a) != real || len(p) != 1 || p[0] != 99999 || status[0].AppliedAt.IsZero() {
		t.Fatalf("status: %+v, %v", status, err)
	}

	// A server opened with the older set is ready; the newer set's
	// migration shows as pending once the server runs a binary that has it.
	s, err := sqlite.Open(ctx, sqlite.Options{Path: db, Migrations: second})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if pending, err := s.Pending(ctx); err != nil || len(pending) != 0 {
		t.Fatalf("pending after Open applied everything: %+v, %v", pending, err)
	}
	if err := s.Ready(ctx); err != nil {
		t.Fatalf("Ready: %v", err)
	}
}

func TestMigrationStatusOfAnUntrackedDatabase(t *testing.T) {
	ctx := context.Background()
	db := filepath.Join(t.TempDir(), "plain.db")
	// A database goose never touched: status must report everything pending
	// and must not create goose's table.
	if err := os.WriteFile(db, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	status, err := sqlite.MigrationStatus(ctx, db, os.DirFS("../../../migrations"))
	if a, p := versions(status); err != nil || len(a) != 0 || len(p) != realMigrations(t) {
		t.Fatalf("status: %+v, %v", status, err)
	}
	if info, err := os.Stat(db); err != nil || info.Size() != 0 {
		t.Fatalf("status wrote to the database: %v, %v", info, err)
	}
}

// TestADatabaseFromBeforeALateMigrationUpgrades opens a database made when
// main had 00001–00006 and 00010 (before 00007 and 00008 landed): the
// missing lower migrations are applied, not refused.
func TestADatabaseFromBeforeALateMigrationUpgrades(t *testing.T) {
	ctx := context.Background()
	db := filepath.Join(t.TempDir(), "old.db")
	old := os.DirFS(copyMigrations(t, func(name string) bool {
		return name < "00007" || strings.HasPrefix(name, "00010_")
	}))
	if _, err := sqlite.MigrateUp(ctx, db, old); err != nil {
		t.Fatalf("building the old database: %v", err)
	}
	s, err := sqlite.Open(ctx, sqlite.Options{Path: db, Migrations: os.DirFS("../../../migrations")})
	if err != nil {
		t.Fatalf("opening the old database with every migration: %v", err)
	}
	defer s.Close()
	if pending, err := s.Pending(ctx); err != nil || len(pending) != 0 {
		t.Fatalf("pending after Open: %+v, %v", pending, err)
	}
	status, err := sqlite.MigrationStatus(ctx, db, os.DirFS("../../../migrations"))
	if a, p := versions(status); err != nil || len(a) != realMigrations(t) || len(p) != 0 {
		t.Fatalf("status: applied %v pending %v, %v", a, p, err)
	}
}
