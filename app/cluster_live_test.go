package app_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"testing"

	"github.com/danmaku/danmaku/app/auth"
	"github.com/danmaku/danmaku/app/store"
)

// liveFrame is the moderators' live frame, as much of it as these tests read.
type liveFrame struct {
	Modes []store.RoomModes `json:"modes"`
}

// waitLive reads mod's live frames until one shows room's modes as want
// says they are.
func waitLive(t *testing.T, mod *wsClient, room string, want func(store.RoomModes) bool) {
	t.Helper()
	for {
		var f liveFrame
		mod.modNext("live", &f)
		for _, m := range f.Modes {
			if m.Room == room && want(m) {
				return
			}
		}
	}
}

// TestClusterLiveModes: the live tools' slow mode and unique chat hold
// across nodes through Redis, each node's own memory standing in while
// Redis is down; a change of modes on node A reaches the moderators'
// pages on node B as a live frame.
func TestClusterLiveModes(t *testing.T) {
	cl := startCluster(t, 2)
	a, b := cl.nodes[0], cl.nodes[1]
	modB, _ := modSocket(t, b, mod1)
	mods := newLiveMods(t, a)
	viewer2 := auth.Identity{ID: "v2", Name: "Viewer 2", Roles: []string{auth.RoleViewer}}
	for _, room := range []string{"shared", "alone"} {
		createRoomAs(t, a, room)
		mods.setModes(room, map[string]any{"slow_seconds": 60, "unique_window": 5})
		// The live frame on B also tells that B dropped its cached modes.
		waitLive(t, modB, room, func(m store.RoomModes) bool { return m.SlowSeconds == 60 && m.UniqueWindow == 5 })
	}
	tests := []struct {
		name  string
		room  string
		down  bool
		setup func()
	}{
		{"through redis", "shared", false, func() {}},
		{"each node alone while redis is down", "alone", true, func() {
			cl.redis.Kill()
			for _, n := range cl.nodes {
				waitUntil(t, "the nodes to see redis down", func() bool { return readyzRedis(t, n) != "ok" })
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.setup()
			v1A, v1B, v2B := clientAs(t, a, viewer1), clientAs(t, b, viewer1), clientAs(t, b, viewer2)
			if st, e, _ := sendVia(t, a, v1A, tt.room, "first words"); st != http.StatusCreated {
				t.Fatalf("first comment on A: %d %s %s", st, e.Code, e.Message)
			}
			st, e, _ := sendVia(t, b, v1B, tt.room, "other words")
			switch {
			case !tt.down && (st != http.StatusTooManyRequests || e.Code != "slow_mode"):
				t.Errorf("the same user's second comment, on B: %d %s %q, want 429 slow_mode (the wait is the cluster's)", st, e.Code, e.Message)
			case tt.down && st != http.StatusCreated:
				t.Errorf("with redis down B refused %d %s: its own memory has seen nothing of this user", st, e.Code)
			}
			st, e, _ = sendVia(t, b, v2B, tt.room, "First words!")
			switch {
			case !tt.down && (st != http.StatusUnprocessableEntity || e.Code != "repeated"):
				t.Errorf("A's text again, on B: %d %s %q, want 422 repeated (the recent texts are the cluster's)", st, e.Code, e.Message)
			case tt.down && st != http.StatusCreated:
				t.Errorf("with redis down B refused A's text %d %s: its own memory has not seen it", st, e.Code)
			}
			if tt.down {
				// B's own memory still holds B's comments.
				if st, e, _ := sendVia(t, b, v1B, tt.room, "a third"); st != http.StatusTooManyRequests || e.Code != "slow_mode" {
					t.Errorf("a second comment on B with redis down: %d %s, want B's own slow mode", st, e.Code)
				}
			}
		})
	}
}

// TestClusterCatchUpAfterRedisOutage: what the bus would have carried
// while Redis was down reaches the other node once it is back: its
// moderators get a fresh snapshot with the comment held meanwhile, and it
// reloads the plugin file another node reloaded meanwhile.
func TestClusterCatchUpAfterRedisOutage(t *testing.T) {
	file := writeFile(t, "", `plugins: [{name: nospoilers, config: {words: [snape], window: 10m}}]`)
	cl := startCluster(t, 2, withPluginsFile(file))
	a, b := cl.nodes[0], cl.nodes[1]
	createRoomAs(t, a, "live")
	modB, _ := modSocket(t, b, mod1)
	hash := func(s *testServer) string {
		t.Helper()
		var st hostStats
		if code := call(t, clientAs(t, s, mod1), "GET", s.URL()+"/api/admin/plugins", nil, &st); code != http.StatusOK {
			t.Fatalf("plugin stats: %d", code)
		}
		return st.ConfigHash
	}
	before := hash(b)

	cl.redis.Kill()
	for _, n := range cl.nodes {
		waitUntil(t, "the nodes to see redis down", func() bool { return readyzRedis(t, n) != "ok" })
	}
	if st, e, _ := sendVia(t, a, clientAs(t, a, viewer1), "live", "snape did it"); st != http.StatusAccepted || e.Code != "held" {
		t.Fatalf("a spoiler on A: %d %s, want 202 held", st, e.Code)
	}
	writeFile(t, file, `plugins: [{name: nospoilers, config: {words: [snape, dumbledore], window: 10m}}]`)
	if st := call(t, clientAs(t, a, mod1), "POST", a.URL()+"/api/admin/plugins/reload", nil, nil); st != http.StatusOK {
		t.Fatalf("reload on A: %d", st)
	}
	if hash(a) == before || hash(b) != before {
		t.Fatalf("hashes after A's reload: A %s, B %s, before %s: want only A's changed", hash(a), hash(b), before)
	}

	cl.redis.Restart()
	t.Run("B's moderators get a snapshot with A's held comment", func(t *testing.T) {
		for {
			f := modB.nextSkipping("snapshot", "stats", "bans", "comments", "live")
			var snap modSnapshot
			if err := json.Unmarshal(f.Raw, &snap); err != nil {
				t.Fatal(err)
			}
			if slices.ContainsFunc(snap.Held, func(m modComment) bool { return m.Text == "snape did it" }) {
				return
			}
		}
	})
	t.Run("B reloads the file A reloaded", func(t *testing.T) {
		waitUntil(t, "node B to run A's plugin chains", func() bool { return hash(b) == hash(a) })
		if st, e, _ := sendVia(t, b, clientAs(t, b, viewer1), "live", "dumbledore dies"); st != http.StatusAccepted || e.Code != "held" {
			t.Errorf("the new word on B: %d %s, want 202 held", st, e.Code)
		}
	})
}
