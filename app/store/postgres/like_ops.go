package postgres

import (
	"context"

	"github.com/danmaku/danmaku/app/errs"
	"github.com/danmaku/danmaku/app/store"
	"github.com/jackc/pgx/v5"
)

// LikeComment records userID's like of a visible comment, once per user,
// and returns the comment's like count; with rooms not nil, only of a
// comment in one of them (Forbidden otherwise). It is one pipelined
// statement, in a transaction that weighs the comment again after it.
func (s *Store) LikeComment(ctx context.Context, commentID int64, userID string, rooms []string) (store.LikeChange, error) {
	return s.likeComment(ctx, commentID, userID, rooms, `WITH target AS (
			SELECT id, room_id, $3::text[] IS NULL OR room_id = ANY($3) AS allowed FROM comments WHERE id = $1 AND status = 'visible'
		), added AS (
			INSERT INTO comment_likes (comment_id, user_id, created_at) SELECT id, $2, $4 FROM target WHERE allowed
			ON CONFLICT DO NOTHING RETURNING 1
		)
		UPDATE comments c SET likes = c.likes + (SELECT count(*) FROM added)
		FROM target t WHERE c.id = t.id
		RETURNING t.room_id, c.likes, (SELECT count(*) FROM added) > 0, t.allowed`)
}

// UnlikeComment takes back userID's like of a visible comment, in one of
// rooms when rooms is not nil, like LikeComment.
func (s *Store) UnlikeComment(ctx context.Context, commentID int64, userID string, rooms []string) (store.LikeChange, error) {
	return s.likeComment(ctx, commentID, userID, rooms, `WITH target AS (
			SELECT id, room_id, $3::text[] IS NULL OR room_id = ANY($3) AS allowed FROM comments WHERE id = $1 AND status = 'visible'
		), removed AS (
			DELETE FROM comment_likes l USING target t
			WHERE l.comment_id = t.id AND t.allowed AND l.user_id = $2 AND $4::bigint IS NOT NULL
			RETURNING 1
		)
		UPDATE comments c SET likes = greatest(0, c.likes - (SELECT count(*) FROM removed))
		FROM target t WHERE c.id = t.id
		RETURNING t.room_id, c.likes, (SELECT count(*) FROM removed) > 0, t.allowed`)
}

// likeComment runs a like or an unlike of a comment (query, whose
// arguments are the comment, the user, the rooms and the batch's time),
// whose change weighs the comment again.
func (s *Store) likeComment(ctx context.Context, commentID int64, userID string, rooms []string, query string) (store.LikeChange, error) {
	if err := checkText("the like", userID); err != nil {
		return store.LikeChange{}, err
	}
	if err := checkText("the rooms", rooms...); err != nil {
		return store.LikeChange{}, err
	}
	return s.like(ctx, query, []any{commentID, userID, rooms}, "", store.LikeChange{CommentID: commentID},
		errs.New(errs.NotFound, "comment %d does not exist", commentID))
}

// LikeRoom records userID's like of a room's video, once per user, and
// returns the room's like count. It is one pipelined statement.
func (s *Store) LikeRoom(ctx context.Context, roomID, userID string) (store.LikeChange, error) {
	if err := checkText("the like", roomID, userID); err != nil {
		return store.LikeChange{}, err
	}
	return s.like(ctx, `WITH added AS (
			INSERT INTO room_likes (room_id, user_id, created_at)
			SELECT id, $2, $3 FROM rooms WHERE id = $1
			ON CONFLICT DO NOTHING RETURNING 1
		)
		UPDATE rooms SET likes = likes + (SELECT count(*) FROM added) WHERE id = $1
		RETURNING id, likes, (SELECT count(*) FROM added) > 0, true`,
		[]any{roomID, userID}, roomID, store.LikeChange{Room: roomID},
		errs.New(errs.NotFound, "room %q does not exist", roomID))
}

// like runs a like statement (args, then the batch's time) that returns
// the room, the new count, whether the count changed and whether it was
// allowed; a change is published, and a comment's (out.CommentID) weighed
// again before the batch commits, in its transaction. lock names the room
// whose row the statement updates.
func (s *Store) like(ctx context.Context, query string, args []any, lock string, out store.LikeChange, missing error) (store.LikeChange, error) {
	err := s.Writer.Exec(ctx, func(tx *Tx) error {
		if lock != "" {
			tx.lockRoom(lock)
		}
		if out.CommentID != 0 {
			if err := tx.begin(); err != nil {
				return err
			}
		}
		tx.Queue(query, append(args, tx.now.UnixMilli()), func(rows pgx.Rows) error {
			if !rows.Next() {
				return missing
			}
			var changed, allowed bool
			if err := rows.Scan(&out.Room, &out.Likes, &changed, &allowed); err != nil {
				return err
			}
			if !allowed {
				return errs.New(errs.Forbidden, "join room %q before liking its comments", out.Room)
			}
			if changed {
				tx.events.Likes = append(tx.events.Likes, out)
				if out.CommentID != 0 {
					tx.reweighLater = append(tx.reweighLater, out.CommentID)
				}
			}
			return nil
		})
		return nil
	})
	return out, err
}
