package app_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/danmaku/danmaku/app/auth"
	"github.com/danmaku/danmaku/app/protocol"
)

// liveMods are the moderators' REST calls of the live tools, as mod1.
type liveMods struct {
	t  *testing.T
	s  *testServer
	hc *http.Client
}

func newLiveMods(t *testing.T, s *testServer) liveMods {
	return liveMods{t: t, s: s, hc: clientAs(t, s, mod1)}
}

func (m liveMods) do(method, path string, body, out any) int {
	m.t.Helper()
	return call(m.t, m.hc, method, m.s.URL()+path, body, out)
}

// setModes sets room's modes and fails the test unless they were stored.
func (m liveMods) setModes(room string, modes map[string]any) {
	m.t.Helper()
	if st := m.do("PUT", "/api/admin/rooms/"+room+"/modes", modes, nil); st != http.StatusOK {
		m.t.Fatalf("setting modes %v: status %d", modes, st)
	}
}

// auditEntry is an entry of GET /api/admin/audit.
type auditEntry struct {
	By, Room, Action, Detail string
}

func (m liveMods) audit(room string) []auditEntry {
	m.t.Helper()
	var out struct{ Entries []auditEntry }
	if st := m.do("GET", "/api/admin/audit?room="+room, nil, &out); st != http.StatusOK {
		m.t.Fatalf("audit log: status %d", st)
	}
	return out.Entries
}

// TestRoomModes: each room mode, set over REST, refuses or holds what it
// should, with a reason and a code, spares moderators, and is audited.
func TestRoomModes(t *testing.T) {
	s := startServer(t)
	mods := newLiveMods(t, s)
	for i, tc := range []struct {
		name    string
		modes   map[string]any
		as      auth.Identity // the sender; zero: a guest
		first   int           // status of a first comment
		second  int           // of a second, identical one right after
		code    string        // the refusal's code, when refused
		says    string        // the refusal says this
		audited string
	}{
		{"slow mode", map[string]any{"slow_seconds": 60}, viewer1, 201, 429, "slow_mode", "Slow mode", "slow mode off → 60 s"},
		{"slow mode spares moderators", map[string]any{"slow_seconds": 60}, mod1, 201, 201, "", "", "slow mode off → 60 s"},
		{"unique chat", map[string]any{"unique_window": 5}, viewer1, 201, 422, "repeated", "Unique chat", "unique chat off → last 5"},
		{"signed-in only refuses guests", map[string]any{"signed_in_only": true}, auth.Identity{}, 401, 401, "unauthorized", "Signed-in only", "signed-in only off → on"},
		{"signed-in only lets viewers in", map[string]any{"signed_in_only": true}, viewer1, 201, 201, "", "", "signed-in only off → on"},
		{"chat delay", map[string]any{"delay_seconds": 300}, viewer1, 202, 202, "delayed", "Chat delay", "chat delay off → 300 s"},
		{"emergency mode", map[string]any{"emergency": true}, viewer1, 202, 202, "held", "Emergency mode", "emergency mode off → on"},
		{"emergency mode spares moderators", map[string]any{"emergency": true}, mod1, 201, 201, "", "", "emergency mode off → on"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			room := fmt.Sprintf("modes-%d", i)
			createRoomAs(t, s, room)
			mods.setModes(room, tc.modes)
			hc := httpClient(t)
			if tc.as.ID != "" {
				hc = clientAs(t, s, tc.as)
			}
			post := func() (int, protocol.ErrorBody) {
				var out struct{ Error protocol.ErrorBody }
				st := call(t, hc, "POST", s.URL()+"/api/rooms/"+room+"/comments", map[string]any{"text": "same words", "time": 1}, &out)
				return st, out.Error
			}
			for i, want := range []int{tc.first, tc.second} {
				st, e := post()
				if st != want {
					t.Fatalf("comment %d: status %d (%s: %s), want %d", i+1, st, e.Code, e.Message, want)
				}
				if st >= 300 || st == 202 {
					if string(e.Code) != tc.code || !strings.Contains(e.Message, tc.says) {
						t.Errorf("comment %d: %s %q, want %s saying %q", i+1, e.Code, e.Message, tc.code, tc.says)
					}
				}
			}
			entries := mods.audit(room)
			if len(entries) == 0 || entries[0].Action != "modes" || entries[0].By != mod1.ID || entries[0].Detail != tc.audited {
				t.Errorf("audit log %+v, want a modes entry by %s saying %q", entries, mod1.ID, tc.audited)
			}
		})
	}
}

