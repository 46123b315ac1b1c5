package postgres

import (
	"context"
	"net/netip"

	"github.com/danmaku/danmaku/app/errs"
	"github.com/danmaku/danmaku/app/protocol"
	"github.com/danmaku/danmaku/app/store"
	"github.com/jackc/pgx/v5"
)

// AddComment implements store.Comments: the comment joins the batch's one
// insert of comments (insertComment).
func (s *Store) AddComment(ctx context.Context, c store.NewComment, done func(protocol.Comment, error)) error {
	return s.Writer.Submit(ctx, &insertComment{NewComment: c, done: done})
}

// insertComment is the op that stores a new comment. Its row goes into the
// batch's one insert of comments, which gives a visible comment the room's
// next seq; it is fanned out after commit.
type insertComment struct {
	store.NewComment
	stored protocol.Comment              // as stored; set once the batch ran
	done   func(protocol.Comment, error) // on the writer's delivery goroutine: must not block
	op     int                           // its place in the batch
}

// Apply implements Op: it adds the comment to the batch's insert.
func (op *insertComment) Apply(tx *Tx) error {
	if op.Status == "" {
		op.Status = store.Visible
	}
	d := op.Draft
	if err := checkText("the comment", op.Room, d.Text, d.Mode, d.Color, d.Size, op.User.ID, op.User.Name, op.Note); err != nil {
		return err
	}
	op.op, op.stored = tx.op, protocol.Comment{}
	tx.rows = append(tx.rows, op)
	if name, ok := tx.users[op.User.ID]; (!ok || name != op.User.Name) && !tx.touched.Fresh(op.User.ID, op.User.Name, tx.now) {
		tx.users[op.User.ID] = op.User.Name
	}
	return nil
}

// Done implements Op: it answers the sender.
func (op *insertComment) Done(err error) {
	if err != nil {
		op.done(protocol.Comment{}, err)
		return
	}
	op.done(op.stored, nil)
}

// insertComments stores a batch's comments, given as arrays, in one
// statement. It bumps each room's last_seq once, by the number of its
// visible comments, and numbers those from the old value, in batch order;
// the pipeline has locked the rooms' rows (in id order) just before, so
// no other node numbers in between. Comments of a room that does not
// exist are left out of the result. Ids are drawn in batch order.
const insertComments = `WITH input AS (
	SELECT * FROM unnest($1::int[], $2::text[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[],
		$8::text[], $9::text[], $10::text[], $11::text[], $12::text[])
		AS t(ord, room_id, time_ms, text, mode, color, size, user_id, user_name, status, ip, mod_note)
), counts AS (
	SELECT room_id, count(*) AS n FROM input WHERE status = 'visible' GROUP BY room_id
), bumped AS (
	UPDATE rooms r SET last_seq = r.last_seq + c.n, comment_count = r.comment_count + c.n
	FROM counts c WHERE r.id = c.room_id
	RETURNING r.id, r.last_seq - c.n AS base
), numbered AS (
	SELECT i.*, CASE WHEN i.status = 'visible'
		THEN b.base + row_number() OVER (PARTITION BY i.room_id, i.status = 'visible' ORDER BY i.ord) END AS seq
	FROM input i JOIN rooms r ON r.id = i.room_id LEFT JOIN bumped b ON b.id = i.room_id
), ided AS (
	SELECT nextval('comments_id_seq') AS id, n.* FROM (SELECT * FROM numbered ORDER BY ord) n
), inserted AS (
	INSERT INTO comments (id, room_id, seq, time_ms, text, mode, color, size, user_id, user_name, created_at, status, ip, mod_note)
	SELECT id, room_id, seq, time_ms, text, mode, color, size, user_id, user_name, $13, status, nullif(ip, '')::inet, mod_note
	FROM ided
)
SELECT ord, id, coalesce(seq, 0) FROM ided ORDER BY ord`

// upsertUsers records the users a batch's comments name, in id order.
const upsertUsers = `INSERT INTO users (id, name, created_at, last_seen)
	SELECT id, name, $3, $3 FROM unnest($1::text[], $2::text[]) AS u(id, name)
	ON CONFLICT (id) DO UPDATE SET name = excluded.name, last_seen = excluded.last_seen`

// commentArgs are insertComments' arrays.
func (t *Tx) commentArgs() []any {
	n := len(t.rows)
	ord := make([]int32, n)
	timeMs := make([]int64, n)
	cols := make([][]string, 10) // room_id … mod_note, as in the statement
	for i := range cols {
		cols[i] = make([]string, n)
	}
	for i, op := range t.rows {
		d := op.Draft
		ord[i], timeMs[i] = int32(i), int64(d.Time)
		for j, v := range []string{op.Room, d.Text, d.Mode, d.Color, d.Size, op.User.ID, op.User.Name, string(op.Status), address(op.IP), op.Note} {
			cols[j][i] = v
		}
	}
	args := []any{ord, cols[0], timeMs}
	for _, c := range cols[1:] {
		args = append(args, c)
	}
	return append(args, t.now.UnixMilli())
}

// address is ip as PostgreSQL's inet reads it, or "" (NULL) when it is
// not an address.
func address(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return ""
	}
	return a.WithZone("").String()
}

// readComments gives each comment its id and seq, and queues the visible
// ones for fan-out, in batch order (seq order within each room).
func (t *Tx) readComments(rows pgx.Rows) error {
	stored := make([]bool, len(t.rows))
	now := protocol.TimestampOf(t.now)
	for rows.Next() {
		var ord int32
		var id, seq int64
		if err := rows.Scan(&ord, &id, &seq); err != nil {
			return err
		}
		op := t.rows[ord]
		d := op.Draft
		op.stored = protocol.Comment{ID: id, Room: op.Room, Seq: seq, Time: d.Time, Text: d.Text, Mode: d.Mode,
			Color: d.Color, Size: d.Size, User: op.User, CreatedAt: now}
		stored[ord] = true
		if seq != 0 {
			t.events.Comments = append(t.events.Comments, op.stored)
		}
	}
	for i, ok := range stored {
		if !ok && rows.Err() == nil {
			op := t.rows[i]
			t.opErrs[op.op] = errs.New(errs.NotFound, "room %q does not exist", op.Room)
		}
	}
	return nil
}
