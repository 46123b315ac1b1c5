package app_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/danmaku/danmaku/app"
	"github.com/danmaku/danmaku/app/protocol"
	"github.com/danmaku/danmaku/plugins"
)

// sleepy says it never blocks, then sleeps on every comment until the
// test wakes it and its deadline has passed (so it surely overran): the
// plugin of issue 15 that held its sender's frames and pings.
type sleepy struct{ tp *testPlugins }

func (s sleepy) NonBlocking() bool { return true }

func (s sleepy) Moderate(ctx context.Context, c plugins.Comment) (plugins.Verdict, error) {
	s.tp.entered <- c.Text
	<-s.tp.release
	<-ctx.Done()
	return plugins.Allow(), nil
}

// hostStats are the plugin host's counters in /api/admin/plugins.
type hostStats struct {
	Default struct {
		Plugins []struct {
			Name    string            `json:"name"`
			Demoted bool              `json:"demoted"`
			Mode    string            `json:"mode"`
			DryRun  map[string]uint64 `json:"dry_run"`
		} `json:"plugins"`
	} `json:"default"`
	ConfigHash string `json:"config_hash"`
}

// TestASleepingPluginHoldsNoFrames: while a NonBlocking plugin sleeps on a
// comment, its sender's pings are answered, other sockets go on, the
// comments piling up behind it are bounded with a clear error, and the
// plugin is moved to the worker path once it returns.
func TestASleepingPluginHoldsNoFrames(t *testing.T) {
	tp := newTestPlugins(t)
	tp.entered = make(chan string, 64)
	tp.reg.Register("sleepy", func() plugins.Moderator { return sleepy{tp} })
	s := startServer(t, withPlugins(t, `plugins: [{name: sleepy, timeout: 50ms}]`), func(c *app.Config) { c.PluginRegistry = tp.reg })
	sender := dial(t, s, "?room=demo")
	sender.next(protocol.TypeWelcome)
	other := dial(t, s, "?room=demo")
	other.next(protocol.TypeWelcome)

	sender.send(map[string]any{"type": "comment", "ref": "c0", "text": "zzz"})
	if got := <-tp.entered; got != "zzz" {
		t.Fatalf("the plugin saw %q", got)
	}
	// The plugin sleeps on c0 now.
	sender.send(map[string]any{"type": "ping", "ref": "p1"})
	if f := sender.next(protocol.TypePong); f.Ref != "p1" {
		t.Fatalf("pong %+v", f)
	}
	other.send(map[string]any{"type": "ping", "ref": "p2"})
	if f := other.next(protocol.TypePong); f.Ref != "p2" {
		t.Fatalf("other socket's pong %+v", f)
	}
	if status := call(t, httpClient(t), "GET", s.URL()+"/api/rooms", nil, nil); status != http.StatusOK {
		t.Fatalf("REST while the plugin sleeps: %d", status)
	}
	// c0 is in flight; seven more fit behind it, the next is refused at once.
	for i := 1; i <= 8; i++ {
		sender.send(map[string]any{"type": "comment", "ref": "c" + string(rune('0'+i)), "text": "more"})
	}
	refused := sender.ack()
	if refused.Ref != "c8" || refused.OK || refused.Error.Code != "rate_limited" || !strings.Contains(refused.Error.Message, "too many comments waiting") {
		t.Fatalf("the comment past the bound: %+v %+v, want a rate_limited ack for c8", refused, refused.Error)
	}
	sender.send(map[string]any{"type": "ping", "ref": "p3"})
	if f := sender.nextSkipping(protocol.TypePong, protocol.TypePresence); f.Ref != "p3" {
		t.Fatalf("pong %+v", f)
	}

	tp.open() // the plugin wakes up
	for i := 0; i < 8; i++ {
		ack := sender.ack()
		if want := "c" + string(rune('0'+i)); ack.Ref != want || !ack.OK {
			t.Fatalf("ack %d: %+v %+v, want ok for %s, in order", i, ack, ack.Error, want)
		}
	}
	var st hostStats
	call(t, clientAs(t, s, mod1), "GET", s.URL()+"/api/admin/plugins", nil, &st)
	if p := st.Default.Plugins[0]; !p.Demoted {
		t.Errorf("after overrunning its timeout the plugin is not demoted: %+v", p)
	}
}

