package sqlite_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/danmaku/danmaku/app/errs"
	"github.com/danmaku/danmaku/app/protocol"
	"github.com/danmaku/danmaku/app/store"
	"github.com/danmaku/danmaku/app/store/sqlite"
)

// importOf is an import into room r of n comments, after which Next fails
// with fail (when set) instead of ending.
func importOf(n int, fail error) store.Import {
	i := 0
	return store.Import{Room: "r", Format: "test", By: "tester", Source: "file.xml",
		Next: func() (store.ImportedComment, error) {
			if i == n {
				if fail != nil {
					return store.ImportedComment{}, fail
				}
				return store.ImportedComment{}, io.EOF
			}
			i++
			return store.ImportedComment{
				Draft:     protocol.Draft{Text: fmt.Sprint("imported ", i), Time: protocol.Seconds(i * 1000), Mode: "scroll", Color: "#ffffff", Size: "medium"},
				User:      protocol.User{ID: "bili:cafe"},
				CreatedAt: protocol.Timestamp(1_600_000_000_000 + int64(i)),
			}, nil
		},
		Skipped: func() int { return 7 },
	}
}

func TestImportStoresEverythingInOrderWithoutFanOut(t *testing.T) {
	ev := &events{}
	s := open(t, ev)
	live, done := insert("r", "live")
	if err := s.Writer.Submit(context.Background(), live); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	imp := importOf(3, nil)
	imp.Next = withDefaultTime(imp.Next, 3)
	res, err := s.ImportComments(context.Background(), imp)
	if err != nil || res.Imported != 3 || res.FirstSeq != 2 || res.LastSeq != 4 || res.ID == 0 {
		t.Fatalf("ImportComments = %+v, %v", res, err)
	}
	got, err := s.CommentsAfter(context.Background(), "r", 1, 10)
	if err != nil || len(got) != 3 {
		t.Fatalf("stored %+v, %v", got, err)
	}
	for i, c := range got {
		if c.Seq != int64(i+2) || c.Text != fmt.Sprint("imported ", i+1) || c.User.ID != "bili:cafe" {
			t.Errorf("comment %d: %+v", i, c)
		}
	}
	if got[0].CreatedAt != 1_600_000_000_001 || got[2].CreatedAt.Time().Before(time.Now().Add(-time.Minute)) {
		t.Errorf("created_at %v and %v: want the file's, then the import's time for an entry without one", got[0].CreatedAt, got[2].CreatedAt)
	}
	room, err := s.Room(context.Background(), "r")
	if err != nil || room.LastSeq != 4 || room.CommentCount != 4 {
		t.Fatalf("room %+v, %v", room, err)
	}
	ev.mu.Lock()
	published := len(ev.comments)
	ev.mu.Unlock()
	if published != 1 {
		t.Fatalf("%d comments fanned out, want only the live one", published)
	}
	var imported, skipped int
	var by string
	db := sqlite.ReadDB(s)
	if err := db.QueryRow(`SELECT imported, skipped, created_by FROM imports WHERE id = ?`, res.ID).Scan(&imported, &skipped, &by); err != nil ||
		imported != 3 || skipped != 7 || by != "tester" {
		t.Fatalf("the import's record: %d imported, %d skipped, by %q (%v)", imported, skipped, by, err)
	}
}

// withDefaultTime leaves the created_at of entry n unknown.
func withDefaultTime(next func() (store.ImportedComment, error), n int) func() (store.ImportedComment, error) {
	i := 0
	return func() (store.ImportedComment, error) {
		c, err := next()
		if i++; i == n {
			c.CreatedAt = 0
		}
		return c, err
	}
}

