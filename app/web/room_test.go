package web

import (
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/danmaku/danmaku/app/apptest"
)

// maxDelivery is what the issue allows between a comment sent on one page
// and its appearance on another.
const maxDelivery = 2 * time.Second

// TestRoomScenarios plays the scenarios 1–5 on a VOD room of a real
// server, with two viewers A and B in separate browser contexts, plus the
// room page's other promises: rejected comments, the list seeking, pause,
// fullscreen. Steps build on each other, so the first failure stops it.
func TestRoomScenarios(t *testing.T) {
	needBrowser(t)
	s := apptest.Start(t)
	apptest.CreateRoom(t, s.URL(), "watch", "vod")
	url := s.URL() + "/rooms/watch"
	a := openRoom(t, "A", url)
	b := openRoom(t, "B", url)
	a.playVideo(2)
	b.playVideo(2)

	first := "hello from A, 你好 👋"
	var firstID string
	step(t, "1 a comment from A flies across B within 2 s, outlined on A", func(t *testing.T) {
		a, b := a.in(t), b.in(t)
		a.sendComment(first, "scroll")
		own := a.seen(first, true)
		sentAt := eval[float64](a, `document.getElementById('dm-video').currentTime`)
		got := b.seen(first, false)
		if lag := time.Duration(got.At-own.At) * time.Millisecond; lag > maxDelivery {
			t.Errorf("B showed the comment %s after A sent it, want at most %s", lag, maxDelivery)
		}
		firstID = got.ID
		sel := fmt.Sprintf(`document.querySelector('#dm-stage .dm-item[data-id="%s"]')`, firstID)
		eval[bool](b, `(window.__x0 = `+sel+`.getBoundingClientRect().x, true)`)
		b.wait(sel+`.getBoundingClientRect().x < window.__x0 - 5`, "the comment to move right to left")
		a.wait(fmt.Sprintf(`(() => {
			const el = document.querySelector('#dm-stage .dm-item.dm-own[data-id="%s"]');
			return el && getComputedStyle(el).outlineStyle === 'solid';
		})()`, firstID), "A's own copy, outlined, under its server id")
		for _, p := range []*tab{a, b} {
			p.wait(fmt.Sprintf(`document.querySelector('#dm-list .dm-entry[data-id="%s"] .dm-entry-text')?.textContent === %s`, firstID, jsString(first)),
				"the comment in the list")
		}
		// Stored at the video time it was sent at (A's video plays on, so a little before now).
		if stored := findComment(t, s.URL(), "watch", first).Time.Float(); stored > sentAt || sentAt-stored > 1 {
			t.Errorf("stored at video time %.3f, A's video was at %.3f just after sending", stored, sentAt)
		}
	})

	step(t, "2 after a reload B replays the comment from storage at its time", func(t *testing.T) {
		b := b.in(t)
		stored := findComment(t, s.URL(), "watch", first)
		b.reload()
		b.waitConnected()
		b.wait(fmt.Sprintf(`document.querySelector('#dm-list .dm-entry[data-id="%d"]')`, stored.ID), "the stored comment in the list")
		if n := len(b.seenAll()); n != 0 {
			t.Fatalf("the reloaded page showed %d comments before playing", n)
		}
		b.playVideo(max(0, stored.Time.Float()-1))
		got := b.seen(first, false)
		if got.ID != fmt.Sprint(stored.ID) {
			t.Fatalf("replayed id %s, want %d", got.ID, stored.ID)
		}
	})

	step(t, "3 an XSS payload shows as text and runs nothing", func(t *testing.T) {
		a, b := a.in(t), b.in(t)
		payloads := []string{`<img src=x onerror=alert(1)>`, `<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>`}
		for _, text := range payloads {
			a.sendComment(text, "")
			a.seen(text, true)
		}
		for _, text := range payloads {
			got := b.seen(text, false)
			b.wait(fmt.Sprintf(`document.querySelector('#dm-list .dm-entry[data-id="%s"] .dm-entry-text')?.textContent === %s`, got.ID, jsString(text)),
				"the payload as text in the list")
		}
		for _, p := range []*tab{a, b} {
			state := eval[map[string]any](p, `({
				images: document.querySelectorAll('img').length,
				scripts: document.querySelectorAll('#dm-stage script, #dm-list script').length,
				xss: window.__xss ?? null,
				texts: [...document.querySelectorAll('#dm-stage .dm-text')].map((e) => e.textContent),
			})`)
			if state["images"] != 0.0 || state["scripts"] != 0.0 || state["xss"] != nil {
				t.Errorf("%s: the payload became markup: %v", p.name, state)
			}
			if d := p.openedDialogs(); len(d) > 0 {
				t.Errorf("%s: dialogs opened: %v", p.name, d)
			}
		}
	})

	step(t, "4 a like from B updates the count in A, and one from A's list reaches B", func(t *testing.T) {
		a, b := a.in(t), b.in(t)
		text := "like this one"
		a.sendComment(text, "")
		got := b.seen(text, false)
		sel := fmt.Sprintf(`document.querySelector('#dm-stage .dm-item[data-id="%s"]')`, got.ID)
		// Click the comment with the mouse once it is wholly on screen (it
		// enters from the right), holding the video so a busy machine's slow
		// frames cannot move it away from the pointer.
		b.wait(`(() => {
			const r = `+sel+`?.getBoundingClientRect(), box = document.getElementById('dm-stage').getBoundingClientRect();
			return r && r.right < box.right - 20 && r.left > box.left;
		})()`, "the comment to be on screen")
		eval[bool](b, `(document.getElementById('dm-video').pause(), true)`)
		b.wait(`document.getElementById('dm-stage').classList.contains('dm-paused')`, "the overlay to hold still")
		at := eval[[]float64](b, `(() => { const r = `+sel+`.getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2]; })()`)
		b.run(chromedp.MouseClickXY(at[0], at[1]))
		// The click opens the comment's menu; liking is one of its choices.
		b.wait(`!document.querySelector('.dm-menu').hidden && `+sel+`.classList.contains('dm-held')`, "the comment's menu, the comment held")
		b.click(`.dm-menu button[data-action="like"]`)
		b.wait(sel+`?.classList.contains("dm-liked") && document.querySelector('.dm-menu').hidden`, "B's comment marked liked, the menu closed")
		eval[bool](b, `(async () => (await document.getElementById('dm-video').play(), true))()`)
		a.wait(fmt.Sprintf(`document.querySelector('#dm-stage .dm-item[data-id="%s"]')?.dataset.likes === '1'`, got.ID), "the like count on A's flying comment")
		a.wait(fmt.Sprintf(`document.querySelector('#dm-list .dm-entry[data-id="%s"] .dm-entry-likes')?.textContent === '1'`, got.ID), "the like count in A's list")
		// And the other way, from the list: A likes the first comment there.
		a.click(fmt.Sprintf(`#dm-list .dm-entry[data-id="%s"] .dm-entry-like`, firstID))
		a.wait(fmt.Sprintf(`document.querySelector('#dm-list .dm-entry[data-id="%s"]').classList.contains('dm-entry-liked')`, firstID), "A's entry marked liked")
		b.wait(fmt.Sprintf(`document.querySelector('#dm-list .dm-entry[data-id="%s"] .dm-entry-likes')?.textContent === '1'`, firstID), "the like count in B's list")
	})

	step(t, "5 hiding top comments keeps them off B's screen, also after a reload", func(t *testing.T) {
		a, b := a.in(t), b.in(t)
		b.click(".dm-settings-menu > summary")
		b.click("#dm-set-hide-top")
		b.wait(`document.getElementById('dm-set-hide-top').checked`, "the setting to be on")
		for round := 1; round <= 2; round++ {
			if round == 2 {
				b.reload()
				b.waitConnected()
				on := eval[bool](b, `document.getElementById('dm-set-hide-top').checked &&
					JSON.parse(localStorage.getItem('danmaku.settings.v1')).hideModes.top === true`)
				if !on {
					t.Fatal("the setting did not survive the reload")
				}
				b.playVideo(2)
			}
			hidden, after := fmt.Sprintf("top secret %d", round), fmt.Sprintf("after the top one %d", round)
			a.sendComment(hidden, "top")
			if own := a.seen(hidden, true); own.Mode != "top" {
				t.Fatalf("A's own comment has mode %q, want top", own.Mode)
			}
			a.sendComment(after, "scroll")
			b.seen(after, false) // sent after the top one, so that has had its chance
			for _, e := range b.seenAll() {
				if e.Text == hidden || e.Mode == "top" {
					t.Fatalf("round %d: B showed a top comment: %+v", round, e)
				}
			}
		}
	})

	step(t, "blocked words keep comments off B's screen and list", func(t *testing.T) {
		a, b := a.in(t), b.in(t)
		b.click(".dm-settings-menu > summary") // the reload in step 5 closed the settings
		b.run(chromedp.SendKeys(chromedp.ID("dm-set-keywords"), "SPOILER"))
		eval[bool](b, `(document.activeElement.blur(), true)`) // the list of words is saved when the field is left
		b.wait(`JSON.parse(localStorage.getItem('danmaku.settings.v1')).blockedKeywords[0] === 'SPOILER'`, "the word saved")
		hidden, after := "the butler did it, spoiler alert", "after the hidden one"
		a.sendComment(hidden, "scroll")
		a.sendComment(after, "scroll")
		b.seen(after, false)
		for _, e := range b.seenAll() {
			if e.Text == hidden {
				t.Fatalf("B showed a comment with a blocked word: %+v", e)
			}
		}
		// The list draws only the rows in view: ask it about both, then
		// bring the one it shows into view.
		listed := eval[map[string]bool](b, `Object.fromEntries(document.getElementById('dm-list').commentList.entries
			.map((e) => [e.c.text, e.visible]))`)
		if !listed[after] || listed[hidden] {
			t.Fatalf("list visibility: %q shown %t, %q shown %t", after, listed[after], hidden, listed[hidden])
		}
		id := b.seen(after, false).ID
		if !eval[bool](b, `(() => { const row = document.getElementById('dm-list').commentList.reveal(`+jsString(id)+`); return !!row && row.offsetParent !== null; })()`) {
			t.Fatal("the listed comment cannot be brought into view")
		}
		b.click(".dm-settings-menu > summary") // close the settings again
	})

	step(t, "a rejected comment disappears and the reason shows by the send bar", func(t *testing.T) {
		a := a.in(t)
		text := "ding\u0007dong" // the server refuses control characters; the page lets the server decide
		eval[bool](a, `(document.getElementById('dm-input').value = `+jsString(text)+`, true)`)
		a.click("#dm-send")
		a.seen(text, true)
		a.wait(`document.getElementById('dm-compose-error').textContent.includes('control characters')`, "the reason next to the bar")
		a.wait(`![...document.querySelectorAll('#dm-stage .dm-own .dm-text, #dm-list .dm-entry-text')].some((e) => e.textContent === `+jsString(text)+`)`,
			"the refused comment to go")
	})

	step(t, "clicking a list entry seeks the video there", func(t *testing.T) {
		b := b.in(t)
		stored := findComment(t, s.URL(), "watch", first)
		b.click(fmt.Sprintf(`#dm-list .dm-entry[data-id="%d"] .dm-entry-text`, stored.ID))
		b.wait(fmt.Sprintf(`Math.abs(document.getElementById('dm-video').currentTime - %g) < 1`, stored.Time.Float()-0.5), "the video at the comment's time")
		b.wait(fmt.Sprintf(`document.querySelector('#dm-list .dm-entry[data-id="%d"]').classList.contains('dm-entry-current')`, stored.ID), "the entry highlighted")
	})

	step(t, "pausing the video freezes the comments; playing moves them again", func(t *testing.T) {
		b := b.in(t)
		items := `[...document.querySelectorAll('#dm-stage .dm-item')]`
		b.wait(items+`.length > 0`, "comments on screen")
		eval[bool](b, `(document.getElementById('dm-video').pause(), true)`)
		b.wait(items+`.every((e) => e.getAnimations().every((a) => a.playState === 'paused')) && document.getElementById('dm-stage').classList.contains('dm-paused')`, "frozen comments")
		eval[bool](b, `(async () => (await document.getElementById('dm-video').play(), true))()`)
		b.wait(items+`.some((e) => e.getAnimations().some((a) => a.playState === 'running'))`, "moving comments")
	})

	step(t, "fullscreen takes the player and its comments", func(t *testing.T) {
		a := a.in(t)
		a.click("#dm-fullscreen")
		a.wait(`document.fullscreenElement?.id === 'dm-theater' && document.fullscreenElement.contains(document.getElementById('dm-stage'))`, "the theater in fullscreen")
		a.wait(`Math.abs(document.getElementById('dm-stage').getBoundingClientRect().width - window.innerWidth) < 2`, "the overlay spanning the screen")
		eval[bool](a, `(async () => (await document.exitFullscreen(), true))()`)
	})

	for _, p := range []*tab{a, b} {
		p.in(t).checkClean()
	}
}
