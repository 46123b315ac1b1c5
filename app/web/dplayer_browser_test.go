package web

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/danmaku/danmaku/app"
	"github.com/danmaku/danmaku/app/apptest"
	"github.com/danmaku/danmaku/plugins"
)

// dplayerPage is a page as a site embedding DPlayer would write it: its
// own video, the player's danmaku pointed at this server (API).
const dplayerPage = `<!doctype html>
<html><head><meta charset="utf-8"><title>DPlayer</title></head>
<body>
<div id="player" style="width: 800px; height: 450px"></div>
<script src="/DPlayer.min.js"></script>
<script>
  window.notices = [];
  const dp = new DPlayer({
    container: document.getElementById('player'),
    autoplay: true,
    video: { url: '/video.mp4' },
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
	needBrowser(t)
	js := requireDPlayer(t)
	pcfg, err := plugins.ParseConfig([]byte(`plugins: [{name: wordfilter, config: {words: [badword], action: reject}}]`))
	if err != nil {
		t.Fatal(err)
	}
	srv := apptest.Start(t, func(c *app.Config) { c.Plugins = pcfg })
	api := srv.URL() // http://127.0.0.1:…
	apptest.CreateRoom(t, api, "dp", "vod")
	const stored = `<b>not bold</b> & 'stored'`
	in := map[string]any{"text": stored, "time": 0.2, "mode": "top", "color": "#ff0000"}
	if status := apptest.Call(t, apptest.HTTPClient(t), "POST", api+"/api/rooms/dp/comments", in, nil); status != http.StatusCreated {
		t.Fatalf("stored comment: status %d", status)
	}
	frames := viewerFrames(t, "ws"+strings.TrimPrefix(api, "http")+"/ws?room=dp")

	// The page lives on another site (localhost, not 127.0.0.1) and serves
	// its own video, as sites that embed a player do.
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, strings.Replace(dplayerPage, "<script>\n", "<script>\n  const API = "+jsString(api)+";\n", 1))
	})
	mux.HandleFunc("GET /DPlayer.min.js", func(w http.ResponseWriter, r *http.Request) { http.ServeFile(w, r, js) })
	video := filepath.Join(apptest.RepoRoot(t), "assets", "video", "demo.mp4")
	mux.HandleFunc("GET /video.mp4", func(w http.ResponseWriter, r *http.Request) { http.ServeFile(w, r, video) })
	site := httptest.NewServer(mux)
	defer site.Close()
	_, port, _ := net.SplitHostPort(site.Listener.Addr().String())

	p := newForeignTab(t, "dplayer")
	p.open("http://localhost:" + port + "/")
	// DPlayer's own list, as it parsed GET v3/ (drawing turns the type into a word).
	p.wait(`dp.danmaku.dan.length === 1 && dp.danmaku.dan[0].color === 16711680 &&
		dp.danmaku.dan[0].text === '&lt;b&gt;not bold&lt;/b&gt; &amp; &#39;stored&#39;'`, "DPlayer to load the stored comment")
	p.wait(`[...document.querySelectorAll('.dplayer-danmaku .dplayer-danmaku-item')].some((e) =>
			e.textContent === `+jsString(stored)+` && e.children.length === 0 &&
			e.classList.contains('dplayer-danmaku-top') && e.style.color === 'rgb(255, 0, 0)')`,
		"the stored comment on the video, as text, at the top, in red")

	eval[bool](p, `(dp.template.commentInput.value = 'sent from DPlayer', dp.template.commentSendButton.click(), true)`)
	got := waitComment(t, frames, "sent from DPlayer")
	if got.Mode != "scroll" || got.Color != "#ffffff" || got.Time <= 0 || !strings.HasPrefix(got.User.Name, "guest-") {
		t.Fatalf("the viewer got %+v, want a white scrolling comment by a guest, at the video's time", got)
	}
	p.wait(`dp.template.commentInput.value === ''`, "DPlayer to take the answer as a success (it clears the box)")

	eval[bool](p, `(dp.template.commentInput.value = 'a badword', dp.template.commentSendButton.click(), true)`)
	p.wait(`window.notices.includes('this comment contains a blocked word')`, "the refusal as a DPlayer notice")
	p.checkClean()
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
func viewerFrames(t *testing.T, url string) <-chan viewerComment {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	conn, _, err := websocket.DefaultDialer.DialContext(ctx, url, nil)
	if err != nil {
		t.Fatalf("viewer socket: %v", err)
	}
	t.Cleanup(func() { conn.Close() })
	out := make(chan viewerComment, 100)
	go func() {
		for {
			var f struct {
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
	timeout := time.After(waitFor)
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
