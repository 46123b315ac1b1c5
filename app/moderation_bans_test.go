package app_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/danmaku/danmaku/app/protocol"
)

func TestBannedUsersCommentsAndJoinsAreRefused(t *testing.T) {
	s := startServer(t, withPlugins(t, `plugins: [blocklist]`))
	createRoom(t, s, "other", "vod")
	mod := clientAs(t, s, mod1)
	trollJar := jarAs(t, s, troll)
	trollHTTP := &http.Client{Jar: trollJar, Timeout: waitFor}
	tc := dial(t, s, "?room=demo", dialOpts{jar: trollJar})
	viewer := dial(t, s, "?room=demo")
	tc.next(protocol.TypeWelcome)
	viewer.next(protocol.TypeWelcome)
	before := tc.comment("b", "spam spam")
	viewer.comments(1)

	var res struct {
		Ban     ban
		Deleted []int64
	}
	status := call(t, mod, "POST", s.URL()+"/api/admin/bans", map[string]any{
		"user_id": troll.ID, "room": "demo", "reason": "spam", "duration": "1d", "delete_recent": "1h",
	}, &res)
	if status != http.StatusCreated || res.Ban.ID == 0 || res.Ban.Room != "demo" || res.Ban.Until == "" ||
		len(res.Deleted) != 1 || res.Deleted[0] != before.Comment.ID {
		t.Fatalf("ban: status %d, %+v; want the ban and their recent comment deleted", status, res)
	}
	// The banned user's socket hears why and closes with 4003, which
	// browsers do not reconnect after; the others see the comment go.
	if f := wantBanned(t, tc, "demo", "spam"); f.Until == nil {
		t.Errorf("a day's ban (a timeout) has no end in its frame: %+v", f)
	}
	if r := viewer.next(protocol.TypeRetract); len(r.IDs) != 1 || r.IDs[0] != before.Comment.ID {
		t.Errorf("got retract %+v, want the banned user's comment", r)
	}

	// Comments over REST are refused with the reason.
	var e apiError
	if status := call(t, trollHTTP, "POST", s.URL()+"/api/rooms/demo/comments", map[string]any{"text": "rest"}, &e); status != http.StatusUnprocessableEntity ||
		e.Error.Code != "rejected" || !strings.Contains(e.Error.Message, "banned from this room") || !strings.Contains(e.Error.Message, "spam") {
		t.Errorf("banned user's REST comment: %d %+v, want rejected with the reason", status, e.Error)
	}

	// Joins: at the handshake, and with a join frame, the same way.
	wantBanned(t, dial(t, s, "?room=demo", dialOpts{jar: trollJar}), "demo", "spam")
	bare := dial(t, s, "", dialOpts{jar: trollJar})
	bare.send(map[string]any{"type": "join", "ref": "j", "room": "demo"})
	wantBanned(t, bare, "demo", "spam")
	bare = dial(t, s, "", dialOpts{jar: trollJar})
	// The ban is for one room: another room is open to them.
	if w := bare.join("other"); w.Room != "other" {
		t.Errorf("join other room: %+v", w)
	}

	// Unban: the door opens again.
	if status := call(t, mod, "DELETE", s.URL()+"/api/admin/bans/"+strconv.FormatInt(res.Ban.ID, 10), nil, nil); status != http.StatusOK {
		t.Fatalf("unban: status %d", status)
	}
	if w := dial(t, s, "?room=demo", dialOpts{jar: trollJar}).next(protocol.TypeWelcome); w.Room != "demo" {
		t.Fatalf("after unban: %+v", w)
	}
	var list struct{ Bans []ban }
	call(t, mod, "GET", s.URL()+"/api/admin/bans", nil, &list)
	if len(list.Bans) != 0 {
		t.Errorf("bans in force after unban: %+v", list.Bans)
	}
	call(t, mod, "GET", s.URL()+"/api/admin/bans?all=true", nil, &list)
	if len(list.Bans) != 1 {
		t.Errorf("ban history: %+v, want the lifted ban", list.Bans)
	}
}

