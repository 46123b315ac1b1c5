package web

import (
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/danmaku/danmaku/app/apptest"
)

// answer is one HTTP answer a tab received.
type answer struct {
	url    string
	status int64
}

// answers records the answers a tab receives from now on.
type answers struct {
	mu    sync.Mutex
	list  []answer
	added chan struct{}
}

func recordAnswers(p *tab) *answers {
	a := &answers{added: make(chan struct{}, 1)}
	received := chromedp.Events(p.ctx, network.ResponseReceived)
	go func() {
		for ev, err := range received {
			if err != nil {
				return
			}
			a.mu.Lock()
			a.list = append(a.list, answer{url: ev.Response.URL, status: ev.Response.Status})
			a.mu.Unlock()
			select {
			case a.added <- struct{}{}:
			default:
			}
		}
	}()
	return a
}

// matching returns the answers whose path and query contain part.
func (a *answers) matching(part string) []answer {
	a.mu.Lock()
	defer a.mu.Unlock()
	var out []answer
	for _, r := range a.list {
		if u, err := url.Parse(r.url); err == nil && strings.Contains(u.RequestURI(), part) {
			out = append(out, r)
		}
	}
	return out
}

// await waits for n answers matching part and returns them.
func (a *answers) await(t *testing.T, part string, n int) []answer {
	t.Helper()
	timeout := time.After(waitFor)
	for {
		if got := a.matching(part); len(got) >= n {
			return got
		}
		select {
		case <-a.added:
		case <-timeout:
			t.Fatalf("no %d answers for %s within %s: %+v", n, part, waitFor, a.matching("/api/"))
		}
	}
}

// TestPlayerLoadsSegments: the room page loads the comments under the
// playhead as the server's segment, never as an ad-hoc window, and speaks
// wire v2; loading the page again costs the segment a 304.
func TestPlayerLoadsSegments(t *testing.T) {
	needBrowser(t)
	s := apptest.Start(t)
	p := newTab(t, "viewer")
	seen := recordAnswers(p)
	sockets := recordSockets(p)
	p.open(s.URL() + "/rooms/demo")
	first := seen.await(t, "/api/rooms/demo/segments/0", 1)[0]
	if first.status != 200 {
		t.Fatalf("segment 0: %+v, want 200 the first time", first)
	}
	p.wait(`document.querySelectorAll('#dm-list .dm-entry').length > 0`, "the segment's comments in the list")
	if w := seen.matching("/comments?"); len(w) != 0 {
		t.Errorf("the player loaded windows as well: %+v", w)
	}
	open := sockets()
	if len(open) == 0 {
		t.Fatal("the page opened no socket")
	}
	if u, err := url.Parse(open[0]); err != nil || u.Query().Get("v") != "2" {
		t.Errorf("the page's socket %s does not ask for wire v2", open[0])
	}

	p.reload()
	seen.await(t, "/api/rooms/demo/segments/0", 2)
	// The browser checks its copy with the ETag (Chromium reports the
	// revalidated answer as the cached 200): the server answered a 304.
	_, metrics := apptest.Fetch(t, apptest.HTTPClient(t), "GET", s.URL()+"/metrics", nil, nil)
	want := `danmaku_http_requests_total{method="GET",route="/api/rooms/:id/segments/:n",status="304"} 1`
	if !strings.Contains(string(metrics), want) {
		t.Errorf("the server did not answer the reload with a 304; its segment answers:\n%s", grepLines(string(metrics), "segments"))
	}
	p.wait(`document.querySelectorAll('#dm-list .dm-entry').length > 0`, "the comments again, from the cached segment")
	p.checkClean()
}

// grepLines returns the lines of text that contain part.
func grepLines(text, part string) string {
	var out []string
	for line := range strings.SplitSeq(text, "\n") {
		if strings.Contains(line, part) {
			out = append(out, line)
		}
	}
	return strings.Join(out, "\n")
}
