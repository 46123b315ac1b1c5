package postgres

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/danmaku/danmaku/app/errs"
	"github.com/danmaku/danmaku/app/protocol"
	"github.com/danmaku/danmaku/app/store"
	"github.com/danmaku/danmaku/app/store/batch"
	"github.com/danmaku/danmaku/app/store/decide"
	"github.com/jackc/pgx/v5"
)

// ReportComment records a viewer's report and hides the comment past
// r.HideAt distinct reporters. It locks the comment's row, so reports
// from several nodes count one after another.
func (s *Store) ReportComment(ctx context.Context, r store.NewReport) (store.ReportResult, error) {
	if err := checkText("the report", r.UserID, r.Reason, r.IP); err != nil {
		return store.ReportResult{}, err
	}
	if !slices.Contains(store.ReportReasons, r.Reason) {
		return store.ReportResult{}, errs.New(errs.Invalid, "unknown report reason %q", r.Reason)
	}
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
		tag, err := tx.Exec(`INSERT INTO comment_reports (comment_id, user_id, reason, ip, created_at)
			VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`, r.CommentID, r.UserID, r.Reason, r.IP, tx.now.UnixMilli())
		if err != nil {
			return fmt.Errorf("recording a report: %w", err)
		}
		if out.Added = tag.RowsAffected() == 1; out.Added {
			if _, err := tx.Exec(`UPDATE comments SET reports = reports + 1 WHERE id = $1`, r.CommentID); err != nil {
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
			w, err := tx.reweigh(r.CommentID)
			if err != nil {
				return err
			}
			m.Weight = w[r.CommentID]
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
	m.Note = decide.ReportNote(m.Reports, m.Reasons)
	if _, err := t.Exec(`UPDATE comments SET status = 'held', seq = NULL, mod_note = $2 WHERE id = $1`, m.ID, m.Note); err != nil {
		return fmt.Errorf("hiding comment %d: %w", m.ID, err)
	}
	if err := t.uncount(m.Room); err != nil {
		return err
	}
	batch.Retract(&t.events, store.Retraction{Room: m.Room, IDs: []int64{m.ID}})
	m.Status, m.Seq = string(store.Held), 0
	return t.noteSender(m.User.ID, -1, 0)
}

// uncount takes a comment no longer shown off its room's count.
func (t *Tx) uncount(room string) error {
	if _, err := t.Exec(`UPDATE rooms SET comment_count = comment_count - 1 WHERE id = $1`, room); err != nil {
		return fmt.Errorf("updating room %s: %w", room, err)
	}
	return nil
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
		now := protocol.TimestampOf(tx.now)
		if decide.Recall(&m, now, &tx.events) {
			if err := tx.uncount(m.Room); err != nil {
				return err
			}
			if err := tx.noteSender(m.User.ID, -1, 0); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(`UPDATE comments SET status = 'deleted', mod_note = $2, moderated_at = $3, reports = 0 WHERE id = $1`,
			m.ID, decide.NoteRecalled, int64(now)); err != nil {
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
		found, err := tx.lockComments(ids)
		if err != nil {
			return err
		}
		var targets []int64
		for _, id := range ids {
			m, ok := found[id]
			if !ok {
				return errs.New(errs.NotFound, "comment %d does not exist", id)
			}
			if m.Reports > 0 && !slices.Contains(targets, id) {
				targets = append(targets, id)
			}
		}
		if len(targets) == 0 {
			return nil
		}
		if _, err := tx.Exec(`UPDATE comments SET reports = 0 WHERE id = ANY($1)`, targets); err != nil {
			return fmt.Errorf("dismissing reports: %w", err)
		}
		if err := tx.reviewReports(targets...); err != nil {
			return err
		}
		weights, err := tx.reweigh(targets...)
		if err != nil {
			return err
		}
		for _, id := range targets {
			m := found[id]
			m.Weight, m.Reports = weights[id], 0
			out = append(out, m)
		}
		tx.events.Moderated = append(tx.events.Moderated, out...)
		return nil
	})
	return out, err
}

// modComment reads one comment as moderators see it and locks its row;
// an unknown id is NotFound.
func (t *Tx) modComment(id int64) (store.ModComment, error) {
	m, err := scanModComment(t.QueryRow(`SELECT `+modColumns+` FROM comments WHERE id = $1 FOR UPDATE`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return m, errs.New(errs.NotFound, "comment %d does not exist", id)
	}
	if err != nil {
		return m, fmt.Errorf("reading comment %d: %w", id, err)
	}
	return m, nil
}

// reviewReports marks comments' reports reviewed: they no longer count.
func (t *Tx) reviewReports(ids ...int64) error {
	if _, err := t.Exec(`UPDATE comment_reports SET reviewed = true WHERE comment_id = ANY($1) AND NOT reviewed`, ids); err != nil {
		return fmt.Errorf("reviewing reports: %w", err)
	}
	return nil
}

// reasons counts a comment's unreviewed reports by reason.
func (t *Tx) reasons(id int64) (map[string]int64, error) {
	rows, err := t.Query(queryReasons, []int64{id})
	if err != nil {
		return nil, fmt.Errorf("reading reports: %w", err)
	}
	byComment, err := scanReasons(rows)
	if err != nil {
		return nil, err
	}
	if byComment[id] == nil {
		return map[string]int64{}, nil
	}
	return byComment[id], nil
}
