package plugintest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/danmaku/danmaku/plugins"
)

// Case is one row of a plugin or chain table test. Rows run in order
// against the same plugin instance, so stateful plugins (rate limits,
// repeats) can be tested as a sequence; use Before to move a clock.
type Case struct {
	Name string
	// In is the comment; when it is the zero Comment, Comment(Text) is used.
	In   plugins.Comment
	Text string
	// Before runs before the call, e.g. func() { host.Clock.Advance(time.Second) }.
	Before func()

	Want       plugins.Action // expected action (the zero value is allow)
	WantText   string         // expected text after a rewrite; "" skips the check
	WantReason string         // substring expected in the reason; "" skips the check
	WantPlugin string         // chains only: the deciding plugin; "" skips the check
	WantErr    bool           // plugins only: Moderate must return an error
}

func (tc Case) comment() plugins.Comment {
	if tc.In.Room == "" && tc.In.Text == "" && tc.In.User.ID == "" {
		return Comment(tc.Text)
	}
	return tc.In
}

// callTimeout bounds each call made by the runners, generous for -race.
const callTimeout = 5 * time.Second

// Run calls m.Moderate for each case in order, as a subtest named tc.Name,
// and checks the action, the rewritten text, the reason, and that a
// rewrite kept the comment's identity (id, room, user id, IP). When m is a
// [plugins.Observer], it is then told that its own verdict was final, as
// if it were the only plugin in the chain.
//
// Run calls the plugin directly: its entry's timeout, on_error, breaker
// and mode do not apply (each call is only bounded by a generous test
// deadline). Use [RunChain] on a chain built from YAML to test those.
func Run(t *testing.T, m plugins.Moderator, cases []Case) {
	t.Helper()
	each(t, cases, func(t *testing.T, ctx context.Context, tc Case, in plugins.Comment) {
		t.Helper()
		v, err := m.Moderate(ctx, in)
		if tc.WantErr {
			if err == nil {
				t.Fatalf("Moderate(%q) = %v, want an error", in.Text, v.Action)
			}
			return
		}
		if err != nil {
			t.Fatalf("Moderate(%q) error: %v", in.Text, err)
		}
		text := in.Text
		if v.Action == plugins.ActionRewrite {
			text = v.Comment.Text
			if v.Comment.ID != in.ID || v.Comment.Room != in.Room || v.Comment.User.ID != in.User.ID || v.Comment.IP != in.IP {
				t.Errorf("rewrite changed the comment's identity: got %+v, from %+v", v.Comment, in)
			}
		}
		check(t, in.Text, v.Action, tc.Want, text, tc.WantText, v.Reason, tc.WantReason)
		if obs, ok := m.(plugins.Observer); ok {
			out := in
			if v.Action == plugins.ActionRewrite {
				out = v.Comment
			}
			obs.Observe(ctx, plugins.Outcome{Comment: out, Action: v.Action, Reason: v.Reason})
		}
	})
}

// Runner is what [RunChain] runs: a *plugins.Chain or *plugins.Set, or a
// *plugins.Pipeline wrapped in [PipelineRunner].
type Runner interface {
	Run(ctx context.Context, c plugins.Comment) plugins.Result
}

// PipelineRunner adapts a *plugins.Pipeline to [Runner].
type PipelineRunner struct{ *plugins.Pipeline }

// Run calls Moderate.
func (p PipelineRunner) Run(ctx context.Context, c plugins.Comment) plugins.Result {
	return p.Moderate(ctx, c)
}

// RunChain runs each case through r in order, as subtests, and checks the
// final action, text, reason and deciding plugin.
func RunChain(t *testing.T, r Runner, cases []Case) {
	t.Helper()
	each(t, cases, func(t *testing.T, ctx context.Context, tc Case, in plugins.Comment) {
		t.Helper()
		res := r.Run(ctx, in)
		check(t, in.Text, res.Action, tc.Want, res.Comment.Text, tc.WantText, res.Reason, tc.WantReason)
		if tc.WantPlugin != "" && res.Plugin != tc.WantPlugin {
			t.Errorf("Run(%q): decided by %q, want %q", in.Text, res.Plugin, tc.WantPlugin)
		}
	})
}

// each runs the cases in order as subtests: Before, then do with the
// case's comment and a context bounded by callTimeout.
func each(t *testing.T, cases []Case, do func(t *testing.T, ctx context.Context, tc Case, in plugins.Comment)) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.Name, func(t *testing.T) {
			t.Helper()
			if tc.Before != nil {
				tc.Before()
			}
			ctx, cancel := context.WithTimeout(t.Context(), callTimeout)
			defer cancel()
			do(t, ctx, tc, tc.comment())
		})
	}
}

func check(t *testing.T, in string, got, want plugins.Action, text, wantText, reason, wantReason string) {
	t.Helper()
	if got != want {
		t.Errorf("%q: action %v (reason %q, text %q), want %v", in, got, reason, text, want)
	}
	if wantText != "" && text != wantText {
		t.Errorf("%q: text %q, want %q", in, text, wantText)
	}
	if wantReason != "" && !strings.Contains(reason, wantReason) {
		t.Errorf("%q: reason %q, want it to contain %q", in, reason, wantReason)
	}
}
