package plugins_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/danmaku/danmaku/plugins"
	"github.com/danmaku/danmaku/plugins/plugintest"
	"github.com/danmaku/danmaku/plugins/ratelimit"
)

// heir is a plugin that remembers which instance it took over from.
type heir struct {
	fake
	from *heir
}

func (h *heir) Inherit(prev plugins.Moderator) {
	if p, ok := prev.(*heir); ok {
		h.from = p
	}
}

var _ plugins.Inheritor = (*heir)(nil)

// TestReloadKeepsState: an unchanged entry keeps its instance (a user in
// slow mode stays limited); a changed one gets a new instance that takes
// over the old one's state, and the new setting applies.
func TestReloadKeepsState(t *testing.T) {
	env := newEnv(t)
	env.reg.Register("ratelimit", ratelimit.New)
	p, err := plugins.NewPipeline(mustParse(t, "plugins: [{name: ratelimit, config: {slow_mode: 1h}}]"), env.reg, env.host)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	send := func(t *testing.T) plugins.Action {
		t.Helper()
		return p.Moderate(t.Context(), plugintest.Comment("hi")).Action
	}
	if got := send(t); got != plugins.ActionAllow {
		t.Fatalf("first comment: %v, want allow", got)
	}
	steps := []struct {
		name, config string
		want         plugins.Action
	}{
		{"unchanged entry: still in slow mode", "plugins: [{name: ratelimit, config: {slow_mode: 1h}}]", plugins.ActionReject},
		{"same settings written differently: still in slow mode", "plugins:\n  - name: ratelimit\n    config:\n      slow_mode: 1h\n", plugins.ActionReject},
		{"changed entry inherits the slow-mode clock", "plugins: [{name: ratelimit, config: {slow_mode: 2h, per_user: 100/1s}}]", plugins.ActionReject},
		{"the new setting applies: slow mode off", "plugins: [{name: ratelimit, config: {slow_mode: 0s}}]", plugins.ActionAllow},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			if err := p.Reload(mustParse(t, st.config)); err != nil {
				t.Fatal(err)
			}
			if got := send(t); got != st.want {
				t.Errorf("after reload: %v, want %v", got, st.want)
			}
		})
	}
}

func TestReloadInstances(t *testing.T) {
	env := newEnv(t)
	var made []*heir
	env.reg.Register("heir", func() plugins.Moderator {
		h := &heir{fake: fake{inline: true, closed: &env.closed, behave: func(context.Context, plugins.Comment) (plugins.Verdict, error) {
			return plugins.Allow(), nil
		}}}
		made = append(made, h)
		return h
	})
	p, err := plugins.NewPipeline(mustParse(t, "plugins: [{name: heir, config: {tag: a}}]"), env.reg, env.host)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	steps := []struct {
		name, config string
		instances    int   // instances made so far
		closed       int64 // instances closed so far
		inherits     bool  // the newest instance took over from the one before
	}{
		{"unchanged: kept, not closed", "plugins: [{name: heir, config: {tag: a}}]", 1, 0, false},
		{"changed: a new instance inherits, the old one is closed", "plugins: [{name: heir, config: {tag: b}}]", 2, 1, true},
		{"timeout changed counts as changed", "plugins: [{name: heir, timeout: 1s, config: {tag: b}}]", 3, 2, true},
		// The failed build closes only the instance it made, which never inherited.
		{"a bad reload keeps the running instance", "plugins: [{name: heir, config: {action: zap}}]", 4, 3, false},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			_ = p.Reload(mustParse(t, st.config))
			if len(made) != st.instances {
				t.Fatalf("instances made = %d, want %d", len(made), st.instances)
			}
			eventually(t, "the replaced instances to close", func() bool { return env.closed.Load() == st.closed })
			inherited := len(made) > 1 && made[len(made)-1].from == made[len(made)-2]
			if inherited != st.inherits {
				t.Errorf("the newest instance inherited from the one before: %v, want %v", inherited, st.inherits)
			}
		})
	}
}

// TestReloadRereadsChangedFiles: an entry whose config text is unchanged
// but whose file (RawConfig.Path) changed gets a new instance.
func TestReloadRereadsChangedFiles(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		t.Helper()
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	file := write("plugins.yaml", "plugins: [{name: wordfilter, config: {words_file: words.txt, action: reject}}]")
	write("words.txt", "alpha\n")
	load := func() *plugins.Config {
		t.Helper()
		cfg, err := plugins.LoadConfig(file)
		if err != nil {
			t.Fatal(err)
		}
		return cfg
	}
	p, err := plugins.NewPipeline(load(), nil, plugintest.NewHost(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	steps := []struct {
		name, words, text string
		want              plugins.Action
	}{
		{"as loaded", "", "alpha", plugins.ActionReject},
		{"words file unchanged", "alpha\n", "beta", plugins.ActionAllow},
		{"words file changed", "beta\n", "beta", plugins.ActionReject},
		{"the old word is gone", "", "alpha", plugins.ActionAllow},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			if st.words != "" {
				write("words.txt", st.words)
				if err := p.Reload(load()); err != nil {
					t.Fatal(err)
				}
			}
			if got := p.Moderate(t.Context(), plugintest.Comment(st.text)).Action; got != st.want {
				t.Errorf("%q: %v, want %v", st.text, got, st.want)
			}
		})
	}
}
