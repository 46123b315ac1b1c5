package plugins

import (
	"context"
	"time"
)

// Step is one plugin's part in a traced run.
type Step struct {
	Plugin  string
	Index   int
	Action  Action        // the verdict's action; meaningless when Err is set
	Reason  string        // the verdict's reason
	Text    string        // the comment's text after this plugin
	Err     error         // the failure (error, panic, timeout, open breaker), if it failed
	Elapsed time.Duration // how long the call took
}

// Trace runs c through the chain like [Chain.Run], one plugin at a time,
// and also returns each plugin's step, for tools (`danmaku plugins try`)
// and tests. Each call is bounded by its entry's timeout; a plugin that
// is not [NonBlocking] runs on a goroutine of its own, abandoned at its
// deadline. Counters and breakers see the calls as in Run.
func (ch *Chain) Trace(ctx context.Context, c Comment) (Result, []Step) {
	st := runState{flow: flow{c: c}}
	steps := make([]Step, 0, len(ch.entries))
	for _, e := range ch.entries {
		o := e.traceCall(ctx, st.c)
		e.check(&o, &st.c)
		ch.record(e, &o, st.c.Room)
		stop := e.apply(&st, &o)
		s := Step{Plugin: e.name, Index: e.index, Action: o.v.Action, Reason: o.v.Reason, Text: st.c.Text, Elapsed: o.elapsed}
		if o.timedOut || o.err != nil {
			s.Err = e.failure(&o)
		}
		steps = append(steps, s)
		if stop {
			return st.result(true), steps
		}
	}
	return st.result(false), steps
}

// traceCall makes one call, bounded by the entry's timeout.
func (e *entry) traceCall(ctx context.Context, c Comment) outcome {
	start := time.Now()
	deadline := start.Add(e.timeout)
	return e.bounded(func() (o outcome) {
		e.call(ctx, nil, &o, c, start, deadline)
		return o
	})
}
