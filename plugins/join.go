package plugins

import (
	"context"
	"time"
)

// JoinResult is the chain's decision about a user entering a room.
type JoinResult struct {
	Allowed bool
	Plugin  string // the plugin that refused, if any
	Reason  string // tell the user why they were refused
	Err     error  // set when refused because a plugin failed under on_error: reject
}

// Join asks every [JoinChecker] in the chain, in order, whether j may
// enter; the first reject refuses. Timeouts and on_error apply as in Run.
// Joins are rare next to comments, so every non-inline check simply gets
// its own goroutine.
func (ch *Chain) Join(ctx context.Context, j Join) JoinResult {
	for _, e := range ch.entries {
		if e.joiner == nil {
			continue
		}
		o := e.callJoin(ctx, j)
		e.stats.joins.Add(1)
		switch {
		case o.timedOut || o.err != nil:
			if o.timedOut {
				e.stats.timeouts.Add(1)
			} else {
				e.stats.errors.Add(1)
			}
			ch.log.Warn("moderation plugin join check failed", "plugin", e.name, "room", j.Room,
				"on_error", string(e.onError), "err", e.failure(&o))
			if e.onError == OnErrorReject {
				e.stats.joinRefusals.Add(1)
				return JoinResult{Plugin: e.name, Reason: failReason, Err: e.failure(&o)}
			}
		case o.v.Action == ActionReject:
			e.stats.joinRefusals.Add(1)
			return JoinResult{Plugin: e.name, Reason: o.v.Reason}
		}
	}
	return JoinResult{Allowed: true}
}

func (e *entry) callJoin(ctx context.Context, j Join) outcome {
	start := time.Now()
	deadline := start.Add(e.timeout)
	invoke := func() (o outcome) {
		sc := newStepCtx(ctx, deadline)
		defer func() { finishCall(&o, recover(), sc, start, deadline) }()
		o.v, o.err = e.joiner.CheckJoin(sc, j)
		return o
	}
	return e.bounded(invoke)
}

// bounded runs invoke inline for a NonBlocking plugin, else on a goroutine
// of its own that is abandoned at the entry's timeout: for the rare calls
// (joins, traces) that do not go through the chain's worker.
func (e *entry) bounded(invoke func() outcome) outcome {
	if e.runsInline() {
		return invoke()
	}
	ch := make(chan outcome, 1)
	go func() { ch <- invoke() }()
	timer := time.NewTimer(e.timeout)
	defer timer.Stop()
	select {
	case o := <-ch:
		return o
	case <-timer.C:
		return outcome{timedOut: true, elapsed: e.timeout}
	}
}
