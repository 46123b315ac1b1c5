package web

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/danmaku/danmaku/app/apptest"
	"github.com/danmaku/danmaku/app/protocol"
)

// TestCommentMenu plays the comment menu's scenarios on a real server with
// two viewers: hovering a flying comment holds it and opens the menu;
// like and unlike from the menu, remembered across reloads; copy; report
// (the moderators' queue has it); block a user; recall one's own comment,
// gone from the other viewer's page within 2 s and from replay.
func TestCommentMenu(t *testing.T) {
	needBrowser(t)
	s := apptest.Start(t)
	apptest.CreateRoom(t, s.URL(), "menu", "vod")
	url := s.URL() + "/rooms/menu"
	troll := apptest.HTTPClient(t)
	liked := postComment(t, s.URL(), "menu", map[string]any{"text": "like me, then change your mind", "time": 1})
	spoiler := postComment(t, s.URL(), "menu", map[string]any{"text": "the butler did it", "time": 1.2})
	var trolled protocol.Comment
	apptest.Call(t, troll, "POST", s.URL()+"/api/rooms/menu/comments", map[string]any{"text": "troll troll troll", "time": 1.4}, &trolled)
	a := openRoom(t, "A", url)
	b := openRoom(t, "B", url)
	entry := func(id int64) string {
		return fmt.Sprintf(`document.querySelector('#dm-list .dm-entry[data-id="%d"]')`, id)
	}

	step(t, "hovering a flying comment holds it and opens its menu", func(t *testing.T) {
		b := b.in(t)
		b.playVideo(0.8)
		sel := fmt.Sprintf(`document.querySelector('#dm-stage .dm-item[data-id="%d"]')`, liked.ID)
		b.wait(`(() => { const r = `+sel+`?.getBoundingClientRect(), box = document.getElementById('dm-stage').getBoundingClientRect();
			return r && r.right < box.right - 30 && r.left > box.left + 30; })()`, "the comment well on screen")
		at := eval[[]float64](b, `(() => { const r = `+sel+`.getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2]; })()`)
		b.run(chromedp.MouseEvent(chromedp.MouseMoved, at[0], at[1]))
		b.wait(`!document.querySelector('.dm-menu').hidden && `+sel+`.classList.contains('dm-held')`, "the menu, the comment held")
		x0 := eval[float64](b, sel+`.getBoundingClientRect().x`)
		b.wait(`document.getElementById('dm-video').currentTime > 2.5`, "the video to play on")
		if x1 := eval[float64](b, sel+`.getBoundingClientRect().x`); x1 != x0 {
			t.Errorf("the held comment moved from %g to %g", x0, x1)
		}
		items := eval[[]string](b, `[...document.querySelectorAll('.dm-menu button')].map((b) => b.dataset.action)`)
		if fmt.Sprint(items) != "[like copy report block]" {
			t.Errorf("menu items %v, want like, copy, report and block (no recall: not theirs)", items)
		}
		b.run(chromedp.MouseEvent(chromedp.MouseMoved, 5, 5))
		b.wait(`document.querySelector('.dm-menu').hidden && !document.querySelector('.dm-held')`, "the menu to close and the comment to go on")
		eval[bool](b, `(document.getElementById('dm-video').pause(), true)`)
	})

	step(t, "like and unlike from the menu, remembered across reloads", func(t *testing.T) {
		b := b.in(t)
		b.menuAction(liked.ID, "like", "")
		b.wait(entry(liked.ID)+`.classList.contains('dm-entry-liked') && `+entry(liked.ID)+`.dataset.likes === '1'`, "the entry liked")
		b.reload()
		b.waitConnected()
		b.wait(entry(liked.ID)+`?.classList.contains('dm-entry-liked')`, "the like remembered after a reload")
		if label := eval[string](b, `document.querySelector('.dm-menu') && `+entry(liked.ID)+`.querySelector('.dm-entry-like').getAttribute('aria-label')`); label != "Unlike “like me, then change your mind”" {
			t.Errorf("the like button is named %q", label)
		}
		b.menuAction(liked.ID, "like", "")
		b.wait(`!`+entry(liked.ID)+`.classList.contains('dm-entry-liked') && `+entry(liked.ID)+`.dataset.likes === '0'`, "the like taken back")
		b.reload()
		b.waitConnected()
		b.wait(entry(liked.ID)+` && !`+entry(liked.ID)+`.classList.contains('dm-entry-liked')`, "the unlike remembered after a reload")
	})

	step(t, "copy puts the text on the clipboard", func(t *testing.T) {
		b := b.in(t)
		b.menuAction(spoiler.ID, "copy", "")
		b.wait(`document.getElementById('dm-toast').textContent === 'Copied'`, "the toast")
	})

	step(t, "report: the moderators' queue has it with the reason", func(t *testing.T) {
		b := b.in(t)
		b.menuAction(spoiler.ID, "report", "spoiler")
		b.wait(`document.getElementById('dm-toast').textContent.startsWith('Reported as a spoiler')`, "the toast")
		var queue struct {
			Comments []struct {
				ID      int64            `json:"id"`
				Reports int64            `json:"reports"`
				Reasons map[string]int64 `json:"reasons"`
			}
		}
		if status := apptest.Call(t, apptest.ModeratorClient(t), "GET", s.URL()+"/api/admin/reports", nil, &queue); status != http.StatusOK ||
			len(queue.Comments) != 1 || queue.Comments[0].ID != spoiler.ID || queue.Comments[0].Reasons["spoiler"] != 1 {
			t.Fatalf("reported queue: %d %+v", status, queue)
		}
	})

	step(t, "block this user: their comments leave the screen and the list, also after a reload", func(t *testing.T) {
		b := b.in(t)
		b.menuAction(trolled.ID, "block", "")
		b.wait(`!`+entry(trolled.ID)+` && JSON.parse(localStorage.getItem('danmaku.settings.v1')).blockedUsers[0]?.id === `+jsString(trolled.User.ID), "the user blocked")
		b.reload()
		b.waitConnected()
		apptest.Call(t, troll, "POST", s.URL()+"/api/rooms/menu/comments", map[string]any{"text": "troll again", "time": 2}, nil)
		after := postComment(t, s.URL(), "menu", map[string]any{"text": "after the troll", "time": 2.1})
		b.wait(entry(after.ID), "a later comment listed")
		if listed := eval[bool](b, `[...document.querySelectorAll('#dm-list .dm-entry-text')].some((e) => e.textContent.startsWith('troll'))`); listed {
			t.Error("the blocked user's comments are listed")
		}
		b.click(".dm-settings-menu > summary")
		b.wait(`document.querySelector('#dm-set-blocked li')?.dataset.user === `+jsString(trolled.User.ID), "the blocked user in the settings")
		b.click(".dm-settings-menu > summary")
	})

	step(t, "recall: one's own comment leaves the other page within 2 s, and the replay", func(t *testing.T) {
		a, b := a.in(t), b.in(t)
		a.sendComment("sent by mistake", "")
		idText := waitValue[string](a, `[...document.querySelectorAll('#dm-list .dm-entry')]
			.find((e) => e.querySelector('.dm-entry-text').textContent === 'sent by mistake' && /^\d+$/.test(e.dataset.id))?.dataset.id`, "A's comment acknowledged")
		id := mustID(t, idText)
		b.wait(entry(id), "B lists it")
		items := a.openMenu(id)
		if fmt.Sprint(items) != "[like copy recall]" {
			t.Errorf("own comment's menu %v, want like, copy and recall", items)
		}
		start := time.Now()
		a.click(`.dm-menu button[data-action="recall"]`)
		b.wait(`!`+entry(id)+` && !document.querySelector('#dm-stage .dm-item[data-id="`+idText+`"]')`, "the comment gone from B")
		if lag := time.Since(start); lag > 2*time.Second {
			t.Errorf("B dropped it %s after the recall, want within 2 s", lag)
		}
		a.wait(`!`+entry(id), "the comment gone from A")
		var out struct{ Comments []protocol.Comment }
		apptest.Call(t, apptest.HTTPClient(t), "GET", s.URL()+"/api/rooms/menu/comments", nil, &out)
		for _, c := range out.Comments {
			if c.Text == "sent by mistake" {
				t.Fatal("the recalled comment is still in the replay")
			}
		}
	})

	for _, p := range []*tab{a, b} {
		p.in(t).checkClean()
	}
}

