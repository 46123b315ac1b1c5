package plugins

import (
	"context"
	"log/slog"
	"time"
)

// Chain is an ordered list of configured plugin instances. It is safe for
// concurrent use; build it with [Build].
type Chain struct {
	room      string // "" for the default chain
	entries   []*entry
	observers []*entry // the entries whose plugin is an Observer, in order
	log       *slog.Logger
}

// Result is the chain's decision about one comment.
type Result struct {
	// Action is the final action: allow or rewrite (both mean "store as
	// visible and fan out"), or the reject, hold or shadow that stopped the chain.
	Action Action
	// Comment is the comment to store: the input with every accepted rewrite
	// applied (also for hold and shadow, so held comments are stored masked).
	Comment Comment
	// Plugin names the plugin that stopped the chain, or the last one that
	// rewrote the comment; empty for a plain allow.
	Plugin string
	// Reason is the deciding plugin's reason; send it to the sender on
	// reject and hold, never on shadow.
	Reason string
	// Err is set when the action comes from a failure under on_error: reject
	// (a timeout, error or panic); log it, do not show it.
	Err error

	seen seen // the observers to tell of the commit
}

// flow is what passes from one plugin to the next.
type flow struct {
	c        Comment
	rewriter string // last plugin that rewrote c
	reason   string // its reason
}

// runState is a run in progress: the flow and, once a plugin stopped the
// chain, its decision (Comment unset).
type runState struct {
	flow
	stopped Result
	at      int // the index of the entry that stopped the chain
}

// result is the chain's answer once the run stopped or ran out of plugins.
func (s *runState) result(stopped bool) Result {
	switch {
	case stopped:
		r := s.stopped
		r.Comment = s.c
		return r
	case s.rewriter == "":
		return Result{Action: ActionAllow, Comment: s.c}
	}
	return Result{Action: ActionRewrite, Comment: s.c, Plugin: s.rewriter, Reason: s.reason}
}

// Room returns the room the chain was configured for, "" for the default chain.
func (ch *Chain) Room() string { return ch.room }

// Names returns the plugin names in chain order.
func (ch *Chain) Names() []string {
	names := make([]string, len(ch.entries))
	for i, e := range ch.entries {
		names[i] = e.name
	}
	return names
}

// Run passes c through the chain. Each plugin sees the previous plugin's
// output; the first reject, hold or shadow stops the chain. Run returns
// within about the sum of the timeouts of the plugins it reaches, however
// long a plugin blocks: a call that times out is abandoned (it keeps its
// goroutine until it returns) and the entry's on_error policy applies.
//
// Plugins implementing [NonBlocking] run inline on the caller's goroutine;
// from the first other plugin on, the rest of the chain runs on one worker
// goroutine that Run watches with a single timer. A NonBlocking plugin
// whose call overruns its timeout is moved to the worker path (its
// instance is), with a log line: its first overrun cannot be cut short,
// the next ones are. It comes back inline after promoteAfter quick calls.
//
// Once the verdict is final, the [Observer] plugins the comment reached
// are told; [Result.Committed] tells them again once it is stored.
func (ch *Chain) Run(ctx context.Context, c Comment) Result {
	st := runState{flow: flow{c: c}}
	var now time.Time
	var o outcome
	var sc *stepCtx // reused across inline calls
	for i := 0; i < len(ch.entries); {
		e := ch.entries[i]
		if !e.runsInline() {
			if ch.runWorker(ctx, &st, &i) {
				return ch.finish(ctx, &st, true)
			}
			now = time.Time{}
			continue
		}
		if now.IsZero() {
			now = time.Now()
		}
		e.call(ctx, &sc, &o, st.c, now, time.Time{})
		now = o.end
		if o.timedOut {
			ch.demote(e, &o, st.c.Room)
		}
		e.check(&o, &st.c)
		ch.record(e, &o, st.c.Room)
		if e.apply(&st, &o) {
			return ch.finish(ctx, &st, true)
		}
		i++
	}
	return ch.finish(ctx, &st, false)
}

// finish makes the run's result and tells the observers.
func (ch *Chain) finish(ctx context.Context, st *runState, stopped bool) Result {
	r := st.result(stopped)
	upto := len(ch.entries)
	if stopped {
		upto = st.at + 1
	}
	ch.observed(ctx, &r, upto)
	return r
}

// promoteAfter is how many calls in a row a demoted plugin must answer
// within a quarter of its timeout to run inline again: one that keeps
// overrunning stays on the worker path, while a healthy one that overran
// once on an overloaded machine does not pay for the worker path forever.
const promoteAfter = 1000

// demote moves a NonBlocking plugin that overran its timeout to the
// worker path, where its deadline is enforced, and says so once.
func (ch *Chain) demote(e *entry, o *outcome, room string) {
	e.inst.fast.Store(0)
	if e.inst.demoted.CompareAndSwap(false, true) {
		ch.log.Warn("moderation plugin says it is NonBlocking but overran its timeout: it runs on the worker path from now on",
			slog.String("plugin", e.name), slog.Int("index", e.index), slog.String("room", room),
			slog.Duration("elapsed", o.elapsed), slog.Duration("timeout", e.timeout))
	}
}

// judge watches a demoted plugin on the worker path: an overrun resets
// its record, promoteAfter quick answers in a row put it back inline.
func (ch *Chain) judge(e *entry, o *outcome, room string) {
	if o.timedOut || o.err != nil || o.elapsed >= e.timeout/4 {
		e.inst.fast.Store(0)
		return
	}
	if e.inst.fast.Add(1) >= promoteAfter && e.inst.demoted.CompareAndSwap(true, false) {
		e.inst.fast.Store(0)
		ch.log.Info("moderation plugin answered quickly again: it runs inline again",
			slog.String("plugin", e.name), slog.Int("index", e.index), slog.String("room", room), slog.Int("calls", promoteAfter))
	}
}
