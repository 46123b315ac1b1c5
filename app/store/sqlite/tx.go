package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/danmaku/danmaku/app/auth"
	"github.com/danmaku/danmaku/app/errs"
	"github.com/danmaku/danmaku/app/protocol"
	"github.com/danmaku/danmaku/app/store"
	"github.com/danmaku/danmaku/app/store/batch"
)

// Tx is the transaction of one batch, as ops see it. It hands out seqs and
// collects the events that become visible when the batch commits.
type Tx struct {
	ctx     context.Context
	tx      *sql.Tx
	stmts   *statements
	bound   map[*sql.Stmt]*sql.Stmt // the writer's statements bound to this transaction
	now     time.Time
	rooms   map[string]*roomState
	users   map[string]string // id → name upserted in this batch
	touched batch.Users       // users recorded by earlier, committed batches
	events  store.Events
	weigh   store.Weigher
	senders map[string]*senderRecord // users' records read (and changed) in this batch
	pending []pendingComment         // new comments' rows, written by flush (comment_rows.go)
}

// roomState is one room's counters as this batch changes them.
type roomState struct {
	lastSeq     int64
	startSeq    int64
	visibleDiff int64
}

func newTx(ctx context.Context, tx *sql.Tx, stmts *statements, touched batch.Users, weigh store.Weigher) *Tx {
	return &Tx{ctx: ctx, tx: tx, stmts: stmts, bound: map[*sql.Stmt]*sql.Stmt{}, now: time.Now(),
		rooms: map[string]*roomState{}, users: map[string]string{}, touched: touched, weigh: weigh,
		senders: map[string]*senderRecord{}}
}

// Now is the batch's timestamp; every row the batch writes shares it.
func (t *Tx) Now() time.Time { return t.now }

// room loads a room's counters once per batch. A missing room is NotFound.
func (t *Tx) room(id string) (*roomState, error) {
	if rs, ok := t.rooms[id]; ok {
		return rs, nil
	}
	var last int64
	err := t.stmt(t.stmts.roomSeq).QueryRowContext(t.ctx, id).Scan(&last)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errs.New(errs.NotFound, "room %q does not exist", id)
	}
	if err != nil {
		return nil, fmt.Errorf("reading room %s: %w", id, err)
	}
	rs := &roomState{lastSeq: last, startSeq: last}
	t.rooms[id] = rs
	return rs, nil
}

// publish gives c the room's next seq and queues it for fan-out after commit.
func (t *Tx) publish(rs *roomState, c *protocol.Comment) {
	rs.lastSeq++
	rs.visibleDiff++
	c.Seq = rs.lastSeq
	t.events.Comments = append(t.events.Comments, *c)
}

// touchUser records that a user acted: once per batch, and not again while
// an earlier batch's record is fresh (see batch.UserTouchEvery).
func (t *Tx) touchUser(u protocol.User) error {
	if name, ok := t.users[u.ID]; ok && name == u.Name {
		return nil
	}
	if t.touched.Fresh(u.ID, u.Name, t.now) {
		return nil
	}
	ms := t.now.UnixMilli()
	if _, err := t.stmt(t.stmts.upsertUser).ExecContext(t.ctx, u.ID, u.Name, auth.NameKey(u.Name), ms, ms); err != nil {
		return fmt.Errorf("recording user: %w", err)
	}
	t.users[u.ID] = u.Name
	return nil
}

// flush writes the new comments, the rooms' counters and the senders'
// records; it runs once, just before commit.
func (t *Tx) flush() error {
	if err := t.flushComments(); err != nil {
		return err
	}
	if err := t.flushSenders(); err != nil {
		return err
	}
	for id, rs := range t.rooms {
		if rs.lastSeq == rs.startSeq && rs.visibleDiff == 0 {
			continue
		}
		if _, err := t.stmt(t.stmts.bumpRoom).ExecContext(t.ctx, rs.lastSeq, rs.visibleDiff, id); err != nil {
			return fmt.Errorf("updating room %s: %w", id, err)
		}
	}
	return nil
}

// stmt binds one of the writer's prepared statements to this transaction,
// once per batch rather than once per use.
func (t *Tx) stmt(s *sql.Stmt) *sql.Stmt {
	b, ok := t.bound[s]
	if !ok {
		b = t.tx.StmtContext(t.ctx, s)
		t.bound[s] = b
	}
	return b
}
