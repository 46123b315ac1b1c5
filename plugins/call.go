package plugins

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"strings"
	"time"
)

// ErrTimeout is wrapped by [Result.Err] when a plugin missed its deadline.
var ErrTimeout = errors.New("plugin call timed out")

// PanicError is a plugin panic turned into an error.
type PanicError struct {
	Value any    // what the plugin panicked with
	Stack []byte // the plugin goroutine's stack at the panic
}

// Error describes the panic value.
func (e *PanicError) Error() string { return fmt.Sprintf("plugin panicked: %v", e.Value) }

// failReason is what a sender sees when a failing plugin fails closed;
// the details go to the log, not to users.
const failReason = "this comment could not be checked right now, please try again"

// ErrOverloaded is wrapped by [Result.Err] when a plugin failed fast
// because too many of its calls were abandoned at their deadline and are
// still running (the entry's max_abandoned).
var ErrOverloaded = errors.New("too many abandoned calls still running")

// entry is one configured plugin instance in a chain.
type entry struct {
	name     string
	index    int
	inst     *instance
	joiner   JoinChecker // nil if the plugin has no join hook
	observer Observer    // nil if the plugin does not observe outcomes
	breaker  *breaker    // nil without one
	inline   bool        // NonBlocking: call on the caller's goroutine
	dryRun   bool        // mode: dry_run: count and log verdicts, enforce none
	maxStuck int64       // abandoned calls still running before calls fail fast; 0: no cap
	timeout  time.Duration
	onError  OnError
	fp       string // fingerprint of the entry's config
	at       place  // where the entry sits, for a reload
	log      *slog.Logger
	stats    counters
}

// runsInline reports whether the entry is called on the caller's
// goroutine: a NonBlocking plugin that has never overrun its timeout.
func (e *entry) runsInline() bool { return e.inline && !e.inst.demoted.Load() }

// overloaded reports whether the entry's abandoned calls reached the cap.
func (e *entry) overloaded() bool {
	if e.maxStuck <= 0 || e.inst.stuck.Load() < e.maxStuck {
		if e.inst.shedding.Load() {
			e.inst.shedding.Store(false)
		}
		return false
	}
	return true
}

// outcome is what one call produced.
type outcome struct {
	v        Verdict
	err      error
	timedOut bool
	elapsed  time.Duration
	end      time.Time // when the call returned: the next call's start
}

// call invokes the plugin into o, started at start (the previous call's
// end: the clock is read once per plugin, which matters where reading it
// is slow), with a deadline (zero: start + timeout), turning a panic into
// an error and a late answer into a timeout.
// scp, if not nil, holds a context to reuse (see stepCtx.reuse).
func (e *entry) call(ctx context.Context, scp **stepCtx, o *outcome, c Comment, start, deadline time.Time) {
	if deadline.IsZero() {
		deadline = start.Add(e.timeout)
	}
	var sc *stepCtx
	if scp != nil {
		sc = (*scp).reuse(ctx, deadline)
		*scp = sc
	} else {
		sc = newStepCtx(ctx, deadline)
	}
	if e.breaker != nil && !e.breaker.allow() {
		sc.release()
		*o = outcome{err: ErrBreakerOpen, end: start}
		return
	}
	if e.overloaded() {
		sc.release()
		*o = outcome{err: ErrOverloaded, end: start}
		return
	}
	defer func() { finishCall(o, recover(), sc, start, deadline) }()
	o.v, o.err = e.inst.mod.Moderate(sc, c)
}

// finishCall ends a call: a panic becomes an error, the context is
// released, and an answer at or after the deadline counts as a timeout.
func finishCall(o *outcome, recovered any, sc *stepCtx, start, deadline time.Time) {
	if recovered != nil {
		o.v, o.err = Verdict{}, &PanicError{Value: recovered, Stack: debug.Stack()}
	}
	sc.release()
	o.end = time.Now()
	o.elapsed = o.end.Sub(start)
	o.timedOut = !o.end.Before(deadline)
}

