package web

import (
	"fmt"
	"os"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/danmaku/danmaku/app/apptest"
	"github.com/danmaku/danmaku/app/auth"
)

// listed is the expression that is true while the room page lists a comment with text.
func listed(text string) string {
	return fmt.Sprintf(`[...document.querySelectorAll('#dm-list .dm-entry-text')].some((e) => e.textContent === %s)`, jsString(text))
}

// clickIn clicks the element sel from inside the page (the live feed may
// re-render between a DevTools lookup and its click).
func (p *tab) clickIn(sel string) {
	p.t.Helper()
	eval[bool](p, fmt.Sprintf(`(document.querySelector(%s).click(), true)`, jsString(sel)))
}

// setField sets a form field's value (or a checkbox's state) from inside the page.
func (p *tab) setField(id string, value any) {
	p.t.Helper()
	prop := "value"
	if _, ok := value.(bool); ok {
		prop = "checked"
	}
	eval[bool](p, fmt.Sprintf(`(() => { const e = document.getElementById(%s); e.%s = %s; e.dispatchEvent(new Event('change')); return true; })()`,
		jsString(id), prop, jsValue(value)))
}

func jsValue(v any) string {
	switch v := v.(type) {
	case string:
		return jsString(v)
	default:
		return fmt.Sprint(v)
	}
}

