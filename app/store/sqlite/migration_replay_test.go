package sqlite_test

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/danmaku/danmaku/app/protocol"
	"github.com/danmaku/danmaku/app/store"
	"github.com/danmaku/danmaku/app/store/sqlite"
)

// migrationsBefore copies the real migrations older than version into a
// temp dir: the schema a database had before that migration shipped.
func migrationsBefore(t *testing.T, version int) string {
	t.Helper()
	return copyMigrations(t, func(name string) bool {
		n, err := strconv.Atoi(strings.SplitN(name, "_", 2)[0])
		return err == nil && n < version
	})
}

// replayView is everything a reader sees of the populated rooms: replay
// windows, catch-up, exports, and the comments table row by row. (The heat
// query names the new index, so it cannot run before the migration; the
// plan test covers it.)
type replayView struct {
	Windows map[string][]protocol.Comment
	After   map[string][]protocol.Comment
	Export  map[string][]protocol.Comment
	Table   []string
}

func readReplayView(t *testing.T, s *sqlite.Store, path string) replayView {
	t.Helper()
	ctx := context.Background()
	v := replayView{Windows: map[string][]protocol.Comment{}, After: map[string][]protocol.Comment{},
		Export: map[string][]protocol.Comment{}}
	for _, room := range []string{"a", "b"} {
		for _, w := range [][2]protocol.Seconds{{0, 60_000}, {30_000, 90_000}, {0, protocol.MaxTime}, {59_000, 59_001}} {
			for _, limit := range []int{7, 1000} {
				got, err := s.CommentsByTime(ctx, room, w[0], w[1], limit)
				if err != nil {
					t.Fatal(err)
				}
				v.Windows[fmt.Sprintf("%s %v %d", room, w, limit)] = got
			}
		}
		after, err := s.CommentsAfter(ctx, room, 10, 1000)
		if err != nil {
			t.Fatal(err)
		}
		v.After[room] = after
		err = s.EachVisible(ctx, room, 1<<62, 50, func(page []protocol.Comment) error {
			v.Export[room] = append(v.Export[room], page...)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	db, err := sql.Open("sqlite3", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT * FROM comments ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		v.Table = append(v.Table, fmt.Sprint(vals...))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return v
}

// TestReplayIndexMigrationKeepsEveryRowAndOrder populates a database with
// the schema before migration 00014 (visible, held, shadowed and deleted
// comments, likes, many at the same video time), reads it every way a
// reader can, migrates it, and reads it again: the same rows in the same
// order, now served by the covering index.
func TestReplayIndexMigrationKeepsEveryRowAndOrder(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	old, err := sqlite.Open(ctx, sqlite.Options{Path: path, Migrations: os.DirFS(migrationsBefore(t, 14))})
	if err != nil {
		t.Fatal(err)
	}
	populateReplay(t, old)
	before := readReplayView(t, old, path)
	if err := old.Close(); err != nil {
		t.Fatal(err)
	}
	if len(before.Table) != 3000 || len(before.Windows["a [0 60000] 1000"]) == 0 {
		t.Fatalf("populated %d rows, window %d; want 3000 and a full window", len(before.Table), len(before.Windows["a [0 60000] 1000"]))
	}

	applied, err := sqlite.MigrateUp(ctx, path, os.DirFS("../../../migrations"))
	if err != nil || len(applied) == 0 || applied[0].Version != 14 {
		t.Fatalf("migrate: %+v, %v; want 00014 applied", applied, err)
	}
	s, err := sqlite.Open(ctx, sqlite.Options{Path: path, Migrations: os.DirFS("../../../migrations")})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	after := readReplayView(t, s, path)
	for name, pair := range map[string][2]any{
		"windows": {before.Windows, after.Windows}, "catch-up": {before.After, after.After},
		"exports": {before.Export, after.Export}, "table": {before.Table, after.Table},
	} {
		if !reflect.DeepEqual(pair[0], pair[1]) {
			t.Errorf("%s differ after the migration", name)
		}
	}
}

// populateReplay stores 1,500 comments in each of rooms a and b, at video
// times 0–120 s with many sharing a millisecond, a fifth held, a tenth
// shadowed; then approves some held ones (out of id order), deletes some
// and likes some.
func populateReplay(t *testing.T, s *sqlite.Store) {
	t.Helper()
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(5, 6))
	var held, visible []int64
	for _, room := range []string{"a", "b"} {
		if _, err := s.CreateRoom(ctx, store.Room{ID: room, Title: room, Kind: store.KindVOD}); err != nil {
			t.Fatal(err)
		}
		for i := range 1500 {
			status := store.Visible
			switch rng.IntN(10) {
			case 0, 1:
				status = store.Held
			case 2:
				status = store.Shadowed
			}
			c := addComment(t, s, store.NewComment{Room: room, Status: status,
				User:  protocol.User{ID: "u" + strconv.Itoa(rng.IntN(40)), Name: "viewer"},
				Draft: protocol.Draft{Text: fmt.Sprintf("弹幕 %s %d", room, i), Mode: "scroll", Color: "#ffffff", Size: "medium", Time: protocol.Seconds(rng.IntN(400) * 300)},
			})
			if status == store.Held {
				held = append(held, c.ID)
			} else if status == store.Visible {
				visible = append(visible, c.ID)
			}
		}
	}
	if _, err := s.Decide(ctx, held[:len(held)/2], store.Approve, "mod"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Decide(ctx, visible[:50], store.Delete, "mod"); err != nil {
		t.Fatal(err)
	}
	for i, id := range visible[50:150] {
		if _, err := s.LikeComment(ctx, id, "liker"+strconv.Itoa(i%3), nil); err != nil {
			t.Fatal(err)
		}
	}
}

// addComment stores nc and waits for its answer.
func addComment(t *testing.T, s *sqlite.Store, nc store.NewComment) protocol.Comment {
	t.Helper()
	done := make(chan protocol.Comment, 1)
	err := s.AddComment(context.Background(), nc, func(c protocol.Comment, err error) {
		if err != nil {
			t.Error(err)
		}
		done <- c
	})
	if err != nil {
		t.Fatal(err)
	}
	return <-done
}