func TestAddressBanRefusesEveryoneFromThatAddress(t *testing.T) {
	s := startServer(t, withPlugins(t, `plugins: [blocklist]`))
	mod := clientAs(t, s, mod1)
	if status := call(t, mod, "POST", s.URL()+"/api/admin/bans", map[string]any{"ip": "127.0.0.0/24", "reason": "bots"}, nil); status != http.StatusCreated {
		t.Fatalf("ban: status %d", status)
	}
	// Every test client comes from 127.0.0.1, whoever it is signed in as.
	if f := wantBanned(t, dial(t, s, "?room=demo"), "", "bots"); f.Until != nil {
		t.Errorf("a permanent ban's frame says until %v", f.Until)
	}
	var e apiError
	if status := call(t, clientAs(t, s, viewer1), "POST", s.URL()+"/api/rooms/demo/comments", map[string]any{"text": "hi"}, &e); status != http.StatusUnprocessableEntity || !strings.Contains(e.Error.Message, "banned") {
		t.Errorf("comment from a banned address: %d %+v", status, e.Error)
	}
}

func TestBanRequestsAreValidated(t *testing.T) {
	s := startServer(t)
	mod := clientAs(t, s, mod1)
	for _, tc := range []struct {
		name   string
		body   any
		status int
		msg    string
	}{
		{"nobody", map[string]any{"reason": "x"}, http.StatusUnprocessableEntity, "user_id, an ip"},
		{"bad address", map[string]any{"ip": "300.1.1.1"}, http.StatusUnprocessableEntity, "ip must be"},
		{"range too wide", map[string]any{"ip": "10.0.0.0/8"}, http.StatusUnprocessableEntity, "too wide"},
		{"ipv6 range too wide", map[string]any{"ip": "2001:db8::/32"}, http.StatusUnprocessableEntity, "too wide"},
		{"bad duration", map[string]any{"user_id": "u", "duration": "forever"}, http.StatusUnprocessableEntity, "duration"},
		{"negative duration", map[string]any{"user_id": "u", "duration": "-1h"}, http.StatusUnprocessableEntity, "duration"},
		{"huge day count", map[string]any{"user_id": "u", "duration": "99999999999d"}, http.StatusUnprocessableEntity, "duration"},
		{"purge too far back", map[string]any{"user_id": "u", "delete_recent": "365d"}, http.StatusUnprocessableEntity, "delete_recent"},
		{"yourself", map[string]any{"user_id": mod1.ID}, http.StatusUnprocessableEntity, "yourself"},
		{"bad room id", map[string]any{"user_id": "u", "room": "no spaces"}, http.StatusUnprocessableEntity, "room id"},
		{"unknown room", map[string]any{"user_id": "u", "room": "nope"}, http.StatusNotFound, "does not exist"},
		{"reason with control characters", map[string]any{"user_id": "u", "reason": "a\u0007b"}, http.StatusUnprocessableEntity, "reason"},
		{"not json", "{", http.StatusBadRequest, "JSON"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var e apiError
			if status := call(t, mod, "POST", s.URL()+"/api/admin/bans", tc.body, &e); status != tc.status || !strings.Contains(e.Error.Message, tc.msg) {
				t.Fatalf("status %d %+v, want %d mentioning %q", status, e.Error, tc.status, tc.msg)
			}
		})
	}
	var e apiError
	if status := call(t, mod, "DELETE", s.URL()+"/api/admin/bans/999", nil, &e); status != http.StatusNotFound {
		t.Errorf("lifting an unknown ban: %d %+v", status, e.Error)
	}
	for _, body := range []any{map[string]any{"ids": []int64{}}, map[string]any{"ids": make([]int64, 501)}, `{"ids":"x"}`} {
		if status := call(t, mod, "POST", s.URL()+"/api/admin/comments/delete", body, &e); status != http.StatusUnprocessableEntity && status != http.StatusBadRequest {
			t.Errorf("delete %v: status %d, want 4xx", body, status)
		}
	}
}

// wantBanned asserts that c hears it is banned (from room, for reason,
// with a message to show) and is closed with protocol.CloseBanned.
func wantBanned(t *testing.T, c *wsClient, room, reason string) frame {
	t.Helper()
	f := c.nextSkipping(protocol.TypeBanned, protocol.TypePresence, protocol.TypeLikes, protocol.TypeWeights, protocol.TypeComments, protocol.TypeWelcome)
	if f.Room != room || f.Reason != reason || !strings.Contains(f.Message, "banned") {
		t.Errorf("banned frame %+v, want room %q, reason %q and a message", f, room, reason)
	}
	if code := c.waitClosed(); code != protocol.CloseBanned || c.reason() != protocol.ReasonBanned {
		t.Errorf("closed with %d %q, want %d %q", code, c.reason(), protocol.CloseBanned, protocol.ReasonBanned)
	}
	return f
}
