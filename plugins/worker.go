package plugins

import (
	"context"
	"math"
	"sync/atomic"
	"time"
)

// worker runs the rest of a chain on its own goroutine while the caller
// watches the deadlines with one timer. The worker publishes which entry it
// is in and that entry's deadline in one atomic word; the caller and the
// worker settle every entry by compare-and-swap on that word, so exactly
// one of them counts it: the worker (it answered in time) or the caller
// (the deadline passed, the worker is abandoned). A timeout thus costs one
// fresh worker for the entries after it, and an ordinary comment costs one
// goroutine and one channel hand-off, not one per plugin.
type worker struct {
	ch    *Chain
	t0    time.Time     // deadlines are offsets from t0
	state atomic.Uint64 // packState(entry, deadline), stateFinished or stateAbandoned
	snaps []flow        // snaps[i] is what entry i started from
	done  chan workerEnd
}

// workerEnd is what a worker hands back when it has run to a decision.
type workerEnd struct {
	st   runState
	stop bool
}

const (
	stateFinished  = math.MaxUint64
	stateAbandoned = math.MaxUint64 - 1
	deadlineBits   = 48 // deadline offsets up to ~78 hours; entry indexes up to 65534
	deadlineMask   = 1<<deadlineBits - 1
)

func packState(i int, deadline time.Duration) uint64 {
	return uint64(i)<<deadlineBits | uint64(deadline)&deadlineMask
}

func unpackState(s uint64) (int, time.Duration) {
	return int(s >> deadlineBits), time.Duration(s & deadlineMask)
}

// runWorker runs entries from *next on in a worker and reports whether the
// chain was decided (st.stopped). Otherwise *next is the entry after a
// timed-out one (or past the end) and st is as that entry left it.
func (ch *Chain) runWorker(ctx context.Context, st *runState, next *int) (stop bool) {
	from := *next
	w := &worker{ch: ch, t0: time.Now(), snaps: make([]flow, len(ch.entries)), done: make(chan workerEnd, 1)}
	w.snaps[from] = st.flow
	first := packState(from, ch.entries[from].timeout)
	w.state.Store(first)
	go w.run(ctx, from, *st, first)

	timer := time.NewTimer(ch.entries[from].timeout)
	defer timer.Stop()
	for {
		select {
		case end := <-w.done:
			*st, *next = end.st, len(ch.entries)
			return end.stop
		case <-timer.C:
		}
		i, wait, expired := w.expire()
		switch {
		case expired:
			e := ch.entries[i]
			st.flow = w.snaps[i]
			o := outcome{timedOut: true, elapsed: e.timeout}
			ch.record(e, &o, st.c.Room)
			*next = i + 1
			return e.apply(st, &o)
		case wait > 0:
			timer.Reset(wait)
		default: // finished: the worker is about to send
			end := <-w.done
			*st, *next = end.st, len(ch.entries)
			return end.stop
		}
	}
}

// expire claims the entry the worker is in if its deadline has passed.
// Otherwise it returns how long to wait, or zero if the worker finished.
func (w *worker) expire() (i int, wait time.Duration, expired bool) {
	for {
		s := w.state.Load()
		if s == stateFinished {
			return 0, 0, false
		}
		i, deadline := unpackState(s)
		if now := time.Since(w.t0); now < deadline {
			return i, deadline - now, false
		}
		if w.state.CompareAndSwap(s, stateAbandoned) {
			w.ch.entries[i].inst.stuck.Add(1)
			return i, 0, true
		}
	}
}

// run executes entries from `from` on, stopping quietly once abandoned.
func (w *worker) run(ctx context.Context, from int, st runState, cur uint64) {
	entries := w.ch.entries
	now := time.Now()
	var o outcome
	for i := from; i < len(entries); i++ {
		e := entries[i]
		_, deadline := unpackState(cur)
		if w.state.Load() != cur {
			e.inst.stuck.Add(-1) // abandoned before it even started
			return
		}
		e.call(ctx, nil, &o, st.c, now, w.t0.Add(deadline))
		now = o.end
		e.check(&o, &st.c)
		stop := e.apply(&st, &o)
		next := uint64(stateFinished)
		if !stop && i+1 < len(entries) {
			w.snaps[i+1] = st.flow
			next = packState(i+1, now.Sub(w.t0)+entries[i+1].timeout)
		}
		if !w.state.CompareAndSwap(cur, next) {
			e.inst.stuck.Add(-1) // the caller counted the timeout
			return
		}
		w.ch.record(e, &o, st.c.Room)
		if next == stateFinished {
			w.done <- workerEnd{st: st, stop: stop}
			return
		}
		cur = next
	}
}
