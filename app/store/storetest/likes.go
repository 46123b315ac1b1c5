package storetest

import (
	"context"
	"testing"

	"github.com/danmaku/danmaku/app/errs"
	"github.com/danmaku/danmaku/app/store"
)

// testLikes likes a comment and the room's video: once per user, each new
// like an event, and a hidden comment cannot be liked.
func testLikes(t *testing.T, b Backend) {
	ev := &Recorder{}
	s := open(t, b, Hooks{OnCommit: ev.Add})
	ctx := context.Background()
	c := put(t, s, "likeable", store.Visible, "u")
	held := put(t, s, "held", store.Held, "u")
	ev.Take()

	for _, tc := range []struct {
		name string
		like func() (store.LikeChange, error)
		want store.LikeChange
		news bool // a new like, published
	}{
		{"a comment", func() (store.LikeChange, error) { return s.LikeComment(ctx, c.ID, "a") }, store.LikeChange{Room: "r", CommentID: c.ID, Likes: 1}, true},
		{"the comment again", func() (store.LikeChange, error) { return s.LikeComment(ctx, c.ID, "a") }, store.LikeChange{Room: "r", CommentID: c.ID, Likes: 1}, false},
		{"the comment by another", func() (store.LikeChange, error) { return s.LikeComment(ctx, c.ID, "b") }, store.LikeChange{Room: "r", CommentID: c.ID, Likes: 2}, true},
		{"the room", func() (store.LikeChange, error) { return s.LikeRoom(ctx, "r", "a") }, store.LikeChange{Room: "r", Likes: 1}, true},
		{"the room again", func() (store.LikeChange, error) { return s.LikeRoom(ctx, "r", "a") }, store.LikeChange{Room: "r", Likes: 1}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.like()
			if err != nil || got != tc.want {
				t.Fatalf("like = %+v, %v; want %+v", got, err, tc.want)
			}
			published := ev.Take().Likes
			if tc.news && (len(published) != 1 || published[0] != tc.want) || !tc.news && len(published) != 0 {
				t.Fatalf("published %+v (a new like: %v)", published, tc.news)
			}
		})
	}
	for _, tc := range []struct {
		name string
		like func() (store.LikeChange, error)
	}{
		{"a held comment", func() (store.LikeChange, error) { return s.LikeComment(ctx, held.ID, "a") }},
		{"a missing comment", func() (store.LikeChange, error) { return s.LikeComment(ctx, 1<<40, "a") }},
		{"a missing room", func() (store.LikeChange, error) { return s.LikeRoom(ctx, "nope", "a") }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := tc.like(); errs.CodeOf(err) != errs.NotFound {
				t.Fatalf("like: %v, want not_found", err)
			}
		})
	}
	stored, err := s.CommentsAfter(ctx, "r", 0, 10)
	if err != nil || len(stored) != 1 || stored[0].Likes != 2 {
		t.Fatalf("stored %+v, %v; want the comment with 2 likes", stored, err)
	}
	room, err := s.Room(ctx, "r")
	if err != nil || room.Likes != 1 {
		t.Fatalf("room %+v, %v; want 1 like", room, err)
	}
}
