package app_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/gorilla/websocket"

	"github.com/danmaku/danmaku/app/internal/hostile"
	"github.com/danmaku/danmaku/app/protocol"
)

// TestHostileCommentsComeBackVerbatim sends hostile texts over WebSocket
// and REST and reads them back from the live stream and the replay API.
// The test server runs an explicit empty moderation chain (testConfig), so
// this is the storage and protocol path alone: with the default chain the
// sanitize plugin strips bidi controls, by design.
func TestHostileCommentsComeBackVerbatim(t *testing.T) {
	s := startServer(t)
	sender, viewer := pair(t, s, "demo")
	hc := httpClient(t)

	var want []string
	for _, h := range hostile.Texts {
		t.Run(h.Name, func(t *testing.T) {
			ack := sender.say("h", h.Text)
			if !ack.OK || ack.Comment.Text != h.Text {
				t.Fatalf("over WebSocket: ack %+v, want %q kept", ack, h.Text)
			}
			var c protocol.Comment
			if status := call(t, hc, "POST", s.URL()+"/api/rooms/demo/comments", map[string]any{"text": h.Text}, &c); status != http.StatusCreated || c.Text != h.Text {
				t.Fatalf("over REST: %d %q, want %q kept", status, c.Text, h.Text)
			}
		})
		want = append(want, h.Text, h.Text)
	}
	live := viewer.comments(len(want))
	var page struct{ Comments []protocol.Comment }
	call(t, hc, "GET", s.URL()+"/api/rooms/demo/comments?after_seq=12", nil, &page)
	if len(page.Comments) != len(want) {
		t.Fatalf("replay has %d comments, want %d", len(page.Comments), len(want))
	}
	for i, text := range want {
		if live[i].Text != text || page.Comments[i].Text != text {
			t.Errorf("comment %d: live %q, replay %q, want %q", i, live[i].Text, page.Comments[i].Text, text)
		}
	}
	// The rooms and the seeded comments are untouched by the SQL in them.
	var rooms struct{ Rooms []struct{ ID string } }
	call(t, hc, "GET", s.URL()+"/api/rooms", nil, &rooms)
	call(t, hc, "GET", s.URL()+"/api/rooms/demo/comments?after_seq=0&limit=12", nil, &page)
	if len(rooms.Rooms) != 1 || len(page.Comments) != 12 {
		t.Fatalf("rooms %+v, %d seeded comments; want demo and 12", rooms.Rooms, len(page.Comments))
	}
}

func TestInvalidUnicodeIsRefusedClearly(t *testing.T) {
	s := startServer(t)
	c := dial(t, s, "?room=demo")
	c.next(protocol.TypeWelcome)
	hc := httpClient(t)
	for _, h := range hostile.Invalid {
		t.Run(h.Name, func(t *testing.T) {
			c.sendRaw(websocket.TextMessage, []byte(h.Text))
			if f := c.next(protocol.TypeError); f.Code != "bad_request" || !strings.Contains(f.Message, "nicode") && !strings.Contains(f.Message, "UTF-8") {
				t.Fatalf("over WebSocket: %+v, want bad_request naming the invalid Unicode", f)
			}
			body := strings.Replace(h.Text, `"type":"comment","ref":"x",`, "", 1)
			var e apiError
			if status := call(t, hc, "POST", s.URL()+"/api/rooms/demo/comments", body, &e); status != http.StatusBadRequest ||
				!strings.Contains(e.Error.Message, "nicode") && !strings.Contains(e.Error.Message, "UTF-8") {
				t.Fatalf("over REST: %d %+v, want 400 naming the invalid Unicode", status, e.Error)
			}
		})
	}
	var page struct{ Comments []protocol.Comment }
	call(t, hc, "GET", s.URL()+"/api/rooms/demo/comments?after_seq=12", nil, &page)
	if len(page.Comments) != 0 {
		t.Fatalf("stored %+v", page.Comments)
	}
}

func TestHostileIdentifiersAreRefused(t *testing.T) {
	s := startServer(t)
	hc := httpClient(t)
	for _, path := range []string{
		"/api/rooms/" + url.PathEscape("demo' OR '1'='1") + "/comments",
		"/api/rooms/" + url.PathEscape("demo;DROP TABLE rooms") + "/comments",
		"/api/comments/" + url.PathEscape("1 OR 1=1") + "/like",
		"/api/rooms/demo/comments?after_seq=" + url.QueryEscape("0;DELETE FROM comments"),
	} {
		t.Run(path, func(t *testing.T) {
			method := "POST"
			if strings.Contains(path, "?") {
				method = "GET"
			}
			var e apiError
			status := call(t, hc, method, s.URL()+path, map[string]any{"text": "x"}, &e)
			if status < 400 || status >= 500 || e.Error.Message == "" {
				t.Fatalf("%d %+v, want a 4xx error with a message", status, e.Error)
			}
		})
	}
	_, resp, err := tryDial(t, s, "?room="+url.QueryEscape("demo' OR 1=1 --"))
	if err == nil || resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("handshake with a hostile room id: %v, want 422", resp)
	}
	var page struct{ Comments []protocol.Comment }
	call(t, hc, "GET", s.URL()+"/api/rooms/demo/comments?after_seq=0", nil, &page)
	if len(page.Comments) != 12 {
		t.Fatalf("the seeded comments changed: %d", len(page.Comments))
	}
}
