package web

import (
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// phones are the screen sizes the layout must work at.
var phones = []struct{ w, h int64 }{{390, 844}, {360, 740}}

// TestMobileLayouts opens every page at phone sizes and checks what
// broke before: nothing wider than the screen, Send and the like button
// both reachable by a tap, every popover (settings, speed, help, comment
// style, the comment menu) inside the screen, and comment text readable.
// With DANMAKU_SCREENSHOT_MOBILE=path it saves the room page at 390×844.
func TestMobileLayouts(t *testing.T) {
	needBrowser(t)
	s := newSite(t)
	for _, size := range phones {
		t.Run(fmt.Sprintf("%dx%d", size.w, size.h), func(t *testing.T) {
			p := newTab(t, "phone")
			p.run(chromedp.EmulateViewport(size.w, size.h, chromedp.EmulateMobile))
			p.signIn(s.URL(), moderator) // /admin needs it; the other pages look the same to a moderator
			for _, pg := range s.pages() {
				t.Run(pg.name, func(t *testing.T) {
					p := p.in(t)
					p.openPage(s, pg)
					p.checkFits()
					p.checkPopovers()
					if pg.name == "room" {
						p.checkRoomOnPhone(size.w == 390)
					}
					p.checkClean()
				})
			}
		})
	}
}

// checkFits asserts that the page is no wider than the screen.
func (p *tab) checkFits() {
	p.t.Helper()
	got := eval[[]float64](p, `[document.documentElement.scrollWidth, document.body.scrollWidth, innerWidth]`)
	if got[0] > got[2] || got[1] > got[2] {
		wide := eval[[]string](p, `[...document.querySelectorAll('body *')].filter((e) => e.getBoundingClientRect().right > innerWidth + 1)
			.slice(0, 8).map((e) => e.tagName + '#' + e.id + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))`)
		p.t.Errorf("%s: the page is %g/%g px wide on a %g px screen; too wide: %v", p.name, got[0], got[1], got[2], wide)
	}
}

// checkPopovers opens each popover of the page with a tap and asserts that
// its panel lies inside the screen, then closes it with Esc.
func (p *tab) checkPopovers() {
	p.t.Helper()
	n := eval[int](p, `document.querySelectorAll('details.dm-popover, details.dm-style').length`)
	for i := range n {
		sel := fmt.Sprintf(`document.querySelectorAll('details.dm-popover, details.dm-style')[%d]`, i)
		eval[bool](p, `(`+sel+`.querySelector('summary').scrollIntoView({block: 'center'}), true)`)
		at := eval[[]float64](p, `(() => { const r = `+sel+`.querySelector('summary').getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2]; })()`)
		p.run(chromedp.MouseClickXY(at[0], at[1]))
		p.wait(sel+`.open`, "the popover to open")
		// The panel is fitted when its toggle event comes (a task after the
		// tap): give it a few frames to settle in.
		box := waitValue[[]float64](p, `(async () => {
			let r;
			for (let i = 0; i < 30; i++) {
				await new Promise(requestAnimationFrame);
				r = `+sel+`.querySelector('.dm-popover-panel, .dm-style-panel').getBoundingClientRect();
				if (r.left >= 0 && r.top >= 0 && r.right <= innerWidth && r.bottom <= innerHeight) break;
			}
			return [r.left, r.top, r.right, r.bottom, innerWidth, innerHeight];
		})()`, "the panel's box")
		if box[0] < 0 || box[1] < 0 || box[2] > box[4] || box[3] > box[5] {
			p.t.Errorf("%s: popover %d lies at [%.0f,%.0f]–[%.0f,%.0f], outside the %gx%g screen", p.name, i, box[0], box[1], box[2], box[3], box[4], box[5])
		}
		p.run(chromedp.KeyEvent(kb.Escape))
		p.wait(`!`+sel+`.open`, "Esc to close the popover")
	}
}

// checkRoomOnPhone: Send and like can both be tapped, the comment menu
// opens inside the screen, and comments on screen are readable.
func (p *tab) checkRoomOnPhone(screenshot bool) {
	p.t.Helper()
	for _, id := range []string{"dm-send", "dm-like-room"} {
		hit := eval[bool](p, fmt.Sprintf(`(() => {
			const el = document.getElementById(%q);
			el.scrollIntoView({block: 'center'});
			const r = el.getBoundingClientRect();
			const at = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
			return r.width > 0 && (at === el || el.contains(at));
		})()`, id))
		if !hit {
			p.t.Errorf("#%s cannot be tapped: something covers its middle", id)
		}
	}
	// The comment menu from the list, as a thumb would open it.
	eval[bool](p, `(document.getElementById('dm-list').scrollIntoView({block: 'center'}), true)`)
	at := waitValue[[]float64](p, `(() => {
		const b = document.querySelector('#dm-list .dm-entry-menu');
		if (!b) return null;
		const r = b.getBoundingClientRect();
		return [r.x + r.width / 2, r.y + r.height / 2];
	})()`, "a comment's menu button")
	p.run(chromedp.MouseClickXY(at[0], at[1]))
	box := waitValue[[]float64](p, `(() => {
		const m = document.querySelector('.dm-menu');
		if (m.hidden) return null;
		const r = m.getBoundingClientRect();
		return [r.left, r.top, r.right, r.bottom, innerWidth, innerHeight];
	})()`, "the comment menu")
	if box[0] < 0 || box[1] < 0 || box[2] > box[4] || box[3] > box[5] {
		p.t.Errorf("the comment menu lies at [%.0f,%.0f]–[%.0f,%.0f], outside the screen", box[0], box[1], box[2], box[3])
	}
	p.run(chromedp.KeyEvent(kb.Escape))
	p.wait(`document.querySelector('.dm-menu').hidden`, "Esc to close the menu")

	// Comments of every size on the small player.
	eval[bool](p, `(window.scrollTo(0, 0), true)`)
	p.playVideo(0.4)
	p.wait(`document.querySelectorAll('#dm-stage .dm-item').length >= 5 && document.getElementById('dm-video').currentTime > 3`, "comments well on screen")
	eval[bool](p, `(document.getElementById('dm-video').pause(), document.activeElement.blur(), true)`)
	sizes := eval[[]float64](p, `[
		Math.min(...[...document.querySelectorAll('#dm-stage .dm-text')].map((e) => parseFloat(getComputedStyle(e).fontSize))),
		Math.min(...[...document.querySelectorAll('#dm-stage .dm-count')].map((e) => parseFloat(getComputedStyle(e).fontSize)), 99),
	]`)
	if sizes[0] < 14 || sizes[1] < 11 {
		p.t.Errorf("comment text is %.1f px and ×N badges %.1f px, want at least 14 and 11", sizes[0], sizes[1])
	}
	if screenshot {
		p.saveScreenshot("DANMAKU_SCREENSHOT_MOBILE")
	}
}
