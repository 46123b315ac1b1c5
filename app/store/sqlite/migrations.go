package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"

	"github.com/danmaku/danmaku/app/store"
	"github.com/danmaku/danmaku/app/store/schema"
)

// MigrateUp applies every pending migration to the database at dbPath,
// creating it (and its directory) when missing, and returns the
// migrations it applied, in order.
func MigrateUp(ctx context.Context, dbPath string, migrations fs.FS) ([]store.MigrationState, error) {
	if dir := filepath.Dir(dbPath); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("store: creating %s: %w", dir, err)
		}
	}
	db, err := sql.Open("sqlite3", dsn(dbPath, SyncFull, false))
	if err != nil {
		return nil, fmt.Errorf("store: opening %s: %w", dbPath, err)
	}
	defer db.Close()
	p, err := newMigrator(db, migrations)
	if err != nil {
		return nil, err
	}
	applied, err := schema.Up(ctx, p)
	if err != nil {
		return applied, fmt.Errorf("store: applying migrations to %s: %w", dbPath, err)
	}
	return applied, nil
}

// MigrationStatus lists every migration and whether the database at dbPath
// has it. It opens the database read-only and never creates it.
func MigrationStatus(ctx context.Context, dbPath string, migrations fs.FS) ([]store.MigrationState, error) {
	if _, err := os.Stat(dbPath); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("store: no database at %s (migrate up creates it)", dbPath)
		}
		return nil, fmt.Errorf("store: %w", err)
	}
	// Not dsn(): it sets the journal mode, which is a write.
	db, err := sql.Open("sqlite3", "file:"+(&url.URL{Path: dbPath}).EscapedPath()+"?mode=ro&_busy_timeout=5000")
	if err != nil {
		return nil, fmt.Errorf("store: opening %s: %w", dbPath, err)
	}
	defer db.Close()
	return migrationStatus(ctx, db, migrations)
}

// Pending returns the migrations this binary has that the open file
// lacks; readiness requires none.
func (s *Store) Pending(ctx context.Context) ([]store.MigrationState, error) {
	return schema.Pending(migrationStatus(ctx, s.read, s.migrations))
}

// migrationStatus asks goose which migrations db has, leaving a database
// it never touched untouched.
func migrationStatus(ctx context.Context, db *sql.DB, migrations fs.FS) ([]store.MigrationState, error) {
	p, err := newMigrator(db, migrations)
	if err != nil {
		return nil, err
	}
	return schema.Status(ctx, p, db, `SELECT count(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = 'goose_db_version'`)
}
