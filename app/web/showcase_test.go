package web

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/danmaku/danmaku/app/apptest"
)

// showcase is a busy moment of a room: every mode, colours, sizes, CJK
// text, a burst of duplicates, and likes. Times are seconds into the video.
var showcase = []struct {
	at          float64
	text, mode  string
	color, size string
	likes       int
}{
	{10.0, "哈哈哈哈哈哈", "scroll", "#ffffff", "medium", 0},
	{10.2, "this pattern is hypnotic", "scroll", "#ffffff", "medium", 2},
	{10.5, "23333333", "scroll", "#ffd302", "medium", 0},
	{10.8, "弹幕护体", "scroll", "#ffffff", "large", 0},
	{11.0, "colour bars never get old", "scroll", "#00a2ff", "medium", 0},
	{11.3, "第一次看到这么整齐的彩条", "scroll", "#ffffff", "medium", 5},
	{11.6, "beep beep beep", "scroll", "#00cd00", "medium", 0},
	{11.9, "who else is watching at 3am", "scroll", "#ffffff", "small", 0},
	{12.2, "泪目了", "scroll", "#ffffff", "medium", 0},
	{12.4, "the counter is in sync with the comments!", "scroll", "#ffaa02", "medium", 3},
	{12.7, "卧槽", "scroll", "#ffffff", "large", 0},
	{12.9, "hello from Berlin", "scroll", "#ffffff", "medium", 0},
	{13.1, "nice", "scroll", "#ffffff", "medium", 0},
	{13.3, "nice", "scroll", "#ffffff", "medium", 0},
	{13.6, "Nice!", "scroll", "#ffffff", "medium", 0},
	{13.8, "打卡", "scroll", "#ff7204", "small", 0},
	{14.0, "前方高能", "top", "#fe0302", "large", 0},
	{14.1, "red is my favourite bar", "scroll", "#fe0302", "medium", 0},
	{14.4, "好看", "scroll", "#ffffff", "medium", 0},
	{14.6, "so smooth", "scroll", "#ffffff", "medium", 0},
	{14.8, "名场面", "bottom", "#ffd302", "medium", 4},
	{15.0, "加油", "scroll", "#ff7204", "medium", 0},
	{15.2, "完美同步", "top", "#00cd00", "medium", 0},
	{15.3, "lol", "scroll", "#ffffff", "medium", 0},
	{15.5, "下次一定", "bottom", "#ffffff", "medium", 0},
	{15.6, "the magenta one is underrated", "scroll", "#cc0273", "medium", 0},
	{15.8, "草", "scroll", "#ffffff", "medium", 0},
	{16.0, "replay brought me here", "scroll", "#00a2ff", "small", 0},
	{16.1, "好家伙", "scroll", "#ffffff", "medium", 1},
	{16.3, "tick tock", "scroll", "#ffffff", "medium", 0},
}

