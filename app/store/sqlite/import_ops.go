package sqlite

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/danmaku/danmaku/app/errs"
	"github.com/danmaku/danmaku/app/protocol"
	"github.com/danmaku/danmaku/app/store"
)

// Import states, as recorded in imports.state.
const (
	importRunning = "running"
	importDone    = "done"
	importFailed  = "failed"
)

// ImportComments stores every comment imp.Next yields in imp.Room, in
// chunks of ImportChunk comments, each committed by the writer between
// other ops: an import never holds the writer for longer than one chunk.
// The comments take the room's next seqs in file order (live comments
// committed meanwhile take seqs between the chunks) and are visible as
// each chunk commits, but they are not fanned out: viewers load them like
// any stored comment. Their created_at is the one the file gives, and
// they create no rows in users.
//
// When Next fails (its coded error comes back as it is), ctx ends or a
// chunk cannot be stored, the chunks already stored are undone (their
// comments become 'deleted', keeping their seqs) and the import is
// recorded as failed: a failed import leaves nothing visible. If even the
// undo fails, the import stays 'running' and UndoUnfinishedImports undoes
// it when the server next starts.
func (s *Store) ImportComments(ctx context.Context, imp store.Import) (store.ImportResult, error) {
	res, err := s.beginImport(ctx, imp)
	if err != nil {
		return store.ImportResult{}, err
	}
	chunk := make([]store.ImportedComment, 0, store.ImportChunk)
	for {
		c, err := imp.Next()
		if err == nil {
			chunk = append(chunk, c)
			if len(chunk) < store.ImportChunk {
				continue
			}
		} else if !errors.Is(err, io.EOF) {
			return store.ImportResult{}, s.failImport(ctx, imp, res, err)
		}
		if len(chunk) > 0 {
			if serr := s.storeChunk(ctx, imp, &res, chunk); serr != nil {
				return store.ImportResult{}, s.failImport(ctx, imp, res, serr)
			}
			chunk = make([]store.ImportedComment, 0, store.ImportChunk) // the writer is done with the old one, but a fresh one is plainly safe
		}
		if err != nil {
			break
		}
	}
	skipped := 0
	if imp.Skipped != nil {
		skipped = imp.Skipped()
	}
	err = s.Writer.Exec(ctx, func(tx *Tx) error {
		if err := tx.checkRunning(res.ID); err != nil {
			return err
		}
		_, err := tx.tx.ExecContext(tx.ctx, `UPDATE imports SET imported = ?, skipped = ?, state = ? WHERE id = ?`,
			res.Imported, skipped, importDone, res.ID)
		if err != nil {
			return fmt.Errorf("recording the import: %w", err)
		}
		return nil
	})
	if err != nil {
		return store.ImportResult{}, s.failImport(ctx, imp, res, err)
	}
	return res, nil
}

// beginImport records a running import into an existing room.
func (s *Store) beginImport(ctx context.Context, imp store.Import) (store.ImportResult, error) {
	var res store.ImportResult
	err := s.Writer.Exec(ctx, func(tx *Tx) error {
		if _, err := tx.room(imp.Room); err != nil {
			return err
		}
		row, err := tx.tx.ExecContext(tx.ctx, `INSERT INTO imports (room_id, format, source, created_by, created_at, state) VALUES (?, ?, ?, ?, ?, ?)`,
			imp.Room, imp.Format, imp.Source, imp.By, int64(protocol.TimestampOf(tx.now)), importRunning)
		if err != nil {
			return fmt.Errorf("recording the import: %w", err)
		}
		if res.ID, err = row.LastInsertId(); err != nil {
			return fmt.Errorf("recording the import: %w", err)
		}
		return nil
	})
	return res, err
}

// checkRunning fails (Unavailable) when import id is no longer running:
// a server that started meanwhile has undone it.
func (t *Tx) checkRunning(id int64) error {
	var state string
	if err := t.tx.QueryRowContext(t.ctx, `SELECT state FROM imports WHERE id = ?`, id).Scan(&state); err != nil {
		return fmt.Errorf("reading the import's state: %w", err)
	}
	if state != importRunning {
		return errs.New(errs.Unavailable, "the import was abandoned (a server starting meanwhile undid it); run it again")
	}
	return nil
}

// storeChunk stores one chunk of an import in one writer op and adds it to
// res. A batch that fails is retried op by op, and the op is safe to run
// twice: it only reads chunk.
func (s *Store) storeChunk(ctx context.Context, imp store.Import, res *store.ImportResult, chunk []store.ImportedComment) error {
	var first, last int64
	err := s.Writer.Exec(ctx, func(tx *Tx) error {
		rs, err := tx.room(imp.Room)
		if err != nil {
			return err
		}
		if err := tx.checkRunning(res.ID); err != nil {
			return err
		}
		before := *rs
		if first, last, err = tx.insertImported(rs, imp.Room, res.ID, chunk); err != nil {
			*rs = before
			return err
		}
		return nil
	})
	if err != nil {
		return err
	}
	if res.FirstSeq == 0 {
		res.FirstSeq = first
	}
	res.LastSeq = last
	res.Imported += len(chunk)
	return nil
}

