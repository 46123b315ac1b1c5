package postgres

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/danmaku/danmaku/app/auth"
	"github.com/danmaku/danmaku/app/errs"
	"github.com/danmaku/danmaku/app/store"
	"github.com/danmaku/danmaku/app/store/batch"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Tx is the transaction of one batch, as ops see it. Ops queue statements
// for the batch's pipeline (Queue, and AddComment's rows, which go in one
// set-based statement), or read and write at once through Exec, QueryRow
// and Query, which open a real transaction first.
type Tx struct {
	ctx     context.Context
	conn    *pgxpool.Conn
	tx      pgx.Tx // nil until an op reads or writes at once
	now     time.Time
	op      int     // the op being applied
	opErrs  []error // each op's own error
	events  store.Events
	queued  []queued
	lock    []string // rooms whose rows queued statements update
	rows    []*insertComment
	users   map[string]string // id → name upserted in this batch
	touched batch.Users       // users recorded by earlier, committed batches
	weigh   store.Weigher
	// reweighLater are comments whose likes the batch's pipeline changes:
	// their weights are computed again after it, before the commit.
	reweighLater []int64
}

// queued is a statement waiting for the pipeline, and what reads its result.
type queued struct {
	sql  string
	args []any
	op   int
	read func(pgx.Rows) error
}

// Now is the batch's timestamp; every row the batch writes shares it.
func (t *Tx) Now() time.Time { return t.now }

// Queue adds a statement to the batch's pipeline. read, when set, gets its
// rows once it has run and returns the op's own error (NotFound, say:
// the statement must then have written nothing); its other errors fail
// the op alone, for the batch may have committed by then.
func (t *Tx) Queue(sql string, args []any, read func(pgx.Rows) error) {
	t.queued = append(t.queued, queued{sql: sql, args: args, op: t.op, read: read})
}

// lockRoom has the pipeline lock room's row, with the batch's other rooms
// in id order, before any queued statement updates it.
func (t *Tx) lockRoom(room string) { t.lock = append(t.lock, room) }

// begin opens the batch's transaction, once.
func (t *Tx) begin() error {
	if t.tx != nil {
		return nil
	}
	tx, err := t.conn.Begin(t.ctx)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	t.tx = tx
	return nil
}

// Exec runs a statement in the batch's transaction now.
func (t *Tx) Exec(sql string, args ...any) (pgconn.CommandTag, error) {
	if err := t.begin(); err != nil {
		return pgconn.CommandTag{}, err
	}
	return t.tx.Exec(t.ctx, sql, args...)
}

// QueryRow runs a query in the batch's transaction now.
func (t *Tx) QueryRow(sql string, args ...any) pgx.Row {
	if err := t.begin(); err != nil {
		return errRow{err}
	}
	return t.tx.QueryRow(t.ctx, sql, args...)
}

// Query runs a query in the batch's transaction now.
func (t *Tx) Query(sql string, args ...any) (pgx.Rows, error) {
	if err := t.begin(); err != nil {
		return nil, err
	}
	return t.tx.Query(t.ctx, sql, args...)
}

// errRow is a row whose query could not even start.
type errRow struct{ err error }

func (r errRow) Scan(...any) error { return r.err }

func (t *Tx) rollback() {
	if t.tx != nil {
		_ = t.tx.Rollback(t.ctx)
	}
}

