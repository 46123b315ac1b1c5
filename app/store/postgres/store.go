// Package postgres is the PostgreSQL backend of package store, for one node
// or several sharing one database.
//
// Reads go straight to a pgxpool; every write goes through the node's
// single Writer (app/store/batch), which commits the ops waiting for it as
// one transaction (group commit). A batch's comments are stored by one
// set-based statement that locks their rooms' rows in id order, bumps each
// room's last_seq once and numbers the comments from it, so the seqs of a
// room stay gapless and unique however many nodes write to it, and nodes
// cannot deadlock on rooms. When a batch holds only such pipelined
// statements (comments, likes, bans, readiness checks), it goes to the
// server in one round trip as an implicit transaction; ops that must read
// before they write (moderation decisions, imports) open a transaction,
// and take their rooms' locks as they run. Should such an op ever cross
// another node's batch in the other order, PostgreSQL's deadlock detection
// aborts one of the two, whose ops the writer retries one by one.
//
// It keeps store's guarantees this way: an op's Done runs only after its
// batch committed; a commit whose outcome is unknown (the connection broke
// after it was sent) answers Unavailable and is never retried; and one
// delivery goroutine runs the ops' Done callbacks and then OnCommit, batch
// after batch, in commit order. Bans are cached in memory (banlist) and
// written through.
package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/danmaku/danmaku/app/store"
	"github.com/danmaku/danmaku/app/store/banlist"
	"github.com/danmaku/danmaku/app/store/batch"
	"github.com/danmaku/danmaku/app/store/importer"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
)

var (
	_ store.Store     = (*Store)(nil)
	_ banlist.Backend = (*Store)(nil) // store.Bans is the banlist.List over it
)

// IsURL reports whether db names a PostgreSQL database (postgres:// or
// postgresql://) rather than a SQLite file.
func IsURL(db string) bool {
	return strings.HasPrefix(db, "postgres://") || strings.HasPrefix(db, "postgresql://")
}

// Options configure Open.
type Options struct {
	URL        string // postgres://user:password@host:port/database?sslmode=…
	Migrations fs.FS  // goose SQL migrations for PostgreSQL, at the root of the FS
	Writer     batch.Options
}

// Store is the database: a connection pool and the node's single writer.
type Store struct {
	pool             *pgxpool.Pool
	db               *sql.DB // the pool as database/sql, for goose
	Writer           *Writer
	importer.Imports // store.Imports, over importSteps
	migrations       fs.FS
	created          bool

	closeOnce sync.Once
	closeErr  error
}

// connectTimeout bounds dialling the database, so that a store whose
// database is unreachable answers Unavailable instead of hanging.
const connectTimeout = 5 * time.Second

// Open connects to the database at opts.URL, applies the pending
// migrations (once, however many nodes start at the same moment) and
// starts the writer.
func Open(ctx context.Context, opts Options) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(opts.URL)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	cfg.MaxConns = int32(max(4, runtime.GOMAXPROCS(0)*2) + 1) // the readers' and the writer's
	cfg.ConnConfig.ConnectTimeout = connectTimeout
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("store: connecting to %s: %w", redacted(cfg), err)
	}
	s := &Store{pool: pool, db: stdlib.OpenDBFromPool(pool), migrations: opts.Migrations}
	s.Imports = importer.Imports{Steps: importSteps{s}}
	if s.created, err = migrate(ctx, s.db, opts.Migrations); err != nil {
		s.closeDBs()
		return nil, err
	}
	s.Writer = newWriter(pool, opts.Writer)
	return s, nil
}

// redacted names the database without its password, for errors.
func redacted(cfg *pgxpool.Config) string {
	c := cfg.ConnConfig
	return fmt.Sprintf("postgres://%s@%s:%d/%s", c.User, c.Host, c.Port, c.Database)
}

// Created reports whether Open created the schema: the database was new.
// Of nodes starting together, exactly one sees true.
func (s *Store) Created() bool { return s.created }

// LoadBlocklist reads the bans in force into memory; now judges expiry
// (nil: time.Now).
func (s *Store) LoadBlocklist(ctx context.Context, now func() time.Time) (*banlist.List, error) {
	return banlist.Load(ctx, s, now)
}

// Close stops the writer, committing everything it has accepted, and
// closes the pool. Later calls return the first one's outcome.
func (s *Store) Close() error {
	s.closeOnce.Do(func() { s.closeErr = errors.Join(s.Writer.Close(), s.closeDBs()) })
	return s.closeErr
}

func (s *Store) closeDBs() error {
	err := s.db.Close()
	s.pool.Close()
	return err
}

// Ready reports whether the database takes writes: it commits a real
// write, and stops waiting when ctx ends.
func (s *Store) Ready(ctx context.Context) error {
	return s.Writer.Probe(ctx, func(tx *Tx) error {
		tx.Queue(`INSERT INTO readiness (id, checked_at) VALUES (1, $1)
			ON CONFLICT (id) DO UPDATE SET checked_at = excluded.checked_at`, []any{tx.now.UnixMilli()}, nil)
		return nil
	})
}

// WriterStats returns the writer's counters.
func (s *Store) WriterStats() store.WriterStats { return s.Writer.Stats() }
