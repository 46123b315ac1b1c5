package web

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/danmaku/danmaku/app/apptest"
	"github.com/danmaku/danmaku/app/protocol"
)

// What a viewer does on a room page, and what the page probe saw.

// seenItem is a comment element the probe saw enter the overlay.
type seenItem struct {
	ID   string   `json:"id"`
	Text string   `json:"text"`
	Mode string   `json:"mode"`
	Own  bool     `json:"own"`
	At   float64  `json:"at"`   // wall clock, Unix ms (comparable across tabs)
	Perf float64  `json:"perf"` // performance.now() of the tab
	VT   *float64 `json:"vt"`   // the video's time, on room pages
}

// openRoom opens a room page in a new tab and waits until it is connected.
func openRoom(t *testing.T, name, url string) *tab {
	t.Helper()
	p := newTab(t, name)
	p.open(url)
	p.waitConnected()
	return p
}

// waitConnected waits for the live indicator and an enabled send button.
func (p *tab) waitConnected() {
	p.t.Helper()
	p.wait(`document.getElementById('dm-status').dataset.state === 'open' && !document.getElementById('dm-send').disabled`, "the room to connect")
}

// playVideo starts the room's video (muted, looping) and waits until it has played a while.
func (p *tab) playVideo(from float64) {
	p.t.Helper()
	eval[bool](p, fmt.Sprintf(`(async () => {
		const v = document.getElementById('dm-video');
		v.muted = true;
		v.loop = true;
		v.currentTime = %g;
		await v.play();
		return true;
	})()`, from))
	p.wait(fmt.Sprintf(`document.getElementById('dm-video').currentTime > %g`, from+0.5), "the video to play")
}

// sendComment types text into the send bar in mode ("" keeps the current one) and presses Enter.
func (p *tab) sendComment(text, mode string) {
	p.t.Helper()
	if mode != "" {
		p.run(chromedp.SetValue(chromedp.ID("dm-mode"), mode))
	}
	p.run(chromedp.SendKeys(chromedp.ID("dm-input"), text+"\n"))
}

// seen waits until the overlay has shown a comment with text (own or not) and returns it.
func (p *tab) seen(text string, own bool) seenItem {
	p.t.Helper()
	return waitValue[seenItem](p, fmt.Sprintf(`window.__seen.find((e) => e.text === %s && e.own === %t)`, jsString(text), own),
		fmt.Sprintf("%q on the overlay", text))
}

// seenAll returns every comment element the probe saw since the page loaded.
func (p *tab) seenAll() []seenItem {
	p.t.Helper()
	return eval[[]seenItem](p, `window.__seen`)
}

// postComment posts a comment over REST as a fresh user and returns it as stored.
func postComment(t *testing.T, base, room string, body map[string]any) protocol.Comment {
	t.Helper()
	var c protocol.Comment
	if status := apptest.Call(t, apptest.HTTPClient(t), "POST", base+"/api/rooms/"+url.PathEscape(room)+"/comments", body, &c); status != http.StatusCreated {
		t.Fatalf("posting %v: status %d", body, status)
	}
	return c
}

// findComment returns the stored comment of room with text.
func findComment(t *testing.T, base, room, text string) protocol.Comment {
	t.Helper()
	var out struct{ Comments []protocol.Comment }
	apptest.Call(t, apptest.HTTPClient(t), "GET", base+"/api/rooms/"+url.PathEscape(room)+"/comments", nil, &out)
	for _, c := range out.Comments {
		if c.Text == text {
			return c
		}
	}
	t.Fatalf("no stored comment %q in %s", text, room)
	return protocol.Comment{}
}

// step runs a scenario step as a subtest; the scenario stops at the first failed step.
func step(t *testing.T, name string, fn func(t *testing.T)) {
	t.Helper()
	if !t.Run(name, fn) {
		t.FailNow()
	}
}
