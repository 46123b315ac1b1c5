package sqlite_test

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/danmaku/danmaku/app/protocol"
	"github.com/danmaku/danmaku/app/store"
	"github.com/danmaku/danmaku/app/store/sqlite"
)

// openWithRoom opens a store in the test's directory with room "r".
func openWithRoom(t *testing.T) *sqlite.Store {
	t.Helper()
	s, err := sqlite.Open(context.Background(), sqlite.Options{
		Path:       filepath.Join(t.TempDir(), "test.db"),
		Migrations: os.DirFS("../../../migrations"),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if _, err := s.CreateRoom(context.Background(), store.Room{ID: "r", Title: "R", Kind: store.KindVOD}); err != nil {
		t.Fatal(err)
	}
	return s
}

// putMany stores n visible comments, pipelined, and waits for every commit.
func putMany(t *testing.T, s *sqlite.Store, n int, text string) {
	t.Helper()
	done := make(chan error, n)
	for range n {
		err := s.AddComment(context.Background(), store.NewComment{
			Room:  "r",
			Draft: protocol.Draft{Text: text, Mode: "scroll", Color: "#ffffff", Size: "medium"},
			User:  protocol.User{ID: "u", Name: "U"},
		}, func(_ protocol.Comment, err error) { done <- err })
		if err != nil {
			t.Fatal(err)
		}
	}
	for range n {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
}

// countComments counts the comments with text in the database file at path.
func countComments(t *testing.T, path, text string) int {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM comments WHERE text = ?`, text).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestBackupCopiesOneSnapshotWhileWritesGoOn(t *testing.T) {
	s := openWithRoom(t)
	putMany(t, s, 3000, strings.Repeat("before ", 10))
	dst := filepath.Join(t.TempDir(), "backup.db")

	var steps, last int
	rep, err := sqlite.Backup(context.Background(), s.Path(), dst, sqlite.BackupOptions{
		StepPages: 4,
		Progress: func(copied, total int) {
			steps++
			if copied < last {
				t.Errorf("the backup went back from %d to %d pages: it restarted", last, copied)
			}
			last = copied
			if steps == 1 { // mid-backup: these commit after its snapshot
				putMany(t, s, 200, "during")
			}
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if steps < 3 || rep.Pages != last || rep.Bytes == 0 || rep.Version == 0 {
		t.Fatalf("report %+v after %d steps, want several steps and every page", rep, steps)
	}
	if n := countComments(t, dst, strings.Repeat("before ", 10)); n != 3000 {
		t.Fatalf("the backup holds %d of the 3000 comments committed before it began", n)
	}
	if n := countComments(t, dst, "during"); n != 0 {
		t.Fatalf("the backup holds %d comments committed after it began: not one snapshot", n)
	}
	if n := countComments(t, s.Path(), "during"); n != 200 {
		t.Fatalf("the live database lost writes made during the backup: %d of 200", n)
	}
	if _, err := sqlite.Check(context.Background(), dst); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dst + ".partial"); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the partial file was left behind: %v", err)
	}
	if _, err := sqlite.Backup(context.Background(), s.Path(), dst, sqlite.BackupOptions{}); err == nil || !strings.Contains(err.Error(), "exists") {
		t.Fatalf("a backup over an existing file: %v, want refused", err)
	}
}

func TestRestore(t *testing.T) {
	dir := t.TempDir()
	s, err := sqlite.Open(context.Background(), sqlite.Options{Path: filepath.Join(dir, "live.db"), Migrations: os.DirFS("../../../migrations")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateRoom(context.Background(), store.Room{ID: "r", Title: "R", Kind: store.KindVOD}); err != nil {
		t.Fatal(err)
	}
	putMany(t, s, 10, "kept")
	backup := filepath.Join(dir, "backup.db")
	if _, err := sqlite.Backup(context.Background(), s.Path(), backup, sqlite.BackupOptions{}); err != nil {
		t.Fatal(err)
	}
	putMany(t, s, 5, "after the backup")

	if err := sqlite.CheckRestorable(s.Path()); !errors.Is(err, sqlite.ErrInUse) {
		t.Fatalf("CheckRestorable with the store open: %v, want ErrInUse", err)
	}
	if _, err := sqlite.Restore(context.Background(), backup, s.Path()); !errors.Is(err, sqlite.ErrInUse) {
		t.Fatalf("Restore with the store open: %v, want ErrInUse", err)
	}
	if n := countComments(t, s.Path(), "after the backup"); n != 5 {
		t.Fatalf("a refused restore changed the database: %d", n)
	}
	path := s.Path()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	for name, bad := range map[string]string{
		"not a database": writeTemp(t, dir, "junk.db", "this is not SQLite"),
		"missing":        filepath.Join(dir, "nothing-here.db"),
	} {
		t.Run("refuses a backup that is "+name, func(t *testing.T) {
			if _, err := sqlite.Restore(context.Background(), bad, path); err == nil {
				t.Fatal("restored it")
			}
			if n := countComments(t, path, "after the backup"); n != 5 {
				t.Fatalf("a refused restore changed the database: %d", n)
			}
		})
	}

	rep, err := sqlite.Restore(context.Background(), backup, path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path + "-wal"); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the old WAL is next to the restored database: %v", err)
	}
	if countComments(t, path, "kept") != 10 || countComments(t, path, "after the backup") != 0 {
		t.Fatal("the restored database is not the backup")
	}
	if rep.Kept == "" || countComments(t, rep.Kept, "after the backup") != 5 {
		t.Fatalf("the replaced database was not kept aside: %+v", rep)
	}
	reopened, err := sqlite.Open(context.Background(), sqlite.Options{Path: path, Migrations: os.DirFS("../../../migrations")})
	if err != nil {
		t.Fatalf("opening the restored database: %v", err)
	}
	if err := reopened.Close(); err != nil {
		t.Fatal(err)
	}
}

func writeTemp(t *testing.T, dir, name, content string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}