// TestRoomShowcase fills a real room page with comments of every kind and
// checks how the overlay lays them out: all modes at once, merged
// duplicates, likes, the viewer's own comment outlined, and no two
// comments overlapping. With DANMAKU_SCREENSHOT=path it saves the page as
// a PNG (docs/screenshot-room.png in the README comes from here), and with
// DANMAKU_SCREENSHOT_MENU=path the page with a comment's menu open
// (docs/screenshot-menu.png).
func TestRoomShowcase(t *testing.T) {
	needBrowser(t)
	s := apptest.Start(t)
	status := apptest.Call(t, apptest.ModeratorClient(t), "POST", s.URL()+"/api/rooms", map[string]string{
		"id": "movie-night", "title": "Movie night: the test pattern", "kind": "vod", "video_url": "/assets/video/demo.mp4",
	}, nil)
	if status != 201 {
		t.Fatalf("creating the room: %d", status)
	}
	for _, c := range showcase {
		stored := postComment(t, s.URL(), "movie-night", map[string]any{"text": c.text, "time": c.at, "mode": c.mode, "color": c.color, "size": c.size})
		for range c.likes {
			apptest.Call(t, apptest.HTTPClient(t), "POST", fmt.Sprintf("%s/api/comments/%d/like", s.URL(), stored.ID), nil, nil)
		}
	}

	p := newTab(t, "showcase")
	p.run(chromedp.EmulateViewport(1280, 760))
	p.open(s.URL() + "/rooms/movie-night")
	p.waitConnected()
	p.wait(fmt.Sprintf(`document.getElementById('dm-list').dataset.count === '%d'`, len(showcase)), "the list")
	p.playVideo(9.5)
	eval[bool](p, `(document.getElementById('dm-video').playbackRate = 2, true)`) // the overlay follows; it fills up sooner
	p.wait(`document.getElementById('dm-video').currentTime > 12.5`, "the busy part")
	p.sendComment("我的弹幕 · my own comment", "scroll")
	fps := eval[float64](p, `new Promise((resolve) => {
		let n = 0;
		const t0 = performance.now();
		const step = () => (++n, performance.now() - t0 < 1000 ? requestAnimationFrame(step) : resolve(n * 1000 / (performance.now() - t0)));
		requestAnimationFrame(step);
	})`)
	p.wait(`document.getElementById('dm-video').currentTime > 16.6`, "the last comments")
	eval[bool](p, `(document.getElementById('dm-video').pause(), true)`)
	p.wait(`document.getElementById('dm-stage').classList.contains('dm-paused')`, "the overlay to freeze")

	type box struct {
		Text, Mode, Count, Likes string
		Own                      bool
		L, T, R, B               float64
	}
	boxes := eval[[]box](p, `[...document.querySelectorAll('#dm-stage .dm-item')].map((e) => {
		const r = e.getBoundingClientRect();
		return { Text: e.querySelector('.dm-text').textContent, Mode: e.dataset.mode, Count: e.dataset.count ?? '',
			Likes: e.dataset.likes ?? '', Own: e.classList.contains('dm-own'), L: r.left, T: r.top, R: r.right, B: r.bottom };
	})`)
	t.Logf("%d comments on screen, %.0f frames/s while they moved", len(boxes), fps)
	modes := map[string]int{}
	var merged, liked, own bool
	for i, a := range boxes {
		modes[a.Mode]++
		merged = merged || a.Text == "nice" && a.Count == "3"
		liked = liked || a.Likes != ""
		own = own || a.Own
		for _, b := range boxes[i+1:] {
			// Rects of one lane may touch by a rounding pixel; a real overlap is more.
			if a.L < b.R-1 && b.L < a.R-1 && a.T < b.B-1 && b.T < a.B-1 {
				t.Errorf("%q and %q overlap", a.Text, b.Text)
			}
		}
	}
	if len(boxes) < 20 || modes["scroll"] == 0 || modes["top"] == 0 || modes["bottom"] == 0 {
		t.Errorf("want a full screen with every mode, got %d comments by mode %v", len(boxes), modes)
	}
	if !merged || !liked || !own {
		t.Errorf("want the merged ×3, a like count and the own comment on screen: merged %t, liked %t, own %t", merged, liked, own)
	}
	p.saveScreenshot("DANMAKU_SCREENSHOT")

	// The comment menu, opened by resting the mouse on a comment.
	sel := `[...document.querySelectorAll('#dm-stage .dm-item:not(.dm-own)')].find((e) => e.textContent.startsWith('the counter is in sync'))`
	at := eval[[]float64](p, `(() => { const r = (`+sel+`).getBoundingClientRect(); return [r.x + r.width / 3, r.y + r.height / 2]; })()`)
	p.run(chromedp.MouseEvent(chromedp.MouseMoved, at[0], at[1]))
	p.wait(`!document.querySelector('.dm-menu').hidden && (`+sel+`).classList.contains('dm-held')`, "the menu on the comment")
	p.saveScreenshot("DANMAKU_SCREENSHOT_MENU")
	p.checkClean()
}

// saveScreenshot saves the tab's viewport as a PNG where the environment
// variable env says, if it is set (README's pictures come from here).
func (p *tab) saveScreenshot(env string) {
	p.t.Helper()
	path := os.Getenv(env)
	if path == "" {
		return
	}
	if !filepath.IsAbs(path) {
		path = filepath.Join(apptest.RepoRoot(p.t), path)
	}
	if err := os.WriteFile(path, p.screenshot(), 0o644); err != nil {
		p.t.Fatal(err)
	}
	p.t.Logf("screenshot saved to %s", path)
}

// screenshot captures the tab's viewport as a PNG.
func (p *tab) screenshot() []byte {
	p.t.Helper()
	b, err := chromedp.Run(p.ctx, chromedp.CaptureScreenshot())
	if err != nil {
		p.t.Fatalf("%s: screenshot: %v", p.name, err)
	}
	return b
}
