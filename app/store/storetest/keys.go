package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/danmaku/danmaku/app/auth"
	"github.com/danmaku/danmaku/app/errs"
	"github.com/danmaku/danmaku/app/protocol"
	"github.com/danmaku/danmaku/app/store"
)

// testResends covers idempotency keys (store.NewComment.Key): a resend
// queued before the first send committed, and one after, are answered
// with a Duplicate of the stored comment, never stored twice; once the
// window has passed, the key is free again.
func testResends(t *testing.T, b Backend) {
	s := open(t, b, Hooks{})
	ctx := context.Background()
	since := time.Now().Add(-time.Minute)
	nc := store.NewComment{Room: "r", Draft: draft("twice", 0), User: protocol.User{ID: "u", Name: "U"},
		Status: store.Shadowed, Key: "k1", KeySince: since}
	release := s.Hold(t)
	first, second := send(t, s, nc), send(t, s, nc)
	release()
	r1, r2 := wait(t, first), wait(t, second)
	var dup *store.Duplicate
	if r1.err != nil || !errors.As(r2.err, &dup) || errs.CodeOf(r2.err) != errs.Conflict {
		t.Fatalf("answers %v and %v, want the comment and a Conflict with a Duplicate", r1.err, r2.err)
	}
	if dup.Original.Comment != r1.c || dup.Original.Status != store.Shadowed || r1.c.Seq != 1 {
		t.Errorf("duplicate of %+v (%s), want the first answer %+v, shadowed, shown as seq 1", dup.Original.Comment, dup.Original.Status, r1.c)
	}
	got, err := s.CommentByKey(ctx, "u", "k1", since)
	if err != nil || got != dup.Original {
		t.Errorf("CommentByKey: %+v, %v; want %+v", got, err, dup.Original)
	}
	if _, err := s.CommentByKey(ctx, "u", "k1", time.Now().Add(time.Minute)); errs.CodeOf(err) != errs.NotFound {
		t.Errorf("CommentByKey past the window: %v, want NotFound", err)
	}

	// A resend in another batch finds the committed comment.
	if r := wait(t, send(t, s, nc)); !errors.As(r.err, &dup) || dup.Original.Comment.ID != r1.c.ID {
		t.Fatalf("a later resend: %v, want a Duplicate of comment %d", r.err, r1.c.ID)
	}
	// Another user's key of the same name is theirs.
	other := nc
	other.User = protocol.User{ID: "v", Name: "V"}
	if r := wait(t, send(t, s, other)); r.err != nil || r.c.ID == r1.c.ID {
		t.Fatalf("another user's send with the same key: %+v, %v; want a comment of its own", r.c, r.err)
	}
	// Past the window the key is given up to a new comment.
	late := nc
	late.Status, late.KeySince = store.Visible, time.Now().Add(time.Minute)
	r := wait(t, send(t, s, late))
	if r.err != nil || r.c.ID == r1.c.ID || r.c.Seq != 1 {
		t.Fatalf("a send with the key after its window: %+v, %v; want a new comment, seq 1", r.c, r.err)
	}
	if got, err := s.CommentByKey(ctx, "u", "k1", since); err != nil || got.Comment.ID != r.c.ID {
		t.Fatalf("the key now finds %+v, %v; want the new comment %d", got, err, r.c.ID)
	}
}

// testClaimName covers the rules of store.Users.ClaimName.
func testClaimName(t *testing.T, b Backend) {
	s := open(t, b, Hooks{})
	ctx := context.Background()
	now := time.Now()
	for _, step := range []struct {
		name   string
		id     string
		nick   string
		force  bool
		since  time.Time
		refuse bool
	}{
		{"a signed-in user", "u1", "Alice", true, now, false},
		{"a guest taking a look-alike of it", "g-1", "Аlice", false, now.Add(-time.Hour), true},
		{"forced anyway", "u2", "ALICE", true, now, false},
		{"a guest's nickname", "g-2", "Bob", false, now.Add(-time.Hour), false},
		{"the same guest again", "g-2", "Bob", false, now.Add(-time.Hour), false},
		{"another guest, while Bob's is held", "g-3", "B0b", false, now.Add(-time.Hour), true},
		{"another guest, once it is not", "g-3", "B0b", false, now.Add(time.Hour), false},
	} {
		t.Run(step.name, func(t *testing.T) {
			err := s.ClaimName(ctx, store.NameClaim{User: protocol.User{ID: step.id, Name: step.nick}, Key: auth.NameKey(step.nick),
				Force: step.force, GuestPrefix: auth.GuestPrefix, Since: step.since})
			if refused := err != nil && errs.CodeOf(err) == errs.Conflict; refused != step.refuse || (!step.refuse && err != nil) {
				t.Fatalf("ClaimName(%s, %q) = %v, refuse: %v", step.id, step.nick, err, step.refuse)
			}
		})
	}
	// A comment records its sender's name, so names seen in rooms count.
	put(t, s, "hello", store.Visible, "Carol")
	err := s.ClaimName(ctx, store.NameClaim{User: protocol.User{ID: "g-4", Name: "CAROL"}, Key: auth.NameKey("CAROL"),
		GuestPrefix: auth.GuestPrefix, Since: now.Add(-time.Hour)})
	if errs.CodeOf(err) != errs.Conflict {
		t.Fatalf("a guest taking the name of a commenter: %v, want conflict", err)
	}
}