// mustID reads a numeric comment id from the page.
func mustID(t *testing.T, s string) int64 {
	t.Helper()
	var id int64
	if _, err := fmt.Sscan(s, &id); err != nil {
		t.Fatalf("comment id %q is not a server id", s)
	}
	return id
}

// openMenu opens the comment menu from the list entry of comment id and
// returns its items' actions.
func (p *tab) openMenu(id int64) []string {
	p.t.Helper()
	btn := fmt.Sprintf(`#dm-list .dm-entry[data-id="%d"] .dm-entry-menu`, id)
	p.wait(fmt.Sprintf(`document.querySelector(%s)`, jsString(btn)), "the entry's menu button")
	eval[bool](p, fmt.Sprintf(`(document.querySelector(%s).scrollIntoView({block: 'center'}), true)`, jsString(btn)))
	p.click(btn)
	p.wait(`!document.querySelector('.dm-menu').hidden`, "the menu")
	return eval[[]string](p, `[...document.querySelectorAll('.dm-menu button')].map((b) => b.dataset.action)`)
}

// menuAction opens the menu of comment id from the list and picks action
// (and, for a report, reason).
func (p *tab) menuAction(id int64, action, reason string) {
	p.t.Helper()
	p.openMenu(id)
	p.click(fmt.Sprintf(`.dm-menu button[data-action=%q]`, action))
	if reason != "" {
		p.click(fmt.Sprintf(`.dm-menu button[data-reason=%q]`, reason))
	}
	p.wait(`document.querySelector('.dm-menu').hidden`, "the menu to close")
}
