package sqlite

import (
	"context"
	"fmt"

	"github.com/danmaku/danmaku/app/errs"
	"github.com/danmaku/danmaku/app/protocol"
	"github.com/danmaku/danmaku/app/store"
	"github.com/danmaku/danmaku/app/store/importer"
)

// importSteps are an import's writes (importer.Steps), each chunk one
// writer op between other ops, so an import never holds the writer for
// longer than one chunk. The comments take the room's next seqs in file
// order (live comments committed meanwhile take seqs between the chunks)
// and are visible as each chunk commits, but they are not fanned out:
// viewers load them like any stored comment. Their created_at is the one
// the file gives, and they create no rows in users.
type importSteps struct{ s *Store }

func (st importSteps) BeginImport(ctx context.Context, imp store.Import) (int64, error) {
	var id int64
	err := st.s.Writer.Exec(ctx, func(tx *Tx) error {
		if _, err := tx.room(imp.Room); err != nil {
			return err
		}
		row, err := tx.tx.ExecContext(tx.ctx, `INSERT INTO imports (room_id, format, source, created_by, created_at, state) VALUES (?, ?, ?, ?, ?, ?)`,
			imp.Room, imp.Format, imp.Source, imp.By, int64(protocol.TimestampOf(tx.now)), importer.Running)
		if err != nil {
			return fmt.Errorf("recording the import: %w", err)
		}
		if id, err = row.LastInsertId(); err != nil {
			return fmt.Errorf("recording the import: %w", err)
		}
		return nil
	})
	return id, err
}

// checkRunning fails (Unavailable) when import id is no longer running:
// a server that started meanwhile has undone it.
func (t *Tx) checkRunning(id int64) error {
	var state string
	if err := t.tx.QueryRowContext(t.ctx, `SELECT state FROM imports WHERE id = ?`, id).Scan(&state); err != nil {
		return fmt.Errorf("reading the import's state: %w", err)
	}
	if state != importer.Running {
		return errs.New(errs.Unavailable, "the import was abandoned (a server starting meanwhile undid it); run it again")
	}
	return nil
}

// StoreChunk stores one chunk in one writer op. A batch that fails is
// retried op by op, and the op is safe to run twice: it only reads chunk,
// and puts the room's counters back when it fails.
func (st importSteps) StoreChunk(ctx context.Context, room string, id int64, chunk []store.ImportedComment) (first, last int64, err error) {
	err = st.s.Writer.Exec(ctx, func(tx *Tx) error {
		rs, err := tx.room(room)
		if err != nil {
			return err
		}
		if err := tx.checkRunning(id); err != nil {
			return err
		}
		before := *rs
		if first, last, err = tx.insertImported(rs, room, id, chunk); err != nil {
			*rs = before
			return err
		}
		return nil
	})
	return first, last, err
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
		// Imported senders have no record here: the text alone weighs.
		w := min(10, max(0, t.weigh(store.QualitySignals{Text: d.Text})))
		if _, err := stmt.ExecContext(t.ctx, room, seq, int64(d.Time), d.Text, d.Mode, d.Color, d.Size,
			c.User.ID, c.User.Name, int64(at), id, w); err != nil {
			return 0, 0, fmt.Errorf("inserting an imported comment: %w", err)
		}
		rs.lastSeq, rs.visibleDiff = seq, rs.visibleDiff+1
		if first == 0 {
			first = seq
		}
	}
	return first, rs.lastSeq, nil
}

func (st importSteps) FinishImport(ctx context.Context, id int64, imported, skipped int) error {
	return st.s.Writer.Exec(ctx, func(tx *Tx) error {
		if err := tx.checkRunning(id); err != nil {
			return err
		}
		_, err := tx.tx.ExecContext(tx.ctx, `UPDATE imports SET imported = ?, skipped = ?, state = ? WHERE id = ?`,
			imported, skipped, importer.Done, id)
		if err != nil {
			return fmt.Errorf("recording the import: %w", err)
		}
		return nil
	})
}

// UndoChunk's commit retracts the comments it deletes from the room's
// viewers (store.Events), who may have loaded them.
func (st importSteps) UndoChunk(ctx context.Context, room, by string, id, lo, hi int64) error {
	return st.s.Writer.Exec(ctx, func(tx *Tx) error {
		rs, err := tx.room(room)
		if err != nil {
			return err
		}
		ids, err := queryAll(tx.ctx, tx.tx, "undone comments", scanID, `UPDATE comments SET status = 'deleted', moderated_by = ?, moderated_at = ?
			WHERE room_id = ? AND seq BETWEEN ? AND ? AND import_id = ? AND status = 'visible' RETURNING id`,
			by, tx.now.UnixMilli(), room, lo, hi, id)
		if err != nil {
			return fmt.Errorf("undoing the import: %w", err)
		}
		rs.visibleDiff -= int64(len(ids))
		if len(ids) > 0 { // viewers that loaded them drop them
			tx.events.Retracts = append(tx.events.Retracts, store.Retraction{Room: room, IDs: ids})
		}
		return nil
	})
}

// scanID reads a row of one id.
func scanID(row interface{ Scan(...any) error }) (int64, error) {
	var id int64
	err := row.Scan(&id)
	return id, err
}

func (st importSteps) FailImport(ctx context.Context, id int64) error {
	return st.s.Writer.Exec(ctx, func(tx *Tx) error {
		if _, err := tx.tx.ExecContext(tx.ctx, `UPDATE imports SET imported = 0, state = ? WHERE id = ?`, importer.Failed, id); err != nil {
			return fmt.Errorf("recording the failed import: %w", err)
		}
		return nil
	})
}

func (st importSteps) UnfinishedImports(ctx context.Context) ([]importer.Unfinished, error) {
	return queryAll(ctx, st.s.read, "unfinished imports", func(row interface{ Scan(...any) error }) (importer.Unfinished, error) {
		var u importer.Unfinished
		err := row.Scan(&u.ID, &u.Room, &u.By, &u.First, &u.Last)
		return u, err
	}, `SELECT i.id, i.room_id, i.created_by, coalesce(min(c.seq), 0), coalesce(max(c.seq), 0)
		FROM imports i LEFT JOIN comments c ON c.import_id = i.id AND c.room_id = i.room_id
		WHERE i.state = ? GROUP BY i.id`, importer.Running)
}
