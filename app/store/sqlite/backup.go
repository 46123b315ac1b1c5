package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"github.com/mattn/go-sqlite3"
)

// BackupOptions tune Backup.
type BackupOptions struct {
	// StepPages is how many pages each step copies; default 1024 (4 MiB
	// of 4 KiB pages).
	StepPages int
	// Progress, when set, is told after every step how many pages of how
	// many are copied.
	Progress func(copied, total int)
}

// BackupReport describes a finished backup.
type BackupReport struct {
	Pages   int           // pages copied
	Bytes   int64         // size of the copy
	Took    time.Duration // from the snapshot to the checked copy
	Version int64         // the copy's migration version
}

// Backup copies the database at src to the new file dst while the server
// may be running, with SQLite's online backup API. It reads one snapshot:
// a read transaction opened first and held to the end, so the copy holds
// exactly the commits made before it began, however many steps it takes
// and whatever is written meanwhile (WAL readers do not block the writer,
// nor it them). The copy is written next to dst and renamed into place
// only once it passed PRAGMA integrity_check; dst must not exist.
func Backup(ctx context.Context, src, dst string, opts BackupOptions) (BackupReport, error) {
	var rep BackupReport
	start := time.Now()
	if opts.StepPages <= 0 {
		opts.StepPages = 1024
	}
	if _, err := os.Stat(src); err != nil {
		return rep, fmt.Errorf("backup: no database at %s: %w", src, err)
	}
	if _, err := os.Stat(dst); !errors.Is(err, os.ErrNotExist) {
		return rep, fmt.Errorf("backup: %s exists already: remove it or name another file", dst)
	}
	lock, err := lockDB(src, false)
	if errors.Is(err, ErrInUse) {
		return rep, fmt.Errorf("backup: %s is being restored", src)
	}
	if err != nil {
		return rep, err
	}
	defer lock.release()

	tmp := dst + ".partial"
	_ = os.Remove(tmp)
	rep.Pages, err = copyDatabase(ctx, src, tmp, opts)
	if err == nil {
		rep.Version, err = Check(ctx, tmp)
	}
	if err == nil {
		err = os.Chmod(tmp, 0o600) // it holds what the database does: addresses, sessions
	}
	if err == nil {
		err = syncFile(tmp)
	}
	if err == nil {
		err = os.Rename(tmp, dst)
	}
	if err != nil {
		_ = os.Remove(tmp)
		return rep, err
	}
	if err := syncDir(filepath.Dir(dst)); err != nil {
		return rep, err
	}
	if st, err := os.Stat(dst); err == nil {
		rep.Bytes = st.Size()
	}
	rep.Took = time.Since(start)
	return rep, nil
}

// copyDatabase runs the backup from src into the new file dst, step by
// step inside one read transaction on src, and returns the pages copied.
func copyDatabase(ctx context.Context, src, dst string, opts BackupOptions) (int, error) {
	// Not dsn(): it sets the journal mode, which is a write.
	srcDB, err := sql.Open("sqlite3", "file:"+(&url.URL{Path: src}).EscapedPath()+"?_busy_timeout=5000")
	if err != nil {
		return 0, fmt.Errorf("backup: opening %s: %w", src, err)
	}
	defer srcDB.Close()
	dstDB, err := sql.Open("sqlite3", "file:"+(&url.URL{Path: dst}).EscapedPath())
	if err != nil {
		return 0, fmt.Errorf("backup: creating %s: %w", dst, err)
	}
	defer dstDB.Close()

	srcConn, err := srcDB.Conn(ctx)
	if err != nil {
		return 0, fmt.Errorf("backup: opening %s: %w", src, err)
	}
	defer srcConn.Close()
	dstConn, err := dstDB.Conn(ctx)
	if err != nil {
		return 0, fmt.Errorf("backup: creating %s: %w", dst, err)
	}
	defer dstConn.Close()

	// The snapshot: a read transaction that every step then reads in.
	if _, err := srcConn.ExecContext(ctx, `BEGIN`); err != nil {
		return 0, fmt.Errorf("backup: %w", err)
	}
	defer srcConn.ExecContext(context.Background(), `ROLLBACK`) //nolint:errcheck // a read transaction has nothing to undo
	var tables int
	if err := srcConn.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_schema`).Scan(&tables); err != nil {
		return 0, fmt.Errorf("backup: reading %s: %w", src, err)
	}

	pages := 0
	err = dstConn.Raw(func(d any) error {
		return srcConn.Raw(func(s any) error {
			dc, ok1 := d.(*sqlite3.SQLiteConn)
			sc, ok2 := s.(*sqlite3.SQLiteConn)
			if !ok1 || !ok2 {
				return errors.New("backup: not a SQLite connection")
			}
			b, err := dc.Backup("main", sc, "main")
			if err != nil {
				return fmt.Errorf("backup: starting: %w", err)
			}
			for {
				done, err := b.Step(opts.StepPages)
				if err != nil {
					b.Close()
					return fmt.Errorf("backup: copying: %w", err)
				}
				total := b.PageCount()
				pages = total - b.Remaining()
				if opts.Progress != nil {
					opts.Progress(pages, total)
				}
				if done {
					return b.Finish()
				}
				if err := ctx.Err(); err != nil {
					b.Close()
					return fmt.Errorf("backup: %w", err)
				}
			}
		})
	})
	return pages, err
}

// Check opens the database file at path read-only, runs PRAGMA
// integrity_check and returns its migration version; a file that is not
// a sound Danmaku database is an error.
func Check(ctx context.Context, path string) (int64, error) {
	db, err := sql.Open("sqlite3", "file:"+(&url.URL{Path: path}).EscapedPath()+"?mode=ro&_busy_timeout=5000")
	if err != nil {
		return 0, fmt.Errorf("check: opening %s: %w", path, err)
	}
	defer db.Close()
	rows, err := db.QueryContext(ctx, `PRAGMA integrity_check`)
	if err != nil {
		return 0, fmt.Errorf("check: %s is not a readable SQLite database: %w", path, err)
	}
	var problems []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			rows.Close()
			return 0, fmt.Errorf("check: %w", err)
		}
		if line != "ok" {
			problems = append(problems, line)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("check: %s is not a readable SQLite database: %w", path, err)
	}
	if len(problems) > 0 {
		return 0, fmt.Errorf("check: integrity_check of %s failed: %v", path, problems)
	}
	var version sql.NullInt64
	if err := db.QueryRowContext(ctx, `SELECT max(version_id) FROM goose_db_version WHERE is_applied`).Scan(&version); err != nil || !version.Valid {
		return 0, fmt.Errorf("check: %s is not a Danmaku database (no migrations recorded)", path)
	}
	return version.Int64, nil
}

// syncFile flushes path's contents to disk.
func syncFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// syncDir flushes a directory, so that a rename in it survives a crash.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, os.ErrInvalid) {
		return fmt.Errorf("syncing %s: %w", dir, err)
	}
	return nil
}
