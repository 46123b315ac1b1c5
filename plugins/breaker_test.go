package plugins_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/danmaku/danmaku/plugins"
	"github.com/danmaku/danmaku/plugins/plugintest"
)

// flaky is an isolated plugin whose failures the test switches on and
// off; block makes it hang until released (to test timeouts).
type flaky struct {
	failing  *atomic.Bool
	isolated bool
	inline   bool
	calls    *atomic.Int64
}

func (f flaky) Moderate(ctx context.Context, _ plugins.Comment) (plugins.Verdict, error) {
	f.calls.Add(1)
	if f.failing.Load() {
		return plugins.Verdict{}, errors.New("the service is down")
	}
	return plugins.Allow(), nil
}

func (f flaky) Isolated() bool    { return f.isolated }
func (f flaky) NonBlocking() bool { return f.inline }

func flakyRegistry(failing *atomic.Bool, calls *atomic.Int64) *plugins.Registry {
	reg := plugins.NewRegistry()
	reg.Register("isolated", func() plugins.Moderator { return flaky{failing, true, true, calls} })
	reg.Register("isolated-go", func() plugins.Moderator { return flaky{failing, true, false, calls} })
	reg.Register("inprocess", func() plugins.Moderator { return flaky{failing, false, true, calls} })
	return reg
}

// TestBreakerOpensSkipsAndRecovers walks a breaker through its states with
// a manual clock, inline and on a worker.
func TestBreakerOpensSkipsAndRecovers(t *testing.T) {
	for _, name := range []string{"isolated", "isolated-go"} {
		t.Run(name, func(t *testing.T) {
			var failing atomic.Bool
			var calls atomic.Int64
			h := plugintest.NewHost(t)
			s := plugintest.Set(t, flakyRegistry(&failing, &calls), h,
				"plugins: [{name: "+name+", on_error: reject, breaker: {failures: 3, window: 10s, cooldown: 30s}}]")
			run := func() plugins.Result { return s.Run(context.Background(), plugintest.Comment("hi")) }
			state := func() plugins.PluginStats { return s.Stats().Default.Plugins[0] }

			if st := state(); st.Breaker != "closed" || st.BreakerOpens != 0 {
				t.Fatalf("new: breaker %q, %d opens", st.Breaker, st.BreakerOpens)
			}
			failing.Store(true)
			for i := range 3 {
				if res := run(); res.Action != plugins.ActionReject || errors.Is(res.Err, plugins.ErrBreakerOpen) {
					t.Fatalf("failure %d: %v %v, want a fail-closed reject by the plugin itself", i, res.Action, res.Err)
				}
			}
			if st := state(); st.Breaker != "open" || st.BreakerOpens != 1 {
				t.Fatalf("after 3 failures: breaker %q, %d opens", st.Breaker, st.BreakerOpens)
			}
			failing.Store(false) // recovered, but the breaker does not know yet
			before := calls.Load()
			res := run()
			if res.Action != plugins.ActionReject || !errors.Is(res.Err, plugins.ErrBreakerOpen) || calls.Load() != before {
				t.Fatalf("open: %v %v, %d calls; want skipped under on_error reject", res.Action, res.Err, calls.Load()-before)
			}

			h.Clock.Advance(30 * time.Second) // cool-down over: one trial
			failing.Store(true)
			if res := run(); res.Action != plugins.ActionReject || errors.Is(res.Err, plugins.ErrBreakerOpen) {
				t.Fatalf("trial: %v %v, want the plugin called", res.Action, res.Err)
			}
			if st := state(); st.Breaker != "open" || st.BreakerOpens != 2 {
				t.Fatalf("failed trial: breaker %q, %d opens; want open again", st.Breaker, st.BreakerOpens)
			}
			h.Clock.Advance(29 * time.Second)
			if res := run(); !errors.Is(res.Err, plugins.ErrBreakerOpen) {
				t.Fatalf("within the second cool-down: %v, want skipped", res.Err)
			}
			h.Clock.Advance(time.Second)
			failing.Store(false)
			if res := run(); res.Action != plugins.ActionAllow {
				t.Fatalf("successful trial: %v %v", res.Action, res.Err)
			}
			st := state()
			if st.Breaker != "closed" || st.Skipped != 2 || st.Errors != 4 || st.Calls != 7 {
				t.Errorf("closed again: %+v; want closed, 2 skipped, 4 errors, 7 calls", st)
			}
		})
	}
}

func TestBreakerWindow(t *testing.T) {
	var failing atomic.Bool
	var calls atomic.Int64
	h := plugintest.NewHost(t)
	s := plugintest.Set(t, flakyRegistry(&failing, &calls), h, "plugins: [{name: isolated, breaker: {failures: 2, window: 10s}}]")
	failing.Store(true)
	s.Run(context.Background(), plugintest.Comment("a"))
	h.Clock.Advance(11 * time.Second) // the first failure falls out of the window
	s.Run(context.Background(), plugintest.Comment("b"))
	if st := s.Stats().Default.Plugins[0]; st.Breaker != "closed" {
		t.Fatalf("two failures 11s apart: breaker %q, want closed", st.Breaker)
	}
	s.Run(context.Background(), plugintest.Comment("c"))
	if st := s.Stats().Default.Plugins[0]; st.Breaker != "open" {
		t.Fatalf("two failures within 10s: breaker %q, want open", st.Breaker)
	}
}

func TestBreakerDefaults(t *testing.T) {
	var failing atomic.Bool
	var calls atomic.Int64
	reg := flakyRegistry(&failing, &calls)
	for _, tc := range []struct {
		name, config, want string
	}{
		{"isolated plugins get one", "plugins: [isolated]", "closed"},
		{"off", "plugins: [{name: isolated, breaker: off}]", ""},
		{"in-process plugins get none", "plugins: [inprocess]", ""},
		{"unless asked", "plugins: [{name: inprocess, breaker: {failures: 2}}]", "closed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := plugintest.Set(t, reg, nil, tc.config)
			if got := s.Stats().Default.Plugins[0].Breaker; got != tc.want {
				t.Errorf("breaker %q, want %q", got, tc.want)
			}
		})
	}
	// The default opens after DefaultBreaker.Failures.
	s := plugintest.Set(t, reg, nil, "plugins: [isolated]")
	failing.Store(true)
	for range plugins.DefaultBreaker.Failures {
		s.Run(context.Background(), plugintest.Comment("x"))
	}
	if st := s.Stats().Default.Plugins[0]; st.Breaker != "open" {
		t.Errorf("after %d failures: %q, want open", plugins.DefaultBreaker.Failures, st.Breaker)
	}
}