// insertImported inserts the comments of one chunk, with the room's next
// seqs, and returns the first and last. It binds the writer's prepared
// statement: one compiled statement whatever the number of chunks.
func (t *Tx) insertImported(rs *roomState, room string, id int64, chunk []store.ImportedComment) (first, last int64, err error) {
	now := protocol.TimestampOf(t.now)
	stmt := t.stmt(t.stmts.insertImported)
	for _, c := range chunk {
		at := c.CreatedAt
		if at <= 0 {
			at = now
		}
		seq := rs.lastSeq + 1
		d := c.Draft
		if _, err := stmt.ExecContext(t.ctx, room, seq, int64(d.Time), d.Text, d.Mode, d.Color, d.Size,
			c.User.ID, c.User.Name, int64(at), id); err != nil {
			return 0, 0, fmt.Errorf("inserting an imported comment: %w", err)
		}
		rs.lastSeq, rs.visibleDiff = seq, rs.visibleDiff+1
		if first == 0 {
			first = seq
		}
	}
	return first, rs.lastSeq, nil
}

// failImport undoes what a failed import stored and returns cause, the
// reason it failed. The undo runs even when ctx has ended (the client went
// away); when it fails too, the error says so and the next start undoes it.
func (s *Store) failImport(ctx context.Context, imp store.Import, res store.ImportResult, cause error) error {
	if err := s.undoImport(context.WithoutCancel(ctx), imp.Room, imp.By, res.ID, res.FirstSeq, res.LastSeq); err != nil {
		return errs.Wrap(errors.Join(cause, err), errs.Internal, fmt.Sprintf(
			"the import failed (%s) and undoing it failed too: the server undoes it when it next starts", errs.From(cause).Message))
	}
	return cause
}

// undoImport marks the comments import id stored in room (seqs first to
// last; none when first is 0) deleted, a chunk of seqs per writer op, then
// records the import as failed. Each chunk's commit retracts its comments
// from the room's viewers (store.Events), who may have loaded them.
func (s *Store) undoImport(ctx context.Context, room, by string, id, first, last int64) error {
	for lo := first; first > 0 && lo <= last; lo += store.ImportChunk {
		hi := min(lo+store.ImportChunk-1, last)
		err := s.Writer.Exec(ctx, func(tx *Tx) error {
			rs, err := tx.room(room)
			if err != nil {
				return err
			}
			ids, err := tx.deleteImported(room, by, id, lo, hi)
			if err != nil {
				return fmt.Errorf("undoing the import: %w", err)
			}
			rs.visibleDiff -= int64(len(ids))
			if len(ids) > 0 { // viewers that loaded them drop them
				tx.events.Retracts = append(tx.events.Retracts, store.Retraction{Room: room, IDs: ids})
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return s.Writer.Exec(ctx, func(tx *Tx) error {
		if _, err := tx.tx.ExecContext(tx.ctx, `UPDATE imports SET imported = 0, state = ? WHERE id = ?`, importFailed, id); err != nil {
			return fmt.Errorf("recording the failed import: %w", err)
		}
		return nil
	})
}

// deleteImported marks the visible comments import id stored in room with
// seqs lo to hi deleted by by, and returns their ids.
func (t *Tx) deleteImported(room, by string, id, lo, hi int64) ([]int64, error) {
	rows, err := t.tx.QueryContext(t.ctx, `UPDATE comments SET status = 'deleted', moderated_by = ?, moderated_at = ?
		WHERE room_id = ? AND seq BETWEEN ? AND ? AND import_id = ? AND status = 'visible' RETURNING id`,
		by, t.now.UnixMilli(), room, lo, hi, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var cid int64
		if err := rows.Scan(&cid); err != nil {
			return nil, err
		}
		ids = append(ids, cid)
	}
	return ids, rows.Err()
}

// UndoUnfinishedImports undoes every import left running, by a process
// that stopped in the middle of one, and returns their ids. The server
// calls it as it starts; an import another process (go run . import) is
// running at that moment is undone too, and fails.
func (s *Store) UndoUnfinishedImports(ctx context.Context) ([]int64, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT i.id, i.room_id, i.created_by, coalesce(min(c.seq), 0), coalesce(max(c.seq), 0)
		FROM imports i LEFT JOIN comments c ON c.import_id = i.id AND c.room_id = i.room_id
		WHERE i.state = ? GROUP BY i.id`, importRunning)
	if err != nil {
		return nil, fmt.Errorf("reading unfinished imports: %w", err)
	}
	type unfinished struct {
		room, by        string
		id, first, last int64
	}
	var all []unfinished
	for rows.Next() {
		var u unfinished
		if err := rows.Scan(&u.id, &u.room, &u.by, &u.first, &u.last); err != nil {
			rows.Close()
			return nil, fmt.Errorf("reading unfinished imports: %w", err)
		}
		all = append(all, u)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reading unfinished imports: %w", err)
	}
	ids := make([]int64, 0, len(all))
	for _, u := range all {
		if err := s.undoImport(ctx, u.room, u.by, u.id, u.first, u.last); err != nil {
			return ids, err
		}
		ids = append(ids, u.id)
	}
	return ids, nil
}
