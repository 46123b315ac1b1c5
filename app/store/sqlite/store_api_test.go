package sqlite_test

import (
	"context"
	"errors"
	"testing"
	"time"

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

// TestAResendQueuedBeforeTheFirstCommitIsADuplicate queues the same send
// twice before either commits: the writer stores the first and answers the
// second with a Duplicate of it, never a second row (nor a broken batch).
func TestAResendQueuedBeforeTheFirstCommitIsADuplicate(t *testing.T) {
	s := open(t, nil)
	nc := store.NewComment{
		Room: "r", Draft: protocol.Draft{Text: "twice", Mode: "scroll", Color: "#ffffff", Size: "medium"},
		User: protocol.User{ID: "u", Name: "U"}, Status: store.Shadowed, Key: "k1", KeySince: time.Now().Add(-time.Minute),
	}
	type result struct {
		c   protocol.Comment
		err error
	}
	done := make(chan result, 2)
	for range 2 {
		if err := s.AddComment(context.Background(), nc, func(c protocol.Comment, err error) { done <- result{c, err} }); err != nil {
			t.Fatal(err)
		}
	}
	first, second := <-done, <-done
	var dup *store.Duplicate
	if first.err != nil || !errors.As(second.err, &dup) || errs.CodeOf(second.err) != errs.Conflict {
		t.Fatalf("answers %v and %v, want the comment and a Conflict with a Duplicate", first.err, second.err)
	}
	if dup.Original.Comment != first.c || dup.Original.Status != store.Shadowed || first.c.Seq != 1 {
		t.Errorf("duplicate of %+v (%s), want the first answer %+v, shadowed, shown as seq 1", dup.Original.Comment, dup.Original.Status, first.c)
	}
	got, err := s.CommentByKey(context.Background(), "u", "k1", nc.KeySince)
	if err != nil || got != dup.Original {
		t.Errorf("CommentByKey: %+v, %v; want %+v", got, err, dup.Original)
	}
	if _, err := s.CommentByKey(context.Background(), "u", "k1", time.Now().Add(time.Minute)); errs.CodeOf(err) != errs.NotFound {
		t.Errorf("CommentByKey past the window: %v, want NotFound", err)
	}
}