// TestReloadKeepsSlowMode: a user in slow mode is still limited after a
// reload that leaves the entry unchanged; a changed entry's new setting
// applies. Metrics count the reloads and name the config running.
func TestReloadKeepsSlowMode(t *testing.T) {
	const limited = `plugins: [{name: ratelimit, config: {slow_mode: 1h}}]`
	file := writeFile(t, "", limited)
	s := startServer(t, withPluginsFile(file))
	sender := dialAs(t, s, "?room=demo", viewer1)
	sender.next(protocol.TypeWelcome)
	if ack := sender.comment("1", "first"); !ack.OK {
		t.Fatalf("first comment: %+v", ack.Error)
	}
	hash := func() string {
		t.Helper()
		var st hostStats
		call(t, clientAs(t, s, mod1), "GET", s.URL()+"/api/admin/plugins", nil, &st)
		return st.ConfigHash
	}
	before := hash()
	steps := []struct {
		name, config string
		ok           bool
		sameHash     bool
	}{
		{"unchanged entry: still in slow mode", limited, false, true},
		{"changed entry: the new setting applies", `plugins: [{name: ratelimit, config: {slow_mode: 0s}}]`, true, false},
	}
	for i, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			writeFile(t, file, st.config)
			if err := s.ReloadPlugins(context.Background()); err != nil {
				t.Fatal(err)
			}
			sender.send(map[string]any{"type": "comment", "ref": string(rune('a' + i)), "text": "again"})
			ack := sender.ack()
			if ack.OK != st.ok {
				t.Fatalf("after reload: %+v %+v, want ok=%v", ack, ack.Error, st.ok)
			}
			if !st.ok && !strings.Contains(ack.Error.Message, "slow mode") {
				t.Errorf("refusal %q, want the slow-mode reason", ack.Error.Message)
			}
			if got := hash(); (got == before) != st.sameHash {
				t.Errorf("config hash %s → %s, want same=%v", before, got, st.sameHash)
			}
		})
	}
	writeFile(t, file, "plugins: [")
	if err := s.ReloadPlugins(context.Background()); err == nil {
		t.Fatal("a bad config reloaded")
	}
	mf := scrape(t, s)
	if ok, failed := mf.Value("danmaku_plugin_reloads_total", "result", "ok"), mf.Value("danmaku_plugin_reloads_total", "result", "failed"); ok != 2 || failed != 1 {
		t.Errorf("reloads ok %v failed %v, want 2 and 1", ok, failed)
	}
	if got := mf.LabelValues("danmaku_plugin_config_info", "hash"); len(got) != 1 || got[0] != hash() {
		t.Errorf("config hash series %v, want [%s]", got, hash())
	}
}

// TestDryRunIsCountedNotEnforced: a dry-run entry's verdicts are logged
// and counted, in the admin counters and the metrics, not enforced.
func TestDryRunIsCountedNotEnforced(t *testing.T) {
	s := startServer(t, withPlugins(t, `
plugins:
  - name: rules
    mode: dry_run
    config:
      rules: [{match: {keywords: [spoiler]}, action: reject, reason: no spoilers}]
`))
	sender, viewer := pair(t, s, "demo")
	ack := sender.comment("1", "spoiler: he dies")
	if !ack.OK {
		t.Fatalf("dry run enforced the reject: %+v", ack.Error)
	}
	if got := viewer.comments(1)[0]; got.Text != "spoiler: he dies" {
		t.Fatalf("viewer got %q", got.Text)
	}
	var st hostStats
	call(t, clientAs(t, s, mod1), "GET", s.URL()+"/api/admin/plugins", nil, &st)
	if p := st.Default.Plugins[0]; p.Mode != "dry_run" || p.DryRun["reject"] != 1 {
		t.Errorf("admin counters %+v, want dry_run with 1 reject", p)
	}
	if got := scrape(t, s).Value("danmaku_plugin_dry_run_verdicts_total", "chain", "default", "plugin", "rules", "action", "reject"); got != 1 {
		t.Errorf("dry-run metric = %v, want 1", got)
	}
}

// TestShutdownDoesNotWaitForASleepingPlugin: a comment stuck in a plugin
// that sleeps through its deadline holds neither its socket nor shutdown.
func TestShutdownDoesNotWaitForASleepingPlugin(t *testing.T) {
	tp := newTestPlugins(t)
	tp.reg.Register("sleepy", func() plugins.Moderator { return sleepy{tp} })
	s := startServer(t, withPlugins(t, `plugins: [{name: sleepy, timeout: 50ms}]`), func(c *app.Config) { c.PluginRegistry = tp.reg })
	sender := dial(t, s, "?room=demo")
	sender.next(protocol.TypeWelcome)
	sender.send(map[string]any{"type": "comment", "ref": "c", "text": "zzz"})
	<-tp.entered
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	if err := s.Shutdown(ctx); err != nil { // the plugin still sleeps
		t.Fatalf("Shutdown while a plugin sleeps: %v", err)
	}
	if code := sender.waitClosed(); code != 1001 {
		t.Errorf("socket closed with %d, want 1001 going away", code)
	}
}
