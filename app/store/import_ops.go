package store

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/danmaku/danmaku/app/errs"
	"github.com/danmaku/danmaku/app/protocol"
)

// ImportedComment is one comment of a file, checked and ready to store.
type ImportedComment struct {
	Draft     protocol.Draft
	User      protocol.User
	CreatedAt protocol.Timestamp // when it was first posted; 0: the import's time
}

// Import is one file going into a room.
type Import struct {
	Room   string
	Format string // e.g. bilibili-xml, recorded with the import
	Source string // the file's name, for people; may be empty
	By     string // the moderator's user id, or "cli"

	// Next returns the next comment to store, or io.EOF after the last.
	// Any other error stops the import and undoes it. Next runs on the
	// writer's goroutine inside the transaction, so it must read from
	// memory or a local file, never wait on a client.
	Next func() (ImportedComment, error)
	// Skipped is asked once Next has returned io.EOF: how many entries of
	// the file were left out, for the record.
	Skipped func() int
}

// ImportResult is what an import stored.
type ImportResult struct {
	ID       int64 // the row in imports
	Imported int
	FirstSeq int64 // seqs the comments took, in file order; 0 when none
	LastSeq  int64
}

// ImportComments stores every comment imp.Next yields in imp.Room, in one
// transaction of the writer: all of them, or none when Next fails (its
// coded error comes back as it is). The comments are visible at once and
// take the room's next seqs in file order, but they are not fanned out:
// viewers load them like any stored comment. Their created_at is the one
// the file gives, and they create no rows in users.
//
// The import holds the writer while it runs, so comments sent meanwhile
// wait in the writer's queue and commit right after it.
func (s *Store) ImportComments(ctx context.Context, imp Import) (ImportResult, error) {
	var res ImportResult
	var ran bool
	var failed error // the import's own failure that failed its batch
	err := s.Writer.Exec(ctx, func(tx *Tx) error {
		// The writer retries a failed batch op by op, but Next cannot be
		// read twice: the import is then lost with its batch.
		switch {
		case failed != nil:
			return failed
		case ran:
			return errs.New(errs.Unavailable, "the import was interrupted by a database error and nothing was imported; run it again")
		}
		ran = true
		var err error
		if res, err = tx.importComments(imp); err != nil && errs.CodeOf(err) == errs.Internal {
			failed = err
		}
		return err
	})
	if err != nil {
		return ImportResult{}, err
	}
	return res, nil
}

// importComments runs the import inside a savepoint, so that a failure
// undoes the import alone and leaves the rest of the batch to commit.
func (t *Tx) importComments(imp Import) (ImportResult, error) {
	rs, err := t.room(imp.Room)
	if err != nil {
		return ImportResult{}, err
	}
	before := *rs
	if _, err := t.tx.ExecContext(t.ctx, `SAVEPOINT import`); err != nil {
		return ImportResult{}, fmt.Errorf("starting the import: %w", err)
	}
	res, err := t.insertImport(rs, imp)
	if err != nil {
		*rs = before
		if _, rerr := t.tx.ExecContext(t.ctx, `ROLLBACK TO import`); rerr != nil {
			// Not wrapped: the batch must fail as a whole, whatever err's code.
			return ImportResult{}, fmt.Errorf("undoing the import: %v (after: %v)", rerr, err)
		}
	}
	if _, rerr := t.tx.ExecContext(t.ctx, `RELEASE import`); rerr != nil {
		return ImportResult{}, fmt.Errorf("ending the import: %v (after: %v)", rerr, err)
	}
	return res, err
}

const insertImported = `INSERT INTO comments
	(room_id, seq, time_ms, text, mode, color, size, user_id, user_name, created_at, import_id)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

// insertImport records the import and inserts its comments.
func (t *Tx) insertImport(rs *roomState, imp Import) (ImportResult, error) {
	now := protocol.TimestampOf(t.now)
	row, err := t.tx.ExecContext(t.ctx, `INSERT INTO imports (room_id, format, source, created_by, created_at) VALUES (?, ?, ?, ?, ?)`,
		imp.Room, imp.Format, imp.Source, imp.By, int64(now))
	if err != nil {
		return ImportResult{}, fmt.Errorf("recording the import: %w", err)
	}
	res := ImportResult{}
	if res.ID, err = row.LastInsertId(); err != nil {
		return ImportResult{}, fmt.Errorf("recording the import: %w", err)
	}
	// One statement for the whole import: the transaction keeps every
	// statement made for it until it ends.
	stmt, err := t.tx.PrepareContext(t.ctx, insertImported)
	if err != nil {
		return ImportResult{}, fmt.Errorf("preparing the import: %w", err)
	}
	defer stmt.Close()
	for {
		c, err := imp.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return ImportResult{}, err
		}
		at := c.CreatedAt
		if at <= 0 {
			at = now
		}
		seq := rs.lastSeq + 1
		d := c.Draft
		if _, err := stmt.ExecContext(t.ctx, imp.Room, seq, int64(d.Time), d.Text, d.Mode, d.Color, d.Size,
			c.User.ID, c.User.Name, int64(at), res.ID); err != nil {
			return ImportResult{}, fmt.Errorf("inserting an imported comment: %w", err)
		}
		rs.lastSeq, rs.visibleDiff = seq, rs.visibleDiff+1
		if res.FirstSeq == 0 {
			res.FirstSeq = seq
		}
		res.LastSeq = seq
		res.Imported++
	}
	skipped := 0
	if imp.Skipped != nil {
		skipped = imp.Skipped()
	}
	if _, err := t.tx.ExecContext(t.ctx, `UPDATE imports SET imported = ?, skipped = ? WHERE id = ?`, res.Imported, skipped, res.ID); err != nil {
		return ImportResult{}, fmt.Errorf("recording the import: %w", err)
	}
	return res, nil
}