func TestAFailedImportUndoesItselfAlone(t *testing.T) {
	for _, tc := range []struct {
		name     string
		fail     error
		code     errs.Code // "": the import succeeds
		other    sqlite.Op // queued after the import, in the same batch
		imported int       // imported rows left visible
	}{
		{"a file error", errs.New(errs.BadRequest, "line 4: malformed"), errs.BadRequest, nil, 0},
		{"a storage error", errors.New("disk on fire"), errs.Internal, nil, 0},
		// The import's ops are retried alone, like any other.
		{"another op fails the batch", nil, "", &failingOp{err: errors.New("disk on fire"), done: make(chan error, 1)}, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := open(t, nil)
			release := blockWriter(t, s)
			before, d1 := insert("r", "before")
			after, d2 := insert("r", "after")
			if err := s.Writer.Submit(context.Background(), before); err != nil {
				t.Fatal(err)
			}
			result := make(chan error, 1)
			go func() {
				_, err := s.ImportComments(context.Background(), importOf(3, tc.fail))
				result <- err
			}()
			waitQueued(t, s, 2)
			for _, op := range []sqlite.Op{tc.other, after} {
				if op != nil {
					if err := s.Writer.Submit(context.Background(), op); err != nil {
						t.Fatal(err)
					}
				}
			}
			release()
			if err := <-result; tc.code == "" && err != nil || tc.code != "" && errs.CodeOf(err) != tc.code {
				t.Fatalf("import: %v, want %q", err, tc.code)
			}
			if err1, err2 := <-d1, <-d2; err1 != nil || err2 != nil {
				t.Fatalf("the live comments around it: %v, %v", err1, err2)
			}
			if before.Comment.Seq != 1 || after.Comment.Seq != 2 {
				t.Fatalf("seqs %d, %d: want 1, 2, as if the import had never been", before.Comment.Seq, after.Comment.Seq)
			}
			if n := countImported(t, s, "visible"); n != tc.imported {
				t.Fatalf("%d imported rows visible, want %d", n, tc.imported)
			}
		})
	}
}

// countImported counts the imported comments with status.
func countImported(t *testing.T, s *sqlite.Store, status string) int {
	t.Helper()
	var n int
	if err := sqlite.ReadDB(s).QueryRow(`SELECT count(*) FROM comments WHERE import_id IS NOT NULL AND status = ?`, status).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// importState returns the recorded state and count of import id.
func importState(t *testing.T, s *sqlite.Store, id int64) (state string, imported int) {
	t.Helper()
	if err := sqlite.ReadDB(s).QueryRow(`SELECT state, imported FROM imports WHERE id = ?`, id).Scan(&state, &imported); err != nil {
		t.Fatal(err)
	}
	return state, imported
}

// TestImportsCommitInChunksBetweenOtherWrites stores a file of two and a
// half chunks; once the first chunk is stored, a live comment commits
// before the file's next entry is even read, so it takes the seq after
// that chunk. A file that then fails is undone whole: its stored chunks
// are deleted (keeping their seqs) and the import is recorded as failed.
func TestImportsCommitInChunksBetweenOtherWrites(t *testing.T) {
	const n = 2*store.ImportChunk + store.ImportChunk/2
	for _, tc := range []struct {
		name           string
		fail           error
		code           errs.Code // "": it succeeds
		state          string
		visible, count int   // imported rows visible; the room's comment count
		lastSeq        int64 // the room's
	}{
		{"a file that ends well", nil, "", "done", n, n + 1, n + 1},
		// The half chunk read before the failure is never stored.
		{"a file that breaks after two chunks", errs.New(errs.BadRequest, "line 2504: malformed"), errs.BadRequest, "failed", 0, 1, 2*store.ImportChunk + 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := open(t, nil)
			imp := importOf(n, tc.fail)
			var live *sqlite.InsertComment
			read, next := 0, imp.Next
			imp.Next = func() (store.ImportedComment, error) {
				if read++; read == store.ImportChunk+1 { // the first chunk is stored
					var done chan error
					live, done = insert("r", "live")
					if err := s.Writer.Submit(context.Background(), live); err != nil {
						t.Error(err)
					} else if err := <-done; err != nil {
						t.Errorf("the live comment: %v", err)
					}
				}
				return next()
			}
			res, err := s.ImportComments(context.Background(), imp)
			if tc.code == "" && (err != nil || res.Imported != n || res.FirstSeq != 1 || res.LastSeq != n+1) ||
				tc.code != "" && errs.CodeOf(err) != tc.code {
				t.Fatalf("ImportComments = %+v, %v, want %q", res, err, tc.code)
			}
			if live == nil || live.Comment.Seq != store.ImportChunk+1 {
				t.Fatalf("the live comment %+v: want seq %d, right after the first chunk", live, store.ImportChunk+1)
			}
			if got := countImported(t, s, "visible"); got != tc.visible {
				t.Fatalf("%d imported comments visible, want %d", got, tc.visible)
			}
			if tc.code != "" {
				if got := countImported(t, s, "deleted"); got != 2*store.ImportChunk {
					t.Fatalf("%d imported comments deleted, want the two stored chunks", got)
				}
			}
			var id int64
			if err := sqlite.ReadDB(s).QueryRow(`SELECT max(id) FROM imports`).Scan(&id); err != nil {
				t.Fatal(err)
			}
			if state, imported := importState(t, s, id); state != tc.state || imported != tc.visible {
				t.Fatalf("the import is %s with %d imported, want %s with %d", state, imported, tc.state, tc.visible)
			}
			room, err := s.Room(context.Background(), "r")
			if err != nil || room.CommentCount != int64(tc.count) || room.LastSeq != tc.lastSeq {
				t.Fatalf("room %+v, %v: want %d comments and last seq %d", room, err, tc.count, tc.lastSeq)
			}
		})
	}
}

