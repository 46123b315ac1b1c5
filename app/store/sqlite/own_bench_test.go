package sqlite_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/danmaku/danmaku/app/protocol"
	"github.com/danmaku/danmaku/app/store"
	"github.com/danmaku/danmaku/app/store/sqlite"
)

// BenchmarkSegmentReads compares, on one room of 60,000 visible comments
// in its first segment and 600 shadowed ones of one sender, the read a
// segment's private companion makes (ShadowedByTime over the segment) for
// a viewer with no shadowed comments (nearly everyone) and for the
// shadowed sender, with one of the six one-minute reads a shared
// segment's first load makes (CommentsByTime).
//
//	go test -run XXX -bench BenchmarkSegmentReads -count 5 ./app/store/sqlite/
func BenchmarkSegmentReads(b *testing.B) {
	ctx := context.Background()
	s, err := sqlite.Open(ctx, sqlite.Options{
		Path:       filepath.Join(b.TempDir(), "bench.db"),
		Migrations: os.DirFS("../../../migrations"),
	})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	if _, err := s.CreateRoom(ctx, store.Room{ID: "r", Title: "R", Kind: store.KindVOD}); err != nil {
		b.Fatal(err)
	}
	const visible, shadowed = 60000, 600
	done := make(chan error, visible+shadowed)
	for i := range visible + shadowed {
		c := store.NewComment{
			Room:   "r",
			Draft:  protocol.Draft{Text: "c" + strconv.Itoa(i), Time: protocol.Seconds(i * 6 % 360000), Mode: "scroll", Color: "#ffffff", Size: "medium"},
			User:   protocol.User{ID: "u" + strconv.Itoa(i%1000), Name: "U"},
			Status: store.Visible,
		}
		if i >= visible {
			c.User, c.Status = protocol.User{ID: "troll", Name: "T"}, store.Shadowed
			c.Draft.Time = protocol.Seconds((i - visible) * 600)
		}
		if err := s.AddComment(ctx, c, func(_ protocol.Comment, err error) { done <- err }); err != nil {
			b.Fatal(err)
		}
	}
	for range visible + shadowed {
		if err := <-done; err != nil {
			b.Fatal(err)
		}
	}
	for _, bc := range []struct {
		name string
		read func() (int, error)
	}{
		{"own/none", func() (int, error) {
			l, err := s.ShadowedByTime(ctx, "r", "u7", 0, 360000, 9000)
			return len(l), err
		}},
		{"own/sender", func() (int, error) {
			l, err := s.ShadowedByTime(ctx, "r", "troll", 0, 360000, 9000)
			return len(l), err
		}},
		{"shared/one-minute", func() (int, error) {
			l, err := s.CommentsByTime(ctx, "r", 0, 60000, 1500)
			return len(l), err
		}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := bc.read(); err != nil {
					b.Fatal(err)
				}
			}
			n, _ := bc.read()
			b.ReportMetric(float64(n), "comments/op")
		})
	}
}
