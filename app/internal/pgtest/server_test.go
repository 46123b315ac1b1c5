package pgtest_test

import (
	"context"
	"os"
	"testing"

	"github.com/danmaku/danmaku/app/internal/pgtest"
	"github.com/jackc/pgx/v5"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// TestDatabasesAreFreshAndSeparate writes to one test database and finds
// the next one empty.
func TestDatabasesAreFreshAndSeparate(t *testing.T) {
	ctx := context.Background()
	var urls []string
	for range 2 {
		url := pgtest.DB(t)
		urls = append(urls, url)
		conn, err := pgx.Connect(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(ctx)
		var tables int
		if err := conn.QueryRow(ctx, `SELECT count(*) FROM pg_tables WHERE schemaname = 'public'`).Scan(&tables); err != nil || tables != 0 {
			t.Fatalf("%d tables in a fresh database (%v), want 0", tables, err)
		}
		if _, err := conn.Exec(ctx, `CREATE TABLE mine (x int)`); err != nil {
			t.Fatal(err)
		}
	}
	if urls[0] == urls[1] {
		t.Fatalf("two tests share database %s", urls[0])
	}
}

// TestServerStopsAndCleansUp starts a server of its own and stops it: the
// port is closed and the directory gone.
func TestServerStopsAndCleansUp(t *testing.T) {
	pgtest.Shared(t) // skips (or fails in CI) like every test here when PostgreSQL is missing
	s, err := pgtest.Start(pgtest.Options{Durable: true})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, s.URL("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	var fsync string
	if err := conn.QueryRow(ctx, `SHOW fsync`).Scan(&fsync); err != nil || fsync != "on" {
		t.Fatalf("fsync %q (%v) on a durable server, want on", fsync, err)
	}
	conn.Close(ctx)
	if cpu, err := s.CPU(); err != nil || cpu <= 0 {
		t.Fatalf("CPU = %v, %v; a server that started and answered has used some", cpu, err)
	}
	dir := pgtest.Dir(s)
	if err := s.Stop(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Fatalf("%s is still there after Stop: %v", dir, err)
	}
	if conn, err := pgx.Connect(ctx, s.URL("postgres")); err == nil {
		conn.Close(ctx)
		t.Fatal("the server still answers after Stop")
	}
}
