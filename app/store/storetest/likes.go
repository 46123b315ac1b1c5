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
	ev.TakeAfter(t, s)

	for _, tc := range []struct {
		name string
		like func() (store.LikeChange, error)
		want store.LikeChange
		news bool // a new like, published
	}{
		{"a comment", func() (store.LikeChange, error) { return s.LikeComment(ctx, c.ID, "a", nil) }, store.LikeChange{Room: "r", CommentID: c.ID, Likes: 1}, true},
		{"the comment again", func() (store.LikeChange, error) { return s.LikeComment(ctx, c.ID, "a", nil) }, store.LikeChange{Room: "r", CommentID: c.ID, Likes: 1}, false},
		{"the comment by another", func() (store.LikeChange, error) { return s.LikeComment(ctx, c.ID, "b", nil) }, store.LikeChange{Room: "r", CommentID: c.ID, Likes: 2}, true},
		{"the comment from a socket in its room", func() (store.LikeChange, error) { return s.LikeComment(ctx, c.ID, "c", []string{"x", "r"}) }, store.LikeChange{Room: "r", CommentID: c.ID, Likes: 3}, true},
		{"the room", func() (store.LikeChange, error) { return s.LikeRoom(ctx, "r", "a") }, store.LikeChange{Room: "r", Likes: 1}, true},
		{"the room again", func() (store.LikeChange, error) { return s.LikeRoom(ctx, "r", "a") }, store.LikeChange{Room: "r", Likes: 1}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.like()
			if err != nil || got != tc.want {
				t.Fatalf("like = %+v, %v; want %+v", got, err, tc.want)
			}
			published := ev.TakeAfter(t, s).Likes
			if tc.news && (len(published) != 1 || published[0] != tc.want) || !tc.news && len(published) != 0 {
				t.Fatalf("published %+v (a new like: %v)", published, tc.news)
			}
		})
	}
	for _, tc := range []struct {
		name string
		like func() (store.LikeChange, error)
		code errs.Code
	}{
		{"a held comment", func() (store.LikeChange, error) { return s.LikeComment(ctx, held.ID, "a", nil) }, errs.NotFound},
		{"a missing comment", func() (store.LikeChange, error) { return s.LikeComment(ctx, 1<<40, "a", nil) }, errs.NotFound},
		{"a missing room", func() (store.LikeChange, error) { return s.LikeRoom(ctx, "nope", "a") }, errs.NotFound},
		{"a comment of a room the socket is not in", func() (store.LikeChange, error) { return s.LikeComment(ctx, c.ID, "d", []string{"x"}) }, errs.Forbidden},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := tc.like(); errs.CodeOf(err) != tc.code {
				t.Fatalf("like: %v, want %s", err, tc.code)
			}
			if published := ev.TakeAfter(t, s).Likes; len(published) != 0 {
				t.Fatalf("a refused like published %+v", published)
			}
		})
	}
	stored, err := s.CommentsAfter(ctx, "r", 0, 10)
	if err != nil || len(stored) != 1 || stored[0].Likes != 3 {
		t.Fatalf("stored %+v, %v; want the comment with 3 likes", stored, err)
	}
	room, err := s.Room(ctx, "r")
	if err != nil || room.Likes != 1 {
		t.Fatalf("room %+v, %v; want 1 like", room, err)
	}
}