// createRoomAs creates a live room as a moderator.
func createRoomAs(t *testing.T, s *testServer, id string) {
	t.Helper()
	if st := call(t, clientAs(t, s, mod1), "POST", s.URL()+"/api/rooms", map[string]any{"id": id, "title": id, "kind": "live"}, nil); st != http.StatusCreated {
		t.Fatalf("creating room %s: status %d", id, st)
	}
}

// sendVia sends a comment to room over REST as hc and returns the status and the error body.
func sendVia(t *testing.T, s *testServer, hc *http.Client, room, text string) (int, protocol.ErrorBody, protocol.Comment) {
	t.Helper()
	var out struct {
		protocol.Comment
		Error protocol.ErrorBody
	}
	st := call(t, hc, "POST", s.URL()+"/api/rooms/"+room+"/comments", map[string]any{"text": text, "time": 1}, &out)
	return st, out.Error, out.Comment
}

// userAction is a user action as the API answers it.
type userAction struct {
	ID       int64
	Kind     string
	UserID   string `json:"user_id"`
	Until    string
	Comments []int64
	UndoneAt string `json:"undone_at"`
}

// TestUserActions: a timeout refuses with its reason until undone; a
// hidden user's comments are shadowed (their own eyes only); a purge takes
// a user's comments off every screen and replay, and its undo brings them
// back. Each action and undo is audited.
func TestUserActions(t *testing.T) {
	s := startServer(t)
	mods := newLiveMods(t, s)
	createRoomAs(t, s, "acts")
	fan := clientAs(t, s, viewer1)
	act := func(req map[string]any) userAction {
		t.Helper()
		var a userAction
		if st := mods.do("POST", "/api/admin/actions", req, &a); st != http.StatusCreated {
			t.Fatalf("action %v: status %d", req, st)
		}
		return a
	}
	undo := func(id int64) {
		t.Helper()
		if st := mods.do("DELETE", fmt.Sprintf("/api/admin/actions/%d", id), nil, nil); st != http.StatusOK {
			t.Fatalf("undo %d: status %d", id, st)
		}
	}

	t.Run("timeout", func(t *testing.T) {
		a := act(map[string]any{"kind": "timeout", "user_id": viewer1.ID, "room": "acts", "duration": "1h", "reason": "calm down"})
		st, e, _ := sendVia(t, s, fan, "acts", "let me talk")
		if st != http.StatusForbidden || e.Code != "timed_out" || !strings.Contains(e.Message, "calm down") || !strings.Contains(e.Message, a.Until[:10]) {
			t.Fatalf("timed out comment: %d %s %q, want 403 timed_out with the reason and the end", st, e.Code, e.Message)
		}
		if st, _, _ := sendVia(t, s, fan, "demo", "another room"); st != http.StatusCreated {
			t.Errorf("a timeout in one room refused a comment in another: %d", st)
		}
		undo(a.ID)
		if st, e, _ := sendVia(t, s, fan, "acts", "let me talk"); st != http.StatusCreated {
			t.Errorf("after the undo: %d %s", st, e.Message)
		}
	})

	t.Run("hide", func(t *testing.T) {
		a := act(map[string]any{"kind": "hide", "user_id": viewer1.ID, "room": "acts"})
		st, _, c := sendVia(t, s, fan, "acts", "nobody sees this")
		if st != http.StatusCreated {
			t.Fatalf("hidden user's comment: status %d, want 201 (shadowed)", st)
		}
		if hasText(replay(t, s, httpClient(t), "acts"), "nobody sees this") {
			t.Error("another viewer's replay has a hidden user's comment")
		}
		if !hasText(replay(t, s, fan, "acts"), "nobody sees this") {
			t.Error("the hidden user does not see their own comment")
		}
		var recent struct{ Comments []modComment }
		mods.do("GET", "/api/admin/comments?room=acts", nil, &recent)
		for _, m := range recent.Comments {
			if m.ID == c.ID && (m.Status != "shadowed" || !strings.Contains(m.Note, "hidden by a moderator")) {
				t.Errorf("moderators see it %s with note %q", m.Status, m.Note)
			}
		}
		undo(a.ID)
		if sendVia(t, s, fan, "acts", "seen again"); !hasText(replay(t, s, httpClient(t), "acts"), "seen again") {
			t.Error("after the undo the user's comments are still hidden")
		}
	})

	t.Run("purge and undo", func(t *testing.T) {
		watcher := dial(t, s, "?room=acts")
		watcher.next(protocol.TypeWelcome)
		_, _, mine := sendVia(t, s, fan, "acts", "purge me")
		sendVia(t, s, clientAs(t, s, troll), "acts", "not me")
		watcher.commentsAtLeast(1)
		a := act(map[string]any{"kind": "purge", "user_id": viewer1.ID, "room": "acts"})
		if !slices.Contains(a.Comments, mine.ID) {
			t.Fatalf("purge deleted %v, want it to include %d", a.Comments, mine.ID)
		}
		r := watcher.nextSkipping(protocol.TypeRetract, protocol.TypeComments, protocol.TypePresence)
		if !slices.Contains(r.IDs, mine.ID) {
			t.Errorf("retract %v, want %d in it", r.IDs, mine.ID)
		}
		list := replay(t, s, httpClient(t), "acts")
		if hasText(list, "purge me") || hasText(list, "seen again") || !hasText(list, "not me") {
			t.Errorf("replay after the purge: %v", list)
		}
		undo(a.ID)
		undo(a.ID) // a second undo changes nothing, and is no error
		back := watcher.nextSkipping(protocol.TypeComments, protocol.TypePresence)
		if !hasText(back.Items, "purge me") {
			t.Errorf("after the undo the viewer got %v, want the restored comment", back.Items)
		}
		if !hasText(replay(t, s, httpClient(t), "acts"), "purge me") {
			t.Error("after the undo the replay lacks the restored comment")
		}
	})

	var actions []string
	for _, e := range mods.audit("") {
		actions = append(actions, e.Action)
	}
	want := []string{"undo", "purge", "undo", "hide", "undo", "timeout"}
	if got := actions[:min(len(actions), len(want))]; !slices.Equal(got, want) {
		t.Errorf("audit log %v, want %v first", actions, want)
	}
}

