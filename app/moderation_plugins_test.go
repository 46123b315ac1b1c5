package app_test

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/danmaku/danmaku/app"
	"github.com/danmaku/danmaku/app/errs"
	"github.com/danmaku/danmaku/app/protocol"
)

func TestTimeoutsAndPanicsFollowOnError(t *testing.T) {
	tp := newTestPlugins(t)
	s := startServer(t, withPlugins(t, `
plugins: []
rooms:
  hang-closed: {plugins: [{name: hang, timeout: 50ms, on_error: reject}]}
  hang-open:   {plugins: [{name: hang, timeout: 50ms, on_error: allow}]}
  boom-closed: {plugins: [{name: boom, on_error: reject}]}
  boom-open:   {plugins: [{name: boom, on_error: allow}]}
`), func(c *app.Config) { c.PluginRegistry = tp.reg })
	for _, room := range []string{"hang-closed", "hang-open", "boom-closed", "boom-open", "plain"} {
		createRoom(t, s, room, "live")
	}
	mod := clientAs(t, s, mod1)

	for _, tc := range []struct {
		room             string
		delivered        bool
		timeouts, panics uint64
	}{
		{"hang-closed", false, 1, 0},
		{"hang-open", true, 1, 0},
		{"boom-closed", false, 0, 1},
		{"boom-open", true, 0, 1},
	} {
		t.Run(tc.room, func(t *testing.T) {
			sender, viewer := pair(t, s, tc.room)
			viewer.join("plain")

			ack := sender.comment("c", "is anyone checking?")
			if tc.delivered {
				if !ack.OK {
					t.Fatalf("on_error allow: ack %+v, want ok", ack.Error)
				}
				if got := viewer.comments(1)[0]; got.ID != ack.Comment.ID {
					t.Fatalf("viewer got %+v", got)
				}
			} else {
				if ack.OK || ack.Error.Code != "rejected" || !strings.Contains(ack.Error.Message, "could not be checked") {
					t.Fatalf("on_error reject: ack %+v %+v, want rejected, could not be checked", ack, ack.Error)
				}
				marker := dial(t, s, "?room=plain")
				marker.next(protocol.TypeWelcome)
				m := marker.comment("m", "marker")
				if got := viewer.comments(1)[0]; got.ID != m.Comment.ID {
					t.Fatalf("viewer got %q, want nothing before the marker", got.Text)
				}
			}
			var st pluginStats
			call(t, mod, "GET", s.URL()+"/api/admin/plugins", nil, &st)
			p := st.Rooms[tc.room].Plugins[0]
			if p.Calls != 1 || p.Timeouts != tc.timeouts || p.Panics != tc.panics {
				t.Errorf("counters %+v, want 1 call, %d timeouts, %d panics", p, tc.timeouts, tc.panics)
			}
		})
	}
}

func TestSlowPluginStallsNoOtherRoom(t *testing.T) {
	tp := newTestPlugins(t)
	s := startServer(t, withPlugins(t, `
plugins: []
rooms:
  slow: {plugins: [{name: gate, timeout: 10s, on_error: reject}]}
`), func(c *app.Config) { c.PluginRegistry = tp.reg })
	createRoom(t, s, "slow", "live")
	slowSender, slowViewer := pair(t, s, "slow")
	fastSender, fastViewer := pair(t, s, "demo")

	slowSender.send(map[string]any{"type": "comment", "ref": "s", "text": "waiting at the gate"})
	if got := <-tp.entered; got != "waiting at the gate" {
		t.Fatalf("gate saw %q", got)
	}
	// The gate holds that comment; another room goes on as if nothing happened.
	ack := fastSender.comment("f", "meanwhile")
	if !ack.OK {
		t.Fatalf("comment in another room: %+v", ack.Error)
	}
	if got := fastViewer.comments(1)[0]; got.ID != ack.Comment.ID {
		t.Fatalf("other room's viewer got %+v", got)
	}
	for drained := false; !drained; {
		select {
		case f := <-slowSender.frames:
			if f.Type != protocol.TypePresence {
				t.Fatalf("the gated sender got a %s frame while its comment waits at the gate", f.Type)
			}
		default:
			drained = true
		}
	}
	tp.open()
	slow := slowSender.ack()
	if !slow.OK {
		t.Fatalf("gated comment after the gate opened: %+v", slow.Error)
	}
	if got := slowViewer.comments(1)[0]; got.ID != slow.Comment.ID {
		t.Fatalf("slow room's viewer got %+v", got)
	}
}

