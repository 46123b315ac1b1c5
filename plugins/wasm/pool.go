package wasm

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// startTimeout bounds starting one instance (the module's own start-up
// code and danmaku_init), which runs off any comment's clock.
const startTimeout = 10 * time.Second

// pool keeps started instances for concurrent calls. New ones start in the
// background, so a comment never pays for a start: it takes an idle
// instance or waits for one within its deadline.
type pool struct {
	p     *Plugin
	idle  chan *instance // started and free
	slots chan struct{}  // a token per instance alive or starting

	ctx     context.Context // ends at close, stopping starts and calls in progress
	stop    context.CancelFunc
	closed  atomic.Bool
	calls   sync.RWMutex // read-held by every call: close waits for them before the runtime goes
	starts  sync.WaitGroup
	lastErr atomic.Pointer[error] // why the last start failed, for callers left waiting
}

func newPool(p *Plugin, size int, first *instance) *pool {
	ctx, stop := context.WithCancel(context.Background())
	pl := &pool{p: p, idle: make(chan *instance, size), slots: make(chan struct{}, size), ctx: ctx, stop: stop}
	pl.slots <- struct{}{}
	pl.idle <- first
	return pl
}

// errClosed answers calls that come after Close.
var errClosed = errors.New("the plugin is closed")

// enter admits a call until close: the call's context also ends when the
// pool closes (interrupting the module), and close waits for leave.
func (pl *pool) enter(ctx context.Context) (_ context.Context, leave func(), _ error) {
	pl.calls.RLock()
	if pl.closed.Load() {
		pl.calls.RUnlock()
		return nil, nil, errClosed
	}
	ctx, cancel := context.WithCancel(ctx)
	unlink := context.AfterFunc(pl.ctx, cancel)
	return ctx, func() {
		unlink()
		cancel()
		pl.calls.RUnlock()
	}, nil
}

// get returns a free instance, starting another in the background if none
// is free and the pool may grow.
func (pl *pool) get(ctx context.Context) (*instance, error) {
	select {
	case in := <-pl.idle:
		return in, nil
	default:
	}
	pl.grow()
	select {
	case in := <-pl.idle:
		return in, nil
	case <-ctx.Done():
		if err := pl.lastErr.Load(); err != nil {
			return nil, fmt.Errorf("no instance free before the deadline; the last start failed: %w", *err)
		}
		return nil, fmt.Errorf("no instance free before the deadline (instances: %d): %w", cap(pl.slots), ctx.Err())
	}
}

// grow starts an instance in the background if the pool has room.
func (pl *pool) grow() {
	if pl.closed.Load() {
		return
	}
	select {
	case pl.slots <- struct{}{}:
	default:
		return
	}
	pl.starts.Add(1)
	go func() {
		defer pl.starts.Done()
		ctx, cancel := context.WithTimeout(pl.ctx, startTimeout)
		defer cancel()
		in, err := pl.p.newInstance(ctx)
		if err != nil {
			pl.lastErr.Store(&err)
			pl.p.log.Error("a wasm plugin instance failed to start", "plugin", Name, "module", pl.p.path, "err", err)
			<-pl.slots
			return
		}
		pl.lastErr.Store(nil)
		pl.put(in)
	}()
}

// put returns a healthy instance after a call.
func (pl *pool) put(in *instance) {
	if pl.closed.Load() {
		in.close()
		<-pl.slots
		return
	}
	pl.idle <- in // never blocks: an instance holds a slot
}

// discard closes an instance that failed (its state cannot be trusted, or
// wazero closed it at the deadline) and starts a replacement.
func (pl *pool) discard(in *instance) {
	in.close()
	<-pl.slots
	pl.grow()
}

// close stops the pool: calls in progress are interrupted and waited for
// (wazero must not close a runtime under running code), then every
// instance closes.
func (pl *pool) close() {
	pl.closed.Store(true)
	pl.stop()
	pl.calls.Lock()
	defer pl.calls.Unlock()
	pl.starts.Wait()
	for {
		select {
		case in := <-pl.idle:
			in.close()
			<-pl.slots
		default:
			return
		}
	}
}
