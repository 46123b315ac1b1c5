package sqlite_test

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/danmaku/danmaku/app/auth"
	"github.com/danmaku/danmaku/app/errs"
	"github.com/danmaku/danmaku/app/protocol"
	"github.com/danmaku/danmaku/app/store"
	"github.com/danmaku/danmaku/app/store/sqlite"
)

// TestClaimName covers the rules of store.Users.ClaimName.
func TestClaimName(t *testing.T) {
	s := open(t, nil)
	ctx := context.Background()
	now := time.Now()
	claim := func(id, name string, force bool, since time.Time) error {
		return s.ClaimName(ctx, store.NameClaim{User: protocol.User{ID: id, Name: name}, Key: auth.NameKey(name), Force: force,
			GuestPrefix: auth.GuestPrefix, Since: since})
	}
	for _, step := range []struct {
		name   string
		id     string
		nick   string
		force  bool
		since  time.Time
		refuse bool
	}{
		{"a signed-in user", "u1", "Alice", true, now, false},
		{"a guest taking a look-alike of it", "g-1", "Аlice", false, now.Add(-time.Hour), true},
		{"forced anyway", "u2", "ALICE", true, now, false},
		{"a guest's nickname", "g-2", "Bob", false, now.Add(-time.Hour), false},
		{"the same guest again", "g-2", "Bob", false, now.Add(-time.Hour), false},
		{"another guest, while Bob's is held", "g-3", "B0b", false, now.Add(-time.Hour), true},
		{"another guest, once it is not", "g-3", "B0b", false, now.Add(time.Hour), false},
	} {
		t.Run(step.name, func(t *testing.T) {
			err := claim(step.id, step.nick, step.force, step.since)
			if refused := err != nil && errs.CodeOf(err) == errs.Conflict; refused != step.refuse || (!step.refuse && err != nil) {
				t.Fatalf("ClaimName(%s, %q) = %v, refuse: %v", step.id, step.nick, err, step.refuse)
			}
		})
	}
}

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
