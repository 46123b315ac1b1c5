package sqlite_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/danmaku/danmaku/app/metrics"
	"github.com/danmaku/danmaku/app/store"
	"github.com/danmaku/danmaku/app/store/sqlite"
	"github.com/danmaku/danmaku/app/store/storetest"
)

// BenchmarkWriter measures acked comments per second into a database file
// with group commit (storetest.Ingest), sizing MaxBatch and Linger;
// storetest's BenchmarkIngest sets it beside PostgreSQL.
//
//	go test -run XXX -bench BenchmarkWriter -benchtime 100000x ./app/store/sqlite/
func BenchmarkWriter(b *testing.B) { benchWriters(b, nil) }

// BenchmarkWriterMetrics is BenchmarkWriter with the server's Prometheus
// observer attached, to show what timing each commit costs.
func BenchmarkWriterMetrics(b *testing.B) { benchWriters(b, metrics.New(metrics.Sources{}).Commit) }

func benchWriters(b *testing.B, observe func(store.Commit)) {
	for _, sync := range []sqlite.Sync{sqlite.SyncNormal, sqlite.SyncFull} {
		for _, batch := range []int{64, 512, 4096} {
			for _, linger := range []time.Duration{0, time.Millisecond} {
				name := fmt.Sprintf("sync=%s/batch=%d/linger=%s", sync, batch, linger)
				b.Run(name, func(b *testing.B) {
					s, err := sqlite.Open(context.Background(), sqlite.Options{
						Path: filepath.Join(b.TempDir(), "bench.db"), Sync: sync, Migrations: os.DirFS("../../../migrations"),
						Writer: sqlite.WriterOptions{MaxBatch: batch, Linger: linger, Observe: observe},
					})
					if err != nil {
						b.Fatal(err)
					}
					defer s.Close()
					storetest.Ingest(b, s, nil)
				})
			}
		}
	}
}