// TestBlockedTerms: terms take effect at once, by their action, in their
// room or everywhere; an expired or removed term stops; everyone who used
// a term lately can be banned at once.
func TestBlockedTerms(t *testing.T) {
	s := startServer(t)
	mods := newLiveMods(t, s)
	createRoomAs(t, s, "terms")
	fan := clientAs(t, s, viewer1)
	addTerm := func(req map[string]any) int64 {
		t.Helper()
		var out struct{ Terms []struct{ ID int64 } }
		if st := mods.do("POST", "/api/admin/terms", req, &out); st != http.StatusCreated || len(out.Terms) == 0 {
			t.Fatalf("term %v: status %d", req, st)
		}
		return out.Terms[0].ID
	}
	// Used before the term is blocked: the ban below finds it by its text.
	sendVia(t, s, clientAs(t, s, troll), "terms", "cheap followers at scamsite")
	addTerm(map[string]any{"term": "darn", "action": "mask"})
	addTerm(map[string]any{"term": "*coin", "room": "terms", "action": "reject"})
	addTerm(map[string]any{"term": "leak*", "room": "terms", "action": "hold"})
	scam := addTerm(map[string]any{"term": "scam*", "room": "terms", "action": "mask"})
	gone := addTerm(map[string]any{"term": "oops", "expires_in": "1s"})

	for _, tc := range []struct {
		name, room, text string
		status           int
		stored           string // the text as stored, when stored
	}{
		{"mask in every room", "demo", "well darn it", 201, "well **** it"},
		{"reject in its room", "terms", "buy bitcoin", 422, ""},
		{"not in another room", "demo", "buy bitcoin", 201, "buy bitcoin"},
		{"hold in its room", "terms", "leaked ending", 202, ""},
		{"mask a prefix", "terms", "scammers here", 201, "******** here"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st, e, c := sendVia(t, s, fan, tc.room, tc.text)
			if st != tc.status {
				t.Fatalf("status %d (%s %s), want %d", st, e.Code, e.Message, tc.status)
			}
			if tc.stored != "" && c.Text != tc.stored {
				t.Errorf("stored %q, want %q", c.Text, tc.stored)
			}
		})
	}

	t.Run("expiry", func(t *testing.T) {
		deadline := time.Now().Add(waitFor)
		for {
			_, _, c := sendVia(t, s, fan, "demo", "oops")
			if c.Text == "oops" {
				break // expired
			}
			if c.Text != "****" || time.Now().After(deadline) {
				t.Fatalf("an expiring term stored %q", c.Text)
			}
			time.Sleep(100 * time.Millisecond) // polling for the expiry, bounded by the deadline
		}
		if st := mods.do("DELETE", fmt.Sprintf("/api/admin/terms/%d", gone), nil, nil); st != http.StatusOK {
			t.Errorf("removing an expired term: status %d", st)
		}
	})

	t.Run("ban everyone who used it", func(t *testing.T) {
		var res struct{ Bans []ban }
		if st := mods.do("POST", fmt.Sprintf("/api/admin/terms/%d/ban", scam), map[string]any{"minutes": 10, "duration": "1h"}, &res); st != http.StatusOK {
			t.Fatalf("term ban: status %d", st)
		}
		var users []string
		for _, b := range res.Bans {
			users = append(users, b.UserID)
			if b.Room != "terms" {
				t.Errorf("ban %+v, want it in the term's room", b)
			}
		}
		slices.Sort(users)
		if want := []string{troll.ID, viewer1.ID}; !slices.Equal(users, want) {
			t.Errorf("banned %v, want %v (the masked comment counts, and the one from before the term)", users, want)
		}
	})
}

