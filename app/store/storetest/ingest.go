package storetest

import (
	"context"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/danmaku/danmaku/app/protocol"
	"github.com/danmaku/danmaku/app/store"
)

// Ingest sends b.N comments into 8 new rooms of s from 1000 users, 256
// senders per CPU each waiting for its ack before the next, as sockets do,
// and reports acked comments per second, comments per commit, and the
// processor time each comment cost this process (for SQLite, the whole
// store) and, when dbCPU reads it, the database server: the ingest
// benchmarks of every backend. CPU per comment stays meaningful on a
// machine other work loads, where rates do not.
func Ingest(b *testing.B, s store.Store, dbCPU func() (time.Duration, error)) {
	const rooms, users = 8, 1000
	for i := range rooms {
		if _, err := s.CreateRoom(context.Background(), store.Room{ID: "r" + strconv.Itoa(i), Title: "R", Kind: store.KindLive}); err != nil {
			b.Fatal(err)
		}
	}
	before := s.WriterStats()
	cpu := cpuMeter(b, dbCPU)
	b.SetParallelism(256)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		done := make(chan error, 1)
		ack := func(_ protocol.Comment, err error) { done <- err }
		draft := protocol.Draft{Text: "前方高能 this is a comment", Mode: "scroll", Color: "#ffffff", Size: "medium"}
		for i := 0; pb.Next(); i++ {
			c := store.NewComment{Room: "r" + strconv.Itoa(i%rooms), Draft: draft, User: protocol.User{ID: "u" + strconv.Itoa(i%users), Name: "user"}, IP: "192.0.2.1"}
			if err := s.AddComment(context.Background(), c, ack); err != nil {
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
	cpu(b.N)
	st := s.WriterStats()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "acked/s")
	if n := st.Batches - before.Batches; n > 0 {
		b.ReportMetric(float64(st.Ops-before.Ops)/float64(n), "ops/commit")
	}
}

// cpuMeter reads this process's and the database's CPU time now, and
// returns what reports their use per comment once n comments are in.
func cpuMeter(b *testing.B, dbCPU func() (time.Duration, error)) func(n int) {
	b.Helper()
	read := func() (own, db time.Duration) {
		var ru syscall.Rusage
		if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
			b.Fatal(err)
		}
		own = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
		if dbCPU != nil {
			var err error
			if db, err = dbCPU(); err != nil {
				b.Fatal(err)
			}
		}
		return own, db
	}
	own0, db0 := read()
	return func(n int) {
		own, db := read()
		perOp := func(d time.Duration) float64 { return float64(d.Microseconds()) / float64(n) }
		b.ReportMetric(perOp(own-own0), "proc-cpu-µs/op")
		if dbCPU != nil {
			b.ReportMetric(perOp(db-db0), "db-cpu-µs/op")
		}
	}
}
