package sqlite_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/danmaku/danmaku/app/errs"
	"github.com/danmaku/danmaku/app/protocol"
	"github.com/danmaku/danmaku/app/store"
	"github.com/danmaku/danmaku/app/store/sqlite"
)

// events collects what the writer publishes after each commit.
type events struct {
	mu       sync.Mutex
	comments []protocol.Comment
}

func (e *events) add(ev store.Events) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.comments = append(e.comments, ev.Comments...)
}

func open(t *testing.T, ev *events, tweak ...func(*sqlite.Options)) *sqlite.Store {
	t.Helper()
	opts := sqlite.Options{
		Path:       filepath.Join(t.TempDir(), "test.db"),
		Migrations: os.DirFS("../../../migrations"),
	}
	if ev != nil {
		opts.Writer.OnCommit = ev.add
	}
	for _, f := range tweak {
		f(&opts)
	}
	s, err := sqlite.Open(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	if _, err := s.CreateRoom(context.Background(), store.Room{ID: "r", Title: "R", Kind: store.KindVOD}); err != nil {
		t.Fatal(err)
	}
	return s
}

// insert returns an op for a comment in room and a channel with its outcome.
func insert(room, text string) (*sqlite.InsertComment, chan error) {
	done := make(chan error, 1)
	return &sqlite.InsertComment{
		Room:   room,
		Draft:  protocol.Draft{Text: text, Mode: "scroll", Color: "#ffffff", Size: "medium"},
		User:   protocol.User{ID: "u", Name: "U"},
		OnDone: func(_ *sqlite.InsertComment, err error) { done <- err },
	}, done
}

// blockWriter occupies the writer until the returned func is called, so
// that ops submitted meanwhile queue up and commit together.
func blockWriter(t *testing.T, s *sqlite.Store) func() {
	t.Helper()
	started, release := make(chan struct{}), make(chan struct{})
	go func() {
		_ = s.Writer.Exec(context.Background(), func(*sqlite.Tx) error {
			close(started)
			<-release
			return nil
		})
	}()
	<-started
	return func() { close(release) }
}

func TestQueuedOpsCommitAsOneBatch(t *testing.T) {
	s := open(t, nil)
	before := s.Writer.Stats()
	release := blockWriter(t, s)
	var dones []chan error
	for range 100 {
		op, done := insert("r", "x")
		if err := s.Writer.Submit(context.Background(), op); err != nil {
			t.Fatal(err)
		}
		dones = append(dones, done)
	}
	release()
	for _, d := range dones {
		if err := <-d; err != nil {
			t.Fatal(err)
		}
	}
	after := s.Writer.Stats()
	if got := after.Batches - before.Batches; got != 2 {
		t.Fatalf("%d batches for the blocker plus 100 queued ops, want 2 (group commit)", got)
	}
}

func TestABadOpFailsAloneAndSeqsStayGapless(t *testing.T) {
	ev := &events{}
	s := open(t, ev)
	release := blockWriter(t, s)

	good1, d1 := insert("r", "one")
	missing, d2 := insert("nope", "no such room")
	broken := &failingOp{err: errors.New("disk on fire"), done: make(chan error, 1)}
	good2, d3 := insert("r", "two")
	for _, op := range []sqlite.Op{good1, missing, broken, good2} {
		if err := s.Writer.Submit(context.Background(), op); err != nil {
			t.Fatal(err)
		}
	}
	release()

	if err := <-d1; err != nil {
		t.Errorf("good op 1: %v", err)
	}
	if err := <-d2; errs.CodeOf(err) != errs.NotFound {
		t.Errorf("op for a missing room: %v, want not_found", err)
	}
	if err := <-broken.done; errs.CodeOf(err) != errs.Internal {
		t.Errorf("broken op: %v, want internal", err)
	}
	if err := <-d3; err != nil {
		t.Errorf("good op 2: %v", err)
	}
	if good1.Comment.Seq != 1 || good2.Comment.Seq != 2 {
		t.Errorf("seqs %d, %d; want 1, 2 with no gap from the rolled-back attempt", good1.Comment.Seq, good2.Comment.Seq)
	}
	ev.mu.Lock()
	defer ev.mu.Unlock()
	if len(ev.comments) != 2 || ev.comments[0].Text != "one" || ev.comments[1].Text != "two" {
		t.Errorf("published %+v, want exactly the two good comments in order", ev.comments)
	}
	got, err := s.CommentsAfter(context.Background(), "r", 0, 10)
	if err != nil || len(got) != 2 {
		t.Fatalf("stored %+v (%v), want the two good comments", got, err)
	}
}

func TestCloseCommitsEverythingAccepted(t *testing.T) {
	dir := t.TempDir()
	opts := sqlite.Options{Path: filepath.Join(dir, "db"), Migrations: os.DirFS("../../../migrations")}
	s, err := sqlite.Open(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateRoom(context.Background(), store.Room{ID: "r", Title: "R", Kind: store.KindLive}); err != nil {
		t.Fatal(err)
	}
	release := blockWriter(t, s)
	var dones []chan error
	for range 50 {
		op, done := insert("r", "queued at shutdown")
		if err := s.Writer.Submit(context.Background(), op); err != nil {
			t.Fatal(err)
		}
		dones = append(dones, done)
	}
	closed := make(chan error)
	go func() { closed <- s.Close() }()
	release()
	if err := <-closed; err != nil {
		t.Fatal(err)
	}
	for _, d := range dones {
		if err := <-d; err != nil {
			t.Fatalf("an accepted op failed at shutdown: %v", err)
		}
	}
	op, _ := insert("r", "too late")
	if err := s.Writer.Submit(context.Background(), op); errs.CodeOf(err) != errs.Unavailable {
		t.Fatalf("submit after close: %v, want unavailable", err)
	}

	s, err = sqlite.Open(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	room, err := s.Room(context.Background(), "r")
	if err != nil || room.LastSeq != 50 || room.CommentCount != 50 {
		t.Fatalf("after reopen: %+v (%v), want 50 comments", room, err)
	}
}

// failingOp fails the way a storage error does: not with a client error code.
type failingOp struct {
	err  error
	done chan error
}

func (o *failingOp) Apply(*sqlite.Tx) error { return o.err }
func (o *failingOp) Done(err error)         { o.done <- err }
