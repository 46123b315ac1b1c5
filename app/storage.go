package app

import (
	"context"
	"errors"
	"io/fs"
	"os"

	"github.com/danmaku/danmaku/app/store"
	"github.com/danmaku/danmaku/app/store/batch"
	"github.com/danmaku/danmaku/app/store/postgres"
	"github.com/danmaku/danmaku/app/store/sqlite"
)

// storage is the opened backend: the store, its ban list, and whether
// the database is new (New seeds the demo room into a new one).
type storage struct {
	store store.Store
	bans  store.Bans
	fresh bool
}

// openStore opens the database cfg.DBPath names: PostgreSQL for a
// postgres:// or postgresql:// URL, else a SQLite file (created when
// missing). The writer commits with w.
func openStore(ctx context.Context, cfg Config, w batch.Options) (storage, error) {
	if postgres.IsURL(cfg.DBPath) {
		s, err := postgres.Open(ctx, postgres.Options{URL: cfg.DBPath, Migrations: cfg.PostgresMigrations, Writer: w})
		if err != nil {
			return storage{}, err
		}
		bans, err := s.LoadBlocklist(ctx, nil)
		return storage{store: s, bans: bans, fresh: s.Created()}, closeOnError(s, err)
	}
	_, statErr := os.Stat(cfg.DBPath)
	s, err := sqlite.Open(ctx, sqlite.Options{Path: cfg.DBPath, Sync: sqlite.Sync(cfg.Sync), Migrations: cfg.Migrations, Writer: w})
	if err != nil {
		return storage{}, err
	}
	bans, err := s.LoadBlocklist(ctx, nil)
	return storage{store: s, bans: bans, fresh: errors.Is(statErr, fs.ErrNotExist)}, closeOnError(s, err)
}

// closeOnError closes s when err says it cannot be used.
func closeOnError(s store.Store, err error) error {
	if err != nil {
		s.Close()
	}
	return err
}
