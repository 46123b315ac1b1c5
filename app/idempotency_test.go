package app_test

import (
	"database/sql"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/danmaku/danmaku/app"
	"github.com/danmaku/danmaku/app/apptest"
	"github.com/danmaku/danmaku/app/protocol"
)

// rowsWithKey counts the comments stored with an idempotency key, read
// straight from the database.
func rowsWithKey(t *testing.T, db *sql.DB, key string) int {
	t.Helper()
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM comments WHERE idem_key = $1`, key).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestTheSameIdempotencyKeyStoresOnce sends each comment twice with one
// key, over REST and over a socket: one row, and the second answer is the
// first, even when moderation (here a repeat filter that refuses the same
// text twice) would refuse the resend as a new comment.
func TestTheSameIdempotencyKeyStoresOnce(t *testing.T) {
	s := startServer(t, withPlugins(t, `plugins: [{name: flood, config: {repeat_window: 1m}}]`))
	t.Run("REST", func(t *testing.T) {
		hc := httpClient(t)
		body := map[string]any{"text": "once over REST", "idempotency_key": "rest-key-1"}
		var first, second protocol.Comment
		if status := call(t, hc, "POST", s.URL()+"/api/rooms/demo/comments", body, &first); status != http.StatusCreated {
			t.Fatalf("first send: status %d", status)
		}
		if status := call(t, hc, "POST", s.URL()+"/api/rooms/demo/comments", body, &second); status != http.StatusCreated {
			t.Fatalf("resend: status %d", status)
		}
		if second != first {
			t.Errorf("resend answered %+v, want the first answer %+v", second, first)
		}
		if n := rowsWithKey(t, apptest.OpenDB(t, s.cfg.DBPath), "rest-key-1"); n != 1 {
			t.Errorf("%d rows, want 1", n)
		}
		// Another user's identical key is another comment.
		var other protocol.Comment
		if status := call(t, httpClient(t), "POST", s.URL()+"/api/rooms/demo/comments", map[string]any{"text": "someone else", "idempotency_key": "rest-key-1"}, &other); status != http.StatusCreated || other.ID == first.ID {
			t.Errorf("another user's send with the same key: status %d, %+v", status, other)
		}
	})
	t.Run("socket", func(t *testing.T) {
		c := dial(t, s, "?room=demo")
		c.next(protocol.TypeWelcome)
		var acks []frame
		for _, ref := range []string{"a", "b"} { // a resend after a reconnect has a new ref, maybe
			c.send(map[string]any{"type": "comment", "ref": ref, "text": "once over a socket", "idempotency_key": "ws-key-1"})
			acks = append(acks, c.ack())
		}
		if !acks[0].OK || !acks[1].OK || *acks[1].Comment != *acks[0].Comment {
			t.Errorf("acks %+v and %+v, want the same comment twice", acks[0].Comment, acks[1].Comment)
		}
		if n := rowsWithKey(t, apptest.OpenDB(t, s.cfg.DBPath), "ws-key-1"); n != 1 {
			t.Errorf("%d rows, want 1", n)
		}
	})
	t.Run("bad keys", func(t *testing.T) {
		for _, key := range []string{strings.Repeat("k", protocol.MaxIdempotencyKeyLen+1), "with space", "ключ"} {
			var e apiError
			if status := call(t, httpClient(t), "POST", s.URL()+"/api/rooms/demo/comments", map[string]any{"text": "x", "idempotency_key": key}, &e); status != http.StatusUnprocessableEntity || e.Error.Code != "invalid" {
				t.Errorf("key %q: status %d %+v, want 422 invalid", key, status, e.Error)
			}
		}
	})
}

// TestAKeyOutlivedByItsWindowStoresAgain: past -idempotency-window the
// same key is a new comment.
func TestAKeyOutlivedByItsWindowStoresAgain(t *testing.T) {
	s := startServer(t, func(c *app.Config) { c.IdempotencyWindow = time.Millisecond })
	hc := httpClient(t)
	body := map[string]any{"text": "again later", "idempotency_key": "late"}
	var first, second protocol.Comment
	call(t, hc, "POST", s.URL()+"/api/rooms/demo/comments", body, &first)
	time.Sleep(5 * time.Millisecond) // comments are stamped in milliseconds: this is past the 1ms window, not a wait on the server
	if status := call(t, hc, "POST", s.URL()+"/api/rooms/demo/comments", body, &second); status != http.StatusCreated || second.ID == first.ID {
		t.Fatalf("resend past the window: status %d, %+v; want a new comment", status, second)
	}
	if n := rowsWithKey(t, apptest.OpenDB(t, s.cfg.DBPath), "late"); n != 1 {
		t.Errorf("%d rows hold the key, want only the newest", n)
	}
}

// TestAResendAfterACrashFindsTheStoredComment kills the server process
// (SIGKILL) once a comment it took is in the database file, without reading
// the ack, as a crash between commit and ack would leave it; the client
// resends with the same key to the restarted server and gets the stored
// comment back, and the room holds it once.
func TestAResendAfterACrashFindsTheStoredComment(t *testing.T) {
	dir := t.TempDir()
	p := apptest.Spawn(t, dir, "127.0.0.1:0")
	tok := apptest.Token(t, alice, time.Hour)
	send := func(p *apptest.Process) *websocket.Conn {
		t.Helper()
		conn, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(p.URL(), "http")+"/ws?room=demo&token="+tok, nil)
		if err != nil {
			t.Fatal(err)
		}
		frame := map[string]any{"type": "comment", "ref": "r1", "text": "did it arrive?", "idempotency_key": "crash-1"}
		if err := conn.WriteJSON(frame); err != nil {
			t.Fatal(err)
		}
		return conn
	}
	conn := send(p)
	defer conn.Close()
	db := apptest.OpenDB(t, apptest.DB(t, dir))
	deadline := time.Now().Add(waitFor)
	for rowsWithKey(t, db, "crash-1") == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the comment never reached the database")
		}
		time.Sleep(5 * time.Millisecond) // polling the database: there is no event to wait on across processes
	}
	p.Kill(t)

	p = p.Respawn(t)
	again := send(p)
	defer again.Close()
	_ = again.SetReadDeadline(time.Now().Add(waitFor))
	for {
		_, data, err := again.ReadMessage()
		if err != nil {
			t.Fatalf("no ack after the restart: %v", err)
		}
		var f frame
		if err := json.Unmarshal(data, &f); err != nil {
			t.Fatal(err)
		}
		if f.Type != protocol.TypeAck {
			continue
		}
		if !f.OK || f.Comment == nil || f.Comment.Text != "did it arrive?" || f.Comment.Seq == 0 {
			t.Fatalf("ack %s, want the stored comment", data)
		}
		break
	}
	if n := rowsWithKey(t, db, "crash-1"); n != 1 {
		t.Errorf("%d rows, want the comment once", n)
	}
}
