package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/danmaku/danmaku/app/protocol"
	"github.com/danmaku/danmaku/app/store"
	"github.com/danmaku/danmaku/app/store/batch"
	"github.com/jackc/pgx/v5"
)

// ErasedBy is the moderated_by of comments erased at their author's request.
const ErasedBy = "erasure"

// queryAddressesKept finds comments whose address is due for erasure,
// through comments_ip_kept, which holds only comments that still have one.
const queryAddressesKept = `SELECT id FROM comments WHERE ip IS NOT NULL AND created_at < $1 LIMIT $2`

// UserData implements store.Privacy. Comments and likes have no index by
// user (they are written far more often than asked for), so this reads
// those tables through, once each.
func (s *Store) UserData(ctx context.Context, user string) (store.UserData, error) {
	var d store.UserData
	var u store.UserRecord
	var first, last int64
	err := s.pool.QueryRow(ctx, `SELECT id, name, created_at, last_seen FROM users WHERE id = $1`, user).Scan(&u.ID, &u.Name, &first, &last)
	switch {
	case err == nil:
		u.FirstSeen, u.LastSeen = time.UnixMilli(first), time.UnixMilli(last)
		d.User = &u
	case !errors.Is(err, pgx.ErrNoRows):
		return d, fmt.Errorf("store: reading user: %w", err)
	}
	if d.Comments, err = queryAll(ctx, s, "comments", scanModComment, `SELECT `+modColumns+` FROM comments WHERE user_id = $1 ORDER BY id`, user); err != nil {
		return d, err
	}
	if d.Likes, err = queryAll(ctx, s, "likes", scanLike, `
		SELECT c.room_id, l.comment_id, l.created_at FROM comment_likes l JOIN comments c ON c.id = l.comment_id WHERE l.user_id = $1
		UNION ALL
		SELECT room_id, 0, created_at FROM room_likes WHERE user_id = $1
		ORDER BY 3`, user); err != nil {
		return d, err
	}
	if d.Sessions, err = s.UserSessions(ctx, user); err != nil {
		return d, err
	}
	d.Bans, err = queryAll(ctx, s, "bans", scanBan, `SELECT `+banColumns+` FROM bans WHERE user_id = $1 ORDER BY id`, user)
	return d, err
}

func scanLike(row pgx.Row) (store.Like, error) {
	var l store.Like
	var at int64
	err := row.Scan(&l.Room, &l.CommentID, &at)
	l.CreatedAt = time.UnixMilli(at)
	return l, err
}

// EraseUser implements store.Privacy. It finds the user's comments and
// likes first, then changes them a chunk per writer op, so live comments
// commit between; the last op ends the sessions and deletes the user row.
// Running it again finishes what an interrupted run left.
func (s *Store) EraseUser(ctx context.Context, user string, cutoff time.Time) (store.Erasure, error) {
	var out store.Erasure
	if user == "" {
		return out, nil // erased comments have user ''; they are nobody's
	}
	ids, err := queryAll(ctx, s, "comments", func(row pgx.Row) (int64, error) {
		var id int64
		return id, row.Scan(&id)
	}, `SELECT id FROM comments WHERE user_id = $1 ORDER BY id`, user)
	if err != nil {
		return out, err
	}
	likes, err := queryAll(ctx, s, "likes", scanLike, `
		SELECT '', comment_id, 0::bigint FROM comment_likes WHERE user_id = $1
		UNION ALL
		SELECT room_id, 0, 0 FROM room_likes WHERE user_id = $1`, user)
	if err != nil {
		return out, err
	}
	if out.Comments, err = batch.InChunks(ctx, s.Writer, ids, func(tx *Tx, chunk []int64) (int, error) {
		return tx.eraseComments(user, chunk)
	}); err != nil {
		return out, err
	}
	if out.Likes, err = batch.InChunks(ctx, s.Writer, likes, func(tx *Tx, chunk []store.Like) (int, error) {
		return tx.eraseLikes(user, chunk)
	}); err != nil {
		return out, err
	}
	err = s.Writer.Exec(ctx, func(tx *Tx) error {
		n, err := tx.endUserSessions(user, cutoff)
		if err != nil {
			return err
		}
		tag, err := tx.Exec(`DELETE FROM users WHERE id = $1`, user)
		if err != nil {
			return fmt.Errorf("deleting user: %w", err)
		}
		out.Sessions, out.User = n, tag.RowsAffected() > 0
		delete(tx.touched, user) // so a comment after this records them again
		return nil
	})
	return out, err
}

