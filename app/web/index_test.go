package web

import (
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/danmaku/danmaku/app/apptest"
	"github.com/danmaku/danmaku/app/auth"
)

// TestIndexPage creates a room with the form on / in a real browser, as a
// moderator, is taken to it, and finds it listed with its live viewer count.
func TestIndexPage(t *testing.T) {
	needBrowser(t)
	s := apptest.Start(t)
	p := newTab(t, "visitor")
	p.open(s.URL() + "/")
	p.wait(`document.querySelector('[data-room="demo"] [data-count="comments"]')?.textContent === '12'`, "the demo room listed")

	step(t, "visitors are told who creates rooms instead of getting the form", func(t *testing.T) {
		p := p.in(t)
		p.wait(`document.getElementById('create-signin') && !document.getElementById('room-id')`, "the sign-in hint instead of the form")
	})
	// Sign in as a moderator with a pasted token.
	tok := apptest.Token(t, auth.Identity{ID: "m1", Name: "Mod", Roles: []string{auth.RoleModerator}}, time.Hour)
	p.open(s.URL() + "/login?next=/")
	p.follow(chromedp.SendKeys(chromedp.ID("dm-token"), tok), chromedp.Click(chromedp.CSS(`#dm-login-token button[type="submit"]`)))

	step(t, "a taken id is refused with the reason, keeping what was typed", func(t *testing.T) {
		p := p.in(t)
		status := p.follow(
			chromedp.SendKeys(chromedp.ID("room-id"), "demo"),
			chromedp.SendKeys(chromedp.ID("room-title"), "Mine now"),
			chromedp.Click(chromedp.CSS(`.index-create button[type="submit"]`)),
		)
		if status != 409 {
			t.Errorf("status %d, want 409", status)
		}
		p.wait(`document.getElementById('create-error')?.textContent.includes('already exists')`, "the reason")
		p.wait(`document.getElementById('room-title').value === 'Mine now'`, "the title kept")
	})

	step(t, "a new live room opens at once and is listed with its viewer", func(t *testing.T) {
		p := p.in(t)
		p.open(s.URL() + "/")
		p.follow(
			chromedp.SendKeys(chromedp.ID("room-id"), "made-here"),
			chromedp.SendKeys(chromedp.ID("room-title"), "Made in a browser 直播"),
			chromedp.Click(chromedp.CSS(`input[name="kind"][value="live"]`)),
			chromedp.Click(chromedp.CSS(`.index-create button[type="submit"]`)),
		)
		p.wait(`location.pathname === '/rooms/made-here' && document.querySelector('.page-title')?.textContent === 'Made in a browser 直播'`, "the new room")
		p.waitConnected()
		p.wait(`document.getElementById('dm-room').dataset.roomKind === 'live'`, "a live room")

		// The room is listed; the list keeps counts current while it is open.
		other := newTab(t, "lister")
		other.open(s.URL() + "/")
		other.wait(`document.querySelector('[data-room="made-here"] [data-count="viewers"]')?.textContent === '1'`, "the viewer counted")
		p.open(s.URL() + "/") // the viewer leaves the room
		postComment(t, s.URL(), "made-here", map[string]any{"text": "first!"})
		eval[bool](other, `(document.dispatchEvent(new Event('visibilitychange')), true)`)
		other.wait(`document.querySelector('[data-room="made-here"] [data-count="viewers"]').textContent === '0' &&
			document.querySelector('[data-room="made-here"] [data-count="comments"]').textContent === '1'`, "the counts refreshed")
		other.checkClean()
	})
	p.in(t).checkClean()
}
