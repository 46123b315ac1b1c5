package web

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/danmaku/danmaku/app"
	"github.com/danmaku/danmaku/app/apptest"
	"github.com/danmaku/danmaku/app/auth"
	"github.com/danmaku/danmaku/plugins"
)

// TestViewerControls plays the player's controls and settings on a real
// room: the heat curve drawn from the server's counts and seeking where
// its peak is; the keyboard shortcuts and their help; Esc and a click
// outside closing popovers; the shield level; the on-screen cap and its
// hint; the subtitle strip in all three modes. Steps build on each other.
func TestViewerControls(t *testing.T) {
	needBrowser(t)
	s := apptest.Start(t)
	apptest.CreateRoom(t, s.URL(), "hot", "vod")
	// A peak at 40 s, a few comments elsewhere.
	postComments(t, s.URL(), "hot", 12, 40.2)
	postComments(t, s.URL(), "hot", 2, 10)
	p := openRoom(t, "viewer", s.URL()+"/rooms/hot")

	step(t, "the heat curve is drawn from the server's counts and a click on its peak seeks there", func(t *testing.T) {
		p := p.in(t)
		p.wait(`document.querySelector('#dm-heat path').getAttribute('d')?.startsWith('M') && document.getElementById('dm-heat').dataset.peak === '12'`, "the curve")
		// The path's highest point is the peak: where along the bar is it?
		peakAt := eval[float64](p, `(() => {
			const pts = [...document.querySelector('#dm-heat path').getAttribute('d').matchAll(/L([\d.]+),([\d.]+)/g)].map((m) => [+m[1], +m[2]]);
			const top = pts.reduce((a, b) => (b[1] < a[1] ? b : a));
			return top[0] / 1000 * document.getElementById('dm-video').duration;
		})()`)
		if peakAt < 39 || peakAt > 42 {
			t.Fatalf("the curve peaks at %.1f s, want about 40", peakAt)
		}
		at := eval[[]float64](p, fmt.Sprintf(`(() => {
			const r = document.getElementById('dm-heat').getBoundingClientRect(), s = document.getElementById('dm-scrub').getBoundingClientRect();
			return [r.left + r.width * %g / document.getElementById('dm-video').duration, s.bottom - 8];
		})()`, peakAt))
		p.run(chromedp.MouseClickXY(at[0], at[1]))
		p.wait(`Math.abs(document.getElementById('dm-video').currentTime - 40.5) < 2`, "the video at the peak")
	})

	step(t, "shortcuts: space plays and pauses, arrows seek, d hides the comments, Enter goes to the box, ? lists them", func(t *testing.T) {
		p := p.in(t)
		eval[bool](p, `(document.activeElement.blur(), document.getElementById('dm-video').muted = true, true)`)
		p.run(chromedp.KeyEvent(" "))
		p.wait(`!document.getElementById('dm-video').paused`, "space to play")
		p.run(chromedp.KeyEvent(" "))
		p.wait(`document.getElementById('dm-video').paused && document.getElementById('dm-play').dataset.state === 'paused'`, "space to pause")
		t0 := eval[float64](p, `document.getElementById('dm-video').currentTime`)
		p.run(chromedp.KeyEvent(kb.ArrowRight))
		p.wait(fmt.Sprintf(`Math.abs(document.getElementById('dm-video').currentTime - %g) < 0.3`, t0+5), "→ to seek 5 s on")
		p.run(chromedp.KeyEvent(kb.ArrowLeft), chromedp.KeyEvent(kb.ArrowLeft))
		p.wait(fmt.Sprintf(`Math.abs(document.getElementById('dm-video').currentTime - %g) < 0.3`, t0-5), "← to seek back")
		p.run(chromedp.KeyEvent("d"))
		p.wait(`document.getElementById('dm-stage').classList.contains('dm-hidden') && document.getElementById('dm-toggle').getAttribute('aria-pressed') === 'false'`, "d to hide the comments")
		p.run(chromedp.KeyEvent("d"))
		p.wait(`!document.getElementById('dm-stage').classList.contains('dm-hidden')`, "d to show them again")
		p.run(chromedp.KeyEvent(kb.Enter))
		p.wait(`document.activeElement.id === 'dm-input'`, "Enter to focus the send box")
		p.run(chromedp.KeyEvent("d")) // typed into the box, not a shortcut
		if v := eval[string](p, `document.getElementById('dm-input').value`); v != "d" || eval[bool](p, `document.getElementById('dm-stage').classList.contains('dm-hidden')`) {
			t.Fatalf("typing d in the box: value %q, and the comments hid", v)
		}
		eval[bool](p, `(document.getElementById('dm-input').value = '', document.activeElement.blur(), true)`)
		p.run(chromedp.KeyEvent("?"))
		p.wait(`document.getElementById('dm-help').open && document.getElementById('dm-keys').textContent.includes('Play or pause')`, "? to list the shortcuts")
	})

	step(t, "Esc and a click outside close popovers", func(t *testing.T) {
		p := p.in(t)
		p.run(chromedp.KeyEvent(kb.Escape))
		p.wait(`!document.getElementById('dm-help').open && document.activeElement === document.querySelector('#dm-help > summary')`, "Esc to close the help, the focus back on its button")
		for _, sel := range []string{".dm-settings-menu", ".dm-speed-menu", "#dm-form .dm-style"} {
			p.click(sel + " > summary")
			p.wait(`document.querySelector(`+jsString(sel)+`).open`, sel+" open")
			p.run(chromedp.KeyEvent(kb.Escape))
			p.wait(`!document.querySelector(`+jsString(sel)+`).open`, "Esc to close "+sel)
		}
		p.click(".dm-settings-menu > summary")
		p.click(".dm-side-head h2")
		p.wait(`!document.querySelector('.dm-settings-menu').open`, "a click outside to close the settings")
		p.click(".dm-settings-menu > summary")
		p.click(".dm-speed-menu > summary")
		p.wait(`!document.querySelector('.dm-settings-menu').open && document.querySelector('.dm-speed-menu').open`, "one popover at a time")
		p.run(chromedp.KeyEvent(kb.Escape))
	})

	step(t, "the shield level hides low-weight comments, and a comment liked past it comes back", func(t *testing.T) {
		p := p.in(t)
		low := postComment(t, s.URL(), "hot", map[string]any{"text": "666666", "time": 20.5})
		high := postComment(t, s.URL(), "hot", map[string]any{"text": "this scene is beautifully shot", "time": 20.6})
		if low.Weight >= 4 || high.Weight < 4 {
			t.Fatalf("weights %d and %d: want the repeated one under 4, the sentence 4 or more", low.Weight, high.Weight)
		}
		p.setSlider("shield", 4)
		p.playVideo(20)
		p.seen(high.Text, false)
		p.wait(`document.getElementById('dm-video').currentTime > 22`, "the moment to pass")
		for _, e := range p.seenAll() {
			if e.Text == low.Text {
				t.Fatalf("the shield level let a comment of weight %d through", low.Weight)
			}
		}
		if listed := eval[bool](p, fmt.Sprintf(`!!document.querySelector('#dm-list .dm-entry[data-id="%d"]')`, low.ID)); listed {
			t.Error("the low-weight comment is listed")
		}
		// Three viewers like it: its weight passes the level, live.
		for range 3 {
			apptest.Call(t, apptest.HTTPClient(t), "POST", fmt.Sprintf("%s/api/comments/%d/like", s.URL(), low.ID), nil, nil)
		}
		eval[bool](p, `(document.getElementById('dm-video').pause(), true)`)
		p.wait(fmt.Sprintf(`!!document.querySelector('#dm-list .dm-entry[data-id="%d"]')`, low.ID), "the liked comment listed, once its weight passed the level")
		p.setSlider("shield", 0)
	})

	step(t, "the on-screen cap keeps the screen to its number, and the hint says how many did not fit", func(t *testing.T) {
		p := p.in(t)
		postComments(t, s.URL(), "hot", 30, 30.1)
		p.setSlider("maxOnScreen", 10)
		p.selectOption("density", "low")
		eval[bool](p, `(window.__most = 0, (function count() { window.__most = Math.max(window.__most, document.querySelectorAll('#dm-stage .dm-item').length); requestAnimationFrame(count); })(), true)`)
		p.playVideo(29.5)
		p.wait(`document.getElementById('dm-video').currentTime > 31`, "the burst")
		p.wait(`!document.getElementById('dm-hidden-hint').hidden && /^\d+ hidden$/.test(document.getElementById('dm-hidden-hint').textContent)`, "the hint")
		hidden := eval[string](p, `document.getElementById('dm-hidden-hint').textContent`)
		if most := eval[int](p, `window.__most`); most > 10 {
			t.Errorf("%d comments were on screen at once, the cap is 10", most)
		}
		var n int
		fmt.Sscan(hidden, &n)
		if n < 20 {
			t.Errorf("the hint says %q: 30 came and at most 10 showed", hidden)
		}
		eval[bool](p, `(document.getElementById('dm-video').pause(), true)`)
		p.setSlider("maxOnScreen", 0)
		p.selectOption("density", "normal")
	})

	step(t, "the subtitle strip stays free in all three modes", func(t *testing.T) {
		p := p.in(t)
		for i, mode := range []string{"scroll", "top", "bottom", "bottom", "bottom", "top", "scroll", "bottom"} {
			postComment(t, s.URL(), "hot", map[string]any{"text": fmt.Sprintf("%s comment %d", mode, i), "mode": mode, "time": 50.1})
		}
		p.playVideo(49.8)
		p.wait(`document.querySelectorAll('#dm-stage .dm-item.dm-bottom').length >= 3`, "bottom comments on screen")
		eval[bool](p, `(document.getElementById('dm-video').pause(), true)`)
		got := eval[map[string]float64](p, `(() => {
			const stage = document.getElementById('dm-stage').getBoundingClientRect();
			const out = {};
			for (const e of document.querySelectorAll('#dm-stage .dm-item')) out[e.dataset.mode] = Math.max(out[e.dataset.mode] ?? 0, (e.getBoundingClientRect().bottom - stage.top) / stage.height);
			return out;
		})()`)
		if len(got) != 3 {
			t.Fatalf("modes on screen: %v, want all three", got)
		}
		for mode, bottom := range got {
			if bottom > 0.85 {
				t.Errorf("a %s comment reaches %.0f%% of the height, into the subtitle strip", mode, bottom*100)
			}
		}
	})
	p.checkClean()
}

