package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// dplayerPage is a page as a site embedding DPlayer would write it, with
// the player's danmaku pointed at this server (API).
const dplayerPage = `<!doctype html>
<html><head><meta charset="utf-8"><title>DPlayer</title></head>
<body>
<div id="player" style="width: 800px; height: 450px"></div>
<script src="/DPlayer.min.js"></script>
<script>
  window.pageErrors = [];
  window.addEventListener('error', (e) => window.pageErrors.push(String(e.message)));
  window.notices = [];
  const dp = new DPlayer({
    container: document.getElementById('player'),
    autoplay: true,
    video: { url: API + '/assets/video/demo.mp4' },
    danmaku: { id: 'dp', api: API + '/dplayer/', user: 'someone', unlimited: true },
  });
  dp.on('notice_show', (el) => window.notices.push(el.textContent));
  window.dp = dp;
</script>
</body></html>`

// TestDPlayerAgainstTheServer loads the real DPlayer, on a page of another
// site, against a real server: it shows a stored comment (escaped, in its
// mode and colour), a comment typed into its send box reaches a viewer's
// WebSocket, and a refusal shows as DPlayer's notice.
func TestDPlayerAgainstTheServer(t *testing.T) {
	bin := requireChromium(t)
	js := requireDPlayer(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	srv := startApp(t, `plugins: [{name: wordfilter, config: {words: [badword], action: reject}}]`)
	api := srv.URL() // http://127.0.0.1:…
	post := func(path, body string) {
		t.Helper()
		resp, err := http.Post(api+path, "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusCreated {
			t.Fatalf("POST %s: status %d", path, resp.StatusCode)
		}
	}
	post("/api/rooms", `{"id":"dp","title":"DPlayer"}`)
	const stored = `<b>not bold</b> & 'stored'`
	post("/api/rooms/dp/comments", `{"text":"<b>not bold</b> & 'stored'","time":0.2,"mode":"top","color":"#ff0000"}`)
	frames := viewerFrames(t, ctx, "ws"+strings.TrimPrefix(api, "http")+"/ws?room=dp")

	// The page lives on another site (localhost, not 127.0.0.1).
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, strings.Replace(dplayerPage, "<script>\n", "<script>\n  const API = "+jsString(api)+";\n", 1))
	})
	mux.HandleFunc("GET /DPlayer.min.js", func(w http.ResponseWriter, r *http.Request) { http.ServeFile(w, r, js) })
	site := httptest.NewServer(mux)
	defer site.Close()
	_, port, _ := net.SplitHostPort(site.Listener.Addr().String())

	c := startChromium(t, ctx, bin)
	page, _ := openTab(t, ctx, c)
	if err := c.call(ctx, page, "Page.navigate", map[string]any{"url": "http://localhost:" + port + "/"}, nil); err != nil {
		t.Fatal(err)
	}
	// DPlayer's own list, as it parsed GET v3/.
	waitJS(t, ctx, c, page, "DPlayer to load the stored comment", `dp.danmaku.dan.length === 1 && dp.danmaku.dan[0].type === 1 && dp.danmaku.dan[0].color === 16711680`)
	waitJS(t, ctx, c, page, "the stored comment on the video, as text, at the top, in red",
		`[...document.querySelectorAll('.dplayer-danmaku .dplayer-danmaku-item')].some((e) =>
			e.textContent === `+jsString(stored)+` && e.children.length === 0 &&
			e.classList.contains('dplayer-danmaku-top') && e.style.color === 'rgb(255, 0, 0)')`)

	evalJS(t, ctx, c, page, `dp.template.commentInput.value = 'sent from DPlayer'; dp.template.commentSendButton.click()`)
	got := waitComment(t, frames, "sent from DPlayer")
	if got.Mode != "scroll" || got.Color != "#ffffff" || got.Time <= 0 || !strings.HasPrefix(got.User.Name, "guest-") {
		t.Fatalf("the viewer got %+v, want a white scrolling comment by a guest, at the video's time", got)
	}
	waitJS(t, ctx, c, page, "DPlayer to take the answer as a success (it clears the box)", `dp.template.commentInput.value === ''`)

	evalJS(t, ctx, c, page, `dp.template.commentInput.value = 'a badword'; dp.template.commentSendButton.click()`)
	waitJS(t, ctx, c, page, "the refusal as a DPlayer notice", `window.notices.includes('this comment contains a blocked word')`)

	if dir := os.Getenv("DANMAKU_SCREENSHOT_DIR"); dir != "" {
		saveScreenshot(t, ctx, c, page, filepath.Join(dir, "dplayer.png"))
	}
	var errs []string
	if err := json.Unmarshal(evalJS(t, ctx, c, page, `window.pageErrors`), &errs); err != nil || len(errs) > 0 {
		t.Fatalf("script errors on the page: %v (%v)", errs, err)
	}
}

// jsString quotes s for a script.
func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// viewerComment is a comment as a viewer's socket receives it.
type viewerComment struct {
	Text  string  `json:"text"`
	Mode  string  `json:"mode"`
	Color string  `json:"color"`
	Time  float64 `json:"time"`
	User  struct {
		Name string `json:"name"`
	} `json:"user"`
}

// viewerFrames opens a viewer's socket at url and returns the comments it
// receives.
func viewerFrames(t *testing.T, ctx context.Context, url string) <-chan viewerComment {
	t.Helper()
	conn, _, err := websocket.DefaultDialer.DialContext(ctx, url, nil)
	if err != nil {
		t.Fatalf("viewer socket: %v", err)
	}
	t.Cleanup(func() { conn.Close() })
	out := make(chan viewerComment, 100)
	go func() {
		for {
			var f struct {
				Type  string          `json:"type"`
				Items []viewerComment `json:"items"`
			}
			if err := conn.ReadJSON(&f); err != nil {
				return
			}
			for _, c := range f.Items {
				out <- c
			}
		}
	}()
	return out
}

// waitComment waits for the viewer to receive a comment with text.
func waitComment(t *testing.T, frames <-chan viewerComment, text string) viewerComment {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case c := <-frames:
			if c.Text == text {
				return c
			}
		case <-timeout:
			t.Fatalf("the viewer's socket got no comment %q", text)
		}
	}
}
