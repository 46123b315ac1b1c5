package apptest

import (
	"database/sql"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/danmaku/danmaku/app/internal/pgtest"
	"github.com/danmaku/danmaku/app/store/postgres"
	_ "github.com/jackc/pgx/v5/stdlib" // database/sql's "pgx", for OpenDB
)

// DBEnv names the variable that picks the database of the servers
// apptest starts: "postgres" puts each test's server on a fresh database
// of a throwaway PostgreSQL (app/internal/pgtest); unset, on a SQLite
// file in the test's directory. CI runs the storage-minded tests both ways.
const DBEnv = "DANMAKU_TEST_DB"

// OnPostgres reports whether this run's servers use PostgreSQL.
func OnPostgres() bool { return os.Getenv(DBEnv) == "postgres" }

// SQLiteOnly skips a test that is about SQLite itself (its file, its disk)
// when this run's servers use PostgreSQL.
func SQLiteOnly(t testing.TB, why string) {
	t.Helper()
	if OnPostgres() {
		t.Skip("SQLite only: " + why)
	}
}

// databases maps a test directory to its PostgreSQL database, so that the
// servers a test starts over one directory (a restart, a respawn) share
// one database, as they would share a SQLite file.
var databases sync.Map

// DB returns the database of the servers whose files live in dir: the
// SQLite file there, or the PostgreSQL database made for dir on first use
// (dropped when the test that made it ends).
func DB(t testing.TB, dir string) string {
	t.Helper()
	if !OnPostgres() {
		return filepath.Join(dir, "danmaku.db")
	}
	if url, ok := databases.Load(dir); ok {
		return url.(string)
	}
	url := pgtest.DB(t)
	databases.Store(dir, url)
	t.Cleanup(func() { databases.Delete(dir) })
	return url
}

// PostgresDB returns the URL of a fresh database on the test binary's
// PostgreSQL (app/internal/pgtest), for tests outside app/ that need one;
// it skips the test when PostgreSQL is not installed, unless CI=true.
func PostgresDB(t testing.TB) string {
	t.Helper()
	return pgtest.DB(t)
}

// OpenDB opens db (as DB names it) for a test to read rows the API does
// not show; queries use $1 placeholders, which both engines take.
func OpenDB(t testing.TB, db string) *sql.DB {
	t.Helper()
	driver, dsn := "sqlite3", "file:"+db+"?mode=ro&_busy_timeout=5000"
	if postgres.IsURL(db) {
		driver, dsn = "pgx", db
	}
	conn, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}