// TestLiveToolsRefuseBadInput: bad requests get clear errors, and
// non-moderators get none of the live tools.
func TestLiveToolsRefuseBadInput(t *testing.T) {
	s := startServer(t)
	mods := newLiveMods(t, s)
	many := make([]string, 101)
	for i := range many {
		many[i] = fmt.Sprintf("term%d", i)
	}
	for _, tc := range []struct {
		name, method, path string
		body               any
		status             int
		says               string
	}{
		{"unknown mode", "PUT", "/api/admin/rooms/demo/modes", map[string]any{"slow": 10}, 422, `unknown mode "slow"`},
		{"negative slow mode", "PUT", "/api/admin/rooms/demo/modes", map[string]any{"slow_seconds": -1}, 422, "slow_seconds must be 0 (off) to 3600"},
		{"too long a delay", "PUT", "/api/admin/rooms/demo/modes", map[string]any{"delay_seconds": 301}, 422, "delay_seconds must be 0 (off) to 300"},
		{"a mode of the wrong type", "PUT", "/api/admin/rooms/demo/modes", map[string]any{"emergency": "yes"}, 400, "JSON"},
		{"modes of a missing room", "PUT", "/api/admin/rooms/nowhere/modes", map[string]any{"emergency": true}, 404, "nowhere"},
		{"negative timeout", "POST", "/api/admin/actions", map[string]any{"kind": "timeout", "user_id": "u", "duration": "-5m"}, 422, "duration must be from 10s to 24h0m0s"},
		{"too short a timeout", "POST", "/api/admin/actions", map[string]any{"kind": "timeout", "user_id": "u", "duration": "5s"}, 422, "duration must be"},
		{"too long a timeout", "POST", "/api/admin/actions", map[string]any{"kind": "timeout", "user_id": "u", "duration": "25h"}, 422, "duration must be"},
		{"unknown action", "POST", "/api/admin/actions", map[string]any{"kind": "mute", "user_id": "u"}, 422, "kind must be timeout, hide or purge"},
		{"purge everywhere", "POST", "/api/admin/actions", map[string]any{"kind": "purge", "user_id": "u"}, 422, "a purge needs the room"},
		{"acting on oneself", "POST", "/api/admin/actions", map[string]any{"kind": "hide", "user_id": "m1"}, 422, "yourself"},
		{"undo of nothing", "DELETE", "/api/admin/actions/999", nil, 404, "999"},
		{"huge term list", "POST", "/api/admin/terms", map[string]any{"terms": many}, 422, "send 1 to 100 terms at once, got 101"},
		{"wildcard inside", "POST", "/api/admin/terms", map[string]any{"term": "a*b"}, 422, "wildcard"},
		{"unknown term action", "POST", "/api/admin/terms", map[string]any{"term": "bad", "action": "nuke"}, 422, "action must be mask, reject or hold"},
		{"negative expiry", "POST", "/api/admin/terms", map[string]any{"term": "bad", "expires_in": "-1h"}, 422, "expires_in"},
		{"term ban too far back", "POST", "/api/admin/terms/1/ban", map[string]any{"minutes": 100000}, 422, "minutes must be 1 to 1440"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out struct{ Error protocol.ErrorBody }
			if st := mods.do(tc.method, tc.path, tc.body, &out); st != tc.status || !strings.Contains(out.Error.Message, tc.says) {
				t.Errorf("status %d %q, want %d saying %q", st, out.Error.Message, tc.status, tc.says)
			}
		})
	}

	t.Run("non-moderators", func(t *testing.T) {
		for _, hc := range []*http.Client{httpClient(t), clientAs(t, s, viewer1)} {
			for _, r := range []struct{ method, path string }{
				{"PUT", "/api/admin/rooms/demo/modes"}, {"POST", "/api/admin/actions"}, {"POST", "/api/admin/terms"},
				{"GET", "/api/admin/audit"}, {"GET", "/api/admin/live"},
			} {
				if st := call(t, hc, r.method, s.URL()+r.path, map[string]any{"emergency": true}, nil); st != http.StatusForbidden && st != http.StatusUnauthorized {
					t.Errorf("%s %s as a non-moderator: status %d", r.method, r.path, st)
				}
			}
		}
		if m := roomModes(t, s, "demo"); m.Emergency {
			t.Error("a non-moderator turned emergency mode on")
		}
	})
}

