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

// outage is a server that goes away and comes back on the same address and
// database.
type outage struct {
	url      string
	goAway   func(t testing.TB) // the server stops, however it does
	comeBack func(t testing.TB) // the next server starts listening
}

// TestReconnect is the scenario 7: the server goes away, stopped
// gracefully (the page gets a 1001 close frame) or killed (SIGKILL: no close
// frame, 1006), and a new one starts on the same address and database. The
// page says it is disconnected and stops sending, reconnects with
// since=<last seq>, and shows the comments sent while it was away, each once;
// the comment acknowledged before the outage is still stored.
func TestReconnect(t *testing.T) {
	needBrowser(t)
	for _, tc := range []struct {
		name  string
		start func(t *testing.T) outage
	}{
		{"stopped gracefully", func(t *testing.T) outage {
			s := apptest.Start(t)
			var next *apptest.Server
			return outage{
				url:    s.URL(),
				goAway: func(t testing.TB) { next = s.Successor(t) }, // stops s; next is ready but not listening yet
				comeBack: func(t testing.TB) {
					if err := next.Start(); err != nil {
						t.Fatal(err)
					}
				},
			}
		}},
		{"killed", func(t *testing.T) outage {
			p := apptest.Spawn(t, t.TempDir(), "127.0.0.1:0")
			return outage{
				url:      p.URL(),
				goAway:   p.Kill,
				comeBack: func(t testing.TB) { p = p.Respawn(t) },
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) { checkReconnect(t, tc.start(t)) })
	}
}

// checkReconnect runs the scenario of TestReconnect against s.
func checkReconnect(t *testing.T, s outage) {
	t.Helper()
	apptest.CreateRoom(t, s.url, "relay", "live")
	p := newTab(t, "viewer")
	sockets := recordSockets(p)
	p.open(s.url + "/rooms/relay")
	p.waitConnected()
	before := postComment(t, s.url, "relay", map[string]any{"text": "before the restart"})
	p.seen(before.Text, false)

	s.goAway(t)
	p.wait(`document.getElementById('dm-status').dataset.state === 'reconnecting' &&
		document.getElementById('dm-status').textContent.startsWith('Reconnecting') &&
		document.getElementById('dm-send').disabled && document.getElementById('dm-input').disabled`,
		"the page to show it is disconnected, with sending disabled")
	p.wait(`document.getElementById('dm-compose-error').textContent.includes('Offline')`, "the send bar to say why")
	// Wait until the page has backed off to a retry at least 3 s away, so the
	// comments below are surely posted while it is away.
	p.wait(`/Reconnecting in ([3-9]|\d\d+) s/.test(document.getElementById('dm-status').textContent)`, "a longer backoff")

	s.comeBack(t)
	if got := findComment(t, s.url, "relay", before.Text); got.Seq != before.Seq {
		t.Errorf("after the restart %q has seq %d, want %d as acknowledged", before.Text, got.Seq, before.Seq)
	}
	away := []string{"sent while you were away", "这条也是"}
	for _, text := range away {
		postComment(t, s.url, "relay", map[string]any{"text": text})
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

	opened := sockets()
	if len(opened) < 2 {
		t.Fatalf("the page opened %d sockets, want a first one and reconnects", len(opened))
	}
	for _, raw := range opened[1:] {
		u, err := url.Parse(raw)
		if err != nil || u.Query().Get("since") != fmt.Sprint(before.Seq) {
			t.Errorf("reconnected with %s, want since=%d", raw, before.Seq)
		}
	}
	p.checkClean()
}

// recordSockets records the URL of every WebSocket p opens from now on and
// returns a function that lists them.
func recordSockets(p *tab) func() []string {
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
	return func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), sockets...)
	}
}
