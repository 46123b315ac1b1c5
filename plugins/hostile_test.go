package plugins_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/danmaku/danmaku/plugins"
	"github.com/danmaku/danmaku/plugins/plugintest"
)

// syncBuffer is a log sink safe for the worker goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestNonBlockingOverrunIsDemoted: a plugin that says it never blocks but
// overruns its timeout once is moved to the worker path, where its next
// call, which blocks for good, is cut at its deadline instead of holding
// the caller.
func TestNonBlockingOverrunIsDemoted(t *testing.T) {
	env := newEnv(t)
	var calls atomic.Int64
	env.reg.Register("liar", func() plugins.Moderator {
		return &fake{inline: true, behave: func(ctx context.Context, _ plugins.Comment) (plugins.Verdict, error) {
			if calls.Add(1) == 1 {
				<-ctx.Done() // the first call overruns (it honours ctx only to end)
				return plugins.Allow(), nil
			}
			<-env.release // later calls hang, ignoring ctx
			return plugins.Allow(), nil
		}}
	})
	var logs syncBuffer
	host := *env.host
	host.Log = slog.New(slog.NewTextHandler(&logs, nil))
	s, err := plugins.Build(mustParse(t, "plugins: [{name: liar, timeout: 20ms, on_error: reject}, upper]"), env.reg, &host)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })

	first := runBounded(t, s, plugintest.Comment("a"))
	if !errors.Is(first.Err, plugins.ErrTimeout) {
		t.Fatalf("first call: err = %v, want a timeout (it overran inline)", first.Err)
	}
	if st := stats(s, 0); !st.Demoted {
		t.Fatalf("after an overrun: demoted = false, want true")
	}
	if !strings.Contains(logs.String(), "runs on the worker path from now on") {
		t.Errorf("no log line about the demotion; logs:\n%s", logs.String())
	}
	second := runBounded(t, s, plugintest.Comment("b")) // fails the test if it hangs
	if second.Action != plugins.ActionReject || !errors.Is(second.Err, plugins.ErrTimeout) {
		t.Errorf("second call: %v, %v; want a reject for the timeout under on_error: reject", second.Action, second.Err)
	}
	if st := stats(s, 0); st.Stuck != 1 {
		t.Errorf("stuck = %d, want 1: the hanging call was abandoned on the worker path", st.Stuck)
	}
}

// TestAbandonedCallsCapped: 1,000 comments through a plugin that ignores
// its context leave at most max_abandoned goroutines behind; past the cap
// the plugin fails fast under its on_error, and the calls are counted.
func TestAbandonedCallsCapped(t *testing.T) {
	tests := []struct {
		name, onError string
		want          plugins.Action
	}{
		{"fail open", "allow", plugins.ActionRewrite},
		{"fail closed", "reject", plugins.ActionReject},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := newEnv(t)
			env.started = make(chan struct{}, 1000)
			const maxAbandoned, comments = 5, 1000
			s, err := plugins.Build(mustParse(t, `plugins: [{name: block, timeout: 1ms, max_abandoned: 5, on_error: `+tt.onError+`}, upper]`), env.reg, env.host)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			before := runtime.NumGoroutine()
			for range comments {
				res := runBounded(t, s, plugintest.Comment("a"))
				if res.Action != tt.want {
					t.Fatalf("got %v (err %v), want %v", res.Action, res.Err, tt.want)
				}
			}
			// A call abandoned at its deadline counts as stuck until its
			// worker, failed fast, gets to return: settle first.
			eventually(t, "the abandoned calls that failed fast to return", func() bool {
				n := stats(s, 0).Stuck
				return n >= 1 && n <= maxAbandoned
			})
			st := stats(s, 0)
			if st.Shed < comments-2*maxAbandoned || st.MaxAbandoned != maxAbandoned {
				t.Errorf("shed = %d (cap %d), want nearly all %d calls failed fast", st.Shed, st.MaxAbandoned, comments)
			}
			if st.Calls != comments {
				t.Errorf("calls = %d, want %d", st.Calls, comments)
			}
			// The blocked calls are the only goroutines left; a few more may
			// be between runtime bookkeeping steps, never one per comment.
			if grown := runtime.NumGoroutine() - before; grown > maxAbandoned+5 {
				t.Errorf("%d goroutines more than before %d comments, want at most %d", grown, comments, maxAbandoned+5)
			}
			if tt.onError == "reject" {
				res := runBounded(t, s, plugintest.Comment("a"))
				if !errors.Is(res.Err, plugins.ErrOverloaded) {
					t.Errorf("err = %v, want ErrOverloaded", res.Err)
				}
			}
		})
	}
}

func TestMaxAbandonedConfig(t *testing.T) {
	tests := []struct {
		name, yaml string
		want       int64
		wantErr    string
	}{
		{"default", "plugins: [block]", plugins.DefaultMaxAbandoned, ""},
		{"set", "plugins: [{name: block, max_abandoned: 3}]", 3, ""},
		{"off", "plugins: [{name: block, max_abandoned: off}]", -1, ""},
		{"zero", "plugins: [{name: block, max_abandoned: 0}]", 0, "max_abandoned: must be a positive number or off"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := plugins.ParseConfig([]byte(tt.yaml))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			env := newEnv(t)
			s, err := plugins.Build(cfg, env.reg, env.host)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if got := stats(s, 0).MaxAbandoned; got != tt.want {
				t.Errorf("max_abandoned = %d, want %d", got, tt.want)
			}
		})
	}
}

// TestDemotedPluginComesBackInline: a NonBlocking plugin that overran once
// (as on an overloaded machine) and then answers quickly for long enough
// runs inline again; one that overruns again is demoted again.
func TestDemotedPluginComesBackInline(t *testing.T) {
	env := newEnv(t)
	var overrun atomic.Bool
	overrun.Store(true)
	env.reg.Register("hiccup", func() plugins.Moderator {
		return &fake{inline: true, behave: func(ctx context.Context, _ plugins.Comment) (plugins.Verdict, error) {
			if overrun.CompareAndSwap(true, false) {
				<-ctx.Done()
			}
			return plugins.Allow(), nil
		}}
	})
	// A generous timeout: "quickly" is within a quarter of it, which a
	// loaded machine under -race still manages for a call that only returns.
	s, err := plugins.Build(mustParse(t, "plugins: [{name: hiccup, timeout: 1s}]"), env.reg, env.host)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	runBounded(t, s, plugintest.Comment("a"))
	if !stats(s, 0).Demoted {
		t.Fatal("not demoted after an overrun")
	}
	for range 1000 {
		runBounded(t, s, plugintest.Comment("a"))
	}
	if stats(s, 0).Demoted {
		t.Fatal("still demoted after 1,000 quick answers")
	}
	overrun.Store(true)
	runBounded(t, s, plugintest.Comment("a"))
	if !stats(s, 0).Demoted {
		t.Fatal("not demoted again after a second overrun")
	}
}
