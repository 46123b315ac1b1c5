// Package sqlite is the SQLite backend of package store.
//
// Reads go through a pool of read-only connections; every write goes through
// the single Writer, which commits in batches (group commit). WAL mode lets
// readers run while the writer commits, and a checkpointer of its own folds
// the WAL back into the file off the writer's path.
//
// It keeps store's guarantees this way: an op's Done runs only after its
// batch committed; the one writer hands out each room's seqs inside the
// transaction that stores the comments; and one delivery goroutine runs the
// ops' Done callbacks and then OnCommit, batch after batch, in commit order.
// Bans are cached in memory by Blocklist and written through.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"

	"github.com/danmaku/danmaku/app/store"
	"github.com/danmaku/danmaku/app/store/banlist"
	"github.com/danmaku/danmaku/app/store/importer"
	"github.com/mattn/go-sqlite3"
)

var (
	_ store.Store     = (*Store)(nil)
	_ banlist.Backend = (*Store)(nil) // store.Bans is the banlist.List over it
)

// driverName is mattn's SQLite driver, set up for this store.
const driverName = "sqlite3-danmaku"

// mmapBytes is how much of the database file each connection reads through
// a shared memory map instead of read() calls into a private page cache
// (2 MiB by default): a replay window on a room of a million comments reads
// rows scattered over the file, and every page miss was a system call.
const mmapBytes = 1 << 30

// Every connection of driverName maps the file and leaves checkpoints to
// the store's checkpointer (see checkpoint.go).
func init() {
	sql.Register(driverName, &sqlite3.SQLiteDriver{ConnectHook: func(c *sqlite3.SQLiteConn) error {
		_, err := c.Exec(fmt.Sprintf("PRAGMA mmap_size = %d; PRAGMA wal_autocheckpoint = 0", mmapBytes), nil)
		return err
	}})
}

// Sync is SQLite's synchronous setting in WAL mode. "normal" survives a
// process crash but may lose the last commits on power loss; "full" survives
// power loss at the cost of an fsync per commit.
type Sync string

// The accepted Sync values.
const (
	SyncNormal Sync = "normal"
	SyncFull   Sync = "full"
)

// Options configure Open.
type Options struct {
	Path       string // database file; its directory is created when missing
	Sync       Sync   // default SyncNormal
	Migrations fs.FS  // goose SQL migrations at the root of the FS
	Writer     WriterOptions
}

// Store is the database: a read pool and the single writer.
type Store struct {
	path             string
	read             *sql.DB
	reads            *readStatements
	write            *sql.DB
	stmts            *statements // the writer's
	ckpt             *checkpointer
	Writer           *Writer
	importer.Imports // store.Imports, over importSteps

	migrations fs.FS // the binary's migrations, which readiness compares with the database
	lock       *dbLock

	closeOnce sync.Once
	closeErr  error
}

// Open opens (creating if needed) the database at opts.Path, applies the
// migrations and starts the writer.
func Open(ctx context.Context, opts Options) (*Store, error) {
	if opts.Sync == "" {
		opts.Sync = SyncNormal
	}
	if opts.Sync != SyncNormal && opts.Sync != SyncFull {
		return nil, fmt.Errorf("store: sync must be normal or full, got %q", opts.Sync)
	}
	if dir := filepath.Dir(opts.Path); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("store: creating %s: %w", dir, err)
		}
	}
	lock, err := lockDB(opts.Path, false)
	if errors.Is(err, ErrInUse) {
		return nil, fmt.Errorf("store: %s is being restored: start again once the restore is done: %w", opts.Path, err)
	}
	if err != nil {
		return nil, err
	}
	s, err := open(ctx, opts)
	if err != nil {
		_ = lock.release()
		return nil, err
	}
	s.lock = lock
	return s, nil
}

// open is Open once the lock is held.
func open(ctx context.Context, opts Options) (*Store, error) {
	write, err := sql.Open(driverName, dsn(opts.Path, opts.Sync, false))
	if err != nil {
		return nil, fmt.Errorf("store: opening %s: %w", opts.Path, err)
	}
	// One connection: SQLite has a single writer anyway, and this makes
	// SQLITE_BUSY between our own writers impossible.
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxLifetime(0)
	if err := write.PingContext(ctx); err != nil {
		write.Close()
		return nil, fmt.Errorf("store: opening %s: %w", opts.Path, err)
	}
	if err := migrate(ctx, write, opts.Migrations); err != nil {
		write.Close()
		return nil, err
	}
	if err := fillNameKeys(ctx, write); err != nil {
		write.Close()
		return nil, err
	}
	read, err := sql.Open(driverName, dsn(opts.Path, opts.Sync, true))
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("store: opening %s for reading: %w", opts.Path, err)
	}
	read.SetMaxOpenConns(max(4, runtime.GOMAXPROCS(0)*2))
	read.SetMaxIdleConns(max(4, runtime.GOMAXPROCS(0)*2))
	s := &Store{path: opts.Path, read: read, write: write}
	s.Imports = importer.Imports{Steps: importSteps{s}}
	if s.reads, err = prepareReads(read); err != nil {
		s.closeDBs()
		return nil, err
	}
	if s.stmts, err = prepare(write); err != nil {
		_ = s.reads.close()
		s.closeDBs()
		return nil, err
	}
	s.Writer = newWriter(write, s.stmts, opts.Writer)
	logger := opts.Writer.Logger
	if logger == nil {
		logger = slog.Default()
	}
	if s.ckpt, err = startCheckpointer(opts.Path, opts.Sync, logger); err != nil {
		_ = s.Writer.Close()
		_ = s.stmts.close()
		_ = s.reads.close()
		s.closeDBs()
		return nil, err
	}
	s.migrations = opts.Migrations
	return s, nil
}

func dsn(path string, sync Sync, readOnly bool) string {
	q := url.Values{}
	q.Set("_journal_mode", "WAL")
	q.Set("_synchronous", string(sync))
	q.Set("_busy_timeout", "5000")
	q.Set("_foreign_keys", "on")
	q.Set("_txlock", "immediate")
	// database/sql never shares a connection between goroutines at once.
	q.Set("_mutex", "no")
	if readOnly {
		q.Set("_query_only", "on")
		q.Set("_stmt_cache_size", strconv.Itoa(readStmtCache))
	}
	return "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode()
}

// Path is the database file.
func (s *Store) Path() string { return s.path }

// Close stops the writer, committing everything it has accepted, and closes
// the database. Later calls return the first one's outcome.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		werr := s.Writer.Close()
		s.closeErr = errors.Join(werr, s.stmts.close(), s.ckpt.close(), s.reads.close(), s.closeDBs(), s.lock.release())
	})
	return s.closeErr
}

func (s *Store) closeDBs() error {
	return errors.Join(s.read.Close(), s.write.Close())
}

// Ready reports whether the database is writable: it commits a real write
// (ping), and stops waiting when ctx ends. Pending tells whether it is
// fully migrated.
func (s *Store) Ready(ctx context.Context) error {
	return s.Writer.Probe(ctx, ping)
}

// WriterStats returns the writer's counters.
func (s *Store) WriterStats() store.WriterStats { return s.Writer.Stats() }
