package app_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/danmaku/danmaku/app"
	"github.com/danmaku/danmaku/app/apptest"
	"github.com/danmaku/danmaku/app/auth"
	"github.com/danmaku/danmaku/app/protocol"
)

// segmentAnswer is one answer of GET /api/rooms/:id/segments/:n.
type segmentAnswer struct {
	status int
	etag   string
	cache  string
	body   struct {
		Room     string             `json:"room"`
		Index    int64              `json:"index"`
		From     float64            `json:"from"`
		To       float64            `json:"to"`
		Comments []protocol.Comment `json:"comments"`
	}
}

func (a segmentAnswer) ids() []int64 {
	var ids []int64
	for _, c := range a.body.Comments {
		ids = append(ids, c.ID)
	}
	return ids
}

// getSegment fetches segment n of room, with If-None-Match when etag is set.
func getSegment(t *testing.T, s *testServer, room string, n int, etag string) segmentAnswer {
	t.Helper()
	h := http.Header{}
	if etag != "" {
		h.Set("If-None-Match", etag)
	}
	resp, body := apptest.Fetch(t, httpClient(t), "GET", fmt.Sprintf("%s/api/rooms/%s/segments/%d", s.URL(), room, n), h, nil)
	a := segmentAnswer{status: resp.StatusCode, etag: resp.Header.Get("ETag"), cache: resp.Header.Get("Cache-Control")}
	if resp.StatusCode == http.StatusOK {
		if err := json.Unmarshal(body, &a.body); err != nil {
			t.Fatalf("segment %d: %v: %s", n, err, body)
		}
	} else if resp.StatusCode == http.StatusNotModified && len(body) != 0 {
		t.Fatalf("a 304 with a body: %q", body)
	}
	return a
}

// TestSegments: a segment's ETag stays while the slice stays, a repeat
// request with it gets 304, and a new comment, a deletion, a recall or a
// ban's purge in the slice changes it (and only that slice's).
func TestSegments(t *testing.T) {
	s := startServer(t)
	createRoom(t, s, "seg", "vod")
	viewer := dial(t, s, "?room=seg")
	viewer.next(protocol.TypeWelcome)
	alice := auth.Identity{ID: "alice", Name: "Alice", Roles: []string{auth.RoleViewer}}
	sender := dialAs(t, s, "?room=seg", alice)
	sender.next(protocol.TypeWelcome)
	post := func(text string, at float64) int64 {
		t.Helper()
		sender.send(map[string]any{"type": "comment", "ref": text, "text": text, "time": at})
		ack := sender.nextSkipping(protocol.TypeAck, protocol.TypePresence, protocol.TypeLikes, protocol.TypeWeights,
			protocol.TypeComments, protocol.TypeRetract)
		if !ack.OK {
			t.Fatalf("comment %q refused: %+v", text, ack.Error)
		}
		viewer.comments(1) // the segments knew of it before the viewers did
		return ack.Comment.ID
	}
	first := post("first", 10)
	other := post("in segment 1", 400)

	seg0 := getSegment(t, s, "seg", 0, "")
	if seg0.status != http.StatusOK || seg0.etag == "" || !slices.Equal(seg0.ids(), []int64{first}) ||
		seg0.body.From != 0 || seg0.body.To != 360 || seg0.body.Room != "seg" {
		t.Fatalf("segment 0: %d %q %+v", seg0.status, seg0.etag, seg0.body)
	}
	if !strings.Contains(seg0.cache, "public") {
		t.Errorf("Cache-Control %q: a segment is the same for everyone", seg0.cache)
	}
	seg1 := getSegment(t, s, "seg", 1, "")
	if !slices.Equal(seg1.ids(), []int64{other}) || seg1.etag == seg0.etag {
		t.Fatalf("segment 1: %+v %q", seg1.ids(), seg1.etag)
	}
	if again := getSegment(t, s, "seg", 0, ""); again.etag != seg0.etag {
		t.Fatalf("ETag moved without a change: %q then %q", seg0.etag, again.etag)
	}
	if again := getSegment(t, s, "seg", 0, seg0.etag); again.status != http.StatusNotModified || again.etag != seg0.etag {
		t.Fatalf("a repeat with the ETag: %d %q, want 304", again.status, again.etag)
	}

	mod := moderatorClient(t, s)
	aliceHTTP := apptest.BearerClient(apptest.Token(t, alice, waitFor))
	// Each change in segment 0 gives it a new ETag; segment 1 keeps its own.
	for _, tc := range []struct {
		name   string
		change func(t *testing.T) (gone int64)
	}{
		{"a new comment", func(t *testing.T) int64 { post("second", 20); return 0 }},
		{"a moderator's deletion", func(t *testing.T) int64 {
			id := post("to delete", 30)
			seg0 = getSegment(t, s, "seg", 0, "")
			if status := call(t, mod, "POST", s.URL()+"/api/admin/comments/delete", map[string]any{"ids": []int64{id}}, nil); status != http.StatusOK {
				t.Fatalf("delete: %d", status)
			}
			viewer.next(protocol.TypeRetract)
			return id
		}},
		{"a recall", func(t *testing.T) int64 {
			id := post("to recall", 40)
			seg0 = getSegment(t, s, "seg", 0, "")
			if status := call(t, aliceHTTP, "POST", fmt.Sprintf("%s/api/comments/%d/recall", s.URL(), id), nil, nil); status != http.StatusOK {
				t.Fatalf("recall: %d", status)
			}
			viewer.next(protocol.TypeRetract)
			return id
		}},
		{"a ban's purge", func(t *testing.T) int64 {
			troll := auth.Identity{ID: "troll", Name: "Troll", Roles: []string{auth.RoleViewer}}
			tc := dialAs(t, s, "?room=seg", troll)
			tc.next(protocol.TypeWelcome)
			tc.send(map[string]any{"type": "comment", "ref": "t", "text": "spam", "time": 50})
			id := tc.ack().Comment.ID
			viewer.comments(1)
			seg0 = getSegment(t, s, "seg", 0, "")
			if status := call(t, mod, "POST", s.URL()+"/api/admin/bans", map[string]any{
				"user_id": troll.ID, "room": "seg", "reason": "spam", "delete_recent": "1h",
			}, nil); status != http.StatusCreated {
				t.Fatalf("ban: %d", status)
			}
			viewer.next(protocol.TypeRetract)
			return id
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := getSegment(t, s, "seg", 0, "")
			gone := tc.change(t)
			if gone != 0 && !slices.Contains(seg0.ids(), gone) {
				t.Fatalf("segment 0 never had comment %d: %v", gone, seg0.ids())
			}
			if gone != 0 {
				before = seg0
			}
			after := getSegment(t, s, "seg", 0, before.etag)
			if after.status != http.StatusOK || after.etag == before.etag {
				t.Fatalf("segment 0 after %s: %d, ETag %q (was %q)", tc.name, after.status, after.etag, before.etag)
			}
			if gone != 0 && slices.Contains(after.ids(), gone) {
				t.Errorf("comment %d is still in segment 0: %v", gone, after.ids())
			}
			if gone == 0 && len(after.ids()) != len(before.ids())+1 {
				t.Errorf("segment 0 has %v, was %v: want one more", after.ids(), before.ids())
			}
			if s1 := getSegment(t, s, "seg", 1, seg1.etag); s1.status != http.StatusNotModified {
				t.Errorf("segment 1 changed too: %d %q", s1.status, s1.etag)
			}
		})
	}
}

