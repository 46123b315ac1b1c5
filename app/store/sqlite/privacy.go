package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/danmaku/danmaku/app/protocol"
	"github.com/danmaku/danmaku/app/store"
	"github.com/danmaku/danmaku/app/store/batch"
)

// ErasedBy is the moderated_by of comments erased at their author's request.
const ErasedBy = "erasure"

// queryAddressesKept finds comments whose address is due for erasure,
// through comments_ip_kept, which holds only comments that still have one.
const queryAddressesKept = `SELECT id FROM comments WHERE ip != '' AND created_at < ? LIMIT ?`

// UserData implements store.Privacy. Comments and likes have no index by
// user (they are written far more often than asked for), so this reads
// those tables through, once each, on the read pool.
func (s *Store) UserData(ctx context.Context, user string) (store.UserData, error) {
	var d store.UserData
	var u store.UserRecord
	var first, last int64
	err := s.read.QueryRowContext(ctx, `SELECT id, name, created_at, last_seen FROM users WHERE id = ?`, user).
		Scan(&u.ID, &u.Name, &first, &last)
	switch {
	case err == nil:
		u.FirstSeen, u.LastSeen = time.UnixMilli(first), time.UnixMilli(last)
		d.User = &u
	case !errors.Is(err, sql.ErrNoRows):
		return d, fmt.Errorf("store: reading user: %w", err)
	}
	if d.Comments, err = s.queryModComments(ctx, `SELECT `+modColumns+` FROM comments WHERE user_id = ? ORDER BY id`, user); err != nil {
		return d, err
	}
	if d.Likes, err = queryAll(ctx, s.read, "likes", scanLike, `
		SELECT c.room_id, l.comment_id, l.created_at FROM comment_likes l JOIN comments c ON c.id = l.comment_id WHERE l.user_id = ?
		UNION ALL
		SELECT room_id, 0, created_at FROM room_likes WHERE user_id = ?
		ORDER BY 3`, user, user); err != nil {
		return d, err
	}
	if d.Sessions, err = s.UserSessions(ctx, user); err != nil {
		return d, err
	}
	d.Bans, err = queryAll(ctx, s.read, "bans", scanBan, `SELECT `+banColumns+` FROM bans WHERE user_id = ? ORDER BY id`, user)
	return d, err
}

func scanLike(row interface{ Scan(...any) error }) (store.Like, error) {
	var l store.Like
	var at int64
	err := row.Scan(&l.Room, &l.CommentID, &at)
	l.CreatedAt = time.UnixMilli(at)
	return l, err
}

// EraseUser implements store.Privacy. It finds the user's comments and
// likes first (on the read pool), then changes them a chunk per writer op,
// so live comments commit between; the last op ends the sessions and
// deletes the user row. Running it again finishes what an interrupted run
// left.
func (s *Store) EraseUser(ctx context.Context, user string, cutoff time.Time) (store.Erasure, error) {
	var out store.Erasure
	if user == "" {
		return out, nil // erased comments have user ''; they are nobody's
	}
	ids, err := queryAll(ctx, s.read, "comments", scanID, `SELECT id FROM comments WHERE user_id = ? ORDER BY id`, user)
	if err != nil {
		return out, err
	}
	likes, err := queryAll(ctx, s.read, "likes", scanLike, `
		SELECT '', comment_id, 0 FROM comment_likes WHERE user_id = ?
		UNION ALL
		SELECT room_id, 0, 0 FROM room_likes WHERE user_id = ?`, user, user)
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
		res, err := tx.tx.ExecContext(tx.ctx, `DELETE FROM users WHERE id = ?`, user)
		if err != nil {
			return fmt.Errorf("deleting user: %w", err)
		}
		gone, err := res.RowsAffected()
		out.Sessions, out.User = n, gone > 0
		delete(tx.touched, user) // so a comment after this records them again
		return err
	})
	return out, err
}

