package postgres

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"

	"github.com/danmaku/danmaku/app/store"
	"github.com/danmaku/danmaku/app/store/schema"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

// migrationLockTimeout is how long a node waits for another node that is
// applying the migrations: lockPollSeconds apart, lockPolls times.
const (
	lockPollSeconds = 1
	lockPolls       = 600
)

// newMigrator returns a goose provider over the migrations that holds
// PostgreSQL's session-level advisory lock while it migrates, so that of
// several nodes starting at once one applies them and the others wait and
// find nothing left to do. Like SQLite's, it applies a migration numbered
// below the database's version too (branches land in any order).
func newMigrator(db *sql.DB, migrations fs.FS) (*goose.Provider, error) {
	if migrations == nil {
		return nil, fmt.Errorf("store: no PostgreSQL migrations given")
	}
	locker, err := lock.NewPostgresSessionLocker(lock.WithLockTimeout(lockPollSeconds, lockPolls))
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	p, err := goose.NewProvider(goose.DialectPostgres, db, migrations,
		goose.WithDisableGlobalRegistry(true), goose.WithSessionLocker(locker), goose.WithAllowOutofOrder(true))
	if err != nil {
		return nil, fmt.Errorf("store: loading migrations: %w", err)
	}
	return p, nil
}

// migrate applies every pending migration and reports whether it applied
// the first one (the database was new).
func migrate(ctx context.Context, db *sql.DB, migrations fs.FS) (created bool, err error) {
	applied, err := up(ctx, db, migrations)
	for _, m := range applied {
		created = created || m.Version == 1
	}
	return created, err
}

// up applies the pending migrations and returns those it applied.
func up(ctx context.Context, db *sql.DB, migrations fs.FS) ([]store.MigrationState, error) {
	p, err := newMigrator(db, migrations)
	if err != nil {
		return nil, err
	}
	applied, err := schema.Up(ctx, p)
	if err != nil {
		return applied, fmt.Errorf("store: applying migrations: %w", err)
	}
	return applied, nil
}

// MigrateUp applies every pending migration to the database at url and
// returns the migrations it applied, in order.
func MigrateUp(ctx context.Context, url string, migrations fs.FS) ([]store.MigrationState, error) {
	return onDB(ctx, url, func(db *sql.DB) ([]store.MigrationState, error) { return up(ctx, db, migrations) })
}

// MigrationStatus lists every migration and whether the database at url
// has it, changing nothing.
func MigrationStatus(ctx context.Context, url string, migrations fs.FS) ([]store.MigrationState, error) {
	return onDB(ctx, url, func(db *sql.DB) ([]store.MigrationState, error) { return migrationStatus(ctx, db, migrations) })
}

// onDB runs fn over a connection pool to the database at url.
func onDB(ctx context.Context, url string, fn func(*sql.DB) ([]store.MigrationState, error)) ([]store.MigrationState, error) {
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	defer pool.Close()
	db := stdlib.OpenDBFromPool(pool)
	defer db.Close()
	return fn(db)
}

// Pending returns the migrations this binary has that the database lacks
// (another node may run an older binary); readiness requires none.
func (s *Store) Pending(ctx context.Context) ([]store.MigrationState, error) {
	return schema.Pending(migrationStatus(ctx, s.db, s.migrations))
}

// migrationStatus asks goose which migrations db has, leaving a database
// it never touched untouched.
func migrationStatus(ctx context.Context, db *sql.DB, migrations fs.FS) ([]store.MigrationState, error) {
	p, err := newMigrator(db, migrations)
	if err != nil {
		return nil, err
	}
	return schema.Status(ctx, p, db, `SELECT to_regclass('goose_db_version') IS NOT NULL`)
}