func TestReloadKeepsEveryConnectionAndABadReloadKeepsTheChain(t *testing.T) {
	file := writeFile(t, "", `plugins: [{name: wordfilter, config: {words: [alpha], action: mask}}]`)
	s := startServer(t, withPluginsFile(file))
	createRoom(t, s, "other", "live")
	mod := clientAs(t, s, mod1)
	var viewers []*wsClient
	for _, q := range []string{"?room=demo", "?room=demo", "?room=other"} {
		c := dial(t, s, q)
		c.next(protocol.TypeWelcome)
		viewers = append(viewers, c)
	}
	feed, _ := modSocket(t, s, mod1)
	sender := viewers[0]
	sendAck := func(ref, text string) frame {
		t.Helper()
		sender.send(map[string]any{"type": "comment", "ref": ref, "text": text})
		return sender.ack()
	}
	if ack := sendAck("1", "alpha"); !ack.OK || ack.Comment.Text != "*****" {
		t.Fatalf("before reload: %+v", ack)
	}

	writeFile(t, file, `plugins: [{name: wordfilter, config: {words: [beta], action: reject}}]`)
	var st pluginStats
	if status := call(t, mod, "POST", s.URL()+"/api/admin/plugins/reload", nil, &st); status != http.StatusOK || len(st.Default.Plugins) != 1 {
		t.Fatalf("reload: status %d, %+v", status, st)
	}
	if ack := sendAck("2", "beta"); ack.OK || ack.Error.Code != "rejected" {
		t.Fatalf("after reload, beta: %+v", ack)
	}
	if ack := sendAck("3", "alpha"); !ack.OK || ack.Comment.Text != "alpha" {
		t.Fatalf("after reload, alpha: %+v", ack)
	}

	for _, tc := range []struct {
		name, config, want string
	}{
		{"bad field", `plugins: [{name: wordfilter, config: {action: zap}}]`, `plugins[0] wordfilter: config.action: must be mask or reject`},
		{"unknown plugin", `plugins: [{name: wordfiltr}]`, `plugins[0]: unknown plugin "wordfiltr"`},
		{"not yaml", "plugins: [", "plugins: "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			writeFile(t, file, tc.config)
			var e apiError
			status := call(t, mod, "POST", s.URL()+"/api/admin/plugins/reload", nil, &e)
			if status != http.StatusUnprocessableEntity || e.Error.Code != "invalid" || !strings.Contains(e.Error.Message, tc.want) || strings.Contains(e.Error.Message, "\n") {
				t.Fatalf("bad reload: status %d, %+v; want 422 naming %q on one line", status, e.Error, tc.want)
			}
			if err := s.ReloadPlugins(context.Background()); errs.CodeOf(err) != errs.Invalid {
				t.Fatalf("ReloadPlugins: %v, want an invalid error", err)
			}
			if ack := sendAck("b", "beta"); ack.OK {
				t.Fatal("a bad reload replaced the running chain: beta passed")
			}
		})
	}

	// Nobody was dropped: every socket is open and hears a new comment.
	last := sendAck("z", "still here")
	for i, c := range viewers[:2] {
		for {
			if got := c.next(protocol.TypeComments).Items; got[len(got)-1].ID == last.Comment.ID {
				break
			}
		}
		select {
		case <-c.closed:
			t.Errorf("viewer %d was disconnected", i)
		default:
		}
	}
	viewers[2].send(map[string]any{"type": "ping", "ref": "p"})
	if f := viewers[2].next(protocol.TypePong); f.Ref != "p" {
		t.Errorf("viewer in the other room: %+v", f)
	}
	feed.send(map[string]any{"type": "ping", "ref": "p"})
	if f := feed.modNextPong(); f.Ref != "p" {
		t.Errorf("moderator socket: %+v", f)
	}
}

// modNextPong reads the moderator socket's next pong.
func (c *wsClient) modNextPong() frame {
	c.t.Helper()
	return c.nextSkipping(protocol.TypePong, "stats", "bans", "comments")
}

func TestBadPluginConfigStopsStartUp(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name, config, want string
	}{
		{"bad field", `plugins: [{name: wordfilter, config: {action: zap}}]`, `plugins[0] wordfilter: config.action: must be mask or reject, got "zap"`},
		{"two errors", "plugins:\n  - {name: wordfilter, config: {action: zap}}\n  - {name: ratelimit, config: {per_user: fast}}", `plugins[1] ratelimit: config.per_user: "fast" is not a rate`},
		{"unknown key", `plugins: [{name: links, config: {allw: [x]}}]`, `plugins[0] links: config.allw: unknown field`},
		{"bad on_error", `plugins: [{name: links, on_error: maybe}]`, `on_error: must be allow or reject`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := testConfig(t, dir)
			cfg.Plugins, cfg.PluginsFile = nil, writeFile(t, filepath.Join(dir, "p.yaml"), tc.config)
			a, err := app.New(context.Background(), cfg)
			if err == nil {
				a.Shutdown(context.Background())
				t.Fatal("the server started with a bad plugin config")
			}
			if msg := err.Error(); !strings.Contains(msg, tc.want) || strings.Contains(msg, "\n") {
				t.Fatalf("error %q, want one line naming %q", msg, tc.want)
			}
		})
	}
	t.Run("missing file", func(t *testing.T) {
		cfg := testConfig(t, dir)
		cfg.Plugins, cfg.PluginsFile = nil, filepath.Join(dir, "nope.yaml")
		if _, err := app.New(context.Background(), cfg); err == nil || !strings.Contains(err.Error(), "nope.yaml") {
			t.Fatalf("error %v, want one naming the file", err)
		}
	})
	if _, err := os.Stat(filepath.Join(dir, "danmaku.db")); err == nil {
		t.Error("a refused start-up still created the database")
	}
}

func TestTheDefaultChainRunsWithoutAConfig(t *testing.T) {
	s := startServer(t, func(c *app.Config) { c.Plugins = nil })
	var st pluginStats
	if status := call(t, clientAs(t, s, mod1), "GET", s.URL()+"/api/admin/plugins", nil, &st); status != http.StatusOK {
		t.Fatalf("status %d", status)
	}
	var names []string
	for _, p := range st.Default.Plugins {
		names = append(names, p.Name)
	}
	if got := strings.Join(names, " "); got != "blocklist sanitize ratelimit flood links wordfilter" {
		t.Fatalf("default chain %q", got)
	}
	c := dial(t, s, "?room=demo")
	c.next(protocol.TypeWelcome)
	if ack := c.comment("l", "加我 spam.com"); ack.OK || !strings.Contains(ack.Error.Message, "links") {
		t.Fatalf("a link under the default chain: %+v", ack.Error)
	}
}
