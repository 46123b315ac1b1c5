package sqlite_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/danmaku/danmaku/app/protocol"
	"github.com/danmaku/danmaku/app/store"
	"github.com/danmaku/danmaku/app/store/sqlite"
)

// committedComments collects the comments the writer fans out after each commit.
type committedComments struct {
	mu       sync.Mutex
	comments []protocol.Comment
}

func (e *committedComments) add(ev store.Events) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.comments = append(e.comments, ev.Comments...)
}

// TestABatchOfCommentsGetsItsRowsAndIDs queues 1,300 comments at once, so
// that they commit in a few large batches (written as multi-row inserts of
// up to 512 rows): every ack carries the id and seq its row was stored
// with, the fan-out events carry the same, and a resend with the same key
// inside one batch is still answered as a duplicate.
func TestABatchOfCommentsGetsItsRowsAndIDs(t *testing.T) {
	ev := &committedComments{}
	ctx := context.Background()
	s, err := sqlite.Open(ctx, sqlite.Options{Path: filepath.Join(t.TempDir(), "rows.db"), Migrations: os.DirFS("../../../migrations"),
		Writer: sqlite.WriterOptions{MaxBatch: 4096, Linger: 200 * time.Millisecond, OnCommit: ev.add}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.CreateRoom(ctx, store.Room{ID: "r", Title: "R", Kind: store.KindVOD}); err != nil {
		t.Fatal(err)
	}
	const n = 1300
	type answer struct {
		c   protocol.Comment
		err error
	}
	answers := make([]answer, n)
	var wg sync.WaitGroup
	before := s.WriterStats()
	for i := range n {
		nc := store.NewComment{Room: "r", User: protocol.User{ID: fmt.Sprintf("u%d", i%37), Name: "U"},
			Draft: protocol.Draft{Text: fmt.Sprintf("c%d", i), Mode: "scroll", Color: "#ffffff", Size: "medium", Time: protocol.Seconds(i % 50)}}
		switch {
		case i%7 == 3:
			nc.Status = store.Shadowed
		case i == 501 || i == 502: // the same send twice, in one batch
			nc.User.ID, nc.Key = "keyed", "k1"
		}
		wg.Add(1)
		if err := s.AddComment(ctx, nc, func(c protocol.Comment, err error) {
			answers[i] = answer{c, err}
			wg.Done()
		}); err != nil {
			t.Fatal(err)
		}
	}
	wg.Wait()
	if st := s.WriterStats(); st.Batches-before.Batches >= n/4 {
		t.Fatalf("%d batches for %d comments; the test needs large batches", st.Batches-before.Batches, n)
	}
	isDup := func(err error) bool { var d *store.Duplicate; return errors.As(err, &d) }
	if isDup(answers[501].err) == isDup(answers[502].err) {
		t.Fatalf("the resend was answered %v / %v, want one Duplicate", answers[501].err, answers[502].err)
	}
	stored, err := s.CommentsAfter(ctx, "r", 0, 5000)
	if err != nil {
		t.Fatal(err)
	}
	bySeq := map[int64]protocol.Comment{}
	for _, c := range stored {
		bySeq[c.Seq] = c
	}
	ids := map[int64]bool{}
	visible := 0
	for i, a := range answers {
		if a.err != nil {
			continue
		}
		if a.c.ID <= 0 || ids[a.c.ID] {
			t.Fatalf("comment %d acked with id %d (zero or given twice)", i, a.c.ID)
		}
		ids[a.c.ID] = true
		if i%7 == 3 {
			continue // shadowed: not in the stream
		}
		visible++
		if got := bySeq[a.c.Seq]; got.ID != a.c.ID || got.Text != a.c.Text {
			t.Fatalf("comment %d acked as id %d seq %d %q, stored as id %d %q", i, a.c.ID, a.c.Seq, a.c.Text, got.ID, got.Text)
		}
	}
	if len(stored) != visible {
		t.Fatalf("%d visible comments stored, %d acked", len(stored), visible)
	}
	ev.mu.Lock()
	defer ev.mu.Unlock()
	if len(ev.comments) != visible {
		t.Fatalf("%d comments fanned out, want %d", len(ev.comments), visible)
	}
	for _, c := range ev.comments {
		if got := bySeq[c.Seq]; got.ID != c.ID || got.Text != c.Text {
			t.Fatalf("fanned out id %d seq %d %q, stored as id %d %q", c.ID, c.Seq, c.Text, got.ID, got.Text)
		}
	}
}
