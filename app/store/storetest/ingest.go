package storetest

import (
	"context"
	"strconv"
	"testing"

	"github.com/danmaku/danmaku/app/protocol"
	"github.com/danmaku/danmaku/app/store"
)

// Ingest sends b.N comments into 8 new rooms of s from 1000 users, 256
// senders per CPU each waiting for its ack before the next, as sockets do,
// and reports acked comments per second and comments per commit: the
// ingest benchmarks of every backend.
func Ingest(b *testing.B, s store.Store) {
	const rooms, users = 8, 1000
	for i := range rooms {
		if _, err := s.CreateRoom(context.Background(), store.Room{ID: "r" + strconv.Itoa(i), Title: "R", Kind: store.KindLive}); err != nil {
			b.Fatal(err)
		}
	}
	before := s.WriterStats()
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
	st := s.WriterStats()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "acked/s")
	if n := st.Batches - before.Batches; n > 0 {
		b.ReportMetric(float64(st.Ops-before.Ops)/float64(n), "ops/commit")
	}
}