// eraseComments empties user's comments ids and marks them deleted, as a
// moderator's delete does (visible ones are retracted and leave their
// room's count), and returns how many it changed.
func (t *Tx) eraseComments(user string, ids []int64) (int, error) {
	now := t.now.UnixMilli()
	var changed []store.ModComment
	for _, id := range ids {
		m, err := scanModComment(t.tx.QueryRowContext(t.ctx, selectModComment, id))
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return 0, fmt.Errorf("reading comment %d: %w", id, err)
		}
		if m.User.ID != user {
			continue // erased by an earlier run
		}
		rs, err := t.room(m.Room)
		if err != nil {
			return 0, err
		}
		switch store.Status(m.Status) {
		case store.Visible:
			rs.visibleDiff--
			batch.Retract(&t.events, store.Retraction{Room: m.Room, IDs: []int64{m.ID}})
		case store.Shadowed:
			batch.Retract(&t.events, store.Retraction{Room: m.Room, IDs: []int64{m.ID}, User: user})
		}
		// The idempotency key goes too: keys are unique per user, and the
		// erased comments of different people all belong to nobody now.
		if _, err := t.tx.ExecContext(t.ctx, `UPDATE comments SET status = 'deleted', text = '', user_id = '', user_name = '',
			ip = '', mod_note = '', idem_key = NULL, moderated_by = ?, moderated_at = ? WHERE id = ?`, ErasedBy, now, id); err != nil {
			return 0, fmt.Errorf("erasing comment %d: %w", id, err)
		}
		m.Status, m.Text, m.User, m.IP, m.Note, m.ModeratedBy = string(store.Deleted), "", protocol.User{}, "", "", ErasedBy
		at := protocol.Timestamp(now)
		m.ModeratedAt = &at
		changed = append(changed, m)
	}
	t.events.Moderated = append(t.events.Moderated, changed...)
	return len(changed), nil
}

// eraseLikes removes user's likes and takes them back from the counts,
// which viewers then hear of like any other change of a count.
func (t *Tx) eraseLikes(user string, likes []store.Like) (int, error) {
	n := 0
	for _, l := range likes {
		var res sql.Result
		var err error
		if l.CommentID != 0 {
			res, err = t.tx.ExecContext(t.ctx, `DELETE FROM comment_likes WHERE comment_id = ? AND user_id = ?`, l.CommentID, user)
		} else {
			res, err = t.tx.ExecContext(t.ctx, `DELETE FROM room_likes WHERE room_id = ? AND user_id = ?`, l.Room, user)
		}
		if err != nil {
			return 0, fmt.Errorf("erasing a like: %w", err)
		}
		if gone, err := res.RowsAffected(); err != nil || gone == 0 {
			if err != nil {
				return 0, fmt.Errorf("erasing a like: %w", err)
			}
			continue
		}
		change := store.LikeChange{Room: l.Room, CommentID: l.CommentID}
		if l.CommentID != 0 {
			err = t.tx.QueryRowContext(t.ctx, `UPDATE comments SET likes = max(likes - 1, 0) WHERE id = ? RETURNING room_id, likes`,
				l.CommentID).Scan(&change.Room, &change.Likes)
		} else {
			err = t.tx.QueryRowContext(t.ctx, `UPDATE rooms SET likes = max(likes - 1, 0) WHERE id = ? RETURNING likes`,
				l.Room).Scan(&change.Likes)
		}
		if err != nil {
			return 0, fmt.Errorf("taking back a like: %w", err)
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
		res, err := tx.tx.ExecContext(tx.ctx, `UPDATE comments SET ip = '' WHERE id IN (`+queryAddressesKept+`)`, ms, batch.PurgeChunk)
		if err != nil {
			return 0, fmt.Errorf("erasing addresses: %w", err)
		}
		return res.RowsAffected()
	})
	if err != nil {
		return out, err
	}
	// Bans are few: one op. A ban that ended long enough ago needs its
	// address no more; one by address alone is then nothing, and goes.
	err = s.Writer.Exec(ctx, func(tx *Tx) error {
		const ended = `ip IS NOT NULL AND (lifted_at < ?1 OR (lifted_at IS NULL AND until < ?1))`
		gone, err := tx.tx.ExecContext(tx.ctx, `DELETE FROM bans WHERE user_id IS NULL AND `+ended, ms)
		if err != nil {
			return fmt.Errorf("erasing ban addresses: %w", err)
		}
		kept, err := tx.tx.ExecContext(tx.ctx, `UPDATE bans SET ip = NULL WHERE user_id IS NOT NULL AND `+ended, ms)
		if err != nil {
			return fmt.Errorf("erasing ban addresses: %w", err)
		}
		a, _ := gone.RowsAffected()
		b, _ := kept.RowsAffected()
		out.Bans = int(a + b)
		return nil
	})
	return out, err
}
