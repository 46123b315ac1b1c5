package plugins_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/danmaku/danmaku/plugins"
	"github.com/danmaku/danmaku/plugins/plugintest"
)

func TestChainOrderAndEarlyStop(t *testing.T) {
	env := newEnv(t)
	s := env.set(t, `
plugins:
  - { name: tag, config: { tag: a } }
  - { name: tag-go, config: { tag: b } }
  - reject
  - { name: tag, config: { tag: c } }
`)
	res := s.Run(t.Context(), plugintest.Comment("hi"))
	if res.Action != plugins.ActionReject || res.Plugin != "reject" || res.Reason != "no thanks" {
		t.Fatalf("Run = %+v, want reject by reject", res)
	}
	if res.Comment.Text != "hi-a-b" {
		t.Errorf("comment at the reject = %q, want the rewrites before it applied, %q", res.Comment.Text, "hi-a-b")
	}
	if got := stats(s, 3).Calls; got != 0 {
		t.Errorf("plugin after the reject was called %d times, want 0", got)
	}
}

func TestChainVerdicts(t *testing.T) {
	env := newEnv(t)
	tests := []struct {
		name, config string
		want         plugins.Action
		wantText     string
		wantPlugin   string
		wantReason   string
	}{
		{"empty chain allows", `plugins: []`, plugins.ActionAllow, "hi", "", ""},
		{"allow", `plugins: [allow, allow-go]`, plugins.ActionAllow, "hi", "", ""},
		{"rewrites propagate in order", `plugins: [{name: tag, config: {tag: a}}, upper, {name: tag-go, config: {tag: b}}]`,
			plugins.ActionRewrite, "HI-A-b", "tag-go", "tagged b"},
		{"hold stops", `plugins: [upper, hold, reject]`, plugins.ActionHold, "HI", "hold", "check later"},
		{"shadow stops", `plugins: [shadow, reject]`, plugins.ActionShadow, "hi", "shadow", "troll"},
		{"empty rewrite rejects", `plugins: [erase, allow]`, plugins.ActionReject, "hi", "erase", "nothing is left"},
		{"identity change is an error, fail open", `plugins: [hijack]`, plugins.ActionAllow, "hi", "", ""},
		{"identity change is an error, fail closed", `plugins: [{name: hijack, on_error: reject}]`, plugins.ActionReject, "hi", "hijack", "could not be checked"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := env.set(t, tt.config)
			plugintest.RunChain(t, s, []plugintest.Case{{
				Name: "hi", Text: "hi", Want: tt.want, WantText: tt.wantText, WantPlugin: tt.wantPlugin, WantReason: tt.wantReason,
			}})
		})
	}
}

// TestChainFailures covers error, panic and timeout, inline and on a
// worker, under both failure policies.
func TestChainFailures(t *testing.T) {
	env := newEnv(t)
	for _, plugin := range []string{"error", "error-go", "panic", "panic-go", "wait", "wait-go", "block"} {
		for _, policy := range []plugins.OnError{plugins.OnErrorAllow, plugins.OnErrorReject} {
			t.Run(plugin+"/"+string(policy), func(t *testing.T) {
				wantTimeout := strings.HasPrefix(plugin, "wait") || plugin == "block"
				timeout := "10s" // errors and panics must not race a deadline on a loaded machine
				if wantTimeout {
					timeout = "20ms"
				}
				s := env.set(t, `
plugins:
  - { name: tag, config: { tag: a }, timeout: 10s }
  - { name: `+plugin+`, on_error: `+string(policy)+`, timeout: `+timeout+` }
  - { name: tag, config: { tag: b }, timeout: 10s }
`)
				res := runBounded(t, s, plugintest.Comment("hi"))
				st := stats(s, 1)
				if st.Calls != 1 {
					t.Errorf("calls = %d, want 1", st.Calls)
				}
				if got := st.Timeouts == 1; got != wantTimeout {
					t.Errorf("timeouts = %d, want timeout %v", st.Timeouts, wantTimeout)
				}
				if got := st.Errors == 1; got == wantTimeout {
					t.Errorf("errors = %d, want error %v", st.Errors, !wantTimeout)
				}
				if strings.HasPrefix(plugin, "panic") && st.Panics != 1 {
					t.Errorf("panics = %d, want 1", st.Panics)
				}
				if policy == plugins.OnErrorAllow {
					if res.Action != plugins.ActionRewrite || res.Comment.Text != "hi-a-b" {
						t.Errorf("fail open: Run = %v %q, want rewrite %q", res.Action, res.Comment.Text, "hi-a-b")
					}
					return
				}
				if res.Action != plugins.ActionReject || res.Plugin != plugin || res.Err == nil {
					t.Fatalf("fail closed: Run = %+v, want reject by %s with Err", res, plugin)
				}
				if wantTimeout != errors.Is(res.Err, plugins.ErrTimeout) {
					t.Errorf("Err = %v, want ErrTimeout: %v", res.Err, wantTimeout)
				}
				if res.Comment.Text != "hi-a" {
					t.Errorf("comment = %q, want %q", res.Comment.Text, "hi-a")
				}
			})
		}
	}
}

