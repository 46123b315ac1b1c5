// Package batch is the group-commit writer every store backend shares. One
// goroutine takes the queued ops and runs as many as are waiting (up to
// MaxBatch) in one transaction, through the backend's Run; a second one
// runs their Done callbacks and then OnCommit, batch after batch, in commit
// order. A batch that fails as a whole is retried op by op, so one bad op
// fails alone, unless its commit's outcome is unknown (see Unknown).
//
// The backend owns the transaction type T and what an op may do with it;
// this package owns the queue, the batching, the retries, the delivery
// order and the counters.
package batch

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/danmaku/danmaku/app/errs"
	"github.com/danmaku/danmaku/app/store"
)

// Op is one unit of work for the Writer. Apply runs inside the batch's
// transaction; Done runs once the batch has committed (err nil) or failed.
//
// Apply must do its checks before its first write: returning a coded
// *errs.Error (anything but Internal) fails only this op and keeps the
// batch, so an op that wrote and then refused would leave its writes in.
// Any other error aborts the batch, which is then retried op by op, so Apply
// must also be safe to run twice.
type Op[T any] interface {
	Apply(tx T) error
	Done(err error)
}

// Run runs ops in one transaction of the backend and commits it. It
// returns each op's own error (a coded *errs.Error that failed that op
// alone; nil for the others) and what the commit changed for viewers, or
// err when the transaction failed as a whole and stored nothing (or, when
// err is Unknown, may have stored everything).
type Run[T any] func(ops []Op[T]) (opErrs []error, ev store.Events, err error)

// Options size the group commit and say where its outcome goes.
type Options struct {
	MaxBatch  int           // most ops in one transaction; default 512
	Linger    time.Duration // how long a non-full batch waits for more; default 0
	QueueSize int           // ops waiting for the writer; default 8192
	// OnCommit receives what each committed batch changed, from a single
	// goroutine, in commit order, after every op's Done of that batch.
	OnCommit func(store.Events)
	// Observe, when set, is told about every transaction the writer ran
	// (metrics), on the writer's goroutine: it must be cheap and never block.
	Observe func(store.Commit)
	// Weigh computes comments' quality weights (store.Weigher) in the
	// backend's ops; the writer itself does not call it. Nil gives every
	// comment store.NeutralWeight.
	Weigh  store.Weigher
	Logger *slog.Logger
}

// Weigher returns o.Weigh, or one that gives store.NeutralWeight when it
// is nil, clamped to 0–10 either way.
func (o Options) Weigher() store.Weigher {
	w := o.Weigh
	if w == nil {
		return func(store.QualitySignals) int { return store.NeutralWeight }
	}
	return func(s store.QualitySignals) int { return min(10, max(0, w(s))) }
}

// Writer is the single writer of a store: it commits ops in batches, one
// transaction per batch (group commit).
type Writer[T any] struct {
	run      Run[T]
	opts     Options
	queue    chan Op[T]
	dispatch chan committed[T]
	mu       sync.RWMutex // guards closed against Submit racing Close
	closed   bool
	done     chan struct{}

	batches atomic.Int64
	ops     atomic.Int64
}

type committed[T any] struct {
	ops    []Op[T]
	errs   []error
	events store.Events
}

// New starts a writer that runs its batches with run.
func New[T any](run Run[T], opts Options) *Writer[T] {
	if opts.MaxBatch <= 0 {
		opts.MaxBatch = 512
	}
	if opts.QueueSize <= 0 {
		opts.QueueSize = 8192
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	w := &Writer[T]{
		run:      run,
		opts:     opts,
		queue:    make(chan Op[T], opts.QueueSize),
		dispatch: make(chan committed[T], 64),
		done:     make(chan struct{}),
	}
	go w.loop()
	go w.deliver()
	return w
}

// Stats returns the writer's counters.
func (w *Writer[T]) Stats() store.WriterStats {
	return store.WriterStats{Batches: w.batches.Load(), Ops: w.ops.Load(), Queued: len(w.queue)}
}

// Submit queues op. It blocks while the queue is full, until ctx ends. Once
// Submit returns nil, op's Done is guaranteed to run, even during shutdown.
func (w *Writer[T]) Submit(ctx context.Context, op Op[T]) error {
	w.mu.RLock()
	defer w.mu.RUnlock()
	if w.closed {
		return errs.New(errs.Unavailable, "the server is shutting down")
	}
	select {
	case w.queue <- op:
		return nil
	default:
	}
	select {
	case w.queue <- op:
		return nil
	case <-ctx.Done():
		return errs.Wrap(ctx.Err(), errs.Unavailable, "the server is overloaded, try again")
	}
}

// Exec runs apply in the next batch and waits for the commit.
func (w *Writer[T]) Exec(ctx context.Context, apply func(T) error) error {
	op := &funcOp[T]{apply: apply, done: make(chan error, 1)}
	if err := w.Submit(ctx, op); err != nil {
		return err
	}
	// Once queued the op always completes; waiting past ctx keeps the
	// caller's answer true to what was stored.
	return <-op.done
}

// Probe runs apply in the next batch like Exec, but stops waiting when ctx
// ends: readiness checks ask it, and must not hang on a stuck database.
func (w *Writer[T]) Probe(ctx context.Context, apply func(T) error) error {
	op := &funcOp[T]{apply: apply, done: make(chan error, 1)}
	if err := w.Submit(ctx, op); err != nil {
		return err
	}
	select {
	case err := <-op.done:
		return err
	case <-ctx.Done():
		return errs.Wrap(ctx.Err(), errs.Unavailable, "the database did not answer in time")
	}
}

// Close stops accepting ops, commits every queued one and waits until all
// their Done callbacks and OnCommit have run.
func (w *Writer[T]) Close() error {
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		<-w.done
		return nil
	}
	w.closed = true
	close(w.queue)
	w.mu.Unlock()
	<-w.done
	return nil
}

