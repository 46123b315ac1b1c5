package sqlite

import (
	"errors"
	"fmt"
	"os"
)

// LockSuffix names the lock file next to a database: db.sqlite.lock.
// Every process that opens the database (the server, and every command
// that works on its file) holds a shared lock on it for as long as it has
// the database open; a restore takes it exclusively, so that it never
// replaces the file under a running server, and no server starts in the
// middle of a restore. The locks are the kernel's (flock): a process that
// dies lets go of its own.
const LockSuffix = ".lock"

// ErrInUse means another process holds the database's lock.
var ErrInUse = errors.New("the database is in use")

// dbLock is a held lock on a database's lock file.
type dbLock struct{ f *os.File }

// lockDB takes dbPath's lock, shared or exclusive, without waiting: when
// another process holds it in a conflicting way, the error wraps ErrInUse.
func lockDB(dbPath string, exclusive bool) (*dbLock, error) {
	f, err := os.OpenFile(dbPath+LockSuffix, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("store: opening the lock file: %w", err)
	}
	if err := flock(f, exclusive); err != nil {
		f.Close()
		return nil, err
	}
	return &dbLock{f: f}, nil
}

// release lets the lock go.
func (l *dbLock) release() error {
	if l == nil || l.f == nil {
		return nil
	}
	err := l.f.Close() // closing the file releases the flock
	l.f = nil
	return err
}
