package app_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

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
