package storetest

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/danmaku/danmaku/app/errs"
	"github.com/danmaku/danmaku/app/protocol"
	"github.com/danmaku/danmaku/app/store"
)

func testQueuedOpsCommitAsOneBatch(t *testing.T, b Backend) {
	s := open(t, b, Hooks{})
	before := s.WriterStats()
	release := s.Hold(t)
	var dones []<-chan result
	for range 100 {
		dones = append(dones, send(t, s, store.NewComment{Room: "r", Draft: draft("x", 0), User: protocol.User{ID: "u", Name: "U"}}))
	}
	release()
	for _, d := range dones {
		if r := wait(t, d); r.err != nil {
			t.Fatal(r.err)
		}
	}
	if got := s.WriterStats().Batches - before.Batches; got != 2 {
		t.Fatalf("%d batches for the blocker plus 100 queued ops, want 2 (group commit)", got)
	}
}

func testABadOpFailsAlone(t *testing.T, b Backend) {
	ev := &Recorder{}
	s := open(t, b, Hooks{OnCommit: ev.Add})
	release := s.Hold(t)
	user := protocol.User{ID: "u", Name: "U"}
	d1 := send(t, s, store.NewComment{Room: "r", Draft: draft("one", 0), User: user})
	d2 := send(t, s, store.NewComment{Room: "nope", Draft: draft("no such room", 0), User: user})
	broken := s.Fail(t, errors.New("disk on fire"))
	d3 := send(t, s, store.NewComment{Room: "r", Draft: draft("two", 0), User: user})
	release()

	good1, missing, good2 := wait(t, d1), wait(t, d2), wait(t, d3)
	if good1.err != nil || good2.err != nil {
		t.Errorf("good comments: %v, %v", good1.err, good2.err)
	}
	if errs.CodeOf(missing.err) != errs.NotFound {
		t.Errorf("comment in a missing room: %v, want not_found", missing.err)
	}
	if err := <-broken; errs.CodeOf(err) != errs.Internal {
		t.Errorf("broken op: %v, want internal", err)
	}
	if good1.c.Seq != 1 || good2.c.Seq != 2 {
		t.Errorf("seqs %d, %d; want 1, 2 with no gap from the rolled-back attempt", good1.c.Seq, good2.c.Seq)
	}
	got := ev.TakeAfter(t, s).Comments
	if len(got) != 2 || got[0].Text != "one" || got[1].Text != "two" {
		t.Errorf("published %+v, want exactly the two good comments in order", got)
	}
	stored, err := s.CommentsAfter(context.Background(), "r", 0, 10)
	if err != nil || len(stored) != 2 {
		t.Fatalf("stored %+v (%v), want the two good comments", stored, err)
	}
}

func testCloseCommitsEverythingAccepted(t *testing.T, b Backend) {
	opener := b.New(t)
	s := opener(t, Hooks{})
	ctx := context.Background()
	if _, err := s.CreateRoom(ctx, store.Room{ID: "r", Title: "R", Kind: store.KindLive}); err != nil {
		t.Fatal(err)
	}
	release := s.Hold(t)
	var dones []<-chan result
	for range 50 {
		dones = append(dones, send(t, s, store.NewComment{Room: "r", Draft: draft("queued at shutdown", 0), User: protocol.User{ID: "u", Name: "U"}}))
	}
	closed := make(chan error)
	go func() { closed <- s.Close() }()
	release()
	if err := <-closed; err != nil {
		t.Fatal(err)
	}
	for _, d := range dones {
		if r := wait(t, d); r.err != nil {
			t.Fatalf("an accepted comment failed at shutdown: %v", r.err)
		}
	}
	called := false
	err := s.AddComment(ctx, store.NewComment{Room: "r", Draft: draft("too late", 0), User: protocol.User{ID: "u", Name: "U"}},
		func(protocol.Comment, error) { called = true })
	if errs.CodeOf(err) != errs.Unavailable || called {
		t.Fatalf("AddComment after close: %v (done called: %v), want unavailable and no call", err, called)
	}

	s = opener(t, Hooks{})
	room, err := s.Room(ctx, "r")
	if err != nil || room.LastSeq != 50 || room.CommentCount != 50 {
		t.Fatalf("after reopen: %+v (%v), want 50 comments", room, err)
	}
}

// TestAddCommentAnswersOnceAfterCommit covers AddComment beyond the happy
// path: a failed write reaches done, and a refused one never does.
func testAddCommentAnswersOnceAfterCommit(t *testing.T, b Backend) {
	user := protocol.User{ID: "u", Name: "U"}
	t.Run("stored", func(t *testing.T) {
		s := open(t, b, Hooks{})
		r := wait(t, send(t, s, store.NewComment{Room: "r", Draft: draft("hi", 0), User: user}))
		c := r.c
		if r.err != nil || c.ID == 0 || c.Seq != 1 || c.Text != "hi" || c.Room != "r" || c.User != user || c.CreatedAt == 0 {
			t.Fatalf("stored %+v, %v; want comment 1 of room r by u with its id and time", c, r.err)
		}
		got, err := s.CommentsAfter(context.Background(), "r", 0, 10)
		if err != nil || len(got) != 1 || got[0] != c {
			t.Fatalf("read back %+v, %v; want %+v", got, err, c)
		}
	})
	t.Run("missing room", func(t *testing.T) {
		s := open(t, b, Hooks{})
		if r := wait(t, send(t, s, store.NewComment{Room: "nope", Draft: draft("hi", 0), User: user})); errs.CodeOf(r.err) != errs.NotFound {
			t.Fatalf("done with %v, want NotFound", r.err)
		}
	})
	t.Run("closed store", func(t *testing.T) {
		s := open(t, b, Hooks{})
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		called := false
		err := s.AddComment(context.Background(), store.NewComment{Room: "r", Draft: draft("hi", 0), User: user},
			func(protocol.Comment, error) { called = true })
		if errs.CodeOf(err) != errs.Unavailable || called {
			t.Fatalf("AddComment on a closed store: %v (done called: %v), want Unavailable and no call", err, called)
		}
	})
}

