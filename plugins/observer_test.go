package plugins_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/danmaku/danmaku/plugins"
	"github.com/danmaku/danmaku/plugins/plugintest"
)

// watcher records the outcomes it is told of.
type watcher struct {
	fake
	mu   sync.Mutex
	seen []plugins.Outcome
}

func (w *watcher) Observe(_ context.Context, o plugins.Outcome) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.seen = append(w.seen, o)
}

var _ plugins.Observer = (*watcher)(nil)

func TestObserverHearsTheFinalOutcome(t *testing.T) {
	tests := []struct {
		name, chain string
		want        []string // "action by plugin committed"
	}{
		{"accepted", "[watch, upper]", []string{"rewrite upper false", "rewrite upper true"}},
		{"rejected later", "[watch, reject]", []string{"reject reject false"}},
		{"held later", "[watch, hold]", []string{"hold hold false", "hold hold true"}},
		{"shadowed later", "[watch, shadow]", []string{"shadow shadow false", "shadow shadow true"}},
		{"failed closed later", "[watch, {name: error, on_error: reject}]", []string{"reject error false failed"}},
		{"the decider is told too", "[upper, watch-reject]", []string{"reject watch-reject false"}},
		{"not reached: not told", "[reject, watch]", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := newEnv(t)
			var w *watcher
			for _, name := range []string{"watch", "watch-reject"} {
				env.reg.Register(name, func() plugins.Moderator {
					w = &watcher{fake: fake{inline: true, behave: func(context.Context, plugins.Comment) (plugins.Verdict, error) {
						if name == "watch-reject" {
							return plugins.Reject("no"), nil
						}
						return plugins.Allow(), nil
					}}}
					return w
				})
			}
			s := env.set(t, "plugins: "+tt.chain)
			res := s.Run(t.Context(), plugintest.Comment("hi"))
			if !res.Action.Stops() || res.Action != plugins.ActionReject {
				res.Committed(t.Context()) // the host stores it
			}
			var got []string
			for _, o := range w.seen {
				line := o.Action.String() + " " + o.Plugin + " " + map[bool]string{true: "true", false: "false"}[o.Committed]
				if o.Failed {
					line += " failed"
				}
				got = append(got, line)
			}
			if strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Errorf("observed %q, want %q", got, tt.want)
			}
		})
	}
}

func TestDryRun(t *testing.T) {
	tests := []struct {
		name, chain string
		want        plugins.Action
		text        string
		would       map[string]uint64
	}{
		{"a reject is not enforced", "[{name: reject, mode: dry_run}, upper]", plugins.ActionRewrite, "HI", map[string]uint64{"reject": 1}},
		{"a rewrite is not applied", "[{name: upper, mode: dry_run}]", plugins.ActionAllow, "hi", map[string]uint64{"rewrite": 1}},
		{"a hold is not enforced", "[{name: hold, mode: dry_run}]", plugins.ActionAllow, "hi", map[string]uint64{"hold": 1}},
		{"a failure under on_error reject is not enforced", "[{name: error, mode: dry_run, on_error: reject}]", plugins.ActionAllow, "hi", map[string]uint64{}},
		{"enforce is the default", "[{name: reject, mode: enforce}]", plugins.ActionReject, "hi", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := newEnv(t)
			s := env.set(t, "plugins: "+tt.chain)
			for range 2 {
				res := s.Run(t.Context(), plugintest.Comment("hi"))
				if res.Action != tt.want || res.Comment.Text != tt.text {
					t.Fatalf("got %v %q, want %v %q", res.Action, res.Comment.Text, tt.want, tt.text)
				}
			}
			st := stats(s, 0)
			if tt.would == nil {
				if st.Mode != plugins.ModeEnforce || st.DryRun != nil {
					t.Errorf("mode %q, dry run %v; want enforce and none", st.Mode, st.DryRun)
				}
				return
			}
			if st.Mode != plugins.ModeDryRun {
				t.Errorf("mode = %q, want dry_run", st.Mode)
			}
			for action, n := range tt.would {
				if st.DryRun[action] != 2*n {
					t.Errorf("dry run %s = %d, want %d (counted per comment)", action, st.DryRun[action], 2*n)
				}
			}
		})
	}
}

func TestBadMode(t *testing.T) {
	if _, err := plugins.ParseConfig([]byte("plugins: [{name: tag, mode: pretend}]")); err == nil ||
		!strings.Contains(err.Error(), `plugins[0] tag: mode: must be enforce or dry_run, got "pretend"`) {
		t.Errorf("err = %v", err)
	}
}
