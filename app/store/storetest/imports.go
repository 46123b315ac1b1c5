package storetest

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
				Draft:     draft(fmt.Sprint("imported ", i), int64(i*1000)),
				User:      protocol.User{ID: "bili:cafe"},
				CreatedAt: protocol.Timestamp(1_600_000_000_000 + int64(i)),
			}, nil
		},
		Skipped: func() int { return 7 },
	}
}

// live sends a live comment to room r.
func live(t *testing.T, s Store, text string) <-chan result {
	t.Helper()
	return send(t, s, store.NewComment{Room: "r", Draft: draft(text, 0), User: protocol.User{ID: "u", Name: "U"}})
}

func testImportInOrder(t *testing.T, b Backend) {
	ev := &Recorder{}
	s := open(t, b, Hooks{OnCommit: ev.Add})
	if r := wait(t, live(t, s, "live")); r.err != nil {
		t.Fatal(r.err)
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
	if published := ev.TakeAfter(t, s).Comments; len(published) != 1 {
		t.Fatalf("%d comments fanned out, want only the live one", len(published))
	}
	var imported, skipped int
	var by string
	if err := s.SQL().QueryRow(`SELECT imported, skipped, created_by FROM imports WHERE id = $1`, res.ID).Scan(&imported, &skipped, &by); err != nil ||
		imported != 3 || skipped != 7 || by != "tester" {
		t.Fatalf("the import's record: %d imported, %d skipped, by %q (%v)", imported, skipped, by, err)
	}
	if n := userRows(t, s, "bili:cafe"); n != 0 {
		t.Fatalf("the import created %d user rows, want none", n)
	}
}

// userRows counts the rows of user id.
func userRows(t *testing.T, s Store, id string) int {
	t.Helper()
	var n int
	if err := s.SQL().QueryRow(`SELECT count(*) FROM users WHERE id = $1`, id).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
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

func testFailedImportUndoesItselfAlone(t *testing.T, b Backend) {
	for _, tc := range []struct {
		name     string
		fail     error
		code     errs.Code // "": the import succeeds
		breakIt  bool      // another op, queued after the import's, fails the batch
		imported int       // imported rows left visible
	}{
		{"a file error", errs.New(errs.BadRequest, "line 4: malformed"), errs.BadRequest, false, 0},
		{"a storage error", errors.New("disk on fire"), errs.Internal, false, 0},
		// The import's ops are retried alone, like any other.
		{"another op fails the batch", nil, "", true, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := open(t, b, Hooks{})
			release := s.Hold(t)
			d1 := live(t, s, "before")
			result := make(chan error, 1)
			go func() {
				_, err := s.ImportComments(context.Background(), importOf(3, tc.fail))
				result <- err
			}()
			waitQueued(t, s, 2)
			var broken <-chan error
			if tc.breakIt {
				broken = s.Fail(t, errors.New("disk on fire"))
			}
			d2 := live(t, s, "after")
			release()
			if err := <-result; tc.code == "" && err != nil || tc.code != "" && errs.CodeOf(err) != tc.code {
				t.Fatalf("import: %v, want %q", err, tc.code)
			}
			before, after := wait(t, d1), wait(t, d2)
			if before.err != nil || after.err != nil {
				t.Fatalf("the live comments around it: %v, %v", before.err, after.err)
			}
			if broken != nil {
				<-broken
			}
			if before.c.Seq != 1 || after.c.Seq != 2 {
				t.Fatalf("seqs %d, %d: want 1, 2, as if the import had never been", before.c.Seq, after.c.Seq)
			}
			if n := countImported(t, s, "visible"); n != tc.imported {
				t.Fatalf("%d imported rows visible, want %d", n, tc.imported)
			}
		})
	}
}

// countImported counts the imported comments with status.
func countImported(t *testing.T, s Store, status string) int {
	t.Helper()
	var n int
	if err := s.SQL().QueryRow(`SELECT count(*) FROM comments WHERE import_id IS NOT NULL AND status = $1`, status).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// importState returns the recorded state and count of import id.
func importState(t *testing.T, s Store, id int64) (state string, imported int) {
	t.Helper()
	if err := s.SQL().QueryRow(`SELECT state, imported FROM imports WHERE id = $1`, id).Scan(&state, &imported); err != nil {
		t.Fatal(err)
	}
	return state, imported
}

// testImportsCommitInChunks stores a file of two and a half chunks; once
// the first chunk is stored, a live comment commits before the file's next
// entry is even read, so it takes the seq after that chunk. A file that
// then fails is undone whole: its stored chunks are deleted (keeping their
// seqs), retracted from viewers that loaded them, and the import is
// recorded as failed.
func testImportsCommitInChunks(t *testing.T, b Backend) {
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
			ev := &Recorder{}
			s := open(t, b, Hooks{OnCommit: ev.Add})
			imp := importOf(n, tc.fail)
			var liveSeq int64
			read, next := 0, imp.Next
			imp.Next = func() (store.ImportedComment, error) {
				if read++; read == store.ImportChunk+1 { // the first chunk is stored
					r := wait(t, live(t, s, "live"))
					if r.err != nil {
						t.Errorf("the live comment: %v", r.err)
					}
					liveSeq = r.c.Seq
				}
				return next()
			}
			res, err := s.ImportComments(context.Background(), imp)
			if tc.code == "" && (err != nil || res.Imported != n || res.FirstSeq != 1 || res.LastSeq != n+1) ||
				tc.code != "" && errs.CodeOf(err) != tc.code {
				t.Fatalf("ImportComments = %+v, %v, want %q", res, err, tc.code)
			}
			if liveSeq != store.ImportChunk+1 {
				t.Fatalf("the live comment took seq %d, want %d, right after the first chunk", liveSeq, store.ImportChunk+1)
			}
			if got := countImported(t, s, "visible"); got != tc.visible {
				t.Fatalf("%d imported comments visible, want %d", got, tc.visible)
			}
			retracted := 0
			for _, r := range ev.TakeAfter(t, s).Retracts {
				retracted += len(r.IDs)
			}
			if tc.code != "" {
				if got := countImported(t, s, "deleted"); got != 2*store.ImportChunk {
					t.Fatalf("%d imported comments deleted, want the two stored chunks", got)
				}
			}
			if want := 2 * store.ImportChunk; tc.code == "" && retracted != 0 || tc.code != "" && retracted != want {
				t.Fatalf("%d comments retracted from viewers, want the undone ones (%d) or none", retracted, want)
			}
			var id int64
			if err := s.SQL().QueryRow(`SELECT max(id) FROM imports`).Scan(&id); err != nil {
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

// testUnfinishedImportsAreUndone plays a server that starts while an
// import is half stored (after a crash, or another process's import):
// UndoUnfinishedImports undoes it, and the import, finding itself undone,
// stops with an error rather than store the rest.
func testUnfinishedImportsAreUndone(t *testing.T, b Backend) {
	s := open(t, b, Hooks{})
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
	if room, err := s.Room(context.Background(), "r"); err != nil || room.CommentCount != 0 || room.LastSeq != store.ImportChunk {
		t.Fatalf("room %+v, %v; want no comment and the chunk's seqs spent", room, err)
	}
	if again, err := s.UndoUnfinishedImports(context.Background()); err != nil || len(again) != 0 {
		t.Fatalf("a second start undoes %v (%v), want nothing", again, err)
	}
}

func testPurgePassesOverImported(t *testing.T, b Backend) {
	s := open(t, b, Hooks{})
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
