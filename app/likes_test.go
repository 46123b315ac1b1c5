package app_test

import (
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"testing"

	"github.com/danmaku/danmaku/app/protocol"
)

func TestLikesAreIdempotentPerUser(t *testing.T) {
	s := startServer(t)
	alice, bob := httpClient(t), httpClient(t)

	var created protocol.Comment
	if status := call(t, alice, "POST", s.URL()+"/api/rooms/demo/comments", map[string]any{"text": "like me", "time": 3}, &created); status != http.StatusCreated {
		t.Fatalf("post: status %d", status)
	}
	watcher := dial(t, s, "?room=demo")
	watcher.next(protocol.TypeWelcome)

	likeURL := fmt.Sprintf("%s/api/comments/%d/like", s.URL(), created.ID)
	for _, step := range []struct {
		name string
		who  *http.Client
		want int64
	}{
		{"alice likes", alice, 1},
		{"alice again", alice, 1},
		{"bob likes", bob, 2},
		{"bob again", bob, 2},
	} {
		t.Run(step.name, func(t *testing.T) {
			var got struct{ Likes int64 }
			if status := call(t, step.who, "POST", likeURL, nil, &got); status != http.StatusOK || got.Likes != step.want {
				t.Fatalf("status %d, likes %d; want 200 and %d", status, got.Likes, step.want)
			}
		})
	}
	// Viewers hear the new count, coalesced.
	for {
		f := watcher.next(protocol.TypeLikes)
		if f.Comments[fmt.Sprint(created.ID)] == 2 {
			break
		}
	}

	// The video's likes, over REST and over the socket, share the same rule.
	roomURL := s.URL() + "/api/rooms/demo/like"
	for i, want := range []int64{1, 1} {
		var got struct{ Likes int64 }
		call(t, alice, "POST", roomURL, nil, &got)
		if got.Likes != want {
			t.Fatalf("room like %d by alice: %d, want %d", i, got.Likes, want)
		}
	}
	// A socket carries its browser's cookie, so it is alice again.
	ws := dial(t, s, "?room=demo", dialOpts{jar: alice.Jar.(*cookiejar.Jar)})
	ws.next(protocol.TypeWelcome)
	ws.send(map[string]any{"type": "like", "ref": "v"})
	if f := ws.next(protocol.TypeAck); !f.OK || *f.Likes != 1 {
		t.Fatalf("alice's socket liking the video again: %+v, want ok with 1 like", f)
	}
	ws.send(map[string]any{"type": "like", "ref": "c", "comment_id": created.ID})
	if f := ws.next(protocol.TypeAck); !f.OK || *f.Likes != 2 || *f.CommentID != created.ID {
		t.Fatalf("alice's socket liking the comment again: %+v, want ok with 2 likes", f)
	}
	var room struct{ Likes int64 }
	call(t, bob, "GET", s.URL()+"/api/rooms/demo", nil, &room)
	if room.Likes != 1 {
		t.Fatalf("room likes = %d, want 1", room.Likes)
	}
}

// TestSocketsLikeOnlyCommentsOfRoomsTheyJoined: a socket may like the
// comments of the rooms it is in, and no other; REST, which joins no room,
// may like any visible comment.
func TestSocketsLikeOnlyCommentsOfRoomsTheyJoined(t *testing.T) {
	s := startServer(t)
	createRoom(t, s, "elsewhere", "live")
	hc := httpClient(t)
	var inDemo, inElsewhere protocol.Comment
	call(t, hc, "POST", s.URL()+"/api/rooms/demo/comments", map[string]any{"text": "in demo"}, &inDemo)
	call(t, hc, "POST", s.URL()+"/api/rooms/elsewhere/comments", map[string]any{"text": "elsewhere"}, &inElsewhere)

	ws := dial(t, s, "?room=demo")
	ws.next(protocol.TypeWelcome)
	for _, tc := range []struct {
		name  string
		frame map[string]any
		code  string // "" for a like that counts
	}{
		{"a comment of its room", map[string]any{"comment_id": inDemo.ID}, ""},
		{"a comment of its room, named", map[string]any{"comment_id": inDemo.ID, "room": "demo"}, ""},
		{"a comment of a room it has not joined", map[string]any{"comment_id": inElsewhere.ID}, "forbidden"},
		{"naming its room for a comment of another", map[string]any{"comment_id": inElsewhere.ID, "room": "demo"}, "forbidden"},
		{"naming the other room without joining it", map[string]any{"comment_id": inElsewhere.ID, "room": "elsewhere"}, "forbidden"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.frame["type"], tc.frame["ref"] = "like", tc.name
			ws.send(tc.frame)
			ack := ws.ack()
			switch {
			case tc.code == "" && (!ack.OK || ack.Likes == nil || *ack.Likes != 1):
				t.Fatalf("ack %+v, want ok with 1 like", ack)
			case tc.code != "" && (ack.OK || ack.Error == nil || string(ack.Error.Code) != tc.code):
				t.Fatalf("ack %+v, want %s", ack, tc.code)
			}
		})
	}
	// Once it joins the other room, the like counts; and REST may like it anyway.
	ws.join("elsewhere")
	ws.send(map[string]any{"type": "like", "ref": "joined", "comment_id": inElsewhere.ID})
	if ack := ws.ack(); !ack.OK || *ack.Likes != 1 {
		t.Fatalf("like after joining: %+v", ack)
	}
	var got struct{ Likes int64 }
	if status := call(t, hc, "POST", fmt.Sprintf("%s/api/comments/%d/like", s.URL(), inElsewhere.ID), nil, &got); status != http.StatusOK || got.Likes != 2 {
		t.Fatalf("REST like: status %d, likes %d; want 200 and 2", status, got.Likes)
	}
}
