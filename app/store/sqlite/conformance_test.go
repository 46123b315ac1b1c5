package sqlite_test

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"testing"

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
				Writer:     sqlite.WriterOptions{OnCommit: h.OnCommit, Observe: h.Observe, Weigh: h.Weigh},
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

func (c conformant) Hold(t *testing.T) func() { return storetest.Hold(t, c.Writer) }

func (c conformant) Fail(t *testing.T, err error) <-chan error {
	return storetest.Fail(t, c.Writer, err)
}

func (c conformant) Exec(t *testing.T, query string, args ...any) {
	t.Helper()
	if err := sqlite.WriteSQL(c.Store, query, args...); err != nil {
		t.Fatal(err)
	}
}

func (c conformant) SQL() *sql.DB { return sqlite.ReadDB(c.Store) }
