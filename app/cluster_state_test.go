package app_test

import (
	"bytes"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/danmaku/danmaku/app/auth"
	"github.com/danmaku/danmaku/app/protocol"
	"github.com/danmaku/danmaku/app/store"
)

// TestClusterState checks what the nodes share besides comments: viewer
// counts, likes, retractions, bans and the moderators' feed.
func TestClusterState(t *testing.T) {
	cl := startCluster(t, 3, withPlugins(t, `plugins: [blocklist, {name: nospoilers, config: {words: [snape], window: 10m}}]`))
	a, b, c := cl.nodes[0], cl.nodes[1], cl.nodes[2]
	createRoom(t, a, "live", "live")
	va, vb := dial(t, a, "?room=live"), dial(t, b, "?room=live")
	va.next(protocol.TypeWelcome)
	vb.next(protocol.TypeWelcome)

	t.Run("presence totals", func(t *testing.T) {
		use(t, va, vb)
		waitUntil(t, "node A to count B's viewer", func() bool { return viewersOf(t, a, "live") == 2 })
		vc := dial(t, c, "?room=live")
		if w := vc.next(protocol.TypeWelcome); w.Viewers != 3 {
			t.Errorf("welcome on node C counts %d viewers, want 3 (one per node)", w.Viewers)
		}
		// The others hear of C's viewer in a presence frame.
		for _, v := range []*wsClient{va, vb} {
			for v.nextSkipping(protocol.TypePresence, protocol.TypeLikes, protocol.TypeWeights).Viewers != 3 {
			}
		}
		vc.conn.Close()
		waitUntil(t, "node A to drop C's viewer", func() bool { return viewersOf(t, a, "live") == 2 })
	})

	vc := dial(t, c, "?room=live")
	vc.next(protocol.TypeWelcome)
	ack := va.comment("1", "hello")
	if !ack.OK {
		t.Fatalf("comment on A: %+v", ack.Error)
	}
	id := ack.Comment.ID
	for _, v := range []*wsClient{vb, vc} {
		v.comments(1)
	}

	t.Run("a like on A reaches C", func(t *testing.T) {
		use(t, va, vb, vc)
		va.send(map[string]any{"type": "like", "ref": "l", "comment_id": id})
		for {
			f := vc.nextSkipping(protocol.TypeLikes, protocol.TypePresence, protocol.TypeWeights)
			if f.Comments[strconv.FormatInt(id, 10)] == 1 {
				return
			}
		}
	})

	t.Run("a delete on A is retracted on B and C", func(t *testing.T) {
		use(t, va, vb, vc)
		if st, _ := decide(t, a, clientAs(t, a, mod1), "delete", id); st != http.StatusOK {
			t.Fatalf("delete: %d", st)
		}
		for name, v := range map[string]*wsClient{"B": vb, "C": vc} {
			if r := v.next(protocol.TypeRetract); len(r.IDs) != 1 || r.IDs[0] != id {
				t.Errorf("node %s got retract %+v, want comment %d", name, r, id)
			}
		}
	})

	t.Run("a held comment from B reaches the moderators on A", func(t *testing.T) {
		feed, _ := modSocket(t, a, mod1)
		sender := dial(t, b, "?room=live")
		sender.next(protocol.TypeWelcome)
		if ack := sender.comment("h", "snape did it"); ack.OK || ack.Error == nil || ack.Error.Code != "held" {
			t.Fatalf("ack %+v, want held", ack)
		}
		got := feed.feedUntil(func(m modComment) bool { return m.Text == "snape did it" })
		if got.Status != "held" {
			t.Errorf("feed on A shows %+v, want it held", got)
		}
	})

	t.Run("a ban on A is enforced on B", func(t *testing.T) {
		trollJar := jarAs(t, b, troll)
		tb := dial(t, b, "?room=live", dialOpts{jar: trollJar})
		tb.next(protocol.TypeWelcome)
		var res struct{ Ban ban }
		if st := call(t, clientAs(t, a, mod1), "POST", a.URL()+"/api/admin/bans", map[string]any{
			"user_id": troll.ID, "room": "live", "reason": "spam",
		}, &res); st != http.StatusCreated {
			t.Fatalf("ban: %d", st)
		}
		// The troll's socket on B closes, and B refuses the troll anew.
		wantBanned(t, tb, "live", "spam")
		wantBanned(t, dial(t, b, "?room=live", dialOpts{jar: trollJar}), "live", "spam")
	})
}

// waitUntil polls ok (a REST read, say) until it holds.
func waitUntil(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitFor)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// use makes clients report their failures to t (a subtest's).
func use(t *testing.T, clients ...*wsClient) {
	for _, c := range clients {
		c.t = t
	}
}

