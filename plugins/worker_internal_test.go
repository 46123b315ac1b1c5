package plugins

import (
	"context"
	"errors"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"
)

// counted is a plugin that answers allow and counts its calls.
type counted struct{ calls atomic.Int64 }

func (p *counted) Moderate(context.Context, Comment) (Verdict, error) {
	p.calls.Add(1)
	return Allow(), nil
}

// TestWorkerNeverReachedIsJudgedByTheGate plays the caller's side of the
// worker path with the worker not yet running, as on a loaded machine
// where its goroutine is scheduled after the entry's deadline: the entry
// is judged by its gate (an open breaker skips it, a full cap sheds it)
// rather than counted as a timeout, the late worker then neither calls
// the plugin nor counts anything, and a breaker trial it took is given back.
func TestWorkerNeverReachedIsJudgedByTheGate(t *testing.T) {
	tests := []struct {
		name      string
		prepare   func(e *entry, now *time.Time)
		wantErr   error
		wantStats func(PluginStats) bool
		wantState BreakerState
	}{
		{"open breaker skips", func(e *entry, _ *time.Time) { e.breaker.failure() },
			ErrBreakerOpen, func(s PluginStats) bool { return s.Skipped == 1 && s.Timeouts == 0 }, BreakerOpen},
		{"full cap sheds", func(e *entry, _ *time.Time) { e.inst.stuck.Store(e.maxStuck) },
			ErrOverloaded, func(s PluginStats) bool { return s.Shed == 1 && s.Timeouts == 0 }, BreakerClosed},
		{"closed breaker times out", func(*entry, *time.Time) {},
			ErrTimeout, func(s PluginStats) bool { return s.Timeouts == 1 && s.Stuck == 0 }, BreakerOpen}, // one failure opens it
		{"trial due times out and is given back", func(e *entry, now *time.Time) { e.breaker.failure(); *now = now.Add(time.Hour) },
			ErrTimeout, func(s PluginStats) bool { return s.Timeouts == 1 && s.Stuck == 0 }, BreakerOpen},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := &counted{}
			now := time.Unix(0, 0)
			e := &entry{name: "p", inst: &instance{mod: p}, timeout: time.Millisecond, onError: OnErrorReject, maxStuck: 2,
				breaker: newBreaker(BreakerConfig{Failures: 1, Window: time.Minute, Cooldown: time.Minute}, func() time.Time { return now })}
			ch := &Chain{entries: []*entry{e}, log: slog.New(slog.DiscardHandler)}
			tt.prepare(e, &now)
			st := runState{flow: flow{c: Comment{Room: "r", Text: "a"}}}
			start := st
			w, first := ch.newWorker(&st, 0)
			next := 0
			if !w.watch(&st, &next) || next != 1 {
				t.Fatalf("watch: not stopped at entry 0 (next %d)", next)
			}
			if !errors.Is(st.stopped.Err, tt.wantErr) {
				t.Errorf("err %v, want %v", st.stopped.Err, tt.wantErr)
			}
			w.run(context.Background(), 0, start, first) // the late worker
			if n := p.calls.Load(); n != 0 {
				t.Errorf("the plugin was called %d times after its entry was judged", n)
			}
			s := e.snapshot()
			if s.Calls != 1 || !tt.wantStats(s) {
				t.Errorf("stats: calls %d skipped %d shed %d timeouts %d stuck %d", s.Calls, s.Skipped, s.Shed, s.Timeouts, s.Stuck)
			}
			if got := BreakerState(e.breaker.state.Load()); got != tt.wantState {
				t.Errorf("breaker %v, want %v", got, tt.wantState)
			}
		})
	}
}
