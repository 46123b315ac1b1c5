package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"

	"github.com/pressly/goose/v3"
)

// newMigrator returns a goose provider over the embedded SQL files. It
// applies a migration numbered below the database's version too: branches
// land in any order (00007 reached main after 00010), and every migration
// stands on its own.
func newMigrator(db *sql.DB, migrations fs.FS) (*goose.Provider, error) {
	if migrations == nil {
		return nil, fmt.Errorf("store: no migrations given")
	}
	p, err := goose.NewProvider(goose.DialectSQLite3, db, migrations,
		goose.WithDisableGlobalRegistry(true), goose.WithAllowOutofOrder(true))
	if err != nil {
		return nil, fmt.Errorf("store: loading migrations: %w", err)
	}
	return p, nil
}

// migrate applies every pending migration, recording each version.
func migrate(ctx context.Context, db *sql.DB, migrations fs.FS) error {
	p, err := newMigrator(db, migrations)
	if err != nil {
		return err
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("store: applying migrations: %w", err)
	}
	return nil
}
