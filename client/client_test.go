package client_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/danmaku/danmaku/app"
	"github.com/danmaku/danmaku/app/apptest"
	"github.com/danmaku/danmaku/client"
	"github.com/danmaku/danmaku/plugins"
)

func TestSendAndAck(t *testing.T) {
	s := apptest.Start(t)
	apptest.CreateRoom(t, s.URL(), "talk", "live")
	c := dial(t, s.URL())
	w := join(t, c, "talk")
	if w.Room != "talk" || w.Viewers != 1 || w.LastSeq != 0 || !w.User.Guest || w.Resumed {
		t.Fatalf("welcome %+v, want room talk, 1 viewer, last seq 0, a guest, not resumed", w)
	}

	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	stored, err := c.Send(ctx, "talk", client.Draft{Text: " 前方高能 ", Time: 12.345, Mode: "top", Color: "#FF0000", Size: "large"})
	if err != nil {
		t.Fatalf("Send: %v", err)
	}
	want := client.Comment{ID: stored.ID, Room: "talk", Seq: 1, Time: 12345, Text: "前方高能", Mode: "top", Color: "#ff0000",
		Size: "large", User: w.User.User, CreatedAt: stored.CreatedAt}
	if stored.ID == 0 || stored.CreatedAt == 0 || stored != want {
		t.Fatalf("ack %+v, want %+v", stored, want)
	}

	// The sender's own comment comes back in the stream, once.
	got, _ := comments(t, c, "talk", 1)
	if got[0] != stored {
		t.Errorf("stream carries %+v, want the acked %+v", got[0], stored)
	}
	if n, err := c.LikeComment(ctx, stored.ID); err != nil || n != 1 {
		t.Errorf("LikeComment = %d, %v; want 1", n, err)
	}
	if n, err := c.LikeRoom(ctx, "talk"); err != nil || n != 1 {
		t.Errorf("LikeRoom = %d, %v; want 1", n, err)
	}
	likes := next[client.Likes](t, c)
	for likes.RoomLikes == nil { // comment and room likes may come in one frame or two
		if likes.Comments[stored.ID] != 1 {
			t.Fatalf("likes %+v, want comment %d at 1", likes, stored.ID)
		}
		likes = next[client.Likes](t, c)
	}
	if *likes.RoomLikes != 1 {
		t.Errorf("room likes %d, want 1", *likes.RoomLikes)
	}
}

// TestRefusals checks that each refusal is an *Error with the server's
// code and reason, matched by errors.Is.
func TestRefusals(t *testing.T) {
	chain := func(yaml string) func(*app.Config) {
		return func(cfg *app.Config) {
			pc, err := plugins.ParseConfig([]byte(yaml))
			if err != nil {
				t.Fatal(err)
			}
			cfg.Plugins = pc
		}
	}
	defaultChain := func(cfg *app.Config) { cfg.Plugins = nil } // nil: plugins.DefaultConfig()
	for _, tc := range []struct {
		name     string
		tweak    func(*app.Config)
		text     func(i int) string // the i-th comment sent until one is refused
		want     error
		wantCode client.Code
		reason   string
	}{
		{"a link, by the default chain", defaultChain, fixed("see http://spam.example/x"), client.ErrRejected, "rejected", "link"},
		{"a burst, by the default chain", defaultChain, numbered, client.ErrRejected, "rejected", "too fast"},
		{"too long, by validation", defaultChain, fixed(strings.Repeat("长", 101)), client.ErrInvalid, "invalid", "1 to 100 characters"},
		{"a spoiler, held", chain(`plugins: [{name: nospoilers, config: {words: [snape], window: 10m}}]`), fixed("Snape kills him"), client.ErrHeld, "held", "possible spoiler"},
		{"a burst over -frame-rate", func(cfg *app.Config) { cfg.FrameRate, cfg.FrameBurst = 1, 3 }, numbered, client.ErrRateLimited, "rate_limited", "too many"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := apptest.Start(t, tc.tweak)
			apptest.CreateRoom(t, s.URL(), "r", "vod")
			c := dial(t, s.URL())
			join(t, c, "r")
			ctx, cancel := context.WithTimeout(context.Background(), waitFor)
			defer cancel()
			var err error
			for i := 0; err == nil; i++ {
				if i == 50 {
					t.Fatal("50 comments and no refusal")
				}
				_, err = c.Send(ctx, "r", client.Draft{Text: tc.text(i)})
			}
			var e *client.Error
			if !errors.Is(err, tc.want) || !errors.As(err, &e) {
				t.Fatalf("Send: %v (%T), want %v", err, err, tc.want)
			}
			if e.Code != tc.wantCode || !strings.Contains(strings.ToLower(e.Message), tc.reason) {
				t.Errorf("error code %q message %q, want %q with %q", e.Code, e.Message, tc.wantCode, tc.reason)
			}
			if errors.Is(err, client.ErrForbidden) {
				t.Errorf("%v matches ErrForbidden too", err)
			}
		})
	}
}

// fixed sends the same text every time.
func fixed(text string) func(int) string { return func(int) string { return text } }