// check turns verdicts the chain cannot honour into errors, and an empty
// rewrite into a reject (the plugin removed everything there was).
func (e *entry) check(o *outcome, in *Comment) {
	if o.err != nil || o.timedOut {
		return
	}
	switch a := o.v.Action; {
	case a > ActionShadow:
		o.err = fmt.Errorf("invalid verdict action %d", uint8(a))
	case a == ActionRewrite && !sameIdentity(in, &o.v.Comment):
		o.err = errors.New("rewrite changed the comment's id, room, user id or IP")
	case a == ActionRewrite && strings.TrimSpace(o.v.Comment.Text) == "":
		o.v = Reject("nothing is left of this comment after moderation")
	}
}

// apply moves the run on by one outcome and reports whether it decided the chain.
func (e *entry) apply(st *runState, o *outcome) (stop bool) {
	if e.dryRun {
		e.dry(st, o)
		return false
	}
	if o.timedOut || o.err != nil {
		if e.onError == OnErrorReject {
			st.stopped = Result{Action: ActionReject, Plugin: e.name, Reason: failReason, Err: e.failure(o)}
			st.at = e.index
			return true
		}
		return false
	}
	switch o.v.Action {
	case ActionRewrite:
		st.c, st.rewriter, st.reason = o.v.Comment, e.name, o.v.Reason
	case ActionReject, ActionHold, ActionShadow:
		st.stopped = Result{Action: o.v.Action, Plugin: e.name, Reason: o.v.Reason}
		st.at = e.index
		return true
	}
	return false
}

// failure is the error describing a failed outcome.
func (e *entry) failure(o *outcome) error {
	if o.timedOut {
		return fmt.Errorf("plugin %s: %w after %v", e.name, ErrTimeout, o.elapsed.Round(time.Microsecond))
	}
	return fmt.Errorf("plugin %s: %w", e.name, o.err)
}

// record counts the outcome, feeds the breaker and logs failures.
func (ch *Chain) record(e *entry, o *outcome, room string) {
	if e.inline && e.inst.demoted.Load() {
		ch.judge(e, o, room)
	}
	s := &e.stats
	switch o.err {
	case ErrBreakerOpen:
		s.skipped.Add(1)
		return
	case ErrOverloaded:
		s.shed.Add(1)
		if e.inst.shedding.CompareAndSwap(false, true) {
			ch.log.Error("moderation plugin has too many abandoned calls still running: new calls fail fast, with its on_error applied, until some return",
				slog.String("plugin", e.name), slog.Int("index", e.index), slog.String("room", room),
				slog.Int64("max_abandoned", e.maxStuck), slog.String("on_error", string(e.onError)))
		}
		return
	}
	s.latency.observe(o.elapsed)
	switch {
	case o.timedOut:
		s.timeouts.Add(1)
	case o.err != nil:
		s.errors.Add(1)
	default:
		s.verdict(o.v.Action)
		if e.breaker != nil {
			e.breaker.success()
		}
		return
	}
	attrs := []any{slog.String("plugin", e.name), slog.Int("index", e.index), slog.String("room", room),
		slog.String("on_error", string(e.onError)), slog.Any("err", e.failure(o))}
	if pe, ok := errors.AsType[*PanicError](o.err); ok {
		s.panics.Add(1)
		attrs = append(attrs, slog.String("stack", string(pe.Stack)))
	}
	ch.log.Warn("moderation plugin failed", attrs...)
	if e.breaker != nil && e.breaker.failure() {
		c := e.breaker.cfg
		ch.log.Error("moderation plugin circuit breaker opened: the plugin is skipped, with its on_error applied, until the cool-down ends",
			slog.String("plugin", e.name), slog.Int("index", e.index), slog.String("room", room),
			slog.Int("failures", c.Failures), slog.Duration("window", c.Window), slog.Duration("cooldown", c.Cooldown))
	}
}
