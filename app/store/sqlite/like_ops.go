package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"

	"github.com/danmaku/danmaku/app/errs"
	"github.com/danmaku/danmaku/app/store"
)

// LikeComment records userID's like of a visible comment, once per user,
// and returns the comment's like count; with rooms not nil, only of a
// comment in one of them.
func (s *Store) LikeComment(ctx context.Context, commentID int64, userID string, rooms []string) (store.LikeChange, error) {
	var out store.LikeChange
	err := s.Writer.Exec(ctx, func(tx *Tx) error {
		out = store.LikeChange{CommentID: commentID}
		err := tx.stmt(tx.stmts.commentForLike).QueryRowContext(tx.ctx, commentID).Scan(&out.Room, &out.Likes)
		if errors.Is(err, sql.ErrNoRows) {
			return errs.New(errs.NotFound, "comment %d does not exist", commentID)
		}
		if err != nil {
			return fmt.Errorf("reading comment %d: %w", commentID, err)
		}
		if rooms != nil && !slices.Contains(rooms, out.Room) {
			return errs.New(errs.Forbidden, "join room %q before liking its comments", out.Room)
		}
		added, err := tx.insertLike(tx.stmts.likeComment, commentID, userID)
		if err != nil || !added {
			return err
		}
		if _, err := tx.stmt(tx.stmts.bumpCommentLikes).ExecContext(tx.ctx, commentID); err != nil {
			return fmt.Errorf("counting like: %w", err)
		}
		out.Likes++
		tx.events.Likes = append(tx.events.Likes, out)
		return nil
	})
	return out, err
}

// LikeRoom records userID's like of a room's video, once per user, and
// returns the room's like count.
func (s *Store) LikeRoom(ctx context.Context, roomID, userID string) (store.LikeChange, error) {
	var out store.LikeChange
	err := s.Writer.Exec(ctx, func(tx *Tx) error {
		out = store.LikeChange{Room: roomID}
		if _, err := tx.room(roomID); err != nil {
			return err
		}
		added, err := tx.insertLike(tx.stmts.likeRoom, roomID, userID)
		if err != nil {
			return err
		}
		if !added {
			return tx.stmt(tx.stmts.roomLikes).QueryRowContext(tx.ctx, roomID).Scan(&out.Likes)
		}
		if err := tx.stmt(tx.stmts.bumpRoomLikes).QueryRowContext(tx.ctx, roomID).Scan(&out.Likes); err != nil {
			return fmt.Errorf("counting like: %w", err)
		}
		tx.events.Likes = append(tx.events.Likes, out)
		return nil
	})
	return out, err
}

// insertLike adds a (target, user) like row and reports whether it was new.
func (t *Tx) insertLike(stmt *sql.Stmt, target any, userID string) (bool, error) {
	res, err := t.stmt(stmt).ExecContext(t.ctx, target, userID, t.now.UnixMilli())
	if err != nil {
		return false, fmt.Errorf("recording like: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("recording like: %w", err)
	}
	return n == 1, nil
}
