package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"strconv"
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
type Op interface {
	Apply(tx *Tx) error
	Done(err error)
}

// WriterOptions size the group commit.
type WriterOptions struct {
	MaxBatch  int           // most ops in one transaction; default 512
	Linger    time.Duration // how long a non-full batch waits for more; default 0
	QueueSize int           // ops waiting for the writer; default 8192
	// OnCommit receives what each committed batch changed, from a single
	// goroutine, in commit order, after every op's Done of that batch.
	OnCommit func(store.Events)
	// Observe, when set, is told about every transaction the writer ran
	// (metrics), on the writer's goroutine: it must be cheap and never block.
	Observe func(store.Commit)
	// Weigh computes comments' quality weights (store.Weigher); nil gives
	// every comment store.NeutralWeight.
	Weigh  store.Weigher
	Logger *slog.Logger
}

// Writer is the single writer that commits ops in batches, one transaction
// per batch (group commit).
type Writer struct {
	db       *sql.DB
	opts     WriterOptions
	stmts    *statements
	touched  touchedUsers // used by run's goroutine only
	queue    chan Op
	dispatch chan committed
	mu       sync.RWMutex // guards closed against Submit racing Close
	closed   bool
	done     chan struct{}

	batches atomic.Int64
	ops     atomic.Int64
}

// Stats returns the writer's counters.
func (w *Writer) Stats() store.WriterStats {
	return store.WriterStats{Batches: w.batches.Load(), Ops: w.ops.Load(), Queued: len(w.queue)}
}

type committed struct {
	ops    []Op
	errs   []error
	events store.Events
}

func newWriter(db *sql.DB, opts WriterOptions) (*Writer, error) {
	if opts.MaxBatch <= 0 {
		opts.MaxBatch = 512
	}
	if opts.QueueSize <= 0 {
		opts.QueueSize = 8192
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Weigh == nil {
		opts.Weigh = func(store.QualitySignals) int { return store.NeutralWeight }
	}
	stmts, err := prepare(db)
	if err != nil {
		return nil, err
	}
	w := &Writer{
		db:       db,
		opts:     opts,
		stmts:    stmts,
		touched:  touchedUsers{},
		queue:    make(chan Op, opts.QueueSize),
		dispatch: make(chan committed, 64),
		done:     make(chan struct{}),
	}
	go w.run()
	go w.deliver()
	return w, nil
}

// Submit queues op. It blocks while the queue is full, until ctx ends. Once
// Submit returns nil, op's Done is guaranteed to run, even during shutdown.
func (w *Writer) Submit(ctx context.Context, op Op) error {
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
func (w *Writer) Exec(ctx context.Context, apply func(*Tx) error) error {
	op := &funcOp{apply: apply, done: make(chan error, 1)}
	if err := w.Submit(ctx, op); err != nil {
		return err
	}
	// Once queued the op always completes; waiting past ctx keeps the
	// caller's answer true to what was stored.
	return <-op.done
}

// Ping commits a write transaction that really writes: it rewrites the
// header's user_version with its own value, so the commit appends a page
// to the WAL (an empty transaction would write nothing and succeed on a
// disk that refuses writes). It stops waiting when ctx ends.
func (w *Writer) Ping(ctx context.Context) error {
	op := &funcOp{done: make(chan error, 1), apply: func(tx *Tx) error {
		var v int64
		if err := tx.tx.QueryRowContext(tx.ctx, `PRAGMA user_version`).Scan(&v); err != nil {
			return err
		}
		_, err := tx.tx.ExecContext(tx.ctx, `PRAGMA user_version = `+strconv.FormatInt(v, 10))
		return err
	}}
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
func (w *Writer) Close() error {
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
	return w.stmts.close()
}

func (w *Writer) run() {
	defer close(w.dispatch)
	for op := range w.queue {
		batch := w.fill(append(make([]Op, 0, 16), op))
		w.dispatch <- w.commit(batch)
	}
}

// fill adds whatever is already queued, up to MaxBatch, waiting at most
// Linger for a batch that is not full yet.
func (w *Writer) fill(batch []Op) []Op {
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
// each op in a transaction of its own so that one bad op fails alone.
func (w *Writer) commit(batch []Op) committed {
	opErrs, events, err := w.exec(batch)
	if err == nil {
		return committed{ops: batch, errs: opErrs, events: events}
	}
	out := committed{ops: batch, errs: make([]error, len(batch))}
	if len(batch) == 1 {
		w.opts.Logger.Error("write failed", "err", err)
		out.errs[0] = errs.Wrap(err, errs.Internal, "storing failed")
		return out
	}
	w.opts.Logger.Warn("batch failed, retrying its ops one by one", "ops", len(batch), "err", err)
	for i, op := range batch {
		one := w.commit([]Op{op})
		out.errs[i] = one.errs[0]
		mergeEvents(&out.events, one.events)
	}
	return out
}

func (w *Writer) exec(batch []Op) (opErrs []error, ev store.Events, err error) {
	if w.opts.Observe != nil {
		start := time.Now()
		defer func() { w.opts.Observe(store.Commit{Ops: len(batch), Took: time.Since(start), Err: err}) }()
	}
	return w.execTx(batch)
}

// execTx runs batch in one transaction and commits it.
func (w *Writer) execTx(batch []Op) ([]error, store.Events, error) {
	ctx := context.Background()
	sqlTx, err := w.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, store.Events{}, fmt.Errorf("begin: %w", err)
	}
	tx := newTx(ctx, sqlTx, w.stmts, w.touched, w.opts.Weigh)
	opErrs := make([]error, len(batch))
	for i, op := range batch {
		if err := op.Apply(tx); err != nil {
			if errs.CodeOf(err) == errs.Internal {
				_ = sqlTx.Rollback()
				return nil, store.Events{}, err
			}
			opErrs[i] = err
		}
	}
	if err := tx.flush(); err != nil {
		_ = sqlTx.Rollback()
		return nil, store.Events{}, err
	}
	if err := sqlTx.Commit(); err != nil {
		return nil, store.Events{}, fmt.Errorf("commit: %w", err)
	}
	w.touched.remember(tx.users, tx.now)
	w.batches.Add(1)
	w.ops.Add(int64(len(batch)))
	return opErrs, tx.events, nil
}

// deliver runs Done and OnCommit for each batch in commit order.
func (w *Writer) deliver() {
	defer close(w.done)
	for c := range w.dispatch {
		for i, op := range c.ops {
			op.Done(c.errs[i])
		}
		if w.opts.OnCommit != nil && !noEvents(&c.events) {
			w.opts.OnCommit(c.events)
		}
	}
}

// funcOp adapts a function to an Op whose caller waits for the outcome.
type funcOp struct {
	apply func(*Tx) error
	done  chan error
}

func (o *funcOp) Apply(tx *Tx) error { return o.apply(tx) }
func (o *funcOp) Done(err error)     { o.done <- err }
