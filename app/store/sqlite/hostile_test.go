package sqlite_test

import (
	"context"
	"testing"

	"github.com/danmaku/danmaku/app/internal/hostile"
	"github.com/danmaku/danmaku/app/protocol"
)

// TestHostileTextIsStoredVerbatim checks the storage layer alone, below
// validation and any moderation plugin: what goes in comes out byte for
// byte, bidi controls included, and SQL in it is only ever data.
func TestHostileTextIsStoredVerbatim(t *testing.T) {
	s := open(t, nil)
	ctx := context.Background()
	for _, h := range hostile.Texts {
		t.Run(h.Name, func(t *testing.T) {
			op, done := insert("r", h.Text)
			op.User = protocol.User{ID: "u-" + h.Name, Name: h.Text}
			if err := s.Writer.Submit(ctx, op); err != nil {
				t.Fatal(err)
			}
			if err := <-done; err != nil {
				t.Fatal(err)
			}
			got, err := s.CommentsAfter(ctx, "r", op.Comment.Seq-1, 1)
			if err != nil || len(got) != 1 {
				t.Fatalf("read back: %v, %v", got, err)
			}
			if got[0].Text != h.Text || got[0].User != op.User {
				t.Fatalf("stored %q by %+v, want %q by %+v", got[0].Text, got[0].User, h.Text, op.User)
			}
		})
	}
	// The table is still there and holds exactly those comments.
	all, err := s.CommentsAfter(ctx, "r", 0, 1000)
	if err != nil || len(all) != len(hostile.Texts) {
		t.Fatalf("%d comments, %v; want %d", len(all), err, len(hostile.Texts))
	}
	if _, err := s.Room(ctx, "r"); err != nil {
		t.Fatalf("the room is gone: %v", err)
	}
}
