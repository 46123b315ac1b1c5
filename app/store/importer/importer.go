// Package importer runs store.Imports for any backend: it reads a file's
// comments a chunk at a time, has the backend store each chunk in a write
// of its own, and undoes what was stored when the import fails. The
// backend provides the steps (Steps), each one short write.
package importer

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/danmaku/danmaku/app/errs"
	"github.com/danmaku/danmaku/app/store"
)

// Import states, as recorded in imports.state.
const (
	Running = "running"
	Done    = "done"
	Failed  = "failed"
)

// Unfinished is an import a stopped process left running: the seqs its
// stored comments took (first 0 when none).
type Unfinished struct {
	ID          int64
	Room, By    string
	First, Last int64
}

// Steps are a backend's writes for an import. Each one commits on its own.
type Steps interface {
	// BeginImport records a running import into imp.Room (NotFound when
	// the room does not exist) and returns its id.
	BeginImport(ctx context.Context, imp store.Import) (int64, error)
	// StoreChunk stores chunk in room under import id with the room's
	// next seqs, in order, and returns the first and last. It fails with
	// Unavailable when the import is no longer running (a starting server
	// undid it).
	StoreChunk(ctx context.Context, room string, id int64, chunk []store.ImportedComment) (first, last int64, err error)
	// FinishImport records the import as done, with its counts; Unavailable
	// when it is no longer running.
	FinishImport(ctx context.Context, id int64, imported, skipped int) error
	// UndoChunk marks the visible comments import id stored in room with
	// seqs lo to hi deleted, by by.
	UndoChunk(ctx context.Context, room, by string, id, lo, hi int64) error
	// FailImport records the import as failed, with nothing imported.
	FailImport(ctx context.Context, id int64) error
	// UnfinishedImports lists the imports left running.
	UnfinishedImports(ctx context.Context) ([]Unfinished, error)
}

// Imports implements store.Imports over a backend's Steps; a backend's
// Store embeds it.
type Imports struct{ Steps Steps }

// ImportComments implements store.Imports; see Run.
func (i Imports) ImportComments(ctx context.Context, imp store.Import) (store.ImportResult, error) {
	return Run(ctx, i.Steps, imp)
}

// UndoUnfinishedImports implements store.Imports; see UndoUnfinished.
func (i Imports) UndoUnfinishedImports(ctx context.Context) ([]int64, error) {
	return UndoUnfinished(ctx, i.Steps)
}

// Run stores every comment imp.Next yields, in chunks of store.ImportChunk,
// each committed between other writes, and returns what it stored. When
// Next fails (its error comes back as it is), ctx ends or a chunk cannot
// be stored, the chunks already stored are undone (their comments become
// 'deleted', keeping their seqs) and the import is recorded as failed. If
// even the undo fails, the import stays running and UndoUnfinished undoes
// it when the server next starts.
func Run(ctx context.Context, s Steps, imp store.Import) (store.ImportResult, error) {
	id, err := s.BeginImport(ctx, imp)
	if err != nil {
		return store.ImportResult{}, err
	}
	res := store.ImportResult{ID: id}
	chunk := make([]store.ImportedComment, 0, store.ImportChunk)
	for {
		c, err := imp.Next()
		if err == nil {
			chunk = append(chunk, c)
			if len(chunk) < store.ImportChunk {
				continue
			}
		} else if !errors.Is(err, io.EOF) {
			return store.ImportResult{}, fail(ctx, s, imp, res, err)
		}
		if len(chunk) > 0 {
			first, last, serr := s.StoreChunk(ctx, imp.Room, res.ID, chunk)
			if serr != nil {
				return store.ImportResult{}, fail(ctx, s, imp, res, serr)
			}
			if imp.Stored != nil {
				imp.Stored(first, last)
			}
			if res.FirstSeq == 0 {
				res.FirstSeq = first
			}
			res.LastSeq = last
			res.Imported += len(chunk)
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
	if err := s.FinishImport(ctx, res.ID, res.Imported, skipped); err != nil {
		return store.ImportResult{}, fail(ctx, s, imp, res, err)
	}
	return res, nil
}

// fail undoes what a failed import stored and returns cause, the reason it
// failed. The undo runs even when ctx has ended (the client went away);
// when it fails too, the error says so and the next start undoes it.
func fail(ctx context.Context, s Steps, imp store.Import, res store.ImportResult, cause error) error {
	u := Unfinished{ID: res.ID, Room: imp.Room, By: imp.By, First: res.FirstSeq, Last: res.LastSeq}
	if err := undo(context.WithoutCancel(ctx), s, u); err != nil {
		return errs.Wrap(errors.Join(cause, err), errs.Internal, fmt.Sprintf(
			"the import failed (%s) and undoing it failed too: the server undoes it when it next starts", errs.From(cause).Message))
	}
	return cause
}

// undo marks what import u stored deleted, a chunk of seqs per write, then
// records it as failed.
func undo(ctx context.Context, s Steps, u Unfinished) error {
	for lo := u.First; u.First > 0 && lo <= u.Last; lo += store.ImportChunk {
		if err := s.UndoChunk(ctx, u.Room, u.By, u.ID, lo, min(lo+store.ImportChunk-1, u.Last)); err != nil {
			return err
		}
	}
	return s.FailImport(ctx, u.ID)
}

// UndoUnfinished undoes every import left running, by a process that
// stopped in the middle of one, and returns their ids. The server calls it
// as it starts; an import another process is running at that moment is
// undone too, and fails.
func UndoUnfinished(ctx context.Context, s Steps) ([]int64, error) {
	all, err := s.UnfinishedImports(ctx)
	if err != nil {
		return nil, err
	}
	ids := make([]int64, 0, len(all))
	for _, u := range all {
		if err := undo(ctx, s, u); err != nil {
			return ids, err
		}
		ids = append(ids, u.ID)
	}
	return ids, nil
}