func TestSegmentRefusals(t *testing.T) {
	s := startServer(t)
	for _, tc := range []struct {
		name, path string
		status     int
	}{
		{"unknown room", "/api/rooms/nope/segments/0", http.StatusNotFound},
		{"not a number", "/api/rooms/demo/segments/x", http.StatusBadRequest},
		{"negative", "/api/rooms/demo/segments/-1", http.StatusBadRequest},
		{"past the longest video", "/api/rooms/demo/segments/99999999", http.StatusBadRequest},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if status := call(t, httpClient(t), "GET", s.URL()+tc.path, nil, nil); status != tc.status {
				t.Fatalf("status %d, want %d", status, tc.status)
			}
		})
	}
}

// TestSegmentsWithoutGuests: where only signed-in users may read, a segment
// is for the viewer's own browser only, and guests get none.
func TestSegmentsWithoutGuests(t *testing.T) {
	s := startServer(t, func(c *app.Config) { c.Guests = "off" })
	alice := apptest.BearerClient(apptest.Token(t, auth.Identity{ID: "alice", Name: "Alice", Roles: []string{auth.RoleViewer}}, waitFor))
	resp, _ := apptest.Fetch(t, alice, "GET", s.URL()+"/api/rooms/demo/segments/0", nil, nil)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Cache-Control") != "private, no-cache" || resp.Header.Get("CDN-Cache-Control") != "" {
		t.Errorf("signed in: %d, Cache-Control %q, CDN-Cache-Control %q; want 200, private", resp.StatusCode,
			resp.Header.Get("Cache-Control"), resp.Header.Get("CDN-Cache-Control"))
	}
	if status := call(t, httpClient(t), "GET", s.URL()+"/api/rooms/demo/segments/0", nil, nil); status != http.StatusUnauthorized {
		t.Errorf("a guest got %d, want 401", status)
	}
}
