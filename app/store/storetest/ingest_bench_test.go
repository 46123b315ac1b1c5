package storetest_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/danmaku/danmaku/app/internal/pgtest"
	"github.com/danmaku/danmaku/app/store/batch"
	"github.com/danmaku/danmaku/app/store/postgres"
	"github.com/danmaku/danmaku/app/store/sqlite"
	"github.com/danmaku/danmaku/app/store/storetest"
)

// BenchmarkIngest measures acked comments per second into each backend,
// in the same run: many senders each wait for their ack before sending the
// next, as sockets do, and the writer commits what waits as one batch
// (group commit). PostgreSQL runs on a throwaway server on this machine,
// durable (fsync on, synchronous_commit on) as in production, and again
// with fsync off to show what its CPU alone allows.
//
//	go test -run XXX -bench BenchmarkIngest -benchtime 200000x ./app/store/storetest/
func BenchmarkIngest(b *testing.B) {
	for _, batchSize := range []int{512, 4096} {
		for _, sync := range []sqlite.Sync{sqlite.SyncNormal, sqlite.SyncFull} {
			b.Run(fmt.Sprintf("sqlite/sync=%s/batch=%d", sync, batchSize), func(b *testing.B) {
				s, err := sqlite.Open(context.Background(), sqlite.Options{
					Path: filepath.Join(b.TempDir(), "bench.db"), Sync: sync, Migrations: os.DirFS("../../../migrations"),
					Writer: batch.Options{MaxBatch: batchSize},
				})
				if err != nil {
					b.Fatal(err)
				}
				defer s.Close()
				storetest.Ingest(b, s, nil)
			})
		}
		for _, fsync := range []bool{true, false} {
			b.Run(fmt.Sprintf("postgres/fsync=%v/batch=%d", fsync, batchSize), func(b *testing.B) {
				srv := pgtest.Shared(b) // fsync off: what the database's CPU allows, without its disk
				if fsync {
					srv = durableServer(b)
				}
				name, err := srv.CreateDB(context.Background())
				if err != nil {
					b.Fatal(err)
				}
				s, err := postgres.Open(context.Background(), postgres.Options{
					URL: srv.URL(name), Migrations: os.DirFS("../../../migrations/postgres"),
					Writer: batch.Options{MaxBatch: batchSize},
				})
				if err != nil {
					b.Fatal(err)
				}
				defer s.Close()
				storetest.Ingest(b, s, srv.CPU)
			})
		}
	}
}

var durable struct {
	srv *pgtest.Server
	err error
}

// durableServer is the benchmarks' PostgreSQL, started once.
func durableServer(b *testing.B) *pgtest.Server {
	b.Helper()
	if durable.srv == nil && durable.err == nil {
		durable.srv, durable.err = pgtest.Start(pgtest.Options{Durable: true})
	}
	if errors.Is(durable.err, pgtest.ErrNoPostgres) && os.Getenv("CI") != "true" {
		b.Skip(durable.err)
	}
	if durable.err != nil {
		b.Fatal(durable.err)
	}
	return durable.srv
}

func TestMain(m *testing.M) {
	code := pgtest.Main(m)
	if durable.srv != nil {
		durable.srv.Stop()
	}
	os.Exit(code)
}