// setSlider sets settings slider #dm-set-<name> to v as a viewer would
// (input, then change), in the settings popover, and checks its value shows.
func (p *tab) setSlider(name string, v float64) {
	p.t.Helper()
	p.click(".dm-settings-menu > summary")
	p.wait(`document.querySelector('.dm-settings-menu').open`, "the settings")
	eval[bool](p, fmt.Sprintf(`(() => {
		const s = document.getElementById('dm-set-%s');
		s.value = '%g';
		s.dispatchEvent(new Event('input', {bubbles: true}));
		s.dispatchEvent(new Event('change', {bubbles: true}));
		return true;
	})()`, name, v))
	p.wait(fmt.Sprintf(`JSON.parse(localStorage.getItem('danmaku.settings.v1')).%s === %g && document.getElementById('dm-set-%s-value').value !== ''`, name, v, name), "the setting saved and its value shown")
	p.run(chromedp.KeyEvent(kb.Escape))
}

// selectOption picks value in settings select #dm-set-<name>.
func (p *tab) selectOption(name, value string) {
	p.t.Helper()
	eval[bool](p, fmt.Sprintf(`(() => { const s = document.getElementById('dm-set-%s'); s.value = %s; s.dispatchEvent(new Event('change')); return true; })()`, name, jsString(value)))
}

