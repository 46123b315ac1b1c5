package app_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"testing"

	"github.com/danmaku/danmaku/app/apptest"
	"github.com/danmaku/danmaku/app/auth"
	"github.com/danmaku/danmaku/app/protocol"
)

// getOwnSegment fetches GET /api/rooms/:id/segments/:n/own with hc and
// checks what every answer of it must be: 200, private and kept by no
// cache, readable by no other site.
func getOwnSegment(t *testing.T, s *testServer, hc *http.Client, room string, n int) []protocol.Comment {
	t.Helper()
	resp, body := apptest.Fetch(t, hc, "GET", fmt.Sprintf("%s/api/rooms/%s/segments/%d/own", s.URL(), room, n), nil, nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("own part of segment %d: %d %s", n, resp.StatusCode, body)
	}
	h := resp.Header
	if h.Get("Cache-Control") != "private, no-store" || h.Get("CDN-Cache-Control") != "" || h.Get("ETag") != "" ||
		h.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("own part of segment %d: Cache-Control %q, CDN-Cache-Control %q, ETag %q, Access-Control-Allow-Origin %q; want private, no-store and nothing else",
			n, h.Get("Cache-Control"), h.Get("CDN-Cache-Control"), h.Get("ETag"), h.Get("Access-Control-Allow-Origin"))
	}
	var seg struct {
		Room     string             `json:"room"`
		Index    int                `json:"index"`
		Comments []protocol.Comment `json:"comments"`
	}
	if err := json.Unmarshal(body, &seg); err != nil || seg.Room != room || seg.Index != n || seg.Comments == nil {
		t.Fatalf("own part of segment %d: %v: %s", n, err, body)
	}
	return seg.Comments
}

func commentIDs(list []protocol.Comment) []int64 {
	ids := []int64{}
	for _, c := range list {
		ids = append(ids, c.ID)
	}
	return ids
}

// TestOwnSegmentHoldsOnlyTheSendersShadowedComments: the shared segment
// leaves a shadowed comment out for everyone, its sender included; the
// private companion gives it back to its sender, in its slice only, as
// their ack had it, and to nobody else: another user, a guest with a
// session, a passing guest. Once deleted, it is gone from it too.
func TestOwnSegmentHoldsOnlyTheSendersShadowedComments(t *testing.T) {
	s := startServer(t, withPlugins(t, `plugins: [{name: blocklist, config: {action: shadow}}]`))
	createRoom(t, s, "shade", "vod")
	mod := clientAs(t, s, mod1)
	if status := call(t, mod, "POST", s.URL()+"/api/admin/bans", map[string]any{"user_id": troll.ID, "reason": "spam"}, nil); status != http.StatusCreated {
		t.Fatalf("ban: status %d", status)
	}
	post := func(hc *http.Client, text string, at float64) protocol.Comment {
		t.Helper()
		var c protocol.Comment
		if status := call(t, hc, "POST", s.URL()+"/api/rooms/shade/comments", map[string]any{"text": text, "time": at}, &c); status != http.StatusCreated {
			t.Fatalf("posting %q: status %d", text, status)
		}
		return c
	}
	trollHTTP := clientAs(t, s, troll)
	shadowed := post(trollHTTP, "only I see this", 400) // segment 1
	alice := clientAs(t, s, auth.Identity{ID: "alice", Name: "Alice", Roles: []string{auth.RoleViewer}})
	visible := post(alice, "everyone sees this", 401)
	guest := httpClient(t)
	post(guest, "a guest's own visible comment", 10) // the guest's session starts
	passing := &http.Client{Timeout: waitFor}        // no cookies: a passing guest

	if seg := getSegment(t, s, "shade", 1, ""); !slices.Equal(seg.ids(), []int64{visible.ID}) {
		t.Fatalf("shared segment 1: %v, want only the visible comment %d", seg.ids(), visible.ID)
	}
	for _, tc := range []struct {
		name string
		hc   *http.Client
		n    int
		want []int64
	}{
		{"the sender, its segment", trollHTTP, 1, []int64{shadowed.ID}},
		{"the sender with a Bearer token", bearerClient(t, token(t, s, troll, waitFor)), 1, []int64{shadowed.ID}},
		{"the sender, another segment", trollHTTP, 0, []int64{}},
		{"another user", alice, 1, []int64{}},
		{"a moderator", mod, 1, []int64{}},
		{"a guest with a session", guest, 1, []int64{}},
		{"a passing guest", passing, 1, []int64{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := getOwnSegment(t, s, tc.hc, "shade", tc.n)
			if !slices.Equal(commentIDs(got), tc.want) {
				t.Fatalf("own part of segment %d: %v, want %v", tc.n, commentIDs(got), tc.want)
			}
			if len(got) == 1 && got[0] != shadowed {
				t.Errorf("the sender gets %+v, want it as their answer had it: %+v", got[0], shadowed)
			}
		})
	}

	if status, _ := decide(t, s, mod, "delete", shadowed.ID); status != http.StatusOK {
		t.Fatalf("delete: %d", status)
	}
	if got := getOwnSegment(t, s, trollHTTP, "shade", 1); len(got) != 0 {
		t.Errorf("after its deletion the sender still gets %v", commentIDs(got))
	}
}
