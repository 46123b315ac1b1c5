package postgres

import (
	"fmt"
	"slices"
	"time"

	"github.com/danmaku/danmaku/app/store"
	"github.com/jackc/pgx/v5"
)

// senderRecord is a user's record as the weigher reads it.
type senderRecord struct {
	known             bool // the user has a row
	createdAt         int64
	accepted, removed int64
}

// signals are a comment's quality signals from its sender's record r.
func (t *Tx) signals(r senderRecord, text string, likes, reports int64) store.QualitySignals {
	sig := store.QualitySignals{Text: text, Likes: likes, Reports: reports}
	if r.known {
		sig.Sender = true
		sig.Accepted = max(0, r.accepted)
		sig.Removed = max(0, r.removed)
		sig.Age = max(0, t.now.Sub(time.UnixMilli(r.createdAt)))
	}
	return sig
}

// senderIDs are the users whose records the batch's comments count
// into (the senders of visible ones), sorted.
func (t *Tx) senderIDs() []string {
	var ids []string
	for _, op := range t.rows {
		if op.Status == store.Visible {
			ids = append(ids, op.User.ID)
		}
	}
	slices.Sort(ids)
	return slices.Compact(ids)
}

// weighRows weighs the batch's new comments before the pipeline stores
// them: it reads their senders' records in one query, and counts each
// visible comment into its sender's record for the comments after it. A
// sender without a row is recorded by this batch, as new.
func (t *Tx) weighRows() error {
	if len(t.rows) == 0 {
		return nil
	}
	ids := make([]string, 0, len(t.rows))
	for _, op := range t.rows {
		ids = append(ids, op.User.ID)
	}
	slices.Sort(ids)
	rows, err := t.read(`SELECT id, created_at, accepted, removed FROM users WHERE id = ANY($1)`, slices.Compact(ids))
	if err != nil {
		return fmt.Errorf("reading senders: %w", err)
	}
	records := map[string]*senderRecord{}
	for rows.Next() {
		var id string
		r := &senderRecord{known: true}
		if err := rows.Scan(&id, &r.createdAt, &r.accepted, &r.removed); err != nil {
			rows.Close()
			return fmt.Errorf("reading senders: %w", err)
		}
		records[id] = r
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("reading senders: %w", err)
	}
	for _, op := range t.rows {
		r := records[op.User.ID]
		if r == nil {
			r = &senderRecord{known: true, createdAt: t.now.UnixMilli()}
			records[op.User.ID] = r
		}
		op.weight = t.weigh(t.signals(*r, op.Draft.Text, 0, 0))
		if op.Status == store.Visible {
			r.accepted++
		}
	}
	return nil
}

// read runs a query in the batch's transaction when it has one, else on
// its connection.
func (t *Tx) read(sql string, args ...any) (pgx.Rows, error) {
	if t.tx != nil {
		return t.tx.Query(t.ctx, sql, args...)
	}
	return t.conn.Query(t.ctx, sql, args...)
}

// noteSenders changes users' records by comments shown (accepted) and
// removed by moderators, in user id order.
func (t *Tx) noteSenders(changes map[string][2]int64) error {
	ids := make([]string, 0, len(changes))
	for id, c := range changes {
		if c != [2]int64{} {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	for _, id := range ids {
		c := changes[id]
		if _, err := t.Exec(`UPDATE users SET accepted = greatest(0, accepted + $2), removed = removed + $3 WHERE id = $1`,
			id, c[0], c[1]); err != nil {
			return fmt.Errorf("updating user %s: %w", id, err)
		}
	}
	return nil
}

// noteSender changes one user's record (see noteSenders).
func (t *Tx) noteSender(id string, accepted, removed int64) error {
	return t.noteSenders(map[string][2]int64{id: {accepted, removed}})
}

// reweigh computes the weights of comments ids again in the batch's
// transaction, stores those that changed, tells viewers of the visible
// ones (Events.Weights), and returns every comment's weight.
func (t *Tx) reweigh(ids ...int64) (map[int64]int, error) {
	slices.Sort(ids)
	rows, err := t.Query(`SELECT c.id, c.room_id, c.text, c.status, c.likes, c.reports, c.weight,
			u.id IS NOT NULL, coalesce(u.created_at, 0), coalesce(u.accepted, 0), coalesce(u.removed, 0)
		FROM comments c LEFT JOIN users u ON u.id = c.user_id WHERE c.id = ANY($1) ORDER BY c.id`, slices.Compact(ids))
	if err != nil {
		return nil, fmt.Errorf("reading comments to weigh: %w", err)
	}
	out := map[int64]int{}
	var changedIDs []int64
	var changed []int32
	var events []store.WeightChange
	for rows.Next() {
		var id, likes, reports int64
		var room, text, status string
		var weight int
		var r senderRecord
		if err := rows.Scan(&id, &room, &text, &status, &likes, &reports, &weight, &r.known, &r.createdAt, &r.accepted, &r.removed); err != nil {
			rows.Close()
			return nil, fmt.Errorf("reading comments to weigh: %w", err)
		}
		w := t.weigh(t.signals(r, text, likes, reports))
		out[id] = w
		if w == weight {
			continue
		}
		changedIDs, changed = append(changedIDs, id), append(changed, int32(w))
		if status == string(store.Visible) {
			events = append(events, store.WeightChange{Room: room, CommentID: id, Weight: w})
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reading comments to weigh: %w", err)
	}
	if len(changedIDs) > 0 {
		if _, err := t.Exec(`UPDATE comments c SET weight = u.weight FROM unnest($1::bigint[], $2::int[]) AS u(id, weight) WHERE c.id = u.id`,
			changedIDs, changed); err != nil {
			return nil, fmt.Errorf("weighing comments: %w", err)
		}
	}
	t.events.Weights = append(t.events.Weights, events...)
	return out, nil
}
