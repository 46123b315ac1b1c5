package wasm_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/danmaku/danmaku/plugins"
	"github.com/danmaku/danmaku/plugins/plugintest"
	"github.com/danmaku/danmaku/plugins/wasm"
)

// hostileCases are the ways a module misbehaves, each with what the
// failure must say.
var hostileCases = []struct {
	word, want string
	timeout    bool
	orTimeout  bool // it may also run out of time first (slowly, under -race)
}{
	{word: "loop", want: "interrupted at its deadline", timeout: true},
	{word: "grow", want: "out of memory", timeout: false},
	{word: "panic", want: "tester: boom", timeout: false},
	{word: "recurse", want: "out of memory", orTimeout: true}, // Go grows the stack until memory runs out
	{word: "trap", want: "out of bounds memory access", timeout: false},
	{word: "garbage", want: "action code 42", timeout: false},
	{word: "badreason", want: "not valid UTF-8", timeout: false},
	{word: "badpointer", want: "outside its memory", timeout: false},
}

// TestHostileCallsFailAndTheInstanceIsReplaced sends each misbehaviour to
// one plugin, then an ordinary comment: the misbehaviour is an error
// saying what happened, and the plugin, with a fresh instance, still works.
func TestHostileCallsFailAndTheInstanceIsReplaced(t *testing.T) {
	p := plugintest.New(t, wasm.New, block(tester(t), "memory: 8MiB, instances: 1"), nil)
	for _, tc := range hostileCases {
		t.Run(tc.word, func(t *testing.T) {
			deadline := 10 * time.Second // a bound for the slow: running out of memory takes a while under -race
			if tc.timeout {
				deadline = 100 * time.Millisecond
			}
			ctx, cancel := context.WithTimeout(t.Context(), deadline)
			defer cancel()
			_, err := p.Moderate(ctx, plugintest.Comment(tc.word))
			if tc.orTimeout && errors.Is(err, plugins.ErrTimeout) {
				tc.want, tc.timeout = "interrupted at its deadline", true
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Moderate(%q) error %v, want one containing %q", tc.word, err, tc.want)
			}
			if got := errors.Is(err, plugins.ErrTimeout); got != tc.timeout {
				t.Errorf("errors.Is(err, ErrTimeout) = %v, want %v", got, tc.timeout)
			}
			v, err := p.Moderate(t.Context(), plugintest.Comment("reject after "+tc.word))
			if err != nil || v.Action != plugins.ActionReject || v.Reason != "reject by wasm" {
				t.Fatalf("next comment: %v %q %v, want the replacement instance to reject", v.Action, v.Reason, err)
			}
		})
	}
}

// TestHostileModulesFailUnderOnErrorAndOpenTheBreaker runs a module that
// misbehaves on every comment in a chain: each call fails, on_error
// decides, and after the breaker's failures the plugin is skipped.
func TestHostileModulesFailUnderOnErrorAndOpenTheBreaker(t *testing.T) {
	module := tester(t)
	for _, tc := range hostileCases {
		t.Run(tc.word, func(t *testing.T) {
			h := plugintest.NewHost(t)
			s := plugintest.Set(t, registry(), h, `
plugins: []
rooms:
  closed: {plugins: [{name: wasm, timeout: 20ms, on_error: reject, breaker: {failures: 3, window: 1m, cooldown: 1m},
            config: {module: "`+module+`", settings: {mode: `+tc.word+`}}}]}
  open:   {plugins: [{name: wasm, timeout: 20ms, on_error: allow, breaker: {failures: 3, window: 1m, cooldown: 1m},
            config: {module: "`+module+`", settings: {mode: `+tc.word+`}}}]}
`)
			for _, room := range []string{"closed", "open"} {
				c := plugintest.Comment("hello")
				c.Room = room
				for i := range 5 {
					res := s.Run(context.Background(), c)
					wantAction := plugins.ActionAllow
					if room == "closed" {
						wantAction = plugins.ActionReject
					}
					if res.Action != wantAction {
						t.Fatalf("%s, comment %d: %v, want %v", room, i, res.Action, wantAction)
					}
					if room == "closed" && (res.Err == nil || !strings.Contains(res.Reason, "could not be checked")) {
						t.Fatalf("%s, comment %d: reason %q, err %v", room, i, res.Reason, res.Err)
					}
					if i >= 3 && room == "closed" && !errors.Is(res.Err, plugins.ErrBreakerOpen) {
						t.Errorf("%s, comment %d: err %v, want the breaker open", room, i, res.Err)
					}
				}
				st := s.Stats().Rooms[room].Plugins[0]
				if st.Breaker != "open" || st.BreakerOpens != 1 || st.Skipped != 2 || st.Errors+st.Timeouts != 3 || st.Calls != 5 {
					t.Errorf("%s stats: breaker %q opens %d skipped %d errors %d timeouts %d calls %d; want open, 1, 2, 3 failures, 5",
						room, st.Breaker, st.BreakerOpens, st.Skipped, st.Errors, st.Timeouts, st.Calls)
				}
			}
		})
	}
}

// TestMemoryIsCapped shows the cap is per instance and configurable: a
// module that grows fails under a small cap, at the cap.
func TestMemoryIsCapped(t *testing.T) {
	module := tester(t)
	for _, mem := range []string{"8MiB", "64MiB"} {
		t.Run(mem, func(t *testing.T) {
			p := plugintest.New(t, wasm.New, block(module, "memory: "+mem), nil)
			_, err := p.Moderate(t.Context(), plugintest.Comment("grow"))
			if err == nil || !strings.Contains(err.Error(), "out of memory") {
				t.Fatalf("grow under %s: %v, want out of memory", mem, err)
			}
		})
	}
}

// TestSandbox asks the module what it can see of the host: no files, no
// environment, and a fake clock.
func TestSandbox(t *testing.T) {
	t.Setenv("DANMAKU_SANDBOX_PROBE", "secret")
	p := plugintest.New(t, wasm.New, block(tester(t), ""), nil)
	v, err := p.Moderate(t.Context(), plugintest.Comment("peek"))
	if err != nil {
		t.Fatal(err)
	}
	if want := `file=error env=0 cwd="" year=2022`; v.Reason != want {
		t.Errorf("the module saw %q, want %q", v.Reason, want)
	}
}

// TestCloseInterruptsCallsInProgress closes the plugin while a call may be
// looping in the module: the call fails instead of running on in a closed
// runtime (a data race under -race before), and later calls fail cleanly.
func TestCloseInterruptsCallsInProgress(t *testing.T) {
	p := plugintest.New(t, wasm.New, block(tester(t), "instances: 1"), nil)
	done := make(chan error, 1)
	go func() {
		_, err := p.Moderate(context.Background(), plugintest.Comment("loop"))
		done <- err
	}()
	if err := p.(plugins.Closer).Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("a looping call survived Close")
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Close returned but the call in progress never ended")
	}
	if _, err := p.Moderate(t.Context(), plugintest.Comment("hello")); err == nil {
		t.Fatal("a call after Close succeeded")
	}
}
