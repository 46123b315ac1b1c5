package sqlite

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"
)

// RestoreReport describes a finished restore.
type RestoreReport struct {
	Version int64  // the restored database's migration version
	Kept    string // where the database it replaced now is; "" when there was none
}

// CheckRestorable reports why dbPath cannot be restored into now (a
// process has it open: a running server, or a command working on it),
// without changing anything; restore asks before it confirms.
func CheckRestorable(dbPath string) error {
	lock, err := lockDB(dbPath, true)
	if err != nil {
		return restoreRefused(dbPath, err)
	}
	return lock.release()
}

func restoreRefused(dbPath string, err error) error {
	if errors.Is(err, ErrInUse) {
		return fmt.Errorf("restore: %s is open in another process (a running server, or a danmaku command): stop it first: %w", dbPath, err)
	}
	return err
}

// Restore replaces the database at dbPath with the backup at backup, for
// a stopped server. It checks the backup first (integrity_check, and that
// it is a Danmaku database), refuses while any process has dbPath open,
// and holds the database's lock exclusively throughout, so no server
// starts on a half-restored file. The database it replaces is not
// deleted: it is moved aside, with its -wal and -shm files (a WAL must
// never be replayed into another database), as dbPath.before-restore-TIME.
func Restore(ctx context.Context, backup, dbPath string) (RestoreReport, error) {
	var rep RestoreReport
	version, err := Check(ctx, backup)
	if err != nil {
		return rep, fmt.Errorf("restore: the backup is not usable: %w", err)
	}
	rep.Version = version
	if dir := filepath.Dir(dbPath); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return rep, fmt.Errorf("restore: %w", err)
		}
	}
	lock, err := lockDB(dbPath, true)
	if err != nil {
		return rep, restoreRefused(dbPath, err)
	}
	defer lock.release()

	incoming := dbPath + ".restoring"
	if err := copyFile(backup, incoming); err != nil {
		_ = os.Remove(incoming)
		return rep, fmt.Errorf("restore: copying the backup: %w", err)
	}
	if _, err := os.Stat(dbPath); err == nil {
		rep.Kept = dbPath + ".before-restore-" + time.Now().UTC().Format("20060102T150405Z")
		for _, suffix := range []string{"", "-wal", "-shm"} {
			if err := os.Rename(dbPath+suffix, rep.Kept+suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
				_ = os.Remove(incoming)
				return rep, fmt.Errorf("restore: moving the current database aside: %w", err)
			}
		}
	}
	if err := os.Rename(incoming, dbPath); err != nil {
		return rep, fmt.Errorf("restore: %w", err)
	}
	return rep, syncDir(filepath.Dir(dbPath))
}

// copyFile copies src to the new file dst and flushes it to disk.
func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
