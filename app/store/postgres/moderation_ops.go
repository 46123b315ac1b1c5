package postgres

import (
	"context"
	"fmt"
	"slices"

	"github.com/danmaku/danmaku/app/protocol"
	"github.com/danmaku/danmaku/app/store"
	"github.com/danmaku/danmaku/app/store/decide"
)

// Decide implements store.Moderation in one writer op (decide.Targets
// says what it changes and refuses). It locks the comments' rows, so that
// decisions on other nodes wait.
func (s *Store) Decide(ctx context.Context, ids []int64, d store.Decision, by string) ([]store.ModComment, error) {
	if err := checkText("the moderator", by); err != nil {
		return nil, err
	}
	return decide.Decide(ctx, s.Writer, d, func(tx *Tx) ([]store.ModComment, error) { return tx.decide(ids, d, by) })
}

// roomChange is what a decision does to one room's counters.
type roomChange struct{ approved, removed, base int64 }

// decide applies d to the comments ids in this batch's transaction.
func (t *Tx) decide(ids []int64, d store.Decision, by string) ([]store.ModComment, error) {
	found, err := t.lockComments(ids)
	if err != nil {
		return nil, err
	}
	targets, err := decide.Targets(ids, d, func(id int64) (store.ModComment, bool, error) {
		m, ok := found[id]
		return m, ok, nil
	})
	if err != nil || len(targets) == 0 {
		return nil, err
	}
	rooms := map[string]*roomChange{}
	for _, m := range targets {
		rc := rooms[m.Room]
		if rc == nil {
			rc = &roomChange{}
			rooms[m.Room] = rc
		}
		if d == store.Approve {
			rc.approved++
		} else if m.Status == string(store.Visible) {
			rc.removed++
		}
	}
	if err := t.bumpRooms(rooms); err != nil {
		return nil, err
	}
	now := protocol.TimestampOf(t.now)
	var changedIDs, seqs, approved []int64
	var statuses []string
	records := map[string][2]int64{} // the senders' records: comments shown, removed
	for i := range targets {
		m := &targets[i]
		rc := rooms[m.Room]
		accepted, removed := decide.Record(store.Status(m.Status), d)
		r := records[m.User.ID]
		records[m.User.ID] = [2]int64{r[0] + accepted, r[1] + removed}
		decide.Apply(m, d, func() int64 { rc.base++; return rc.base }, by, now, &t.events)
		changedIDs, statuses, seqs = append(changedIDs, m.ID), append(statuses, m.Status), append(seqs, m.Seq)
		if d == store.Approve {
			approved = append(approved, m.ID)
		}
	}
	// A decision reviews the comments' reports.
	if _, err := t.Exec(`UPDATE comments c SET status = u.status, seq = nullif(u.seq, 0), moderated_by = $4, moderated_at = $5, reports = 0
		FROM unnest($1::bigint[], $2::text[], $3::bigint[]) AS u(id, status, seq) WHERE c.id = u.id`,
		changedIDs, statuses, seqs, by, int64(now)); err != nil {
		return nil, fmt.Errorf("moderating comments: %w", err)
	}
	if err := t.reviewReports(changedIDs...); err != nil {
		return nil, err
	}
	if err := t.noteSenders(records); err != nil {
		return nil, err
	}
	if len(approved) > 0 { // their reports no longer weigh them down
		if _, err := t.reweigh(approved...); err != nil {
			return nil, err
		}
	}
	t.events.Moderated = append(t.events.Moderated, targets...)
	return targets, nil
}

// lockComments reads the comments ids and locks their rows, in id order.
func (t *Tx) lockComments(ids []int64) (map[int64]store.ModComment, error) {
	rows, err := t.Query(`SELECT `+modColumns+` FROM comments WHERE id = ANY($1) ORDER BY id FOR UPDATE`, ids)
	if err != nil {
		return nil, fmt.Errorf("reading comments: %w", err)
	}
	list, err := pgxCollect(rows, scanModComment)
	if err != nil {
		return nil, fmt.Errorf("reading comments: %w", err)
	}
	found := make(map[int64]store.ModComment, len(list))
	for _, m := range list {
		found[m.ID] = m
	}
	return found, nil
}

// bumpRooms applies each room's change, in room id order (the order every
// node locks rooms in), and sets each one's base: its last seq before the
// approved comments.
func (t *Tx) bumpRooms(rooms map[string]*roomChange) error {
	names := make([]string, 0, len(rooms))
	for id := range rooms {
		names = append(names, id)
	}
	slices.Sort(names)
	for _, id := range names {
		rc := rooms[id]
		if err := t.QueryRow(`UPDATE rooms SET last_seq = last_seq + $2, comment_count = comment_count + $2 - $3
			WHERE id = $1 RETURNING last_seq - $2`, id, rc.approved, rc.removed).Scan(&rc.base); err != nil {
			return fmt.Errorf("updating room %s: %w", id, err)
		}
	}
	return nil
}