func testWriterStatsCountCommits(t *testing.T, b Backend) {
	s := open(t, b, Hooks{}) // open commits the room
	before := s.WriterStats()
	put(t, s, "a", store.Visible, "u1")
	put(t, s, "b", store.Visible, "u1")
	after := s.WriterStats()
	if after.Ops-before.Ops != 2 || after.Batches-before.Batches != 2 || after.Queued != 0 {
		t.Fatalf("stats went from %+v to %+v, want 2 more ops in 2 more batches and none queued", before, after)
	}
}

// commits records what the writer's Observe hook is told.
type commits struct {
	mu   sync.Mutex
	list []store.Commit
}

func (c *commits) observe(m store.Commit) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.list = append(c.list, m)
}

// take returns the transactions observed since the last take, as
// "ops:ok" or "ops:failed", checking that each took some time.
func (c *commits) take(t *testing.T) []string {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []string
	for _, m := range c.list {
		if m.Took <= 0 {
			t.Errorf("a transaction of %d ops took %v", m.Ops, m.Took)
		}
		state := "ok"
		if m.Err != nil {
			state = "failed"
		}
		out = append(out, fmt.Sprintf("%d:%s", m.Ops, state))
	}
	c.list = nil
	return out
}

func testObserverSeesEveryTransaction(t *testing.T, b Backend) {
	obs := &commits{}
	s := open(t, b, Hooks{Observe: obs.observe})
	obs.take(t) // creating the test's room
	user := protocol.User{ID: "u", Name: "U"}

	t.Run("group commit", func(t *testing.T) {
		release := s.Hold(t)
		var dones []<-chan result
		for range 100 {
			dones = append(dones, send(t, s, store.NewComment{Room: "r", Draft: draft("x", 0), User: user}))
		}
		if q := s.WriterStats().Queued; q != 100 {
			t.Errorf("queue depth %d while the writer is busy, want 100", q)
		}
		release()
		for _, d := range dones {
			if r := wait(t, d); r.err != nil {
				t.Fatal(r.err)
			}
		}
		if got := obs.take(t); !slices.Equal(got, []string{"1:ok", "100:ok"}) {
			t.Errorf("observed %v, want the blocker, then the 100 queued ops in one commit", got)
		}
		if q := s.WriterStats().Queued; q != 0 {
			t.Errorf("queue depth %d once drained, want 0", q)
		}
	})

	t.Run("a failed batch and its retries", func(t *testing.T) {
		release := s.Hold(t)
		d1 := send(t, s, store.NewComment{Room: "r", Draft: draft("one", 0), User: user})
		d2 := send(t, s, store.NewComment{Room: "nope", Draft: draft("no such room", 0), User: user}) // fails alone, inside a committed transaction
		broken := s.Fail(t, errors.New("disk on fire"))
		release()
		wait(t, d1)
		wait(t, d2)
		<-broken
		want := []string{"1:ok", "3:failed", "1:ok", "1:ok", "1:failed"}
		if got := obs.take(t); !slices.Equal(got, want) {
			t.Errorf("observed %v, want %v: the blocker, the batch that failed whole, then each op on its own", got, want)
		}
	})
}

// userName returns the stored name of user id, or "" when there is no row.
func userName(t *testing.T, s Store, id string) string {
	t.Helper()
	var name string
	err := s.SQL().QueryRow(`SELECT name FROM users WHERE id = $1`, id).Scan(&name)
	if errors.Is(err, sql.ErrNoRows) {
		return ""
	}
	if err != nil {
		t.Fatal(err)
	}
	return name
}

func testRepeatUserIsRecordedOncePerInterval(t *testing.T, b Backend) {
	s := open(t, b, Hooks{})
	comment := func(name string) {
		t.Helper()
		if r := wait(t, send(t, s, store.NewComment{Room: "r", Draft: draft("x", 0), User: protocol.User{ID: "u", Name: name}})); r.err != nil {
			t.Fatal(r.err)
		}
	}
	comment("Ann")
	if got := userName(t, s, "u"); got != "Ann" {
		t.Fatalf("user row name %q, want Ann", got)
	}
	// With the row gone, a fresh record must keep the writer from writing it again…
	s.Exec(t, `DELETE FROM users`)
	comment("Ann")
	if got := userName(t, s, "u"); got != "" {
		t.Fatalf("user upserted again at once (row name %q)", got)
	}
	// …but a new name is recorded at once.
	comment("Bea")
	if got := userName(t, s, "u"); got != "Bea" {
		t.Fatalf("after a rename the row name is %q, want Bea", got)
	}
}

func testRolledBackBatchDoesNotHideAUser(t *testing.T, b Backend) {
	s := open(t, b, Hooks{})
	// Both queue behind the blocker and share a batch; the failing op rolls
	// it back, and the comment is retried alone.
	release := s.Hold(t)
	done := send(t, s, store.NewComment{Room: "r", Draft: draft("x", 0), User: protocol.User{ID: "new", Name: "Cy"}})
	failed := s.Fail(t, errors.New("disk on fire"))
	release()
	if r := wait(t, done); r.err != nil {
		t.Fatal(r.err)
	}
	<-failed
	if got := userName(t, s, "new"); got != "Cy" {
		t.Fatalf("user row name %q after the retried comment, want Cy", got)
	}
}