// roomModes reads a room's modes as anyone can.
func roomModes(t *testing.T, s *testServer, room string) protocol.Modes {
	t.Helper()
	var m protocol.Modes
	if st := call(t, httpClient(t), "GET", s.URL()+"/api/rooms/"+room+"/modes", nil, &m); st != http.StatusOK {
		t.Fatalf("modes of %s: status %d", room, st)
	}
	return m
}

// TestModesReachViewersAndSurviveRestarts: a modes change over /ws/admin
// reaches the room's viewers as a modes frame, a joining viewer gets the
// modes after its welcome, and the modes (and terms, and timeouts) are
// still in force after a restart.
func TestModesReachViewersAndSurviveRestarts(t *testing.T) {
	s := startServer(t)
	viewer := dial(t, s, "?room=demo")
	viewer.next(protocol.TypeWelcome)
	mod, _ := modSocket(t, s, mod1)
	mod.send(map[string]any{"type": "modes", "ref": "m1", "modes": map[string]any{"room": "demo", "slow_seconds": 15, "signed_in_only": true}})
	ack := mod.nextSkipping("ack", "stats", "bans", "comments", "live")
	if !ack.OK {
		t.Fatalf("modes frame: %+v", ack.Error)
	}
	mod.send(map[string]any{"type": "modes", "ref": "m2", "modes": map[string]any{"room": "demo", "shouting": true}})
	if bad := mod.nextSkipping("error", "stats", "bans", "comments", "live"); bad.Code != "invalid" || !strings.Contains(bad.Message, "shouting") {
		t.Errorf("unknown mode over the socket: %s %q", bad.Code, bad.Message)
	}
	mod.send(map[string]any{"type": "term_add", "ref": "t1", "term": map[string]any{"term": "darn"}})
	if ack := mod.nextSkipping("ack", "stats", "bans", "comments", "live"); !ack.OK {
		t.Fatalf("term_add frame: %+v", ack.Error)
	}
	mod.send(map[string]any{"type": "user_action", "ref": "a1", "action": map[string]any{"kind": "timeout", "user_id": troll.ID, "duration": "1h"}})
	if ack := mod.nextSkipping("ack", "stats", "bans", "comments", "live"); !ack.OK {
		t.Fatalf("user_action frame: %+v", ack.Error)
	}
	var m protocol.Modes
	f := viewer.nextSkipping(protocol.TypeModes, protocol.TypePresence)
	if err := json.Unmarshal(f.Raw, &m); err != nil || m.SlowSeconds != 15 || !m.SignedInOnly || m.Room != "demo" {
		t.Fatalf("modes frame %s (%v)", f.Raw, err)
	}

	s = s.restart(t)
	joiner := dial(t, s, "?room=demo")
	joiner.next(protocol.TypeWelcome)
	f = joiner.next(protocol.TypeModes)
	if err := json.Unmarshal(f.Raw, &m); err != nil || m.SlowSeconds != 15 || !m.SignedInOnly {
		t.Errorf("after a restart the joiner got %s (%v)", f.Raw, err)
	}
	if st, e, _ := sendVia(t, s, httpClient(t), "demo", "guest here"); st != http.StatusUnauthorized {
		t.Errorf("a guest after the restart: %d %s, want signed-in only in force", st, e.Message)
	}
	if _, _, c := sendVia(t, s, clientAs(t, s, viewer1), "demo", "darn"); c.Text != "****" {
		t.Errorf("after the restart the term stored %q", c.Text)
	}
	if st, e, _ := sendVia(t, s, clientAs(t, s, troll), "demo", "hi"); e.Code != "timed_out" {
		t.Errorf("after the restart the timed out user got %d %s", st, e.Code)
	}
}