// TestRefusalsAreClear: a refused comment and a held one keep their text
// in the box with the reason; a held one says it waits for a moderator.
func TestRefusalsAreClear(t *testing.T) {
	needBrowser(t)
	pcfg, err := plugins.ParseConfig([]byte(`plugins: [{name: wordfilter, config: {words: [darn], action: reject}}, {name: nospoilers, config: {words: [ending]}}]`))
	if err != nil {
		t.Fatal(err)
	}
	s := apptest.Start(t, func(c *app.Config) { c.Plugins = pcfg })
	p := openRoom(t, "viewer", s.URL()+"/rooms/demo")
	for _, tc := range []struct{ text, says string }{
		{"well darn it", "blocked"},
		{"the ending is sad", "Waiting for a moderator"},
	} {
		p.sendComment(tc.text, "")
		p.wait(`document.getElementById('dm-compose-error').textContent.includes(`+jsString(tc.says)+`)`, "the reason by the box")
		if v := eval[string](p, `document.getElementById('dm-input').value`); v != tc.text {
			t.Errorf("after %q was refused the box holds %q", tc.text, v)
		}
		eval[bool](p, `(document.getElementById('dm-input').value = '', true)`)
	}
	p.sendComment("a fine comment", "")
	p.wait(`document.getElementById('dm-input').value === '' && document.getElementById('dm-compose-error').textContent === ''`, "a sent comment to clear the box")
	p.checkClean()
}

