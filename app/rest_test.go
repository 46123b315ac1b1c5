package app_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/danmaku/danmaku/app/protocol"
)

func TestRoomsAPI(t *testing.T) {
	s := startServer(t)
	hc := moderatorClient(t, s) // creating rooms needs the moderator role

	var created struct {
		ID, Title, VideoURL, Kind string
		Viewers                   int
	}
	body := map[string]string{"id": "new-room_1", "title": "  A title  ", "video_url": "https://cdn.example/v.mp4", "kind": "live"}
	if status := call(t, hc, "POST", s.URL()+"/api/rooms", body, &created); status != http.StatusCreated {
		t.Fatalf("create: status %d", status)
	}
	if created.ID != "new-room_1" || created.Title != "A title" || created.Kind != "live" {
		t.Fatalf("created %+v", created)
	}

	for _, tc := range []struct {
		name   string
		body   any
		status int
		code   string
	}{
		{"duplicate id", body, http.StatusConflict, "conflict"},
		{"bad id", map[string]string{"id": "no spaces"}, http.StatusUnprocessableEntity, "invalid"},
		{"id too long", map[string]string{"id": strings.Repeat("a", 65)}, http.StatusUnprocessableEntity, "invalid"},
		{"bad kind", map[string]string{"id": "k", "kind": "tv"}, http.StatusUnprocessableEntity, "invalid"},
		{"javascript url", map[string]string{"id": "j", "video_url": "javascript:alert(1)"}, http.StatusUnprocessableEntity, "invalid"},
		{"protocol-relative url", map[string]string{"id": "p", "video_url": "//evil.example/x.mp4"}, http.StatusUnprocessableEntity, "invalid"},
		{"title with control chars", map[string]string{"id": "c", "title": "a\u0000b"}, http.StatusUnprocessableEntity, "invalid"},
		{"not json", "{nope", http.StatusBadRequest, "bad_request"},
		{"too large", `{"id":"big","title":"` + strings.Repeat("x", 70<<10) + `"}`, http.StatusRequestEntityTooLarge, "too_large"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var e apiError
			if status := call(t, hc, "POST", s.URL()+"/api/rooms", tc.body, &e); status != tc.status || string(e.Error.Code) != tc.code || e.Error.Message == "" {
				t.Fatalf("status %d, error %+v; want %d %s with a message", status, e.Error, tc.status, tc.code)
			}
		})
	}

	var list struct{ Rooms []struct{ ID string } }
	call(t, hc, "GET", s.URL()+"/api/rooms", nil, &list)
	ids := map[string]bool{}
	for _, r := range list.Rooms {
		ids[r.ID] = true
	}
	if len(list.Rooms) != 2 || !ids["demo"] || !ids["new-room_1"] {
		t.Fatalf("rooms = %+v, want demo and new-room_1", list.Rooms)
	}
	var e apiError
	if status := call(t, hc, "GET", s.URL()+"/api/rooms/missing", nil, &e); status != http.StatusNotFound || e.Error.Code != "not_found" {
		t.Fatalf("missing room: %d %+v", status, e)
	}
}

func TestCommentsAPI(t *testing.T) {
	s := startServer(t)
	hc := httpClient(t)
	createRoom(t, s, "tl", "vod")
	viewer := dial(t, s, "?room=tl")
	viewer.next(protocol.TypeWelcome)

	for _, at := range []float64{30, 10, 20, 10.5, 59.999, 60} {
		var c protocol.Comment
		if status := call(t, hc, "POST", s.URL()+"/api/rooms/tl/comments", map[string]any{"text": "at", "time": at, "color": "#ABCDEF"}, &c); status != http.StatusCreated {
			t.Fatalf("post at %v: status %d", at, status)
		}
		if c.Color != "#abcdef" || c.Mode != "scroll" || c.Size != "medium" || c.Time.Float() != at {
			t.Fatalf("stored %+v: want colour lowercased, defaults filled and time %v kept", c, at)
		}
	}
	// REST posts fan out like socket ones.
	if got := viewer.comments(6); got[0].Time.Float() != 30 {
		t.Fatalf("viewer got %+v", got)
	}

	times := func(query string) []float64 {
		t.Helper()
		var page struct{ Comments []protocol.Comment }
		if status := call(t, hc, "GET", s.URL()+"/api/rooms/tl/comments"+query, nil, &page); status != http.StatusOK {
			t.Fatalf("GET %s: status %d", query, status)
		}
		out := []float64{}
		for _, c := range page.Comments {
			out = append(out, c.Time.Float())
		}
		return out
	}
	for _, tc := range []struct {
		query string
		want  []float64
	}{
		{"?from=10&to=20", []float64{10, 10.5}},
		{"?from=0&to=60", []float64{10, 10.5, 20, 30, 59.999}},
		{"?from=20", []float64{20, 30, 59.999, 60}},
		{"?from=0&to=100&limit=2", []float64{10, 10.5}},
		{"?after_seq=4", []float64{59.999, 60}},
		{"?after_seq=0&limit=1", []float64{30}},
		{"?from=61&to=70", []float64{}},
	} {
		t.Run(tc.query, func(t *testing.T) {
			got := times(tc.query)
			if len(got) != len(tc.want) {
				t.Fatalf("times %v, want %v", got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Fatalf("times %v, want %v", got, tc.want)
				}
			}
		})
	}
	for _, q := range []string{"?from=-1", "?to=abc", "?limit=0", "?limit=100000", "?after_seq=-5", "?from=NaN"} {
		t.Run("bad "+q, func(t *testing.T) {
			var e apiError
			if status := call(t, hc, "GET", s.URL()+"/api/rooms/tl/comments"+q, nil, &e); status != http.StatusBadRequest || e.Error.Code != "bad_request" {
				t.Fatalf("status %d %+v, want 400 bad_request", status, e)
			}
		})
	}
	for _, tc := range []struct {
		name, room string
		body       any
		status     int
	}{
		{"unknown room", "nope", map[string]any{"text": "x"}, http.StatusNotFound},
		{"bad room id", "bad%20id", map[string]any{"text": "x"}, http.StatusUnprocessableEntity},
		{"empty text", "tl", map[string]any{"text": ""}, http.StatusUnprocessableEntity},
		{"invalid utf-8", "tl", "{\"text\":\"\xff\"}", http.StatusBadRequest},
		{"text not a string", "tl", `{"text":1}`, http.StatusBadRequest},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var e apiError
			if status := call(t, hc, "POST", s.URL()+"/api/rooms/"+tc.room+"/comments", tc.body, &e); status != tc.status || e.Error.Message == "" {
				t.Fatalf("status %d %+v, want %d with a message", status, e, tc.status)
			}
		})
	}
}
