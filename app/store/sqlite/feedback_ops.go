package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/danmaku/danmaku/app/errs"
	"github.com/danmaku/danmaku/app/protocol"
	"github.com/danmaku/danmaku/app/store"
	"github.com/danmaku/danmaku/app/store/batch"
	"github.com/danmaku/danmaku/app/store/decide"
)

// UnlikeComment takes back userID's like of a visible comment, in one of
// rooms when rooms is not nil.
func (s *Store) UnlikeComment(ctx context.Context, commentID int64, userID string, rooms []string) (store.LikeChange, error) {
	var out store.LikeChange
	err := s.Writer.Exec(ctx, func(tx *Tx) error {
		var err error
		if out, err = tx.likeTarget(commentID, rooms); err != nil {
			return err
		}
		res, err := tx.stmt(tx.stmts.unlikeComment).ExecContext(tx.ctx, commentID, userID)
		if err != nil {
			return fmt.Errorf("taking back a like: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return err
		}
		if _, err := tx.stmt(tx.stmts.dropCommentLike).ExecContext(tx.ctx, commentID); err != nil {
			return fmt.Errorf("counting likes: %w", err)
		}
		out.Likes = max(0, out.Likes-1)
		tx.events.Likes = append(tx.events.Likes, out)
		return tx.reweigh(commentID)
	})
	return out, err
}

// ReportComment records a viewer's report and hides the comment past
// r.HideAt distinct reporters.
func (s *Store) ReportComment(ctx context.Context, r store.NewReport) (store.ReportResult, error) {
	var out store.ReportResult
	err := s.Writer.Exec(ctx, func(tx *Tx) error {
		out = store.ReportResult{}
		m, err := tx.modComment(r.CommentID)
		if err != nil {
			return err
		}
		if err := decide.CheckReport(m, r.UserID); err != nil {
			return err
		}
		res, err := tx.tx.ExecContext(tx.ctx, `INSERT OR IGNORE INTO comment_reports (comment_id, user_id, reason, ip, created_at)
			VALUES (?, ?, ?, ?, ?)`, r.CommentID, r.UserID, r.Reason, r.IP, tx.now.UnixMilli())
		if err != nil {
			return fmt.Errorf("recording a report: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("recording a report: %w", err)
		} else if n == 1 {
			out.Added = true
			if _, err := tx.tx.ExecContext(tx.ctx, `UPDATE comments SET reports = reports + 1 WHERE id = ?`, r.CommentID); err != nil {
				return fmt.Errorf("counting reports: %w", err)
			}
			m.Reports++
		}
		if m.Reasons, err = tx.reasons(r.CommentID); err != nil {
			return err
		}
		if out.Added && r.HideAt > 0 && m.Reports >= int64(r.HideAt) {
			if err := tx.hide(&m); err != nil {
				return err
			}
			out.Hidden = true
		}
		if out.Added {
			if m.Weight, err = tx.reweighed(r.CommentID); err != nil {
				return err
			}
			tx.events.Moderated = append(tx.events.Moderated, m)
		}
		out.Comment = m
		return nil
	})
	return out, err
}

// hide holds a visible comment its reports hid, pending review: it leaves
// every viewer's screen and the replay, and joins the held queue.
func (t *Tx) hide(m *store.ModComment) error {
	rs, err := t.room(m.Room)
	if err != nil {
		return err
	}
	m.Note = decide.ReportNote(m.Reports, m.Reasons)
	if _, err := t.tx.ExecContext(t.ctx, `UPDATE comments SET status = 'held', seq = NULL, mod_note = ? WHERE id = ?`, m.Note, m.ID); err != nil {
		return fmt.Errorf("hiding comment %d: %w", m.ID, err)
	}
	rs.visibleDiff--
	batch.Retract(&t.events, store.Retraction{Room: m.Room, IDs: []int64{m.ID}})
	m.Status, m.Seq = string(store.Held), 0
	return t.noteSender(m.User.ID, -1, 0)
}

// RecallComment deletes a sender's own recent comment.
func (s *Store) RecallComment(ctx context.Context, commentID int64, userID string, since time.Time) (store.ModComment, error) {
	var out store.ModComment
	err := s.Writer.Exec(ctx, func(tx *Tx) error {
		m, err := tx.modComment(commentID)
		if err != nil {
			return err
		}
		if err := decide.CheckRecall(m, userID, since); err != nil {
			return err
		}
		rs, err := tx.room(m.Room)
		if err != nil {
			return err
		}
		now := protocol.TimestampOf(tx.now)
		if decide.Recall(&m, now, &tx.events) {
			rs.visibleDiff--
			if err := tx.noteSender(m.User.ID, -1, 0); err != nil {
				return err
			}
		}
		if _, err := tx.tx.ExecContext(tx.ctx, `UPDATE comments SET status = 'deleted', mod_note = ?, moderated_at = ?, reports = 0 WHERE id = ?`,
			decide.NoteRecalled, int64(now), m.ID); err != nil {
			return fmt.Errorf("recalling comment %d: %w", m.ID, err)
		}
		if err := tx.reviewReports(m.ID); err != nil {
			return err
		}
		out = m
		return nil
	})
	return out, err
}

// DismissReports marks comments' reports reviewed, all or nothing.
func (s *Store) DismissReports(ctx context.Context, ids []int64, by string) ([]store.ModComment, error) {
	var out []store.ModComment
	err := s.Writer.Exec(ctx, func(tx *Tx) error {
		out = nil
		var targets []store.ModComment
		for _, id := range ids {
			m, err := tx.modComment(id)
			if err != nil {
				return err
			}
			if m.Reports > 0 && !slices.ContainsFunc(targets, func(x store.ModComment) bool { return x.ID == id }) {
				targets = append(targets, m)
			}
		}
		for _, m := range targets {
			if _, err := tx.tx.ExecContext(tx.ctx, `UPDATE comments SET reports = 0 WHERE id = ?`, m.ID); err != nil {
				return fmt.Errorf("dismissing reports of comment %d: %w", m.ID, err)
			}
			if err := tx.reviewReports(m.ID); err != nil {
				return err
			}
			var err error
			if m.Weight, err = tx.reweighed(m.ID); err != nil {
				return err
			}
			m.Reports = 0
			out = append(out, m)
		}
		tx.events.Moderated = append(tx.events.Moderated, out...)
		return nil
	})
	return out, err
}

// modComment reads one comment as moderators see it; an unknown id is NotFound.
func (t *Tx) modComment(id int64) (store.ModComment, error) {
	m, err := scanModComment(t.tx.QueryRowContext(t.ctx, selectModComment, id))
	if errors.Is(err, sql.ErrNoRows) {
		return m, errs.New(errs.NotFound, "comment %d does not exist", id)
	}
	if err != nil {
		return m, fmt.Errorf("reading comment %d: %w", id, err)
	}
	return m, nil
}

// reviewReports marks a comment's reports reviewed: they no longer count.
func (t *Tx) reviewReports(id int64) error {
	if _, err := t.tx.ExecContext(t.ctx, `UPDATE comment_reports SET reviewed = 1 WHERE comment_id = ? AND reviewed = 0`, id); err != nil {
		return fmt.Errorf("reviewing reports of comment %d: %w", id, err)
	}
	return nil
}

// reasons counts a comment's unreviewed reports by reason.
func (t *Tx) reasons(id int64) (map[string]int64, error) {
	return scanReasons(t.tx.QueryContext(t.ctx, queryReasons, id))
}
