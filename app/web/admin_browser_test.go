package web

import (
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/danmaku/danmaku/app"
	"github.com/danmaku/danmaku/app/apptest"
	"github.com/danmaku/danmaku/plugins"
	_ "github.com/danmaku/danmaku/plugins/all" // the built-in plugins, as main.go registers them
)

// TestModerationPageInBrowser drives /admin of a real server in headless
// Chromium, under the strict CSP every test page gets: the held queue shows
// up live, approving from the page publishes the comment, and deleting it
// retracts it.
func TestModerationPageInBrowser(t *testing.T) {
	needBrowser(t)
	pcfg, err := plugins.ParseConfig([]byte(`plugins: [{name: nospoilers, config: {words: [spoiler]}}]`))
	if err != nil {
		t.Fatal(err)
	}
	srv := apptest.Start(t, func(c *app.Config) { c.Plugins = pcfg })
	post := func(body map[string]any) int { // as a new guest
		t.Helper()
		return apptest.Call(t, apptest.HTTPClient(t), "POST", srv.URL()+"/api/rooms/demo/comments", body, nil)
	}
	if status := post(map[string]any{"text": "spoiler: it was a dream", "time": 1}); status != http.StatusAccepted {
		t.Fatalf("held comment: status %d", status)
	}

	p := newTab(t, "moderator")
	p.signIn(srv.URL(), moderator)
	p.open(srv.URL() + "/admin")

	p.wait(`document.getElementById('mod-status')?.dataset.state === 'open'`, "the live status")
	p.wait(`[...document.querySelectorAll('#held-rows tr')].some((tr) => tr.textContent.includes('spoiler: it was a dream'))`, "the held comment in the queue")
	p.wait(`document.querySelectorAll('#plugin-rows tr').length === 1`, "the plugin counters")

	// Clicked from inside the page: the live feed may re-render the rows
	// between a DevTools node lookup and its click.
	eval[bool](p, `(document.querySelector('#held-rows .mod-approve').click(), true)`)
	p.wait(`document.querySelectorAll('#held-rows tr').length === 0 && !document.getElementById('held-empty').hidden`, "an empty queue after approving")
	p.wait(`[...document.querySelectorAll('#recent-rows tr')].some((tr) => tr.dataset.status === 'visible' && tr.textContent.includes('spoiler: it was a dream'))`,
		"the approved comment shown visible")

	// A comment arriving now shows up live, and deleting it from the page works.
	if status := post(map[string]any{"text": "fresh from REST"}); status != http.StatusCreated {
		t.Fatalf("comment: status %d", status)
	}
	p.wait(`[...document.querySelectorAll('#recent-rows tr')].some((tr) => tr.textContent.includes('fresh from REST'))`, "the new comment in the recent list")
	eval[bool](p, `([...document.querySelectorAll('#recent-rows tr')].find((tr) => tr.textContent.includes('fresh from REST')).querySelector('.mod-delete').click(), true)`)
	p.wait(`[...document.querySelectorAll('#recent-rows tr')].some((tr) => tr.dataset.status === 'deleted' && tr.textContent.includes('fresh from REST'))`,
		"the deleted comment marked deleted")

	// Ban from a row: the form fills in, the ban shows in the list.
	eval[bool](p, `(document.querySelector('#recent-rows .mod-ban-user').click(), true)`)
	eval[bool](p, `(document.getElementById('ban-reason').value = 'spoilers', document.getElementById('ban-form').requestSubmit(), true)`)
	p.wait(`[...document.querySelectorAll('#ban-rows tr')].some((tr) => tr.textContent.includes('spoilers'))`, "the ban in the list")
	p.wait(`document.getElementById('mod-message').textContent.startsWith('Banned user g-')`, "the ban confirmed")

	// A comment viewers report is queued live, with how many and why; a
	// dismissal takes it off the queue.
	var reported struct{ ID int64 }
	if status := apptest.Call(t, apptest.HTTPClient(t), "POST", srv.URL()+"/api/rooms/demo/comments", map[string]any{"text": "report me"}, &reported); status != http.StatusCreated {
		t.Fatalf("comment: status %d", status)
	}
	for _, reason := range []string{"spam", "ads"} {
		if status := apptest.Call(t, apptest.HTTPClient(t), "POST", fmt.Sprintf("%s/api/comments/%d/report", srv.URL(), reported.ID), map[string]any{"reason": reason}, nil); status != http.StatusOK {
			t.Fatalf("report: status %d", status)
		}
	}
	row := fmt.Sprintf(`document.querySelector('#reported-rows tr[data-id="%d"]')`, reported.ID)
	p.wait(row+`?.querySelector('.mod-reports').textContent === '2: ads, spam' && document.getElementById('reported-count').textContent === '1'`, "the reported comment queued")
	eval[bool](p, `(`+row+`.querySelector('.mod-dismiss').click(), true)`)
	p.wait(`!`+row+` && !document.getElementById('reported-empty').hidden`, "the queue empty after dismissing")
	p.checkClean()
}

// TestBreakerBadgeOnModerationPage: a webhook plugin whose receiver is
// down opens its circuit breaker, and /admin shows it on the plugin's row,
// from the counters of a real server.
func TestBreakerBadgeOnModerationPage(t *testing.T) {
	needBrowser(t)
	t.Setenv("DANMAKU_WEBHOOK_SECRET", "a-secret-for-the-breaker-test")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	down := ln.Addr().String()
	ln.Close() // nothing listens there now: every call fails at once
	pcfg, err := plugins.ParseConfig([]byte(`plugins:
  - name: webhook
    on_error: allow
    breaker: {failures: 1, window: 1m, cooldown: 1h}
    config: {url: "http://` + down + `/moderate"}
`))
	if err != nil {
		t.Fatal(err)
	}
	srv := apptest.Start(t, func(c *app.Config) { c.Plugins = pcfg })
	for _, text := range []string{"first", "second"} { // the first fails and opens the breaker; the second is skipped
		if status := apptest.Call(t, apptest.HTTPClient(t), "POST", srv.URL()+"/api/rooms/demo/comments", map[string]any{"text": text}, nil); status != http.StatusCreated {
			t.Fatalf("comment %q: status %d, want 201 (on_error: allow)", text, status)
		}
	}

	p := newTab(t, "moderator")
	p.signIn(srv.URL(), moderator)
	p.open(srv.URL() + "/admin")
	p.wait(`[...document.querySelectorAll('#plugin-rows tr')].some((tr) => tr.textContent.includes('webhook') && tr.querySelector('.mod-breaker.mod-breaker-open'))`,
		"the webhook's row with an open breaker badge")
	if text := eval[string](p, `document.querySelector('#plugin-rows .mod-breaker').textContent`); !strings.Contains(text, "open") {
		t.Errorf("badge %q, want it to say open", text)
	}
	p.checkClean()
}
