package postgres_test

import (
	"context"
	"database/sql"
	"os"
	"testing"

	"github.com/danmaku/danmaku/app/internal/pgtest"
	"github.com/danmaku/danmaku/app/store/batch"
	"github.com/danmaku/danmaku/app/store/postgres"
	"github.com/danmaku/danmaku/app/store/storetest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// migrations are the binary's PostgreSQL migrations.
var migrations = os.DirFS("../../../migrations/postgres")

// TestConformance runs the store suite, which SQLite passes too.
func TestConformance(t *testing.T) {
	storetest.Run(t, storetest.Backend{New: func(t *testing.T) storetest.Opener {
		url := pgtest.DB(t)
		return func(t *testing.T, h storetest.Hooks) storetest.Store {
			t.Helper()
			return conformant{open(t, url, batch.Options{OnCommit: h.OnCommit, Observe: h.Observe, Weigh: h.Weigh})}
		}
	}})
}

// open opens a store on the database at url, closed when the test ends.
func open(t *testing.T, url string, opts batch.Options) *postgres.Store {
	t.Helper()
	s, err := postgres.Open(context.Background(), postgres.Options{URL: url, Migrations: migrations, Writer: opts})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

// conformant is the PostgreSQL store as the suite drives it.
type conformant struct{ *postgres.Store }

func (c conformant) Hold(t *testing.T) func() { return storetest.Hold(t, c.Writer) }

func (c conformant) Fail(t *testing.T, err error) <-chan error {
	return storetest.Fail(t, c.Writer, err)
}

func (c conformant) Exec(t *testing.T, query string, args ...any) {
	t.Helper()
	if err := c.Writer.Exec(context.Background(), func(tx *postgres.Tx) error {
		_, err := tx.Exec(query, args...)
		return err
	}); err != nil {
		t.Fatal(err)
	}
}

func (c conformant) SQL() *sql.DB { return postgres.SQLDB(c.Store) }
