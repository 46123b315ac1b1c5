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
	weight int                           // its quality weight (Tx.weighRows)
}

// Apply implements Op: it adds the comment to the batch's insert.
func (op *insertComment) Apply(tx *Tx) error {
	if op.Status == "" {
		op.Status = store.Visible
	}
	d := op.Draft
	if err := checkText("the comment", op.Room, d.Text, d.Mode, d.Color, d.Size, op.User.ID, op.User.Name, op.Note, op.Key); err != nil {
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

// releaseKeys frees the idempotency keys of a batch's comments that their
// senders used before the window (KeySince), so that the new comments can
// take them; it runs just before insertComments.
const releaseKeys = `UPDATE comments SET idem_key = NULL WHERE id = ANY(ARRAY(
	SELECT c.id FROM unnest($1::text[], $2::text[], $3::bigint[]) AS k(user_id, idem_key, since)
	CROSS JOIN LATERAL (
		SELECT id FROM comments WHERE user_id = k.user_id AND idem_key = k.idem_key AND created_at < k.since LIMIT 1
	) c))`

// insertComments stores a batch's comments, given as arrays, in one
// statement. A comment whose sender stored one with the same idempotency
// key already (known), or earlier in the batch, is a resend and is not
// stored. It bumps each room's last_seq once, by the number of its visible
// comments, and numbers those from the old value in batch order (a
// shadowed comment is shown the number the next visible one takes); the
// pipeline has locked the rooms' rows (in id order) just before, so no
// other node numbers in between. Ids are drawn in batch order. It returns
// the stored comments' ids and seqs, and the known comments whole; the
// comments of a room that does not exist, and the batch's own resends,
// are left out.
const insertComments = `WITH input AS (
	SELECT * FROM unnest($1::int[], $2::text[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[],
		$8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::int[])
		AS t(ord, room_id, time_ms, text, mode, color, size, user_id, user_name, status, ip, mod_note, idem_key, weight)
), known AS (
	-- One index lookup per keyed comment (LATERAL … LIMIT 1), whatever
	-- plan the statement gets: never a scan of the table.
	SELECT i.ord, c.* FROM input i CROSS JOIN LATERAL (
		SELECT id, coalesce(seq, shown_seq, 0) AS seq, room_id, time_ms, text, mode, color, size,
			user_id, user_name, created_at, likes, weight, status
		FROM comments WHERE user_id = i.user_id AND idem_key = i.idem_key LIMIT 1
	) c WHERE i.idem_key <> ''
), kept AS (
	-- The batch's first comment of each key (a window, not a join of the
	-- batch with itself), unless it is known.
	SELECT * FROM (
		SELECT i.*, row_number() OVER (PARTITION BY i.user_id, i.idem_key ORDER BY i.ord) AS nth FROM input i
	) r WHERE (r.idem_key = '' OR r.nth = 1) AND NOT EXISTS (SELECT 1 FROM known k WHERE k.ord = r.ord)
), counts AS (
	SELECT room_id, count(*) AS n FROM kept WHERE status = 'visible' GROUP BY room_id
), bumped AS (
	UPDATE rooms r SET last_seq = r.last_seq + c.n, comment_count = r.comment_count + c.n
	FROM counts c WHERE r.id = c.room_id
), numbered AS (
	SELECT k.*, r.last_seq + count(*) FILTER (WHERE k.status = 'visible') OVER (PARTITION BY k.room_id ORDER BY k.ord) AS upto
	FROM kept k JOIN rooms r ON r.id = k.room_id
), shown AS (
	-- Each sender's record counts their comments shown (the pipeline
	-- locked these rows in id order, and recorded new senders, before).
	UPDATE users u SET accepted = u.accepted + s.n
	FROM (SELECT user_id, count(*) AS n FROM numbered WHERE status = 'visible' GROUP BY user_id) s
	WHERE u.id = s.user_id
), ided AS (
	SELECT nextval('comments_id_seq') AS id, n.*,
		CASE WHEN n.status = 'visible' THEN n.upto END AS seq,
		CASE WHEN n.status = 'shadowed' THEN n.upto + 1 END AS shown_seq
	FROM (SELECT * FROM numbered ORDER BY ord) n
), inserted AS (
	INSERT INTO comments (id, room_id, seq, shown_seq, time_ms, text, mode, color, size, user_id, user_name, created_at,
		status, ip, mod_note, idem_key, weight)
	SELECT id, room_id, seq, shown_seq, time_ms, text, mode, color, size, user_id, user_name, $15,
		status, nullif(ip, '')::inet, mod_note, nullif(idem_key, ''), weight
	FROM ided
)
SELECT ord, false, id, coalesce(seq, shown_seq, 0), '', 0::bigint, '', '', '', '', '', '', 0::bigint, 0::bigint, 0, '' FROM ided
UNION ALL
SELECT ord, true, id, seq, room_id, time_ms, text, mode, color, size, user_id, user_name, created_at, likes, weight, status FROM known`

// upsertUsers records the users a batch's comments name, in id order,
// with their names' look-alike keys.
const upsertUsers = `INSERT INTO users (id, name, name_key, created_at, last_seen)
	SELECT id, name, name_key, $4, $4 FROM unnest($1::text[], $2::text[], $3::text[]) AS u(id, name, name_key)
	ON CONFLICT (id) DO UPDATE SET name = excluded.name, name_key = excluded.name_key, last_seen = excluded.last_seen`

// commentArgs are insertComments' arrays.
func (t *Tx) commentArgs() []any {
	n := len(t.rows)
	ord, weight := make([]int32, n), make([]int32, n)
	timeMs := make([]int64, n)
	cols := make([][]string, 11) // room_id … idem_key, as in the statement
	for i := range cols {
		cols[i] = make([]string, n)
	}
	for i, op := range t.rows {
		d := op.Draft
		ord[i], timeMs[i], weight[i] = int32(i), int64(d.Time), int32(op.weight)
		for j, v := range []string{op.Room, d.Text, d.Mode, d.Color, d.Size, op.User.ID, op.User.Name, string(op.Status), address(op.IP), op.Note, op.Key} {
			cols[j][i] = v
		}
	}
	args := []any{ord, cols[0], timeMs}
	for _, c := range cols[1:] {
		args = append(args, c)
	}
	return append(args, weight, t.now.UnixMilli())
}

// keyArgs are releaseKeys' arrays, or nil when no comment of the batch
// has a key.
func (t *Tx) keyArgs() []any {
	var users, keys []string
	var since []int64
	for _, op := range t.rows {
		if op.Key != "" {
			users, keys, since = append(users, op.User.ID), append(keys, op.Key), append(since, op.KeySince.UnixMilli())
		}
	}
	if len(keys) == 0 {
		return nil
	}
	return []any{users, keys, since}
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

// readComments gives each stored comment its id and seq and queues the
// visible ones for fan-out, in batch order (seq order within each room);
// a resend fails with a Duplicate of what was stored, and a comment left
// out otherwise with NotFound (its room does not exist).
func (t *Tx) readComments(rows pgx.Rows) error {
	stored := make([]bool, len(t.rows))
	now := protocol.TimestampOf(t.now)
	for rows.Next() {
		var ord int32
		var known bool
		var c protocol.Comment
		var status string
		if err := rows.Scan(&ord, &known, &c.ID, &c.Seq, &c.Room, &c.Time, &c.Text, &c.Mode, &c.Color, &c.Size,
			&c.User.ID, &c.User.Name, &c.CreatedAt, &c.Likes, &c.Weight, &status); err != nil {
			return err
		}
		op := t.rows[ord]
		if known {
			t.opErrs[op.op] = duplicate(store.Stored{Comment: c, Status: store.Status(status)})
			continue
		}
		d := op.Draft
		op.stored = protocol.Comment{ID: c.ID, Room: op.Room, Seq: c.Seq, Time: d.Time, Text: d.Text, Mode: d.Mode,
			Color: d.Color, Size: d.Size, User: op.User, CreatedAt: now, Weight: op.weight}
		stored[ord] = true
		if op.Status == store.Visible {
			t.events.Comments = append(t.events.Comments, op.stored)
		}
	}
	if rows.Err() != nil {
		return nil
	}
	first := map[[2]string]*insertComment{} // the batch's first comment of each user and key
	for i, op := range t.rows {
		k := [2]string{op.User.ID, op.Key}
		if op.Key != "" && first[k] == nil && stored[i] {
			first[k] = op
		}
	}
	for i, op := range t.rows {
		switch orig := first[[2]string{op.User.ID, op.Key}]; {
		case stored[i] || t.opErrs[op.op] != nil:
		case op.Key != "" && orig != nil:
			t.opErrs[op.op] = duplicate(store.Stored{Comment: orig.stored, Status: orig.Status})
		default:
			t.opErrs[op.op] = errs.New(errs.NotFound, "room %q does not exist", op.Room)
		}
	}
	return nil
}

// duplicate is the error of a resend of st (store.NewComment.Key).
func duplicate(st store.Stored) error {
	return errs.Wrap(&store.Duplicate{Original: st}, errs.Conflict, "this comment was stored already")
}
