package sqlite_test

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"testing"

	"github.com/danmaku/danmaku/app/auth"
	"github.com/danmaku/danmaku/app/store/sqlite"
)

// TestNameKeysAreFilledInForOldUsers: users recorded before name keys
// existed get theirs when the store opens.
func TestNameKeysAreFilledInForOldUsers(t *testing.T) {
	path := filepath.Join(t.TempDir(), "old.db")
	opts := sqlite.Options{Path: path, Migrations: os.DirFS("../../../migrations")}
	s, err := sqlite.Open(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	db, err := sql.Open("sqlite3", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`INSERT INTO users (id, name, created_at, last_seen) VALUES ('u9', 'Ｍod Squad', 0, 0)`); err != nil {
		t.Fatal(err)
	}
	s, err = sqlite.Open(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	var key string
	if err := db.QueryRow(`SELECT name_key FROM users WHERE id = 'u9'`).Scan(&key); err != nil || key != auth.NameKey("Mod Squad") {
		t.Fatalf("name_key %q, %v; want %q", key, err, auth.NameKey("Mod Squad"))
	}
}
