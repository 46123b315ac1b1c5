package sqlite_test

import (
	"context"
	"testing"

	"github.com/danmaku/danmaku/app/errs"
	"github.com/danmaku/danmaku/app/protocol"
	"github.com/danmaku/danmaku/app/store"
)

// TestAddCommentAnswersOnceAfterCommit covers store.Comments.AddComment
// beyond the happy path the moderation tests take: a failed write reaches
// done, and a refused one never does.
func TestAddCommentAnswersOnceAfterCommit(t *testing.T) {
	draft := protocol.Draft{Text: "hi", Mode: "scroll", Color: "#ffffff", Size: "medium"}
	user := protocol.User{ID: "u", Name: "U"}
	t.Run("stored", func(t *testing.T) {
		s := open(t, nil)
		done := make(chan protocol.Comment, 1)
		if err := s.AddComment(context.Background(), store.NewComment{Room: "r", Draft: draft, User: user},
			func(c protocol.Comment, err error) {
				if err != nil {
					t.Errorf("done: %v", err)
				}
				done <- c
			}); err != nil {
			t.Fatal(err)
		}
		c := <-done
		if c.ID == 0 || c.Seq != 1 || c.Text != "hi" || c.Room != "r" || c.User != user {
			t.Fatalf("stored %+v, want comment 1 of room r by u with its id", c)
		}
		if got, err := s.CommentsAfter(context.Background(), "r", 0, 10); err != nil || len(got) != 1 || got[0].ID != c.ID {
			t.Fatalf("read back %+v, %v; want the comment", got, err)
		}
	})
	t.Run("missing room", func(t *testing.T) {
		s := open(t, nil)
		done := make(chan error, 1)
		if err := s.AddComment(context.Background(), store.NewComment{Room: "nope", Draft: draft, User: user},
			func(_ protocol.Comment, err error) { done <- err }); err != nil {
			t.Fatal(err)
		}
		if err := <-done; errs.CodeOf(err) != errs.NotFound {
			t.Fatalf("done with %v, want NotFound", err)
		}
	})
	t.Run("closed store", func(t *testing.T) {
		s := open(t, nil)
		if err := s.Writer.Close(); err != nil {
			t.Fatal(err)
		}
		called := false
		err := s.AddComment(context.Background(), store.NewComment{Room: "r", Draft: draft, User: user},
			func(protocol.Comment, error) { called = true })
		if errs.CodeOf(err) != errs.Unavailable || called {
			t.Fatalf("AddComment on a closed store: %v (done called: %v), want Unavailable and no call", err, called)
		}
	})
}

func TestWriterStatsCountCommits(t *testing.T) {
	s := open(t, nil) // open commits the room
	before := s.WriterStats()
	put(t, s, "a", store.Visible, "u1")
	put(t, s, "b", store.Visible, "u1")
	after := s.WriterStats()
	if after.Ops-before.Ops != 2 || after.Batches-before.Batches != 2 || after.Queued != 0 {
		t.Fatalf("stats went from %+v to %+v, want 2 more ops in 2 more batches and none queued", before, after)
	}
}
