package app_test

import (
	"context"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/danmaku/danmaku/app"
	"github.com/danmaku/danmaku/app/protocol"
	"github.com/danmaku/danmaku/plugins/wasm/wasmtest"
)

// TestMain removes the WebAssembly modules the tests built.
// shoutModules are the two shout examples, built with the real toolchains.
var shoutModules = []struct {
	name  string
	build func(testing.TB) string
}{
	{"go", func(t testing.TB) string { return wasmtest.BuildGo(t, wasmtest.Path("examples/shout")) }},
	{"assemblyscript", func(t testing.TB) string {
		return wasmtest.BuildAssemblyScript(t, wasmtest.Path("examples/shout-as"))
	}},
}

// copyModule copies the module at src to dst (atomically, as an operator's
// deploy would), next to the plugin config that names it.
func copyModule(t *testing.T, src, dst string) {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	tmp := dst + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, dst); err != nil {
		t.Fatal(err)
	}
}

// shoutServer starts a server whose plugin file names shout.wasm, a copy
// of module next to it, by a relative path. It returns the module's path.
func shoutServer(t *testing.T, module string) (*testServer, string) {
	t.Helper()
	dir := t.TempDir()
	dst := filepath.Join(dir, "shout.wasm")
	copyModule(t, module, dst)
	file := writeFile(t, filepath.Join(dir, "plugins.yaml"), `
plugins:
  - name: wasm
    timeout: 1s # generous: a cold instance under -race
    on_error: reject
    config:
      module: ./shout.wasm
      memory: 16MiB
`)
	return startServer(t, withPluginsFile(file)), dst
}

func TestWasmShoutOverASocket(t *testing.T) {
	for _, m := range shoutModules {
		t.Run(m.name, func(t *testing.T) {
			s, _ := shoutServer(t, m.build(t))
			sender, viewer := pair(t, s, "demo")
			ack := sender.comment("1", "PLEASE STOP THE VIDEO")
			if ack.OK || ack.Error == nil || ack.Error.Code != "rejected" || ack.Error.Message != "please don't shout" {
				t.Fatalf("shouting: ack %+v %+v, want rejected with please don't shout", ack, ack.Error)
			}
			ack = sender.comment("2", "please stop the video")
			if !ack.OK {
				t.Fatalf("quiet comment: %+v", ack.Error)
			}
			if got := viewer.comments(1)[0]; got.ID != ack.Comment.ID || got.Text != "please stop the video" {
				t.Fatalf("viewer got %+v, want only the quiet comment", got)
			}
		})
	}
}

// TestWasmHotReloadKeepsEverySocket rebuilds the Go example with another
// min_length, copies it over the module file and reloads: the new module
// takes effect, a broken module is refused, and no socket drops.
func TestWasmHotReloadKeepsEverySocket(t *testing.T) {
	s, dst := shoutServer(t, shoutModules[0].build(t))
	createRoom(t, s, "other", "live")
	mod := clientAs(t, s, mod1)
	sender, viewer := pair(t, s, "demo")
	other := dial(t, s, "?room=other")
	other.next(protocol.TypeWelcome)
	feed, _ := modSocket(t, s, mod1)

	comment := func(ref, text string) frame {
		t.Helper()
		sender.send(map[string]any{"type": "comment", "ref": ref, "text": text})
		return sender.ack()
	}
	if ack := comment("1", "OMG WOW"); !ack.OK { // 7 runes: not over the default 8
		t.Fatalf("before reload: %+v", ack.Error)
	}
	// A reload compiles the new module, which takes seconds under -race.
	reloader := &http.Client{Jar: mod.Jar, Timeout: 3 * time.Minute}
	reload := func() (int, apiError) {
		t.Helper()
		var e apiError
		return call(t, reloader, "POST", s.URL()+"/api/admin/plugins/reload", nil, &e), e
	}

	copyModule(t, wasmtest.BuildGoEdited(t, wasmtest.Path("examples/shout"), "var minLength = 8", "var minLength = 3"), dst)
	if status, e := reload(); status != http.StatusOK {
		t.Fatalf("reload: %d %+v", status, e.Error)
	}
	if ack := comment("2", "OMG WOW"); ack.OK || ack.Error.Message != "please don't shout" {
		t.Fatalf("after the rebuilt module: %+v %+v, want please don't shout", ack, ack.Error)
	}

	// A broken module keeps the running chain and says why.
	if err := os.WriteFile(dst, []byte("\x00asm garbage"), 0o600); err != nil {
		t.Fatal(err)
	}
	if status, e := reload(); status != http.StatusUnprocessableEntity || !strings.Contains(e.Error.Message, "plugins[0] wasm: module ./shout.wasm: compile:") {
		t.Fatalf("broken module: %d %+v, want 422 naming the module", status, e.Error)
	}
	if ack := comment("3", "OMG WOW"); ack.OK || ack.Error.Message != "please don't shout" {
		t.Fatalf("after the refused reload: %+v, want the rebuilt module still running", ack)
	}

	// Nobody was dropped.
	last := comment("4", "still here")
	if !last.OK {
		t.Fatalf("last comment: %+v", last.Error)
	}
	for seen := false; !seen; {
		for _, c := range viewer.next(protocol.TypeComments).Items {
			seen = seen || c.ID == last.Comment.ID
		}
	}
	for name, c := range map[string]*wsClient{"sender": sender, "viewer": viewer, "other room": other} {
		select {
		case <-c.closed:
			t.Errorf("the %s was disconnected", name)
		default:
		}
	}
	other.send(map[string]any{"type": "ping", "ref": "p"})
	if f := other.next(protocol.TypePong); f.Ref != "p" {
		t.Errorf("other room: %+v", f)
	}
	feed.send(map[string]any{"type": "ping", "ref": "p"})
	if f := feed.modNextPong(); f.Ref != "p" {
		t.Errorf("moderator socket: %+v", f)
	}
}

