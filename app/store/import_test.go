package store_test

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
	db := store.ReadDB(s)
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
		name  string
		fail  error
		code  errs.Code
		other store.Op // queued after the import, in the same batch
	}{
		{"a file error", errs.New(errs.BadRequest, "line 4: malformed"), errs.BadRequest, nil},
		{"a storage error", errors.New("disk on fire"), errs.Internal, nil},
		{"another op fails the batch", nil, errs.Unavailable, &failingOp{err: errors.New("disk on fire"), done: make(chan error, 1)}},
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
			for _, op := range []store.Op{tc.other, after} {
				if op != nil {
					if err := s.Writer.Submit(context.Background(), op); err != nil {
						t.Fatal(err)
					}
				}
			}
			release()
			if err := <-result; err == nil || errs.CodeOf(err) != tc.code {
				t.Fatalf("import: %v, want %s", err, tc.code)
			}
			if err1, err2 := <-d1, <-d2; err1 != nil || err2 != nil {
				t.Fatalf("the live comments around it: %v, %v", err1, err2)
			}
			if before.Comment.Seq != 1 || after.Comment.Seq != 2 {
				t.Fatalf("seqs %d, %d: want 1, 2, as if the import had never been", before.Comment.Seq, after.Comment.Seq)
			}
			var n int
			if err := store.ReadDB(s).QueryRow(`SELECT count(*) FROM comments WHERE import_id IS NOT NULL`).Scan(&n); err != nil || n != 0 {
				t.Fatalf("%d imported rows left (%v)", n, err)
			}
		})
	}
}

// waitQueued waits until n ops wait for the writer.
func waitQueued(t *testing.T, s *store.Store, n int) {
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
