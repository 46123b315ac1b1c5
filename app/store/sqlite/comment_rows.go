package sqlite

import (
	"database/sql"
	"fmt"
	"strings"
)

// New comments are written in one multi-row INSERT per batch rather than a
// statement per comment: InsertComment.Apply queues the row, and flush
// writes every queued row just before commit, giving them their ids then.
// Ids are the table's next ones, taken explicitly (the writer is the only
// writer, and flush runs after every other op of the batch has written).
// A batch of n rows runs the statements for the powers of two that sum to
// n (at most maxRowsPerInsert rows each), each prepared once at start.

// commentRowColumns are the columns a new comment's row sets.
const commentRowColumns = `id, room_id, seq, time_ms, text, mode, color, size, user_id, user_name, created_at, status, ip, mod_note, idem_key, shown_seq, weight`

// commentRowArgs is the number of commentRowColumns.
const commentRowArgs = 17

// maxRowsPerInsert bounds one statement: 512 rows × 17 values stays well
// under SQLite's limit on a statement's variables (32,766).
const maxRowsPerInsert = 512

// insertRowsQuery is the INSERT of n comment rows.
func insertRowsQuery(n int) string {
	row := "(" + strings.Repeat("?, ", commentRowArgs-1) + "?)"
	return `INSERT INTO comments (` + commentRowColumns + `) VALUES ` + strings.Repeat(row+", ", n-1) + row
}

// prepareInsertRows prepares the multi-row inserts of 1, 2, 4 … maxRowsPerInsert rows.
func prepareInsertRows(db *sql.DB) (map[int]*sql.Stmt, error) {
	out := map[int]*sql.Stmt{}
	for n := 1; n <= maxRowsPerInsert; n *= 2 {
		st, err := db.Prepare(insertRowsQuery(n))
		if err != nil {
			for _, s := range out {
				_ = s.Close()
			}
			return nil, fmt.Errorf("store: preparing the insert of %d comments: %w", n, err)
		}
		out[n] = st
	}
	return out, nil
}

// pendingComment is a comment row an op queued, and where its id goes.
type pendingComment struct {
	op    *InsertComment
	event int // its index in the batch's events, or -1 when not published
	args  [commentRowArgs]any
}

// queueComment queues row (without its id) for flushComments.
func (t *Tx) queueComment(op *InsertComment, event int, row [commentRowArgs - 1]any) {
	p := pendingComment{op: op, event: event}
	copy(p.args[1:], row[:])
	t.pending = append(t.pending, p)
}

// keyPending reports whether a queued row has user's idempotency key.
func (t *Tx) keyPending(user, key string) bool {
	for i := range t.pending {
		if o := t.pending[i].op; o.Key == key && o.User.ID == user {
			return true
		}
	}
	return false
}

// flushComments writes the queued rows, giving each its id, in queue order.
// It runs before commit, and earlier when an op must read them.
func (t *Tx) flushComments() error {
	if len(t.pending) == 0 {
		return nil
	}
	var last int64
	if err := t.stmt(t.stmts.lastCommentID).QueryRowContext(t.ctx).Scan(&last); err != nil {
		return fmt.Errorf("reading the last comment id: %w", err)
	}
	for i := range t.pending {
		p := &t.pending[i]
		id := last + 1 + int64(i)
		p.args[0] = id
		p.op.Comment.ID = id
		if p.event >= 0 {
			t.events.Comments[p.event].ID = id
		}
	}
	args := make([]any, 0, min(len(t.pending), maxRowsPerInsert)*commentRowArgs)
	for rest := t.pending; len(rest) > 0; {
		n := maxRowsPerInsert
		for n > len(rest) {
			n /= 2
		}
		args = args[:0]
		for i := range rest[:n] {
			args = append(args, rest[i].args[:]...)
		}
		// Through Query, not Exec: mattn's driver binds a query's values
		// and takes its first step (which runs the INSERT) in one call
		// into C, where Exec binds each of the n × 17 values with a call
		// of its own.
		rows, err := t.stmt(t.stmts.insertRows[n]).QueryContext(t.ctx, args...)
		if err == nil {
			err = rows.Close()
		}
		if err != nil {
			return fmt.Errorf("inserting comments: %w", err)
		}
		rest = rest[n:]
	}
	t.pending = t.pending[:0]
	return nil
}