// TestBanInPlainWords: a viewer banned while watching is told so in plain
// words, with the end in their own time, and the page stops; reloading
// shows the same, with one connection attempt and no loop.
func TestBanInPlainWords(t *testing.T) {
	needBrowser(t)
	pcfg, err := plugins.ParseConfig([]byte(`plugins: [blocklist]`))
	if err != nil {
		t.Fatal(err)
	}
	s := apptest.Start(t, func(c *app.Config) { c.Plugins = pcfg })
	troll := auth.Identity{ID: "troll", Name: "Troll", Roles: []string{auth.RoleViewer}}
	p := newTab(t, "troll")
	p.signIn(s.URL(), troll)
	sockets := recordSockets(p)
	p.open(s.URL() + "/rooms/demo")
	p.waitConnected()

	var res struct {
		Ban struct {
			Until string `json:"until"`
		}
	}
	if status := apptest.Call(t, apptest.ModeratorClient(t), "POST", s.URL()+"/api/admin/bans",
		map[string]any{"user_id": troll.ID, "room": "demo", "reason": "spam", "duration": "1h"}, &res); status != http.StatusCreated {
		t.Fatalf("ban: %d", status)
	}
	want := eval[string](p, fmt.Sprintf(`'Banned from this room until ' + new Date(%s).toLocaleTimeString() + ': spam'`, jsString(res.Ban.Until)))
	check := func(what string) {
		t.Helper()
		p.wait(`document.getElementById('dm-status').dataset.state === 'banned' && document.getElementById('dm-status').textContent === 'Banned' &&
			document.getElementById('dm-compose-error').textContent === `+jsString(want)+` && document.getElementById('dm-send').disabled`, what)
		opened := len(sockets())
		time.Sleep(3 * time.Second) // long enough for two reconnect attempts, were there any
		if again := len(sockets()) - opened; again != 0 {
			t.Errorf("%s: %d more sockets after the ban, want none", what, again)
		}
	}
	check("the ban in plain words")
	if n := len(sockets()); n != 1 {
		t.Errorf("%d sockets before the reload, want 1", n)
	}
	p.reload()
	check("the ban in plain words after a reload")
	if n := len(sockets()); n != 2 {
		t.Errorf("%d sockets in all, want one per page load", n)
	}
	if strings.Contains(want, "Z") {
		t.Errorf("the ban's end is not in local time: %q", want)
	}
	p.checkClean()
}

// TestReducedMotion: with prefers-reduced-motion, comments appear in place
// without scrolling.
func TestReducedMotion(t *testing.T) {
	needBrowser(t)
	s := apptest.Start(t)
	apptest.CreateRoom(t, s.URL(), "calm", "vod")
	postComment(t, s.URL(), "calm", map[string]any{"text": "no need to chase me", "mode": "scroll", "time": 1})
	p := newTab(t, "calm")
	p.run(chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{{Name: "prefers-reduced-motion", Value: "reduce"}},
		})
		return err
	}))
	p.open(s.URL() + "/rooms/calm")
	p.waitConnected()
	if !eval[bool](p, `matchMedia('(prefers-reduced-motion: reduce)').matches`) {
		t.Fatal("the emulated media does not apply")
	}
	p.playVideo(0.8)
	sel := `document.querySelector('#dm-stage .dm-item[data-mode="scroll"]')`
	p.wait(sel, "the comment")
	x0 := eval[float64](p, sel+`.getBoundingClientRect().x`)
	p.wait(`document.getElementById('dm-video').currentTime > 2.5`, "a second and more to pass")
	if x1 := eval[float64](p, sel+`.getBoundingClientRect().x`); x1 != x0 {
		t.Errorf("the comment moved from %g to %g", x0, x1)
	}
	p.checkClean()
}