// runBounded runs c but fails the test instead of hanging if Run stalls.
func runBounded(t *testing.T, s *plugins.Set, c plugins.Comment) plugins.Result {
	t.Helper()
	done := make(chan plugins.Result, 1)
	go func() { done <- s.Run(t.Context(), c) }()
	select {
	case res := <-done:
		return res
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return: a plugin stalled the chain past its timeout")
		return plugins.Result{}
	}
}

func TestChainStuckPluginDoesNotStallOthers(t *testing.T) {
	env := newEnv(t)
	s := env.set(t, `
plugins: [ { name: block, timeout: 10ms } ]
rooms:
  quiet: { plugins: [ upper ] }
`)
	for range 3 {
		if res := runBounded(t, s, plugintest.Comment("a")); res.Action != plugins.ActionAllow {
			t.Fatalf("stuck plugin, fail open: got %v, want allow", res.Action)
		}
		<-env.started
	}
	if st := stats(s, 0); st.Stuck != 3 || st.Timeouts != 3 {
		t.Errorf("stuck = %d, timeouts = %d; want 3 and 3", st.Stuck, st.Timeouts)
	}
	other := plugintest.Comment("b")
	other.Room = "quiet"
	if res := runBounded(t, s, other); res.Action != plugins.ActionRewrite || res.Comment.Text != "B" {
		t.Errorf("other room: got %v %q, want rewrite B", res.Action, res.Comment.Text)
	}
}

func TestRoomChainsReplaceDefault(t *testing.T) {
	env := newEnv(t)
	s := env.set(t, `
plugins: [ { name: tag, config: { tag: default } } ]
rooms:
  r2: { plugins: [ { name: tag, config: { tag: r2 } } ] }
  open: { plugins: [] }
`)
	tests := []struct{ room, want string }{
		{"room1", "hi-default"},
		{"r2", "hi-r2"},
		{"open", "hi"},
	}
	for _, tt := range tests {
		t.Run(tt.room, func(t *testing.T) {
			c := plugintest.Comment("hi")
			c.Room = tt.room
			if got := s.Run(t.Context(), c).Comment.Text; got != tt.want {
				t.Errorf("room %s: text %q, want %q", tt.room, got, tt.want)
			}
		})
	}
	if got := s.Rooms(); strings.Join(got, ",") != "open,r2" {
		t.Errorf("Rooms() = %v", got)
	}
	if got := s.Stats().Rooms["r2"].Plugins[0].Rewrites; got != 1 {
		t.Errorf("r2 rewrites = %d, want 1", got)
	}
	if got := stats(s, 0).Rewrites; got != 1 {
		t.Errorf("default rewrites = %d, want 1 (rooms must not share instances)", got)
	}
}

func TestChainParentContextCancelled(t *testing.T) {
	env := newEnv(t)
	s := env.set(t, `plugins: [ { name: wait-go, on_error: reject, timeout: 10s } ]`)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	res := s.Run(ctx, plugintest.Comment("hi"))
	if res.Action != plugins.ActionReject || res.Err == nil || errors.Is(res.Err, plugins.ErrTimeout) {
		t.Errorf("Run with a cancelled context = %+v, want a fail-closed error that is not a timeout", res)
	}
}