// eraseComments empties user's comments ids and marks them deleted, as a
// moderator's delete does (visible ones are retracted and leave their
// room's count), and returns how many it changed.
func (t *Tx) eraseComments(user string, ids []int64) (int, error) {
	found, err := t.lockComments(ids)
	if err != nil {
		return 0, err
	}
	now := t.now.UnixMilli()
	var changed []store.ModComment
	for _, id := range ids {
		m, ok := found[id]
		if !ok || m.User.ID != user {
			continue // gone, or erased by an earlier run
		}
		switch store.Status(m.Status) {
		case store.Visible:
			if err := t.uncount(m.Room); err != nil {
				return 0, err
			}
			batch.Retract(&t.events, store.Retraction{Room: m.Room, IDs: []int64{m.ID}})
		case store.Shadowed:
			batch.Retract(&t.events, store.Retraction{Room: m.Room, IDs: []int64{m.ID}, User: user})
		}
		m.Status, m.Text, m.User, m.IP, m.Note, m.ModeratedBy = string(store.Deleted), "", protocol.User{}, "", "", ErasedBy
		at := protocol.Timestamp(now)
		m.ModeratedAt = &at
		changed = append(changed, m)
	}
	if len(changed) == 0 {
		return 0, nil
	}
	erased := make([]int64, len(changed))
	for i, m := range changed {
		erased[i] = m.ID
	}
	// The idempotency key goes too: keys are unique per user, and the
	// erased comments of different people all belong to nobody now.
	if _, err := t.Exec(`UPDATE comments SET status = 'deleted', text = '', user_id = '', user_name = '',
		ip = NULL, mod_note = '', idem_key = NULL, moderated_by = $2, moderated_at = $3 WHERE id = ANY($1)`, erased, ErasedBy, now); err != nil {
		return 0, fmt.Errorf("erasing comments: %w", err)
	}
	t.events.Moderated = append(t.events.Moderated, changed...)
	return len(changed), nil
}

// eraseLikes removes user's likes and takes them back from the counts,
// which viewers then hear of like any other change of a count.
func (t *Tx) eraseLikes(user string, likes []store.Like) (int, error) {
	n := 0
	for _, l := range likes {
		change := store.LikeChange{Room: l.Room, CommentID: l.CommentID}
		var err error
		if l.CommentID != 0 {
			err = t.QueryRow(`WITH gone AS (DELETE FROM comment_likes WHERE comment_id = $1 AND user_id = $2 RETURNING 1)
				UPDATE comments SET likes = greatest(likes - 1, 0) WHERE id = $1 AND EXISTS (SELECT 1 FROM gone)
				RETURNING room_id, likes`, l.CommentID, user).Scan(&change.Room, &change.Likes)
		} else {
			err = t.QueryRow(`WITH gone AS (DELETE FROM room_likes WHERE room_id = $1 AND user_id = $2 RETURNING 1)
				UPDATE rooms SET likes = greatest(likes - 1, 0) WHERE id = $1 AND EXISTS (SELECT 1 FROM gone)
				RETURNING id, likes`, l.Room, user).Scan(&change.Room, &change.Likes)
		}
		if errors.Is(err, pgx.ErrNoRows) {
			continue // taken back already
		}
		if err != nil {
			return 0, fmt.Errorf("erasing a like: %w", err)
		}
		t.events.Likes = append(t.events.Likes, change)
		n++
	}
	return n, nil
}

// EraseAddresses implements store.Privacy, a chunk per writer op.
func (s *Store) EraseAddresses(ctx context.Context, before time.Time) (store.AddressErasure, error) {
	var out store.AddressErasure
	ms := before.UnixMilli()
	var err error
	out.Comments, err = batch.UntilDone(ctx, s.Writer, func(tx *Tx) (int64, error) {
		tag, err := tx.Exec(`UPDATE comments SET ip = NULL WHERE id IN (`+queryAddressesKept+`)`, ms, batch.PurgeChunk)
		if err != nil {
			return 0, fmt.Errorf("erasing addresses: %w", err)
		}
		return tag.RowsAffected(), nil
	})
	if err != nil {
		return out, err
	}
	// Bans are few: one op. A ban that ended long enough ago needs its
	// address no more; one by address alone is then nothing, and goes.
	err = s.Writer.Exec(ctx, func(tx *Tx) error {
		const ended = `ip IS NOT NULL AND (lifted_at < $1 OR (lifted_at IS NULL AND until < $1))`
		gone, err := tx.Exec(`DELETE FROM bans WHERE user_id IS NULL AND `+ended, ms)
		if err != nil {
			return fmt.Errorf("erasing ban addresses: %w", err)
		}
		kept, err := tx.Exec(`UPDATE bans SET ip = NULL WHERE user_id IS NOT NULL AND `+ended, ms)
		if err != nil {
			return fmt.Errorf("erasing ban addresses: %w", err)
		}
		out.Bans = int(gone.RowsAffected() + kept.RowsAffected())
		return nil
	})
	return out, err
}
