package sqlite_test

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/danmaku/danmaku/app/store"
	"github.com/danmaku/danmaku/app/store/sqlite"
	"github.com/danmaku/danmaku/app/store/storetest"
)

// TestConformance runs the store suite, which PostgreSQL passes too.
func TestConformance(t *testing.T) {
	storetest.Run(t, storetest.Backend{New: func(t *testing.T) storetest.Opener {
		path := filepath.Join(t.TempDir(), "test.db")
		return func(t *testing.T, h storetest.Hooks) storetest.Store {
			t.Helper()
			s, err := sqlite.Open(context.Background(), sqlite.Options{
				Path:       path,
				Migrations: os.DirFS("../../../migrations"),
				Writer:     sqlite.WriterOptions{OnCommit: h.OnCommit, Observe: h.Observe},
			})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() {
				if err := s.Close(); err != nil {
					t.Errorf("Close: %v", err)
				}
			})
			return conformant{s}
		}
	}})
}

// conformant is the SQLite store as the suite drives it.
type conformant struct{ *sqlite.Store }

func (c conformant) LoadBans(ctx context.Context, now func() time.Time) (store.Bans, error) {
	return c.LoadBlocklist(ctx, now)
}

func (c conformant) Hold(t *testing.T) func() {
	t.Helper()
	started, release := make(chan struct{}), make(chan struct{})
	go func() {
		_ = c.Writer.Exec(context.Background(), func(*sqlite.Tx) error {
			close(started)
			<-release
			return nil
		})
	}()
	<-started
	return func() { close(release) }
}

func (c conformant) Fail(t *testing.T, err error) <-chan error {
	t.Helper()
	op := &failingOp{err: err, done: make(chan error, 1)}
	if err := c.Writer.Submit(context.Background(), op); err != nil {
		t.Fatal(err)
	}
	return op.done
}

func (c conformant) Exec(t *testing.T, query string, args ...any) {
	t.Helper()
	if err := sqlite.WriteSQL(c.Store, query, args...); err != nil {
		t.Fatal(err)
	}
}

func (c conformant) SQL() *sql.DB { return sqlite.ReadDB(c.Store) }

// failingOp fails the way a storage error does: not with a client error code.
type failingOp struct {
	err  error
	done chan error
}

func (o *failingOp) Apply(*sqlite.Tx) error { return o.err }
func (o *failingOp) Done(err error)         { o.done <- err }
