package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/danmaku/danmaku/app/errs"
	"github.com/danmaku/danmaku/app/protocol"
	"github.com/danmaku/danmaku/app/store"
	"github.com/danmaku/danmaku/app/store/importer"
	"github.com/jackc/pgx/v5"
)

// importSteps are an import's writes (importer.Steps): each chunk is one
// writer op, a single set-based insert, between other ops, so an import
// never holds the writer (or its room's row) for longer than one chunk.
// The comments take the room's next seqs in file order and are visible as
// each chunk commits, but they are not fanned out. Their created_at is the
// one the file gives, and they create no rows in users. Undoing is
// idempotent, so nodes starting together may both undo one import; a node
// that starts also undoes an import another node is running at that
// moment (docs/operations.md).
type importSteps struct{ s *Store }

func (st importSteps) BeginImport(ctx context.Context, imp store.Import) (int64, error) {
	if err := checkText("the import", imp.Room, imp.Format, imp.Source, imp.By); err != nil {
		return 0, err
	}
	var id int64
	err := st.s.Writer.Exec(ctx, func(tx *Tx) error {
		tx.Queue(`INSERT INTO imports (room_id, format, source, created_by, created_at, state)
			SELECT id, $2, $3, $4, $5, $6 FROM rooms WHERE id = $1 RETURNING id`,
			[]any{imp.Room, imp.Format, imp.Source, imp.By, tx.now.UnixMilli(), importer.Running}, func(rows pgx.Rows) error {
				if !rows.Next() {
					return errs.New(errs.NotFound, "room %q does not exist", imp.Room)
				}
				return rows.Scan(&id)
			})
		return nil
	})
	return id, err
}

// checkRunning locks import id's row and fails (Unavailable) when it is no
// longer running: a server that started meanwhile has undone it.
func (t *Tx) checkRunning(id int64) error {
	var state string
	if err := t.QueryRow(`SELECT state FROM imports WHERE id = $1 FOR UPDATE`, id).Scan(&state); err != nil {
		return fmt.Errorf("reading the import's state: %w", err)
	}
	if state != importer.Running {
		return errs.New(errs.Unavailable, "the import was abandoned (a server starting meanwhile undid it); run it again")
	}
	return nil
}

// StoreChunk stores one chunk in one writer op: it takes the chunk's seqs
// from the room and inserts every comment in one statement.
func (st importSteps) StoreChunk(ctx context.Context, room string, id int64, chunk []store.ImportedComment) (first, last int64, err error) {
	for _, c := range chunk {
		d := c.Draft
		if err := checkText("an imported comment", d.Text, d.Mode, d.Color, d.Size, c.User.ID, c.User.Name); err != nil {
			return 0, 0, err
		}
	}
	err = st.s.Writer.Exec(ctx, func(tx *Tx) error {
		if err := tx.checkRunning(id); err != nil {
			return err
		}
		err := tx.QueryRow(`UPDATE rooms SET last_seq = last_seq + $2, comment_count = comment_count + $2
			WHERE id = $1 RETURNING last_seq`, room, len(chunk)).Scan(&last)
		if errors.Is(err, pgx.ErrNoRows) {
			return errs.New(errs.NotFound, "room %q does not exist", room)
		}
		if err != nil {
			return fmt.Errorf("taking seqs for an import: %w", err)
		}
		first = last - int64(len(chunk)) + 1
		if _, err := tx.Exec(insertImported, importedArgs(room, id, first, chunk, protocol.TimestampOf(tx.now), tx.weigh)...); err != nil {
			return fmt.Errorf("inserting imported comments: %w", err)
		}
		return nil
	})
	return first, last, err
}

// insertImported stores a chunk of an import, given as arrays.
const insertImported = `INSERT INTO comments
	(room_id, seq, time_ms, text, mode, color, size, user_id, user_name, created_at, import_id, weight)
	SELECT $1, seq, time_ms, text, mode, color, size, user_id, user_name, created_at, $2, weight
	FROM unnest($3::bigint[], $4::bigint[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::bigint[], $12::int[])
		AS t(seq, time_ms, text, mode, color, size, user_id, user_name, created_at, weight)`

