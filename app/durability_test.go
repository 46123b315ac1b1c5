package app_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/danmaku/danmaku/app/apptest"
	"github.com/danmaku/danmaku/app/protocol"
)

func TestAckComesOnlyAfterCommit(t *testing.T) {
	s := startServer(t)
	c := dial(t, s, "?room=demo")
	c.next(protocol.TypeWelcome)
	ack := c.comment("durable", "remember me")
	if !ack.OK {
		t.Fatalf("ack = %+v", ack)
	}

	// A separate connection sees the row the moment the ack arrives: the
	// transaction had committed before the ack was sent.
	db := apptest.OpenDB(t, s.cfg.DBPath)
	var text string
	var seq int64
	if err := db.QueryRow(`SELECT text, seq FROM comments WHERE id = $1`, ack.Comment.ID).Scan(&text, &seq); err != nil {
		t.Fatalf("acked comment %d is not in the database: %v", ack.Comment.ID, err)
	}
	if text != "remember me" || seq != ack.Comment.Seq {
		t.Fatalf("stored (%q, seq %d), acked (%q, seq %d)", text, seq, ack.Comment.Text, ack.Comment.Seq)
	}

	// And it survives a restart on the same file, through the replay API.
	s2 := s.restart(t)
	var page struct{ Comments []protocol.Comment }
	call(t, httpClient(t), "GET", s2.URL()+"/api/rooms/demo/comments?from=1&to=2", nil, &page)
	found := false
	for _, got := range page.Comments {
		found = found || (got.ID == ack.Comment.ID && got.Text == "remember me")
	}
	if !found {
		t.Fatalf("after restart, replay of 1s–2s lacks the acked comment: %+v", page.Comments)
	}
}

func TestConcurrentSendersGetGaplessSeqsAndEveryoneGetsEverything(t *testing.T) {
	const senders, perSender = 20, 200
	const total = senders * perSender
	s := startServer(t)
	createRoom(t, s, "busy", "live")

	viewers := make([]*wsClient, 3)
	for i := range viewers {
		viewers[i] = dial(t, s, "?room=busy")
		viewers[i].next(protocol.TypeWelcome)
	}
	clients := make([]*wsClient, senders)
	for i := range clients {
		clients[i] = dial(t, s, "?room=busy")
		clients[i].next(protocol.TypeWelcome)
	}

	var wg sync.WaitGroup
	acked := make([][]int64, senders)
	for i, c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Each sender waits for its ack before the next comment, as the
			// browser client does; broadcasts are interleaved with the acks.
			for n := range perSender {
				c.send(map[string]any{"type": "comment", "ref": fmt.Sprint(n), "text": fmt.Sprintf("s%d-%d", i, n)})
				f := c.ack()
				if !f.OK || f.Ref != fmt.Sprint(n) {
					t.Errorf("sender %d: ack %d = %+v", i, n, f)
					return
				}
				acked[i] = append(acked[i], f.Comment.Seq)
			}
		}()
	}
	wg.Wait()
	if t.Failed() {
		return
	}

	// Each sender's acked seqs increase; together they are exactly 1..total.
	seen := make([]bool, total+1)
	for i, seqs := range acked {
		for j, seq := range seqs {
			if j > 0 && seq <= seqs[j-1] {
				t.Fatalf("sender %d: seq %d after %d", i, seq, seqs[j-1])
			}
			if seq < 1 || seq > total || seen[seq] {
				t.Fatalf("seq %d out of range or handed out twice", seq)
			}
			seen[seq] = true
		}
	}
	for i, v := range viewers {
		got := v.comments(total)
		for j, c := range got {
			if c.Seq != int64(j+1) {
				t.Fatalf("viewer %d: item %d has seq %d, want %d (every comment, in order)", i, j, c.Seq, j+1)
			}
		}
	}
}

func TestCatchUpAfterReconnectYieldsExactlyTheMissedComments(t *testing.T) {
	const total = 600
	s := startServer(t)
	createRoom(t, s, "resume", "live")
	viewer := dial(t, s, "?room=resume")
	viewer.next(protocol.TypeWelcome)

	// The sender posts over REST, one comment at a time, each acknowledged
	// after its commit, while the viewer drops off and comes back.
	hc := httpClient(t)
	sent := make(chan struct{})
	go func() {
		defer close(sent)
		for n := range total {
			if status := call(t, hc, "POST", s.URL()+"/api/rooms/resume/comments", map[string]any{"text": fmt.Sprint("c", n)}, nil); status != http.StatusCreated {
				t.Errorf("post %d: status %d", n, status)
				return
			}
		}
	}()

	// Watch part of the stream, then drop off while the sender keeps going.
	seen := viewer.commentsAtLeast(100)
	viewer.conn.Close()
	<-viewer.closed
	last := seen[len(seen)-1].Seq

	// Reconnect while sending continues, resuming after the last seq seen.
	back := dial(t, s, fmt.Sprintf("?room=resume&since=%d", last))
	w := back.next(protocol.TypeWelcome)
	if w.LastSeq < last {
		t.Fatalf("welcome last_seq %d is behind what we saw (%d)", w.LastSeq, last)
	}
	rest := back.commentsAtLeast(total - int(last))
	if len(rest) != total-int(last) {
		t.Fatalf("got %d comments after reconnect, want %d", len(rest), total-int(last))
	}
	for i, c := range rest {
		if want := last + int64(i) + 1; c.Seq != want {
			t.Fatalf("after reconnect, item %d has seq %d, want %d: a gap or a duplicate", i, c.Seq, want)
		}
	}
	<-sent
	back.quiet(200 * time.Millisecond)
}

func TestShutdownKeepsEveryAcknowledgedComment(t *testing.T) {
	s := startServer(t)
	createRoom(t, s, "drain", "live")
	const posters = 8
	var mu sync.Mutex
	var acked []int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range posters {
		wg.Add(1)
		go func() {
			defer wg.Done()
			hc := httpClient(t)
			for {
				select {
				case <-stop:
					return
				default:
				}
				var c protocol.Comment
				// Errors are expected once the server stops; only 201s count.
				if postQuietly(hc, s.URL()+"/api/rooms/drain/comments", `{"text":"in flight"}`, &c) == http.StatusCreated {
					mu.Lock()
					acked = append(acked, c.ID)
					mu.Unlock()
				}
			}
		}()
	}
	// Let traffic build up, then shut down under load.
	for {
		mu.Lock()
		n := len(acked)
		mu.Unlock()
		if n >= 200 {
			break
		}
		runtime.Gosched()
	}
	s2 := s.restart(t)
	close(stop)
	wg.Wait()

	var page struct{ Comments []protocol.Comment }
	call(t, httpClient(t), "GET", s2.URL()+"/api/rooms/drain/comments?after_seq=0&limit=5000", nil, &page)
	stored := map[int64]bool{}
	for _, c := range page.Comments {
		stored[c.ID] = true
	}
	for _, id := range acked {
		if !stored[id] {
			t.Fatalf("comment %d was acknowledged (201) but is not stored after shutdown", id)
		}
	}
	if len(acked) == 0 {
		t.Fatal("no comment was acknowledged")
	}
}

// postQuietly posts body and returns the status, or 0 when the request fails.
func postQuietly(hc *http.Client, url, body string, out any) int {
	resp, err := hc.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		return 0
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusCreated && json.NewDecoder(resp.Body).Decode(out) != nil {
		return 0
	}
	return resp.StatusCode
}