// commit sends the pipeline and commits. Without a transaction of its
// own, the pipeline is one: PostgreSQL commits it at its end.
func (t *Tx) commit() error {
	if err := t.weighRows(); err != nil {
		t.rollback()
		return classify(err)
	}
	steps := t.pipeline()
	if t.tx == nil {
		if len(steps) == 0 {
			return nil
		}
		br := t.conn.SendBatch(t.ctx, batchOf(steps))
		if err := t.readResults(br, steps); err != nil {
			_ = br.Close()
			return unsure(err)
		}
		if err := br.Close(); err != nil {
			return unsure(fmt.Errorf("commit: %w", err))
		}
		return nil
	}
	if len(steps) > 0 {
		br := t.tx.SendBatch(t.ctx, batchOf(steps))
		err := t.readResults(br, steps)
		if cerr := br.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			t.rollback()
			return classify(err)
		}
	}
	if len(t.reweighLater) > 0 { // likes changed these comments' signals
		if _, err := t.reweigh(t.reweighLater...); err != nil {
			t.rollback()
			return classify(err)
		}
	}
	if err := t.tx.Commit(t.ctx); err != nil {
		return unsure(fmt.Errorf("commit: %w", err))
	}
	return nil
}

// pipeline is every statement the batch queued, in order: the rooms' row
// locks (sorted, so nodes take them in the same order), the locks of the
// senders' records and the users the comments name (sorted too), the
// comments, then the ops' statements.
func (t *Tx) pipeline() []queued {
	var steps []queued
	rooms := slices.Clone(t.lock)
	for _, c := range t.rows {
		rooms = append(rooms, c.Room)
	}
	if len(rooms) > 0 {
		slices.Sort(rooms)
		steps = append(steps, queued{sql: `SELECT id FROM rooms WHERE id = ANY($1) ORDER BY id FOR NO KEY UPDATE`, args: []any{slices.Compact(rooms)}})
	}
	if senders := t.senderIDs(); len(senders) > 0 {
		// The comments' insert counts them into their senders' records.
		steps = append(steps, queued{sql: `SELECT id FROM users WHERE id = ANY($1) ORDER BY id FOR NO KEY UPDATE`, args: []any{senders}})
	}
	if len(t.users) > 0 {
		ids := make([]string, 0, len(t.users))
		for id := range t.users {
			ids = append(ids, id)
		}
		slices.Sort(ids)
		names, keys := make([]string, len(ids)), make([]string, len(ids))
		for i, id := range ids {
			names[i] = t.users[id]
			keys[i] = auth.NameKey(names[i])
		}
		steps = append(steps, queued{sql: upsertUsers, args: []any{ids, names, keys, t.now.UnixMilli()}})
	}
	if keys := t.keyArgs(); keys != nil {
		steps = append(steps, queued{sql: releaseKeys, args: keys})
	}
	if len(t.rows) > 0 {
		steps = append(steps, queued{sql: insertComments, args: t.commentArgs(), read: t.readComments})
	}
	return append(steps, t.queued...)
}

// batchOf is steps as one pgx batch.
func batchOf(steps []queued) *pgx.Batch {
	b := &pgx.Batch{}
	for _, q := range steps {
		b.Queue(q.sql, q.args...)
	}
	return b
}

// readResults reads every statement's result in pipeline order. An error
// of the statements themselves (which rolls the batch back) is returned;
// what the readers make of good results goes to their ops.
func (t *Tx) readResults(br pgx.BatchResults, steps []queued) error {
	for _, q := range steps {
		rows, err := br.Query()
		if err != nil {
			return err
		}
		var rerr error
		if q.read != nil {
			rerr = q.read(rows)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if rerr != nil {
			t.opErrs[q.op] = opError(rerr)
		}
	}
	return nil
}

// opError is an op's error from reading its result: coded errors as they
// are, anything else Internal.
func opError(err error) error {
	if errs.CodeOf(err) != errs.Internal {
		return err
	}
	return errs.Wrap(err, errs.Internal, "reading what was stored failed")
}

// checkText refuses text PostgreSQL cannot store: a NUL character, or
// bytes that are not UTF-8. Validation keeps them from comments; this
// keeps them from failing a batch that other writes share.
func checkText(what string, values ...string) error {
	for _, v := range values {
		if strings.IndexByte(v, 0) >= 0 || !utf8.ValidString(v) {
			return errs.New(errs.Invalid, "%s holds a NUL character or invalid UTF-8", what)
		}
	}
	return nil
}
