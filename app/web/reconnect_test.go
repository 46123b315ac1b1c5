package web

import (
	"fmt"
	"net/url"
	"sync"
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/danmaku/danmaku/app/apptest"
)

// TestReconnect is the scenario 7: the server stops and a new one
// starts on the same address and database. The page says it is
// disconnected and stops sending, reconnects with since=<last seq>, and
// shows the comments sent while it was away, each once.
func TestReconnect(t *testing.T) {
	needBrowser(t)
	s := apptest.Start(t)
	apptest.CreateRoom(t, s.URL(), "relay", "live")

	p := newTab(t, "viewer")
	var mu sync.Mutex
	var sockets []string
	created := chromedp.Events(p.ctx, network.WebSocketCreated)
	go func() {
		for ev, err := range created {
			if err != nil {
				return
			}
			mu.Lock()
			sockets = append(sockets, ev.URL)
			mu.Unlock()
		}
	}()
	p.open(s.URL() + "/rooms/relay")
	p.waitConnected()
	before := postComment(t, s.URL(), "relay", map[string]any{"text": "before the restart"})
	p.seen(before.Text, false)

	next := s.Successor(t) // stops s; the next server is ready but not listening yet
	p.wait(`document.getElementById('dm-status').dataset.state === 'reconnecting' &&
		document.getElementById('dm-status').textContent.startsWith('Reconnecting') &&
		document.getElementById('dm-send').disabled && document.getElementById('dm-input').disabled`,
		"the page to show it is disconnected, with sending disabled")
	p.wait(`document.getElementById('dm-compose-error').textContent.includes('Offline')`, "the send bar to say why")
	// Wait until the page has backed off to a retry at least 3 s away, so the
	// comments below are surely posted while it is away.
	p.wait(`/Reconnecting in ([3-9]|\d\d+) s/.test(document.getElementById('dm-status').textContent)`, "a longer backoff")

	if err := next.Start(); err != nil {
		t.Fatal(err)
	}
	away := []string{"sent while you were away", "这条也是"}
	for _, text := range away {
		postComment(t, next.URL(), "relay", map[string]any{"text": text})
	}
	if state := eval[string](p, `document.getElementById('dm-status').dataset.state`); state == "open" {
		t.Fatal("the page reconnected before the comments were posted; the test proves nothing")
	}

	p.waitConnected()
	for _, text := range away {
		p.seen(text, false)
	}
	p.sendComment("back again", "")
	p.wait(`[...document.querySelectorAll('#dm-stage .dm-own')].some((e) => /^\d+$/.test(e.dataset.id))`, "a comment sent after the reconnect to be acknowledged")

	counts := map[string]int{}
	for _, e := range p.seenAll() {
		counts[e.Text]++
	}
	entries := eval[[]string](p, `[...document.querySelectorAll('#dm-list .dm-entry-text')].map((e) => e.textContent)`)
	for _, e := range entries {
		counts["list: "+e]++
	}
	for _, text := range append([]string{before.Text, "back again"}, away...) {
		if counts[text] != 1 || counts["list: "+text] != 1 {
			t.Errorf("%q shown %d times on the overlay and %d in the list, want once each", text, counts[text], counts["list: "+text])
		}
	}
	if len(entries) != 4 {
		t.Errorf("the list has %d entries, want 4: %q", len(entries), entries)
	}

	mu.Lock()
	defer mu.Unlock()
	if len(sockets) < 2 {
		t.Fatalf("the page opened %d sockets, want a first one and reconnects", len(sockets))
	}
	for _, raw := range sockets[1:] {
		u, err := url.Parse(raw)
		if err != nil || u.Query().Get("since") != fmt.Sprint(before.Seq) {
			t.Errorf("reconnected with %s, want since=%d", raw, before.Seq)
		}
	}
	p.checkClean()
}