// breakerStats are the plugin counters this file looks at.
type breakerStats struct {
	Rooms map[string]struct {
		Plugins []struct {
			Name         string `json:"name"`
			Calls        uint64 `json:"calls"`
			Errors       uint64 `json:"errors"`
			Timeouts     uint64 `json:"timeouts"`
			Skipped      uint64 `json:"skipped"`
			Breaker      string `json:"breaker"`
			BreakerOpens uint64 `json:"breaker_opens"`
		} `json:"plugins"`
	} `json:"rooms"`
}

// markerHandler closes seen when a log record's message is marker, and
// passes every record on.
type markerHandler struct {
	slog.Handler
	marker string
	seen   chan struct{}
}

func (h markerHandler) Handle(ctx context.Context, r slog.Record) error {
	if r.Message == h.marker {
		select {
		case <-h.seen:
		default:
			close(h.seen)
		}
	}
	return h.Handler.Handle(ctx, r)
}

// WithAttrs keeps the marker on derived loggers (the plugins' has a component).
func (h markerHandler) WithAttrs(as []slog.Attr) slog.Handler {
	h.Handler = h.Handler.WithAttrs(as)
	return h
}

// WithGroup keeps the marker on derived loggers.
func (h markerHandler) WithGroup(name string) slog.Handler {
	h.Handler = h.Handler.WithGroup(name)
	return h
}

// TestHostileWasmModulesCannotHurtTheServer runs a room per misbehaving
// module, each failing closed behind a breaker that opens after two
// failures, while a plain room goes on.
func TestHostileWasmModulesCannotHurtTheServer(t *testing.T) {
	module := wasmtest.BuildGo(t, wasmtest.Path("testdata/tester"))
	looping := make(chan struct{})
	var yaml strings.Builder
	yaml.WriteString("plugins: []\nrooms:\n")
	modes := []string{"loop", "grow", "recurse", "panic", "trap", "garbage", "badpointer"}
	for _, mode := range modes {
		timeout := "5s" // a bound for the slow; the loop waits it out once
		yaml.WriteString("  " + mode + ": {plugins: [{name: wasm, timeout: " + timeout + ", on_error: reject, breaker: {failures: 2, window: 1m, cooldown: 1m}, config: {module: " + module + ", settings: {mode: " + mode + "}}}]}\n")
	}
	s := startServer(t, withPlugins(t, yaml.String()), func(c *app.Config) {
		c.Logger = slog.New(markerHandler{Handler: c.Logger.Handler(), marker: "tester: looping", seen: looping})
	})
	for _, mode := range modes {
		createRoom(t, s, mode, "live")
	}
	mod := clientAs(t, s, mod1)
	plainSender, plainViewer := pair(t, s, "demo")
	n := 0
	plainComment := func(t *testing.T) {
		t.Helper()
		n++
		plainSender.send(map[string]any{"type": "comment", "ref": "p", "text": "plain room, comment " + string(rune('a'+n))})
		ack := plainSender.ack()
		if !ack.OK {
			t.Fatalf("plain room: %+v", ack.Error)
		}
		if got := plainViewer.comments(1)[0]; got.ID != ack.Comment.ID {
			t.Fatalf("plain room viewer got %+v", got)
		}
	}

	for _, mode := range modes {
		t.Run(mode, func(t *testing.T) {
			sender, _ := pair(t, s, mode)
			rejectedClosed := func(ack frame, i int) {
				t.Helper()
				if ack.OK || ack.Error == nil || ack.Error.Code != "rejected" || !strings.Contains(ack.Error.Message, "could not be checked") {
					t.Fatalf("comment %d: %+v %+v, want rejected under on_error reject", i, ack, ack.Error)
				}
			}
			if mode == "loop" {
				// While the module spins, another room is served at once.
				sender.send(map[string]any{"type": "comment", "ref": "0", "text": "spin", "time": 1})
				select {
				case <-looping:
				case <-time.After(waitFor):
					t.Fatal("the module never said it was looping")
				}
				plainComment(t)
				select {
				case f := <-sender.frames:
					if f.Type == protocol.TypeAck {
						t.Fatalf("the looping comment was answered before the other room's: %+v", f)
					}
				default:
				}
				rejectedClosed(sender.ack(), 0)
			} else {
				rejectedClosed(sender.comment("0", "hi"), 0)
			}
			for i := 1; i < 4; i++ {
				rejectedClosed(sender.comment("x", "hi"), i)
			}
			plainComment(t)
			var st breakerStats
			call(t, mod, "GET", s.URL()+"/api/admin/plugins", nil, &st)
			p := st.Rooms[mode].Plugins[0]
			if p.Breaker != "open" || p.BreakerOpens != 1 || p.Skipped != 2 || p.Errors+p.Timeouts != 2 {
				t.Errorf("stats %+v: want the breaker open after 2 failures, 2 comments skipped", p)
			}
		})
	}
	if status := call(t, httpClient(t), "GET", s.URL()+"/healthz", nil, nil); status != http.StatusOK {
		t.Errorf("health after the hostile modules: %d", status)
	}
}
