package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"

	"github.com/danmaku/danmaku/app/errs"
	"github.com/danmaku/danmaku/app/store"
	"github.com/danmaku/danmaku/app/store/batch"
)

// Op is one unit of work for the Writer; see batch.Op for what Apply may do.
type Op = batch.Op[*Tx]

// WriterOptions size the group commit.
type WriterOptions = batch.Options

// Writer is the single writer that commits ops in batches, one transaction
// per batch (group commit).
type Writer = batch.Writer[*Tx]

// newWriter starts the writer over db, the single write connection.
func newWriter(db *sql.DB, stmts *statements, opts WriterOptions) *Writer {
	touched := batch.Users{} // used by the writer's goroutine only
	weigh := opts.Weigher()
	return batch.New(func(ops []Op) ([]error, store.Events, error) {
		return execTx(db, stmts, touched, weigh, ops)
	}, opts)
}

// execTx runs ops in one transaction and commits it.
func execTx(db *sql.DB, stmts *statements, touched batch.Users, weigh store.Weigher, ops []Op) ([]error, store.Events, error) {
	ctx := context.Background()
	sqlTx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return nil, store.Events{}, fmt.Errorf("begin: %w", err)
	}
	tx := newTx(ctx, sqlTx, stmts, touched, weigh)
	opErrs := make([]error, len(ops))
	for i, op := range ops {
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
	touched.Remember(tx.users, tx.now)
	return opErrs, tx.events, nil
}

// ping commits a write transaction that really writes: it rewrites the
// header's user_version with its own value, so the commit appends a page
// to the WAL (an empty transaction would write nothing and succeed on a
// disk that refuses writes).
func ping(tx *Tx) error {
	var v int64
	if err := tx.tx.QueryRowContext(tx.ctx, `PRAGMA user_version`).Scan(&v); err != nil {
		return err
	}
	_, err := tx.tx.ExecContext(tx.ctx, `PRAGMA user_version = `+strconv.FormatInt(v, 10))
	return err
}
