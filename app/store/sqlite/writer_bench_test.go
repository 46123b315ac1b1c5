package sqlite_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/danmaku/danmaku/app/metrics"
	"github.com/danmaku/danmaku/app/protocol"
	"github.com/danmaku/danmaku/app/store"
	"github.com/danmaku/danmaku/app/store/sqlite"
)

// BenchmarkWriter measures acked comments per second into a database file
// with group commit: many submitters each wait for their ack before sending
// the next, as sockets do. Sub-benchmarks size MaxBatch and Linger.
//
//	go test -run XXX -bench BenchmarkWriter -benchtime 100000x ./app/store/
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
					benchWriter(b, sqlite.Options{Sync: sync, Writer: sqlite.WriterOptions{MaxBatch: batch, Linger: linger, Observe: observe}})
				})
			}
		}
	}
}

func benchWriter(b *testing.B, opts sqlite.Options) {
	opts.Path = filepath.Join(b.TempDir(), "bench.db")
	opts.Migrations = os.DirFS("../../../migrations")
	s, err := sqlite.Open(context.Background(), opts)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	const rooms, users = 8, 1000
	for i := range rooms {
		if _, err := s.CreateRoom(context.Background(), store.Room{ID: "r" + strconv.Itoa(i), Title: "R", Kind: store.KindLive}); err != nil {
			b.Fatal(err)
		}
	}
	before := s.Writer.Stats()
	cpu0 := processCPU()
	b.SetParallelism(256) // × GOMAXPROCS submitters in flight
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		done := make(chan error, 1)
		op := &sqlite.InsertComment{
			Draft:  protocol.Draft{Text: "前方高能 this is a comment", Mode: "scroll", Color: "#ffffff", Size: "medium"},
			OnDone: func(_ *sqlite.InsertComment, err error) { done <- err },
		}
		for i := 0; pb.Next(); i++ {
			op.Room = "r" + strconv.Itoa(i%rooms)
			op.User = protocol.User{ID: "u" + strconv.Itoa(i%users), Name: "user"}
			op.Status = ""
			if err := s.Writer.Submit(context.Background(), op); err != nil {
				b.Error(err)
				return
			}
			if err := <-done; err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.StopTimer()
	st := s.Writer.Stats()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "acked/s")
	// CPU per comment holds up on a shared machine, where acked/s is what
	// the other processes leave.
	b.ReportMetric(float64(processCPU()-cpu0)/float64(b.N), "cpu-ns/op")
	if n := st.Batches - before.Batches; n > 0 {
		b.ReportMetric(float64(st.Ops-before.Ops)/float64(n), "ops/commit")
	}
}

// processCPU is the CPU time this process has used, user and system.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