// TestUnfinishedImportsAreUndoneAtStart plays a server that starts while
// an import is half stored (after a crash, or another process's import):
// UndoUnfinishedImports undoes it, and the import, finding itself undone,
// stops with an error rather than store the rest.
func TestUnfinishedImportsAreUndoneAtStart(t *testing.T) {
	s := open(t, nil)
	imp := importOf(3*store.ImportChunk, nil)
	var undone []int64
	read, next := 0, imp.Next
	imp.Next = func() (store.ImportedComment, error) {
		if read++; read == store.ImportChunk+1 {
			var err error
			if undone, err = s.UndoUnfinishedImports(context.Background()); err != nil {
				t.Error(err)
			}
		}
		return next()
	}
	_, err := s.ImportComments(context.Background(), imp)
	if errs.CodeOf(err) != errs.Unavailable {
		t.Fatalf("the undone import: %v, want unavailable", err)
	}
	if len(undone) != 1 {
		t.Fatalf("undone %v, want the one import", undone)
	}
	if state, imported := importState(t, s, undone[0]); state != "failed" || imported != 0 {
		t.Fatalf("the import is %s with %d imported", state, imported)
	}
	if v, d := countImported(t, s, "visible"), countImported(t, s, "deleted"); v != 0 || d != store.ImportChunk {
		t.Fatalf("%d imported comments visible and %d deleted, want 0 and the first chunk", v, d)
	}
	if again, err := s.UndoUnfinishedImports(context.Background()); err != nil || len(again) != 0 {
		t.Fatalf("a second start undoes %v (%v), want nothing", again, err)
	}
}

// waitQueued waits until n ops wait for the writer.
func waitQueued(t *testing.T, s *sqlite.Store, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for s.Writer.Stats().Queued < n {
		if time.Now().After(deadline) {
			t.Fatalf("%d ops queued, want %d", s.Writer.Stats().Queued, n)
		}
		time.Sleep(time.Millisecond)
	}
}

func TestPurgePassesOverImportedComments(t *testing.T) {
	s := open(t, nil)
	recent := put(t, s, "troll's recent comment", store.Visible, "troll")
	// An import of old comments after it: newer ids, older times.
	if _, err := s.ImportComments(context.Background(), importOf(5, nil)); err != nil {
		t.Fatal(err)
	}
	for _, p := range []store.Purge{
		{UserID: "troll", Since: time.Now().Add(-time.Hour), Limit: 10},
		{Room: "r", UserID: "troll", Since: time.Now().Add(-time.Hour), Limit: 10},
	} {
		ids, err := s.PurgeCandidates(context.Background(), p)
		if err != nil || len(ids) != 1 || ids[0] != recent.ID {
			t.Fatalf("PurgeCandidates(%+v) = %v, %v; want the troll's comment", p, ids, err)
		}
	}
	ids, err := s.PurgeCandidates(context.Background(), store.Purge{UserID: "bili:cafe", Since: time.Unix(0, 0), Limit: 10})
	if err != nil || len(ids) != 0 {
		t.Fatalf("PurgeCandidates of an imported author = %v, %v; want none: a ban does not delete history", ids, err)
	}
}
