package store

import (
	"context"

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
	// caller's goroutine, outside the writer, so it may read from a client.
	Next func() (ImportedComment, error)
	// Skipped is asked once Next has returned io.EOF: how many entries of
	// the file were left out, for the record.
	Skipped func() int
	// Stored, when set, hears of each chunk once it committed: the seqs
	// its comments took (first to last, with no other comment's between).
	// A cluster's nodes step over them instead of fetching them as live.
	Stored func(first, last int64)
}

// ImportResult is what an import stored.
type ImportResult struct {
	ID       int64 // the row in imports
	Imported int
	FirstSeq int64 // seqs the comments took, in file order; 0 when none
	LastSeq  int64
}

// ImportChunk is how many comments an import stores per writer op: each
// chunk is one short write that other writes (live comments, readiness
// checks) queue behind, never the whole file.
const ImportChunk = 1000

// Imports stores comment files.
type Imports interface {
	// ImportComments stores every comment imp.Next yields in imp.Room, a
	// chunk of ImportChunk at a time so live writes are never held up by
	// a whole file. The comments take the room's next seqs in file order
	// and are not fanned out. When Next fails (its error comes back as it
	// is), ctx ends or a chunk cannot be stored, what was stored is undone:
	// a failed import leaves nothing visible, and the undo's commits carry
	// Retractions of its comments (Events) for the viewers that loaded them.
	ImportComments(ctx context.Context, imp Import) (ImportResult, error)
	// UndoUnfinishedImports undoes every import a stopped process left
	// running and returns their ids. The server calls it as it starts.
	UndoUnfinishedImports(ctx context.Context) ([]int64, error)
}
