package plugins_test

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/danmaku/danmaku/plugins"
	"github.com/danmaku/danmaku/plugins/plugintest"
)

// fake is a configurable test plugin: behave decides the verdict.
type fake struct {
	behave func(ctx context.Context, c plugins.Comment) (plugins.Verdict, error)
	inline bool
	calls  atomic.Int64
	closed *atomic.Int64      // counts Close calls across instances
	Tag    string             `yaml:"tag"`
	Action string             `yaml:"action"`
	Nested struct{ Deep int } `yaml:"nested"`
}

func (f *fake) Moderate(ctx context.Context, c plugins.Comment) (plugins.Verdict, error) {
	f.calls.Add(1)
	return f.behave(ctx, c)
}

func (f *fake) NonBlocking() bool { return f.inline }

func (f *fake) Close() error {
	if f.closed != nil {
		f.closed.Add(1)
	}
	return nil
}

// Configure accepts `tag` (appended to texts by "tag" plugins) and
// validates `action` like a real plugin would.
func (f *fake) Configure(cfg plugins.RawConfig) error {
	if err := cfg.Decode(f); err != nil {
		return err
	}
	if f.Action != "" && f.Action != "mask" && f.Action != "reject" {
		return plugins.FieldErrorf("action", "must be mask or reject, got %q", f.Action)
	}
	return nil
}

// noConfig is a plugin without Configure.
type noConfig struct{}

func (noConfig) Moderate(context.Context, plugins.Comment) (plugins.Verdict, error) {
	return plugins.Allow(), nil
}

// joiner refuses users named in its list at the door.
type joiner struct {
	fake
	refuse func(ctx context.Context, j plugins.Join) (plugins.Verdict, error)
}

func (j *joiner) CheckJoin(ctx context.Context, jn plugins.Join) (plugins.Verdict, error) {
	return j.refuse(ctx, jn)
}

var errBoom = errors.New("boom")

// testEnv is a registry of fake plugins sharing a release channel for the
// ones that block, and a close counter.
type testEnv struct {
	reg     *plugins.Registry
	host    *plugintest.Host
	release chan struct{} // closed at cleanup: blocked plugins return
	closed  atomic.Int64
	started chan struct{} // "block" signals each call it starts
}

func newEnv(t testing.TB) *testEnv {
	t.Helper()
	env := &testEnv{reg: plugins.NewRegistry(), host: plugintest.NewHost(t),
		release: make(chan struct{}), started: make(chan struct{}, 100)}
	t.Cleanup(func() { close(env.release) })
	add := func(name string, inline bool, behave func(ctx context.Context, c plugins.Comment) (plugins.Verdict, error)) {
		env.reg.Register(name, func() plugins.Moderator {
			f := &fake{inline: inline, closed: &env.closed}
			f.behave = func(ctx context.Context, c plugins.Comment) (plugins.Verdict, error) {
				if f.Tag != "" {
					c.Text += "-" + f.Tag
					return plugins.Rewrite(c, "tagged "+f.Tag), nil
				}
				return behave(ctx, c)
			}
			return f
		})
	}
	allow := func(context.Context, plugins.Comment) (plugins.Verdict, error) { return plugins.Allow(), nil }
	for _, inline := range []bool{true, false} {
		suffix := ""
		if !inline {
			suffix = "-go"
		}
		add("tag"+suffix, inline, allow)
		add("allow"+suffix, inline, allow)
		add("reject"+suffix, inline, func(context.Context, plugins.Comment) (plugins.Verdict, error) {
			return plugins.Reject("no thanks"), nil
		})
		add("panic"+suffix, inline, func(context.Context, plugins.Comment) (plugins.Verdict, error) { panic("kaboom") })
		add("error"+suffix, inline, func(context.Context, plugins.Comment) (plugins.Verdict, error) {
			return plugins.Verdict{}, errBoom
		})
		// wait honours its context, but only answers once it is done.
		add("wait"+suffix, inline, func(ctx context.Context, _ plugins.Comment) (plugins.Verdict, error) {
			<-ctx.Done()
			return plugins.Allow(), ctx.Err()
		})
	}
	add("hold", true, func(context.Context, plugins.Comment) (plugins.Verdict, error) {
		return plugins.Hold("check later"), nil
	})
	add("shadow", true, func(context.Context, plugins.Comment) (plugins.Verdict, error) { return plugins.Shadow("troll"), nil })
	add("upper", true, func(_ context.Context, c plugins.Comment) (plugins.Verdict, error) {
		c.Text = strings.ToUpper(c.Text)
		return plugins.Rewrite(c, "shouting"), nil
	})
	add("erase", true, func(_ context.Context, c plugins.Comment) (plugins.Verdict, error) {
		c.Text = "  "
		return plugins.Rewrite(c, "erased"), nil
	})
	add("hijack", true, func(_ context.Context, c plugins.Comment) (plugins.Verdict, error) {
		c.Room = "elsewhere"
		return plugins.Rewrite(c, ""), nil
	})
	// block ignores its context and waits for the test to end: a plugin stuck forever.
	add("block", false, func(context.Context, plugins.Comment) (plugins.Verdict, error) {
		env.started <- struct{}{}
		<-env.release
		return plugins.Allow(), nil
	})
	env.reg.Register("noconfig", func() plugins.Moderator { return noConfig{} })
	env.reg.Register("door", func() plugins.Moderator {
		return &joiner{fake: fake{inline: true, behave: allow, closed: &env.closed}, refuse: func(_ context.Context, j plugins.Join) (plugins.Verdict, error) {
			switch j.User.ID {
			case "banned":
				return plugins.Reject("you are banned"), nil
			case "shadowed":
				return plugins.Shadow("shadow ban"), nil
			}
			return plugins.Allow(), nil
		}}
	})
	env.reg.Register("door-block", func() plugins.Moderator {
		return &joiner{fake: fake{behave: allow}, refuse: func(context.Context, plugins.Join) (plugins.Verdict, error) {
			<-env.release
			return plugins.Allow(), nil
		}}
	})
	return env
}

// set builds config YAML in env. Entries without a timeout get 10s, not
// 50ms: on a loaded machine under -race a worker goroutine can take longer
// than 50ms to be scheduled, and only the timeout tests should see timeouts.
func (env *testEnv) set(t *testing.T, config string) *plugins.Set {
	t.Helper()
	cfg, err := plugins.ParseConfig([]byte(config))
	if err != nil {
		t.Fatal(err)
	}
	relax := func(entries []plugins.Entry) {
		for i := range entries {
			if entries[i].Timeout == plugins.DefaultTimeout {
				entries[i].Timeout = testTimeout
			}
		}
	}
	relax(cfg.Plugins)
	for _, rc := range cfg.Rooms {
		relax(rc.Plugins)
	}
	s, err := plugins.Build(cfg, env.reg, env.host)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

const testTimeout = 10 * time.Second

// stats returns the default chain's counters for entry i.
func stats(s *plugins.Set, i int) plugins.PluginStats { return s.Stats().Default.Plugins[i] }