// numbered sends a different text each time, so only rate limits refuse it.
func numbered(i int) string { return fmt.Sprintf("comment number %d", i) }

func TestSendRefusedBeforeSending(t *testing.T) {
	s := apptest.Start(t)
	c := dial(t, s.URL())
	join(t, c, "demo")
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	for _, tc := range []struct {
		name  string
		room  string
		draft client.Draft
		want  error
	}{
		{"a room not joined", "other", client.Draft{Text: "hi"}, client.ErrForbidden},
		{"a frame over -max-frame", "demo", client.Draft{Text: strings.Repeat("x", 5000)}, client.ErrTooLarge},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := c.Send(ctx, tc.room, tc.draft); !errors.Is(err, tc.want) {
				t.Fatalf("Send: %v, want %v", err, tc.want)
			}
		})
	}
	// The connection survived both: the next comment goes through.
	send(t, c, "demo", "still here")
}

func TestTwoClientsInOneRoom(t *testing.T) {
	s := apptest.Start(t)
	apptest.CreateRoom(t, s.URL(), "duo", "live")
	alice := dial(t, s.URL(), client.WithToken(userToken(t, "alice", time.Hour)))
	bob := dial(t, s.URL())
	if w := join(t, alice, "duo"); w.User.ID != "alice" || w.User.Guest {
		t.Fatalf("alice joined as %+v", w.User)
	}
	join(t, bob, "duo")
	for p := next[client.Presence](t, alice); p.Viewers != 2; p = next[client.Presence](t, alice) {
		if p.Room != "duo" || p.Viewers != 1 {
			t.Fatalf("alice sees presence %+v, want 1 then 2 viewers in duo", p)
		}
	}

	hello := send(t, alice, "duo", "hello bob")
	if got, _ := comments(t, alice, "duo", 1); got[0] != hello {
		t.Fatalf("alice got %s back, want her comment", texts(got))
	}
	got, _ := comments(t, bob, "duo", 1)
	if got[0] != hello || got[0].User.ID != "alice" {
		t.Fatalf("bob got %+v, want alice's %+v", got[0], hello)
	}
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	if _, err := bob.LikeComment(ctx, hello.ID); err != nil {
		t.Fatal(err)
	}
	if l := next[client.Likes](t, alice); l.Room != "duo" || l.Comments[hello.ID] != 1 {
		t.Errorf("alice sees likes %+v, want comment %d at 1", l, hello.ID)
	}
	reply := send(t, bob, "duo", "hi alice")
	if got, _ := comments(t, alice, "duo", 1); got[0] != reply {
		t.Errorf("alice got %s, want bob's reply", texts(got))
	}
}

func TestSeveralRoomsOnOneConnection(t *testing.T) {
	s := apptest.Start(t)
	rooms := []string{"r1", "r2", "r3"}
	for _, r := range rooms {
		apptest.CreateRoom(t, s.URL(), r, "live")
	}
	c := dial(t, s.URL())
	for _, r := range rooms {
		join(t, c, r)
	}
	if got := c.Rooms(); !slices.Equal(got, rooms) {
		t.Fatalf("Rooms() = %q, want %q", got, rooms)
	}
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	if _, err := c.Join(ctx, "r2"); !errors.Is(err, client.ErrConflict) {
		t.Errorf("joining r2 again: %v, want ErrConflict", err)
	}
	if _, err := c.Join(ctx, "nowhere"); !errors.Is(err, client.ErrNotFound) {
		t.Errorf("joining a room that does not exist: %v, want ErrNotFound", err)
	}

	for _, r := range rooms {
		own := send(t, c, r, "mine in "+r)
		other := post(t, s.URL(), r, "theirs in "+r)
		got, _ := comments(t, c, r, 2)
		if got[0] != own || got[1].ID != other.ID || got[1].Room != r {
			t.Errorf("room %s delivered %s, want its two comments", r, texts(got))
		}
	}

	if err := c.Leave(ctx, "r2"); err != nil {
		t.Fatalf("Leave r2: %v", err)
	}
	if err := c.Leave(ctx, "r2"); !errors.Is(err, client.ErrNotFound) {
		t.Errorf("leaving r2 twice: %v, want ErrNotFound", err)
	}
	if _, err := c.Send(ctx, "r2", client.Draft{Text: "gone"}); !errors.Is(err, client.ErrForbidden) {
		t.Errorf("sending to a room left: %v, want ErrForbidden", err)
	}
	post(t, s.URL(), "r2", "after the leave")
	last := post(t, s.URL(), "r3", "still in r3")
	// r3's comment was stored after r2's: had r2's been delivered, it would come first.
	got, skipped := comments(t, c, "r3", 1)
	if got[0].ID != last.ID {
		t.Errorf("r3 delivered %s, want %q", texts(got), last.Text)
	}
	for _, ev := range skipped {
		if cs, ok := ev.(client.Comments); ok {
			t.Errorf("a comment of room %s arrived after leaving it: %s", cs.Room, texts(cs.Items))
		}
	}
	if got := c.Rooms(); !slices.Equal(got, []string{"r1", "r3"}) {
		t.Errorf("Rooms() = %q after leaving r2", got)
	}
}