// TestChatDelay: with a chat delay, a viewer's comment reaches the room
// only after the delay, unless a moderator deletes it first; comments a
// stopped server still delayed are released when it starts again.
func TestChatDelay(t *testing.T) {
	s := startServer(t)
	mods := newLiveMods(t, s)
	mods.setModes("demo", map[string]any{"delay_seconds": 1})
	watcher := dial(t, s, "?room=demo")
	watcher.next(protocol.TypeWelcome)
	fan := clientAs(t, s, viewer1)

	st, e, _ := sendVia(t, s, fan, "demo", "deleted while delayed")
	if st != http.StatusAccepted || e.Code != "delayed" || !strings.Contains(e.Message, "Chat delay: your comment shows in 1 s") {
		t.Fatalf("delayed comment: %d %s %q", st, e.Code, e.Message)
	}
	var held struct{ Comments []modComment }
	mods.do("GET", "/api/admin/held?room=demo", nil, &held)
	if len(held.Comments) != 1 || !strings.HasPrefix(held.Comments[0].Note, "chat delay: 1 s") {
		t.Fatalf("held queue %+v, want the delayed comment with its note", held.Comments)
	}
	if st, _ := decide(t, s, mods.hc, "delete", held.Comments[0].ID); st != http.StatusOK {
		t.Fatalf("deleting the delayed comment: %d", st)
	}
	sendVia(t, s, fan, "demo", "shown after the delay")
	got := watcher.nextSkipping(protocol.TypeComments, protocol.TypePresence, protocol.TypeModes)
	if len(got.Items) != 1 || got.Items[0].Text != "shown after the delay" {
		t.Fatalf("the room got %+v, want only the comment nobody deleted", got.Items)
	}
	if st, _, _ := sendVia(t, s, mods.hc, "demo", "moderators skip the delay"); st != http.StatusCreated {
		t.Errorf("a moderator's comment under the delay: %d", st)
	}

	// Held by the delay when the server stops: released when it starts again.
	mods.setModes("demo", map[string]any{"delay_seconds": 300})
	sendVia(t, s, fan, "demo", "across a restart")
	s = s.restart(t)
	deadline := time.Now().Add(waitFor)
	for !hasText(replay(t, s, httpClient(t), "demo"), "across a restart") {
		if time.Now().After(deadline) {
			t.Fatal("a comment the delay held is still held after a restart")
		}
		time.Sleep(50 * time.Millisecond) // polling for the release, bounded by the deadline
	}
}

// TestLiveToolsApplyOnEveryNode runs two servers on one database, as two
// nodes of a cluster: modes, a blocked term and a timeout set through one
// are enforced by the other within moderation.LiveTTL.
func TestLiveToolsApplyOnEveryNode(t *testing.T) {
	a := startServer(t)
	bCfg := a.cfg
	bCfg.Addr = "127.0.0.1:0"
	b := startWith(t, bCfg)
	if st, _, _ := sendVia(t, b, httpClient(t), "demo", "before the change"); st != http.StatusCreated { // node b reads the live state now
		t.Fatalf("a guest before the change: %d", st)
	}
	mods := newLiveMods(t, a)
	mods.setModes("demo", map[string]any{"signed_in_only": true})
	mods.do("POST", "/api/admin/terms", map[string]any{"term": "darn"}, nil)
	mods.do("POST", "/api/admin/actions", map[string]any{"kind": "timeout", "user_id": troll.ID, "duration": "1h", "reason": "cool off"}, nil)

	onB := clientAs(t, b, viewer1)
	trollOnB := clientAs(t, b, troll)
	deadline := time.Now().Add(waitFor)
	for {
		guest, _, _ := sendVia(t, b, httpClient(t), "demo", "a guest on node b")
		_, _, masked := sendVia(t, b, onB, "demo", "darn it")
		_, e, _ := sendVia(t, b, trollOnB, "demo", "let me in")
		if guest == http.StatusUnauthorized && masked.Text == "**** it" && e.Code == "timed_out" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("node b after %s: guest %d, term stored %q, timed out user %s", waitFor, guest, masked.Text, e.Code)
		}
		time.Sleep(100 * time.Millisecond) // polling for node b's next read, bounded by the deadline
	}
}
