package plugins_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/danmaku/danmaku/plugins"
	"github.com/danmaku/danmaku/plugins/plugintest"
)

func mustParse(t *testing.T, src string) *plugins.Config {
	t.Helper()
	cfg, err := plugins.ParseConfig([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// eventually waits for cond, which background work makes true, failing
// after a generous bound instead of hanging.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

func TestPipelineReload(t *testing.T) {
	env := newEnv(t)
	p, err := plugins.NewPipeline(mustParse(t, "plugins: [{name: tag, config: {tag: one}}]"), env.reg, env.host)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	run := plugintest.PipelineRunner{Pipeline: p}
	plugintest.RunChain(t, run, []plugintest.Case{{Name: "before", Text: "hi", Want: plugins.ActionRewrite, WantText: "hi-one"}})

	err = p.Reload(mustParse(t, "plugins: [{name: tag, config: {action: zap}}]"))
	if err == nil || !strings.Contains(err.Error(), "keeping the running chains") || !strings.Contains(err.Error(), "config.action") {
		t.Fatalf("bad Reload error = %v, want it to keep the chains and name the field", err)
	}
	plugintest.RunChain(t, run, []plugintest.Case{{Name: "after bad reload", Text: "hi", Want: plugins.ActionRewrite, WantText: "hi-one"}})
	if got := env.closed.Load(); got != 1 {
		t.Errorf("closed %d plugins, want 1: the instance the bad reload built", got)
	}

	if err := p.Reload(mustParse(t, "plugins: [{name: tag, config: {tag: two}}]")); err != nil {
		t.Fatal(err)
	}
	plugintest.RunChain(t, run, []plugintest.Case{{Name: "after reload", Text: "hi", Want: plugins.ActionRewrite, WantText: "hi-two"}})
	if got := env.closed.Load(); got != 2 {
		t.Errorf("closed %d plugins, want 2: the replaced one too", got)
	}
	if p.Stats().Default.Plugins[0].Calls != 1 {
		t.Errorf("counters after reload = %+v, want a fresh start", p.Stats().Default.Plugins[0])
	}

	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if res := p.Moderate(t.Context(), plugintest.Comment("hi")); !errors.Is(res.Err, plugins.ErrClosed) || res.Action != plugins.ActionReject {
		t.Errorf("Moderate after Close = %+v", res)
	}
	if err := p.Reload(mustParse(t, "plugins: []")); !errors.Is(err, plugins.ErrClosed) {
		t.Errorf("Reload after Close = %v", err)
	}
}

func TestPipelineClosesReplacedSetAfterInFlightCalls(t *testing.T) {
	env := newEnv(t)
	gate := make(chan struct{})
	entered := make(chan struct{})
	env.reg.Register("gate", func() plugins.Moderator {
		return &fake{closed: &env.closed, behave: func(context.Context, plugins.Comment) (plugins.Verdict, error) {
			entered <- struct{}{}
			<-gate
			return plugins.Allow(), nil
		}}
	})
	p, err := plugins.NewPipeline(mustParse(t, "plugins: [{name: gate, timeout: 10s}]"), env.reg, env.host)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan plugins.Result)
	go func() { done <- p.Moderate(context.Background(), plugintest.Comment("hi")) }()
	<-entered
	if err := p.Reload(mustParse(t, "plugins: [allow]")); err != nil {
		t.Fatal(err)
	}
	if got := env.closed.Load(); got != 0 {
		t.Fatalf("closed %d plugins while a call was still using them", got)
	}
	close(gate)
	if res := <-done; res.Action != plugins.ActionAllow {
		t.Errorf("in-flight call = %v, want allow", res.Action)
	}
	eventually(t, "the replaced set to close", func() bool { return env.closed.Load() == 1 })
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if got := env.closed.Load(); got != 2 {
		t.Errorf("closed %d, want 2 after Close", got)
	}
}

// TestPipelineConcurrentReload hammers Moderate, Join and Stats while
// reloading; run it with -race.
func TestPipelineConcurrentReload(t *testing.T) {
	env := newEnv(t)
	config := func(tag string) *plugins.Config {
		// Long timeouts: this test is about reloads, not deadlines under -race.
		return mustParse(t, fmt.Sprintf(`plugins: [{name: tag-go, timeout: 10s, config: {tag: %s}},
  {name: upper, timeout: 10s}, {name: door, timeout: 10s}]`, tag))
	}
	p, err := plugins.NewPipeline(config("a"), env.reg, env.host)
	if err != nil {
		t.Fatal(err)
	}
	const workers, perWorker, reloads = 8, 300, 30
	var wg sync.WaitGroup
	errs := make(chan string, workers*perWorker)
	for w := range workers {
		wg.Go(func() {
			for i := range perWorker {
				c := plugintest.Comment("hi")
				c.User.ID = fmt.Sprintf("u%d-%d", w, i)
				res := p.Moderate(t.Context(), c)
				if res.Action != plugins.ActionRewrite || (res.Comment.Text != "HI-A" && res.Comment.Text != "HI-B") {
					errs <- fmt.Sprintf("%v %q", res.Action, res.Comment.Text)
				}
				if j := p.Join(t.Context(), plugins.Join{User: plugins.User{ID: "banned"}}); j.Allowed {
					errs <- "banned user joined"
				}
				_ = p.Stats()
			}
		})
	}
	for i := range reloads {
		if err := p.Reload(config(string(rune('a' + (i+1)%2)))); err != nil { // b, a, b …: tag-go changes each time
			t.Fatal(err)
		}
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Errorf("bad result under reload: %s", e)
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	// Every set built (1 + reloads) made a new tag-go, whose config changes
	// each time; upper and door are unchanged, so their first instances
	// are kept throughout. Every instance must be closed exactly once.
	want := int64(1+reloads) + 2
	eventually(t, "every replaced set to close", func() bool { return env.closed.Load() == want })
}