// TestClusterRateLimits: a user's rate limit holds across nodes through
// Redis, and each node's own limit stands in while Redis is down.
func TestClusterRateLimits(t *testing.T) {
	cl := startCluster(t, 2, withPlugins(t, `plugins: [{name: ratelimit, config: {per_user: 2/1m, per_ip: "off"}}]`))
	a, b := cl.nodes[0], cl.nodes[1]
	createRoom(t, a, "live", "live")
	send := func(s *testServer, user auth.Identity, text string) frame {
		t.Helper()
		c := dial(t, s, "?room=live", dialOpts{jar: jarAs(t, s, user)})
		c.next(protocol.TypeWelcome)
		return c.comment("r", text)
	}
	alice := auth.Identity{ID: "alice", Name: "Alice", Roles: []string{auth.RoleViewer}}
	bob := auth.Identity{ID: "bob", Name: "Bob", Roles: []string{auth.RoleViewer}}
	tests := []struct {
		name  string
		user  auth.Identity
		setup func()
	}{
		{"through redis", alice, func() {}},
		{"each node alone while redis is down", bob, func() {
			cl.redis.Kill()
			waitUntil(t, "node B to see redis down", func() bool { return readyzRedis(t, b) != "ok" })
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.setup()
			for i, s := range []*testServer{a, a} {
				if ack := send(s, tt.user, fmt.Sprint("ok ", i)); !ack.OK {
					t.Fatalf("comment %d refused: %+v", i, ack.Error)
				}
			}
			ack := send(b, tt.user, "one too many")
			down := tt.user.ID == "bob"
			switch {
			case !down && (ack.OK || ack.Error.Code != "rejected" || !strings.Contains(ack.Error.Message, "too fast")):
				t.Errorf("third comment on node B: %+v %+v, want rejected as too fast (the limit is the cluster's)", ack, ack.Error)
			case down && !ack.OK:
				t.Errorf("with redis down node B refused %+v: its own limit has seen nothing of this user", ack.Error)
			}
			if down {
				if ack := send(b, tt.user, "B's second"); !ack.OK {
					t.Errorf("node B refused its second: %+v", ack.Error)
				}
				if ack := send(b, tt.user, "over B's own"); ack.OK {
					t.Error("node B's own limit let a third comment through")
				}
			}
		})
	}
}

// readyzRedis returns /readyz's redis check on s.
func readyzRedis(t *testing.T, s *testServer) string {
	t.Helper()
	_, h := readyz(t, s)
	return h.Checks["redis"]
}

// TestClusterBanDuringRedisOutage: a ban made while Redis is down reaches
// the other nodes once it is back (they read the ban list again).
func TestClusterBanDuringRedisOutage(t *testing.T) {
	cl := startCluster(t, 2, withPlugins(t, `plugins: [blocklist]`))
	a, b := cl.nodes[0], cl.nodes[1]
	createRoom(t, a, "live", "live")
	cl.redis.Kill()
	for _, n := range cl.nodes {
		waitUntil(t, "the nodes to see redis down", func() bool { return readyzRedis(t, n) != "ok" })
	}
	if st := call(t, clientAs(t, a, mod1), "POST", a.URL()+"/api/admin/bans", map[string]any{
		"user_id": troll.ID, "room": "live", "reason": "spam",
	}, nil); st != http.StatusCreated {
		t.Fatalf("ban: %d", st)
	}
	cl.redis.Restart()
	waitUntil(t, "node B to see redis back", func() bool { return readyzRedis(t, b) == "ok" })
	trollJar := jarAs(t, b, troll)
	waitUntil(t, "node B to refuse the troll", func() bool {
		c := dial(t, b, "?room=live", dialOpts{jar: trollJar})
		defer c.conn.Close()
		select {
		case f := <-c.frames: // the first frame: welcome, or banned
			return f.Type == protocol.TypeBanned
		case <-time.After(waitFor):
			t.Fatal("no first frame")
			return false
		}
	})
}

// TestClusterImportsAreNotLive imports into a room with viewers on two
// nodes: neither node pushes the imported comments, and the next live
// comment comes right after them.
func TestClusterImportsAreNotLive(t *testing.T) {
	cl := startCluster(t, 2)
	a, b := cl.nodes[0], cl.nodes[1]
	createRoom(t, a, "r", "vod")
	va, vb := dial(t, a, "?room=r"), dial(t, b, "?room=r")
	va.next(protocol.TypeWelcome)
	vb.next(protocol.TypeWelcome)
	const n = 2*store.ImportChunk + 10
	var file bytes.Buffer
	if err := bigXML(n, "")(&file); err != nil {
		t.Fatal(err)
	}
	if status, rep, e := importAs(t, a, clientAs(t, a, mod1), "r", nil, file.Bytes()); status != http.StatusOK || rep.Imported != n {
		t.Fatalf("import: status %d, %+v %+v", status, rep, e.Error)
	}
	if ack := va.comment("live", "after the import"); !ack.OK || ack.Comment.Seq != n+1 {
		t.Fatalf("live comment: %+v %+v, want seq %d", ack, ack.Error, n+1)
	}
	for name, v := range map[string]*wsClient{"A": va, "B": vb} {
		use(t, v)
		if got := v.comments(1); got[0].Seq != n+1 {
			t.Errorf("node %s pushed seq %d, want only the live comment %d", name, got[0].Seq, n+1)
		}
	}
}
