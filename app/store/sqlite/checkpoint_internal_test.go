package sqlite

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/danmaku/danmaku/app/store"
)

func TestCommitsLeaveCheckpointsToTheCheckpointer(t *testing.T) {
	s := withRoom(t)
	var pages int
	if err := s.write.QueryRow(`PRAGMA wal_autocheckpoint`).Scan(&pages); err != nil {
		t.Fatal(err)
	}
	if pages != 0 {
		t.Fatalf("the writer's connection checkpoints every %d pages inside its commits; want 0 (the checkpointer does it)", pages)
	}
}

func TestCloseFoldsTheWALIntoTheFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.db")
	s, err := Open(context.Background(), Options{Path: path, Migrations: os.DirFS("../../../migrations")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateRoom(context.Background(), store.Room{ID: "r", Title: "R", Kind: store.KindLive}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path + "-wal"); err == nil && fi.Size() != 0 {
		t.Fatalf("after Close the WAL holds %d bytes; want it folded into the file", fi.Size())
	}
	// The file alone has the room.
	s, err = Open(context.Background(), Options{Path: path, Migrations: os.DirFS("../../../migrations")})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Room(context.Background(), "r"); err != nil {
		t.Fatalf("room after reopening: %v", err)
	}
}
