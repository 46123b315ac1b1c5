package plugins

import (
	"context"
	"log/slog"
)

// Observer is implemented by plugins that want to know what became of
// each comment they saw: a stateful plugin (slow mode, a rate limit)
// counts only what was really accepted, not what a later plugin refused.
//
// Observe is called on the sender's goroutine, once the chain's verdict is
// final (Committed false), and again once a stored comment (visible, held
// or shadowed) is committed (Committed true). It must not block, like a
// [NonBlocking] plugin's Moderate; a panic is logged and dropped. Only
// entries the comment reached are told: those before the deciding one,
// and the deciding one itself. The host may still refuse a comment the
// chain accepted when a rewrite made it invalid; that is rare enough that
// no second call says so.
type Observer interface {
	Observe(ctx context.Context, o Outcome)
}

// Outcome is the final word on one comment.
type Outcome struct {
	Comment   Comment // as the chain left it, every rewrite applied
	Action    Action  // the chain's final action
	Plugin    string  // who decided (reject, hold, shadow) or last rewrote; "" for a plain allow
	Reason    string  // the deciding plugin's reason
	Failed    bool    // decided by a plugin failure under on_error: reject
	Committed bool    // the comment is stored now (the second call)
}

// seen is what a result remembers to tell observers of the commit.
type seen struct {
	ch   *Chain
	upto int // entries [0, upto) saw the comment
}

// outcome is r as observers see it.
func (r *Result) outcome(committed bool) Outcome {
	return Outcome{Comment: r.Comment, Action: r.Action, Plugin: r.Plugin, Reason: r.Reason, Failed: r.Err != nil, Committed: committed}
}

// Committed tells the observers that saw the comment that it is stored.
// The host calls it once the comment's transaction commits.
func (r Result) Committed(ctx context.Context) {
	if r.seen.ch != nil {
		r.seen.ch.notify(ctx, r.seen.upto, r.outcome(true))
	}
}

// observed tells the observers among the entries the comment reached the
// chain's verdict, and keeps what Committed needs.
func (ch *Chain) observed(ctx context.Context, r *Result, upto int) {
	if len(ch.observers) == 0 {
		return
	}
	r.seen = seen{ch: ch, upto: upto}
	ch.notify(ctx, upto, r.outcome(false))
}

func (ch *Chain) notify(ctx context.Context, upto int, o Outcome) {
	for _, e := range ch.observers {
		if e.index >= upto {
			return
		}
		e.observe(ctx, o, ch.log)
	}
}

func (e *entry) observe(ctx context.Context, o Outcome, log *slog.Logger) {
	defer func() {
		if v := recover(); v != nil {
			log.Warn("moderation plugin panicked in Observe", slog.String("plugin", e.name), slog.Int("index", e.index), slog.Any("panic", v))
		}
	}()
	e.observer.Observe(ctx, o)
}
