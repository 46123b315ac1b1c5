package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"testing"

	"github.com/danmaku/danmaku/app/protocol"
	"github.com/danmaku/danmaku/app/store"
)

// comment stores a comment by user in room "r" and waits for the outcome.
func comment(t *testing.T, s *Store, user protocol.User) {
	t.Helper()
	done := make(chan error, 1)
	op := &InsertComment{Room: "r", User: user, Draft: protocol.Draft{Text: "x", Mode: "scroll", Color: "#ffffff", Size: "medium"},
		OnDone: func(_ *InsertComment, err error) { done <- err }}
	if err := s.Writer.Submit(context.Background(), op); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// userName returns the stored name of user id, or "" when there is no row.
func userName(t *testing.T, s *Store, id string) string {
	t.Helper()
	var name string
	err := s.read.QueryRow(`SELECT name FROM users WHERE id = ?`, id).Scan(&name)
	if errors.Is(err, sql.ErrNoRows) {
		return ""
	}
	if err != nil {
		t.Fatal(err)
	}
	return name
}

func withRoom(t *testing.T) *Store {
	t.Helper()
	s := openInternal(t)
	if _, err := s.CreateRoom(context.Background(), store.Room{ID: "r", Title: "R", Kind: store.KindLive}); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestRepeatUserIsRecordedOncePerInterval(t *testing.T) {
	s := withRoom(t)
	comment(t, s, protocol.User{ID: "u", Name: "Ann"})
	if got := userName(t, s, "u"); got != "Ann" {
		t.Fatalf("user row name %q, want Ann", got)
	}
	// With the row gone, a fresh record must keep the writer from writing it again…
	if err := s.Writer.Exec(context.Background(), func(tx *Tx) error {
		_, err := tx.tx.Exec(`DELETE FROM users`)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	comment(t, s, protocol.User{ID: "u", Name: "Ann"})
	if got := userName(t, s, "u"); got != "" {
		t.Fatalf("user upserted again within %s (row name %q)", userTouchEvery, got)
	}
	// …but a new name is recorded at once.
	comment(t, s, protocol.User{ID: "u", Name: "Bea"})
	if got := userName(t, s, "u"); got != "Bea" {
		t.Fatalf("after a rename the row name is %q, want Bea", got)
	}
}

// failing fails the way a storage error does, aborting its batch.
type failing struct{}

func (failing) Apply(*Tx) error { return errors.New("disk on fire") }
func (failing) Done(error)      {}

func TestRolledBackBatchDoesNotHideAUser(t *testing.T) {
	s := withRoom(t)
	started, release := make(chan struct{}), make(chan struct{})
	go func() {
		_ = s.Writer.Exec(context.Background(), func(*Tx) error {
			close(started)
			<-release
			return nil
		})
	}()
	<-started
	// Both queue behind the blocker and share a batch; failing rolls it back,
	// and the comment is retried alone.
	done := make(chan error, 1)
	op := &InsertComment{Room: "r", User: protocol.User{ID: "new", Name: "Cy"},
		Draft:  protocol.Draft{Text: "x", Mode: "scroll", Color: "#ffffff", Size: "medium"},
		OnDone: func(_ *InsertComment, err error) { done <- err }}
	for _, o := range []Op{op, failing{}} {
		if err := s.Writer.Submit(context.Background(), o); err != nil {
			t.Fatal(err)
		}
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if got := userName(t, s, "new"); got != "Cy" {
		t.Fatalf("user row name %q after the retried comment, want Cy", got)
	}
}