// importedArgs are insertImported's arguments for a chunk whose first
// comment takes seq first; entries without a time take now. Imported
// senders have no record here: the text alone weighs.
func importedArgs(room string, id, first int64, chunk []store.ImportedComment, now protocol.Timestamp, weigh store.Weigher) []any {
	n := len(chunk)
	seq, timeMs, at := make([]int64, n), make([]int64, n), make([]int64, n)
	weight := make([]int32, n)
	cols := make([][]string, 6) // text … user_name, as in the statement
	for i := range cols {
		cols[i] = make([]string, n)
	}
	for i, c := range chunk {
		d := c.Draft
		seq[i], timeMs[i], at[i] = first+int64(i), int64(d.Time), int64(c.CreatedAt)
		weight[i] = int32(weigh(store.QualitySignals{Text: d.Text}))
		if c.CreatedAt <= 0 {
			at[i] = int64(now)
		}
		for j, v := range []string{d.Text, d.Mode, d.Color, d.Size, c.User.ID, c.User.Name} {
			cols[j][i] = v
		}
	}
	return []any{room, id, seq, timeMs, cols[0], cols[1], cols[2], cols[3], cols[4], cols[5], at, weight}
}

func (st importSteps) FinishImport(ctx context.Context, id int64, imported, skipped int) error {
	return st.s.Writer.Exec(ctx, func(tx *Tx) error {
		if err := tx.checkRunning(id); err != nil {
			return err
		}
		if _, err := tx.Exec(`UPDATE imports SET imported = $2, skipped = $3, state = $4 WHERE id = $1`,
			id, imported, skipped, importer.Done); err != nil {
			return fmt.Errorf("recording the import: %w", err)
		}
		return nil
	})
}

// UndoChunk's commit retracts the comments it deletes from the room's
// viewers (store.Events), who may have loaded them.
func (st importSteps) UndoChunk(ctx context.Context, room, by string, id, lo, hi int64) error {
	return st.s.Writer.Exec(ctx, func(tx *Tx) error {
		rows, err := tx.Query(`WITH undone AS (
				UPDATE comments SET status = 'deleted', moderated_by = $2, moderated_at = $3
				WHERE room_id = $1 AND seq BETWEEN $4 AND $5 AND import_id = $6 AND status = 'visible'
				RETURNING id
			), counted AS (
				UPDATE rooms SET comment_count = comment_count - (SELECT count(*) FROM undone) WHERE id = $1
			)
			SELECT id FROM undone ORDER BY id`,
			room, by, tx.now.UnixMilli(), lo, hi, id)
		var ids []int64
		if err == nil {
			ids, err = pgx.CollectRows(rows, pgx.RowTo[int64])
		}
		if err != nil {
			return fmt.Errorf("undoing the import: %w", err)
		}
		if len(ids) > 0 { // viewers that loaded them drop them
			tx.events.Retracts = append(tx.events.Retracts, store.Retraction{Room: room, IDs: ids})
		}
		return nil
	})
}

func (st importSteps) FailImport(ctx context.Context, id int64) error {
	return st.s.Writer.Exec(ctx, func(tx *Tx) error {
		if _, err := tx.Exec(`UPDATE imports SET imported = 0, state = $2 WHERE id = $1`, id, importer.Failed); err != nil {
			return fmt.Errorf("recording the failed import: %w", err)
		}
		return nil
	})
}

func (st importSteps) UnfinishedImports(ctx context.Context) ([]importer.Unfinished, error) {
	return queryAll(ctx, st.s, "unfinished imports", func(row pgx.Row) (importer.Unfinished, error) {
		var u importer.Unfinished
		err := row.Scan(&u.ID, &u.Room, &u.By, &u.First, &u.Last)
		return u, err
	}, `SELECT i.id, i.room_id, i.created_by, coalesce(min(c.seq), 0), coalesce(max(c.seq), 0)
		FROM imports i LEFT JOIN comments c ON c.import_id = i.id AND c.room_id = i.room_id
		WHERE i.state = $1 GROUP BY i.id`, importer.Running)
}