// TestLiveModerationInBrowser drives /admin in Chromium while a viewer
// watches the room in another browser: slow mode refuses a second comment
// with the reason in the send bar (and the bar shows the mode); a blocked
// term masks at once; a timeout refuses until it ends; a purge takes the
// user's comments off another viewer's screen. The audit log lists each.
// With DANMAKU_SCREENSHOT_ADMIN=path it saves /admin as README's picture.
func TestLiveModerationInBrowser(t *testing.T) {
	needBrowser(t)
	srv := apptest.Start(t)
	viewer := auth.Identity{ID: "fan", Name: "Fan", Roles: []string{auth.RoleViewer}}
	v := newTab(t, "fan")
	v.signIn(srv.URL(), viewer)
	v.open(srv.URL() + "/rooms/demo")
	v.waitConnected()
	other := openRoom(t, "other", srv.URL()+"/rooms/demo")

	m := newTab(t, "moderator")
	m.signIn(srv.URL(), moderator)
	m.open(srv.URL() + "/admin")
	m.wait(`document.getElementById('mod-status')?.dataset.state === 'open'`, "the live status")
	m.wait(`[...document.getElementById('modes-room').options].some((o) => o.value === 'demo')`, "the rooms in the modes picker")

	t.Run("slow mode", func(t *testing.T) {
		m, v := m.in(t), v.in(t)
		m.setField("modes-room", "demo")
		m.setField("mode-slow", "30")
		m.clickIn("#modes-apply")
		m.wait(`[...document.querySelectorAll('#modes-rows tr')].some((tr) => tr.textContent.includes('one comment every 30 s'))`, "slow mode listed")
		v.wait(`!document.getElementById('dm-modes').hidden && document.getElementById('dm-modes').textContent.includes('Slow mode: one comment every 30 s')`,
			"the mode in the viewer's send bar")
		v.sendComment("first in slow mode", "")
		v.wait(listed("first in slow mode")+` && document.getElementById('dm-input').value === ''`, "the first comment sent")
		v.sendComment("second too soon", "")
		v.wait(`document.getElementById('dm-compose-error').textContent.includes('Slow mode: one comment every 30 s; wait')`, "the refusal's reason by the box")
		if got := eval[string](v, `document.getElementById('dm-input').value`); got != "second too soon" {
			t.Errorf("the box holds %q after the refusal, want the text back", got)
		}
		eval[bool](v, `(document.getElementById('dm-input').value = '', true)`)
		m.setField("mode-slow", "0")
		m.clickIn("#modes-apply")
		v.wait(`document.getElementById('dm-modes').hidden`, "the send bar clear of modes")
	})

	t.Run("blocked term masks at once", func(t *testing.T) {
		m, v, other := m.in(t), v.in(t), other.in(t)
		m.setField("term-text", "spoil*")
		m.setField("term-action", "mask")
		eval[bool](m, `(document.getElementById('term-form').requestSubmit(), true)`)
		m.wait(`document.querySelector('#term-rows tr[data-term="spoil*"]') !== null`, "the term listed")
		v.sendComment("no spoilers please", "")
		other.wait(listed("no ******** please"), "the masked comment on another viewer's screen")
		if eval[bool](other, listed("no spoilers please")) {
			t.Error("the unmasked text reached another viewer")
		}
	})

	t.Run("timeout until it ends", func(t *testing.T) {
		m, v := m.in(t), v.in(t)
		m.setField("act-user", viewer.ID)
		m.setField("act-room", "demo")
		m.setField("act-duration", "10s")
		m.setField("act-reason", "cool off")
		m.clickIn("#act-timeout")
		m.wait(`document.getElementById('mod-message').textContent === 'Timed out fan.' && !document.getElementById('mod-undo').hidden`, "the timeout confirmed, with an undo")
		v.sendComment("am I timed out", "")
		v.wait(`document.getElementById('dm-compose-error').textContent.includes('A moderator timed you out until') && document.getElementById('dm-compose-error').textContent.includes('cool off')`,
			"the timeout's reason by the box")
		// The timeout ends by itself after 10 s: the same comment goes through then.
		eval[bool](v, `(document.getElementById('dm-input').value = '', true)`)
		until := eval[string](m, `fetch('/api/admin/live').then((r) => r.json()).then((l) => l.actions.find((a) => a.kind === 'timeout' && a.user_id === 'fan').until)`)
		waitValue[bool](v, fmt.Sprintf(`Date.now() > Date.parse(%s) + 200`, jsString(until)), "the timeout's end")
		v.sendComment("back after the timeout", "")
		v.wait(listed("back after the timeout")+` && document.getElementById('dm-compose-error').textContent === ''`, "a comment accepted once the timeout is over")
	})

	t.Run("purge leaves other screens", func(t *testing.T) {
		m, other := m.in(t), other.in(t)
		other.wait(listed("back after the timeout"), "the viewer's comment on another screen")
		m.setField("act-user", viewer.ID)
		m.setField("act-room", "demo")
		m.clickIn("#act-purge")
		m.wait(`document.getElementById('mod-message').textContent.startsWith('Purged ') && !document.getElementById('mod-undo').hidden`, "the purge confirmed, with an undo")
		other.wait(`!(`+listed("back after the timeout")+`) && !(`+listed("no ******** please")+`)`, "the purged comments gone from another viewer's list")
		// Undo brings them back.
		m.clickIn("#mod-undo")
		m.wait(`document.getElementById('mod-message').textContent.startsWith('Undone: Purged')`, "the purge undone")
		other.wait(listed("back after the timeout"), "the restored comment back on another viewer's screen")
	})

	t.Run("emergency mode in one click", func(t *testing.T) {
		m, v := m.in(t), v.in(t)
		m.setField("modes-room", "demo")
		m.clickIn("#mode-emergency")
		m.wait(`document.getElementById('mode-emergency').dataset.on === 'true' && document.getElementById('mode-emergency').textContent === 'End emergency mode'`, "the button turned to ending it")
		v.wait(`document.getElementById('dm-modes').textContent.includes('Emergency mode')`, "the mode in the viewer's send bar")
		v.sendComment("during the emergency", "")
		v.wait(`document.getElementById('dm-compose-error').textContent.includes('Emergency mode: every comment waits for a moderator')`, "the hold's reason by the box")
		m.wait(`[...document.querySelectorAll('#held-rows tr')].some((tr) => tr.textContent.includes('during the emergency'))`, "the comment in the held queue")
		m.clickIn("#mode-emergency")
		v.wait(`document.getElementById('dm-modes').hidden`, "the send bar clear again")
		eval[bool](v, `(document.getElementById('dm-input').value = '', true)`)
	})

	t.Run("audit log", func(t *testing.T) {
		m := m.in(t)
		m.clickIn("#audit-refresh")
		for _, action := range []string{"modes", "term_add", "timeout", "purge", "undo"} {
			m.wait(fmt.Sprintf(`document.querySelector('#audit-rows tr[data-action=%q]') !== null`, action), "the audit entry "+action)
		}
	})
	// README's picture of /admin: a room in slow mode, a blocked term, the actions.
	if os.Getenv("DANMAKU_SCREENSHOT_ADMIN") != "" {
		m.setField("mode-slow", "30")
		m.setField("mode-signed", true)
		m.clickIn("#modes-apply")
		m.wait(`[...document.querySelectorAll('#modes-rows tr')].some((tr) => tr.textContent.includes('Signed-in only'))`, "the modes listed")
		m.run(chromedp.EmulateViewport(1280, 1500))
		eval[bool](m, `(document.getElementById('mod-message').hidden = true, document.getElementById('mod-undo').hidden = true, window.scrollTo(0, 0), true)`)
		m.saveScreenshot("DANMAKU_SCREENSHOT_ADMIN")
	}
	v.checkClean()
	other.checkClean()
	m.checkClean()
}
