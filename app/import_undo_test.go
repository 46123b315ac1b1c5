package app_test

import (
	"bytes"
	"net/http"
	"slices"
	"testing"

	"github.com/danmaku/danmaku/app/apptest"
	"github.com/danmaku/danmaku/app/protocol"
	"github.com/danmaku/danmaku/app/store"
)

// TestAFailedImportsUndoRetractsFromViewers breaks an import after it
// stored three chunks, with a viewer on the room's socket: the undo
// retracts every comment the chunks stored, as a moderator's delete would,
// so a page that loaded them (replay, catch-up) drops them at once.
func TestAFailedImportsUndoRetractsFromViewers(t *testing.T) {
	const n = 3 * store.ImportChunk
	s := startServer(t)
	createRoom(t, s, "r", "vod")
	viewer := dial(t, s, "?room=r")
	viewer.next(protocol.TypeWelcome)
	var file bytes.Buffer
	if err := bigXML(n, "<d p=\"1,1,25,0\">x & y</d>\n")(&file); err != nil {
		t.Fatal(err)
	}
	if status, _, _ := importAs(t, s, clientAs(t, s, mod1), "r", nil, file.Bytes()); status != http.StatusBadRequest {
		t.Fatalf("import: status %d, want 400", status)
	}

	db := apptest.OpenDB(t, s.cfg.DBPath)
	var stored []int64
	rows, err := db.Query(`SELECT id FROM comments WHERE room_id = 'r' AND import_id IS NOT NULL ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		stored = append(stored, id)
	}
	rows.Close()
	if len(stored) != n {
		t.Fatalf("the chunks stored %d comments, want %d", len(stored), n)
	}

	var retracted []int64
	for len(retracted) < n {
		f := viewer.next(protocol.TypeRetract)
		if f.Room != "r" {
			t.Fatalf("retract for room %q", f.Room)
		}
		retracted = append(retracted, f.IDs...)
	}
	slices.Sort(retracted)
	if !slices.Equal(retracted, stored) {
		t.Fatalf("retracted %d ids (%v…), want the %d the import stored (%v…)", len(retracted), retracted[:3], n, stored[:3])
	}
}