func (w *Writer[T]) loop() {
	defer close(w.dispatch)
	for op := range w.queue {
		batch := w.fill(append(make([]Op[T], 0, 16), op))
		w.dispatch <- w.commit(batch)
	}
}

// fill adds whatever is already queued, up to MaxBatch, waiting at most
// Linger for a batch that is not full yet.
func (w *Writer[T]) fill(batch []Op[T]) []Op[T] {
	var linger <-chan time.Time
	if w.opts.Linger > 0 {
		t := time.NewTimer(w.opts.Linger)
		defer t.Stop()
		linger = t.C
	}
	for len(batch) < w.opts.MaxBatch {
		select {
		case op, ok := <-w.queue:
			if !ok {
				return batch
			}
			batch = append(batch, op)
			continue
		default:
		}
		if linger == nil {
			return batch
		}
		select {
		case op, ok := <-w.queue:
			if !ok {
				return batch
			}
			batch = append(batch, op)
		case <-linger:
			return batch
		}
	}
	return batch
}

// commit runs batch in one transaction. When that fails as a whole, it runs
// each op in a transaction of its own so that one bad op fails alone;
// when the outcome is unknown, every op fails, for a retry might store
// them twice.
func (w *Writer[T]) commit(batch []Op[T]) committed[T] {
	opErrs, events, err := w.exec(batch)
	if err == nil {
		return committed[T]{ops: batch, errs: opErrs, events: events}
	}
	out := committed[T]{ops: batch, errs: make([]error, len(batch))}
	if len(batch) == 1 || isUnknown(err) {
		w.opts.Logger.Error("write failed", "ops", len(batch), "err", err)
		for i := range out.errs {
			out.errs[i] = failure(err)
		}
		return out
	}
	w.opts.Logger.Warn("batch failed, retrying its ops one by one", "ops", len(batch), "err", err)
	for i, op := range batch {
		one := w.commit([]Op[T]{op})
		out.errs[i] = one.errs[0]
		merge(&out.events, one.events)
	}
	return out
}

func (w *Writer[T]) exec(batch []Op[T]) (opErrs []error, ev store.Events, err error) {
	if w.opts.Observe != nil {
		start := time.Now()
		defer func() { w.opts.Observe(store.Commit{Ops: len(batch), Took: time.Since(start), Err: err}) }()
	}
	opErrs, ev, err = w.run(batch)
	if err == nil {
		w.batches.Add(1)
		w.ops.Add(int64(len(batch)))
	}
	return opErrs, ev, err
}

// deliver runs Done and OnCommit for each batch in commit order.
func (w *Writer[T]) deliver() {
	defer close(w.done)
	for c := range w.dispatch {
		for i, op := range c.ops {
			var err error
			if i < len(c.errs) {
				err = c.errs[i]
			}
			op.Done(err)
		}
		if w.opts.OnCommit != nil && !empty(&c.events) {
			w.opts.OnCommit(c.events)
		}
	}
}

// funcOp adapts a function to an Op whose caller waits for the outcome.
type funcOp[T any] struct {
	apply func(T) error
	done  chan error
}

func (o *funcOp[T]) Apply(tx T) error { return o.apply(tx) }
func (o *funcOp[T]) Done(err error)   { o.done <- err }
