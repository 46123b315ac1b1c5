package postgres

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"time"

	"github.com/danmaku/danmaku/app/errs"
	"github.com/danmaku/danmaku/app/store"
	"github.com/danmaku/danmaku/app/store/batch"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Op is one unit of work for the Writer; see batch.Op for what Apply may do.
type Op = batch.Op[*Tx]

// Writer is the node's single writer, which commits ops in batches, one
// transaction per batch (group commit).
type Writer = batch.Writer[*Tx]

// batchTimeout bounds one batch's transaction: a database that stops
// answering fails the batch (Unavailable) rather than stall the writer.
const batchTimeout = 30 * time.Second

// newWriter starts the writer over pool.
func newWriter(pool *pgxpool.Pool, opts batch.Options) *Writer {
	touched := batch.Users{} // used by the writer's goroutine only
	weigh := opts.Weigher()
	return batch.New(func(ops []Op) ([]error, store.Events, error) {
		ctx, cancel := context.WithTimeout(context.Background(), batchTimeout)
		defer cancel()
		return runBatch(ctx, pool, touched, weigh, ops)
	}, opts)
}

// runBatch runs ops in one transaction and commits it. Ops queue their
// statements (Tx.Queue) or read and write at once (Tx.Exec, which opens a
// transaction); the queued statements then go to the server in one
// pipeline: within that transaction, or, when no op opened one, as an
// implicit transaction that commits at the pipeline's end.
func runBatch(ctx context.Context, pool *pgxpool.Pool, touched batch.Users, weigh store.Weigher, ops []Op) ([]error, store.Events, error) {
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return nil, store.Events{}, classify(fmt.Errorf("connecting: %w", err))
	}
	defer conn.Release()
	tx := &Tx{ctx: ctx, conn: conn, now: time.Now(), touched: touched, weigh: weigh, users: map[string]string{}, opErrs: make([]error, len(ops))}
	for i, op := range ops {
		tx.op = i
		if err := op.Apply(tx); err != nil {
			if errs.CodeOf(err) == errs.Internal {
				tx.rollback()
				return nil, store.Events{}, classify(err)
			}
			tx.opErrs[i] = err
		}
	}
	if err := tx.commit(); err != nil {
		return nil, store.Events{}, err
	}
	touched.Remember(tx.users, tx.now)
	return tx.opErrs, tx.events, nil
}

// classify gives a failed batch's error its code: the database being
// unreachable, shutting down or out of resources is Unavailable (the
// sender may try again); anything else stays as it is (Internal unless
// coded).
func classify(err error) error {
	var pgErr *pgconn.PgError
	switch {
	case errors.As(err, &pgErr):
		switch pgErr.Code[:2] {
		case "08", "53", "57": // connection exception, insufficient resources, operator intervention
			return errs.Wrap(err, errs.Unavailable, "the database is unavailable, try again")
		}
	case errs.CodeOf(err) == errs.Internal && connectionLost(err):
		return errs.Wrap(err, errs.Unavailable, "the database is unavailable, try again")
	}
	return err
}

// connectionLost reports whether err says the database could not be
// reached, or stopped answering.
func connectionLost(err error) bool {
	var netErr net.Error
	var connectErr *pgconn.ConnectError
	return errors.As(err, &netErr) || errors.As(err, &connectErr) || pgconn.SafeToRetry(err) || pgconn.Timeout(err) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, net.ErrClosed) ||
		errors.Is(err, context.DeadlineExceeded)
}

// unsure classifies the error of a commit that was sent: a server error
// means it rolled back, and an error before anything was sent, or while
// the statements were only being prepared, means nothing ran; anything
// else (the connection broke) leaves its outcome unknown.
func unsure(err error) error {
	var pgErr *pgconn.PgError
	var prep pgx.ErrPreprocessingBatch
	if errors.As(err, &pgErr) || errors.As(err, &prep) || pgconn.SafeToRetry(err) {
		return classify(err)
	}
	return batch.Unknown(classify(err))
}
