package app_test

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/danmaku/danmaku/app"
	"github.com/danmaku/danmaku/app/auth"
	"github.com/danmaku/danmaku/app/protocol"
)

// page is a fetched HTML page.
type page struct {
	status int
	header http.Header
	body   string
}

// cookies returns the cookies the response set.
func (p page) cookies() []*http.Cookie { return (&http.Response{Header: p.header}).Cookies() }

// get fetches url without following redirects; header is name, value, ….
func get(t *testing.T, hc *http.Client, url string, header ...string) page {
	t.Helper()
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	return do(t, hc, req, header...)
}

// postForm posts a form the way a browser does.
func postForm(t *testing.T, hc *http.Client, target string, form url.Values, header ...string) page {
	t.Helper()
	req, err := http.NewRequest("POST", target, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return do(t, hc, req, header...)
}

// do sends req with the extra headers, without following redirects.
func do(t *testing.T, hc *http.Client, req *http.Request, header ...string) page {
	t.Helper()
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := noRedirect(hc).Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return page{resp.StatusCode, resp.Header, string(b)}
}

func noRedirect(hc *http.Client) *http.Client {
	c := *hc
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &c
}

var (
	inlineScript  = regexp.MustCompile(`<script(?:\s+[^>]*)?>\s*[^<\s]`)
	scriptSrc     = regexp.MustCompile(`<script type="module" src="(/assets/[0-9a-f]{12}/js/pages/[a-z]+\.js)"></script>`)
	styleAttr     = regexp.MustCompile(`\sstyle=`)
	inlineHandler = regexp.MustCompile(`\son[a-z]+=`)
	assetRef      = regexp.MustCompile(`(?:src|href)="(/assets/[^"]*)"`)
	versioned     = regexp.MustCompile(`^/assets/[0-9a-f]{12}/`)
)

// checkPage asserts what every page must be: HTML, revalidated on every
// load, with no inline script or style (the site runs under a strict CSP).
func checkPage(t *testing.T, p page) {
	t.Helper()
	if ct := p.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Errorf("Content-Type %q, want text/html", ct)
	}
	if cc := p.header.Get("Cache-Control"); cc != "no-cache" {
		t.Errorf("Cache-Control %q, want no-cache", cc)
	}
	checkMarkup(t, p)
}

// checkMarkup asserts what every page's HTML must be: no inline script or
// style (the site runs under a strict CSP), and versioned assets.
func checkMarkup(t *testing.T, p page) {
	t.Helper()
	if inlineScript.MatchString(p.body) || inlineHandler.MatchString(p.body) {
		t.Errorf("page has inline script:\n%s", p.body)
	}
	if styleAttr.MatchString(p.body) {
		t.Errorf("page has a style attribute:\n%s", p.body)
	}
	// Scripts and styles carry the build's version, so a reload after a
	// deploy never mixes old and new modules; videos are not versioned.
	for _, m := range assetRef.FindAllStringSubmatch(p.body, -1) {
		if !versioned.MatchString(m[1]) && !strings.HasPrefix(m[1], "/assets/video/") {
			t.Errorf("page links an unversioned asset: %s", m[1])
		}
	}
}

func TestIndexPage(t *testing.T) {
	s := startServer(t)
	createRoom(t, s, "stream", "live")
	if p := get(t, httpClient(t), s.URL()+"/"); !strings.Contains(p.body, `id="create-signin"`) || strings.Contains(p.body, `action="/rooms"`) {
		t.Errorf("a visitor should see who creates rooms, not the form:\n%s", p.body)
	}
	p := get(t, moderatorClient(t, s), s.URL()+"/")
	if p.status != http.StatusOK {
		t.Fatalf("status %d", p.status)
	}
	checkPage(t, p)
	for _, want := range []string{
		`data-room="demo"`, `href="/rooms/demo"`, `Demo: test pattern`, `<b data-count="comments">12</b>`,
		`data-room="stream"`, `href="/rooms/stream/replay"`, `<form class="form" method="post" action="/rooms">`,
		`value="/assets/video/demo.mp4"`,
	} {
		if !strings.Contains(p.body, want) {
			t.Errorf("index lacks %s", want)
		}
	}
	if !scriptSrc.MatchString(p.body) {
		t.Errorf("index has no versioned page script:\n%s", p.body)
	}
}

func TestIndexShowsLiveViewers(t *testing.T) {
	s := startServer(t)
	ws := dial(t, s, "?room=demo")
	ws.next(protocol.TypeWelcome)
	p := get(t, httpClient(t), s.URL()+"/")
	if !strings.Contains(p.body, `<b data-count="viewers">1</b>`) {
		t.Fatalf("index does not show the one viewer:\n%s", p.body)
	}
}

func TestCreateRoomForm(t *testing.T) {
	s := startServer(t)
	createRoom(t, s, "taken", "vod")
	// A moderator's browser: the session rides in a cookie, as after /login.
	moderator := func() *http.Client {
		hc := httpClient(t)
		hc.Jar = jarAs(t, s, auth.Identity{ID: "m1", Name: "Mod", Roles: []string{auth.RoleModerator}})
		return hc
	}
	own := []string{"Origin", s.URL(), "Sec-Fetch-Site", "same-origin"}
	form := func(id, title, video, kind string) url.Values {
		return url.Values{"id": {id}, "title": {title}, "video_url": {video}, "kind": {kind}}
	}
	for _, tc := range []struct {
		name     string
		form     url.Values
		header   []string
		status   int
		location string
		body     []string // the page must show these
	}{
		{"vod room opens at once", form("movie", "Movie night", "/assets/video/demo.mp4", "vod"), own,
			http.StatusSeeOther, "/rooms/movie", nil},
		{"live room", form("stream-1", "", "https://example.com/live.m3u8", "live"), own,
			http.StatusSeeOther, "/rooms/stream-1", nil},
		{"a curl-like post without browser headers", form("plain", "Plain", "", "vod"), nil,
			http.StatusSeeOther, "/rooms/plain", nil},
		{"bad id keeps what was typed", form("no spaces", "My <title>", "/v.mp4", "live"), own,
			http.StatusUnprocessableEntity, "", []string{`room id must match`, `value="no spaces"`, `value="My &lt;title&gt;"`, `value="live" checked`}},
		{"javascript video url", form("js", "x", "javascript:alert(1)", "vod"), own,
			http.StatusUnprocessableEntity, "", []string{"video_url must be an http(s) URL"}},
		{"bad kind", form("k", "x", "", "radio"), own,
			http.StatusUnprocessableEntity, "", []string{"kind must be vod or live"}},
		{"taken id", form("taken", "x", "", "vod"), own,
			http.StatusConflict, "", []string{`room &#34;taken&#34; already exists`}},
		{"another site's form", form("evil", "x", "", "vod"), []string{"Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site"},
			http.StatusForbidden, "", []string{"cross-site request refused"}},
		{"another origin without fetch metadata", form("evil2", "x", "", "vod"), []string{"Origin", "https://evil.example"},
			http.StatusForbidden, "", []string{"cross-site request refused"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := postForm(t, moderator(), s.URL()+"/rooms", tc.form, tc.header...)
			if p.status != tc.status {
				t.Fatalf("status %d, want %d:\n%s", p.status, tc.status, p.body)
			}
			if tc.location != "" {
				if got := p.header.Get("Location"); got != tc.location {
					t.Fatalf("Location %q, want %q", got, tc.location)
				}
				if room := get(t, httpClient(t), s.URL()+tc.location); room.status != http.StatusOK {
					t.Fatalf("the new room's page: status %d", room.status)
				}
				return
			}
			checkPage(t, p)
			for _, want := range tc.body {
				if !strings.Contains(p.body, want) {
					t.Errorf("page lacks %s:\n%s", want, p.body)
				}
			}
		})
	}
	t.Run("a visitor is told only moderators create rooms", func(t *testing.T) {
		p := postForm(t, httpClient(t), s.URL()+"/rooms", form("guests", "x", "", "vod"), own...)
		if p.status != http.StatusForbidden || !strings.Contains(p.body, "Only moderators can create rooms") {
			t.Fatalf("status %d:\n%s", p.status, p.body)
		}
	})
	var rooms struct{ Rooms []struct{ ID string } }
	call(t, httpClient(t), "GET", s.URL()+"/api/rooms", nil, &rooms)
	for _, r := range rooms.Rooms {
		if strings.HasPrefix(r.ID, "evil") || r.ID == "js" || r.ID == "k" || r.ID == "guests" {
			t.Errorf("refused form created room %q", r.ID)
		}
	}
}

func TestRoomPage(t *testing.T) {
	s := startServer(t, func(c *app.Config) { c.MaxTextRunes = 42 })
	createRoom(t, s, "stream", "live")
	if status := call(t, moderatorClient(t, s), "POST", s.URL()+"/api/rooms", map[string]string{"id": "novideo", "kind": "vod"}, nil); status != http.StatusCreated {
		t.Fatalf("creating a room without video: %d", status)
	}
	for _, tc := range []struct {
		path string
		want []string
	}{
		{"/rooms/demo", []string{`id="dm-room"`, `data-room-id="demo"`, `data-room-kind="vod"`, `data-max-text="42"`,
			`<video id="dm-video" src="/assets/video/demo.mp4"`, `id="dm-stage"`, `id="dm-list"`, `id="dm-compose"`,
			`id="dm-settings"`, `id="dm-fullscreen"`, `<span id="dm-room-likes">0</span>`, `<b id="dm-comment-count">12</b>`,
			`id="dm-controls"`, `id="dm-heat"`, `id="dm-play"`, `id="dm-scrub"`, `id="dm-volume"`, `id="dm-help"`}},
		{"/rooms/stream", []string{`data-room-kind="live"`, `href="/rooms/stream/replay"`}},
		{"/rooms/novideo", []string{`<video id="dm-video" disablepictureinpicture`, "This room has no video."}},
	} {
		t.Run(tc.path, func(t *testing.T) {
			p := get(t, httpClient(t), s.URL()+tc.path)
			if p.status != http.StatusOK {
				t.Fatalf("status %d", p.status)
			}
			checkPage(t, p)
			for _, want := range tc.want {
				if !strings.Contains(p.body, want) {
					t.Errorf("page lacks %s", want)
				}
			}
			m := scriptSrc.FindStringSubmatch(p.body)
			if m == nil || !strings.HasSuffix(m[1], "/room.js") {
				t.Fatalf("no versioned room.js script")
			}
			if js := get(t, httpClient(t), s.URL()+m[1]); js.status != http.StatusOK {
				t.Fatalf("the page script %s: status %d", m[1], js.status)
			}
		})
	}
}

func TestPageErrors(t *testing.T) {
	s := startServer(t)
	for _, tc := range []struct {
		path, want string
		status     int
		html       bool
	}{
		{"/rooms/nope", `room &#34;nope&#34; does not exist`, http.StatusNotFound, true},
		{"/rooms/nope/replay", `room &#34;nope&#34; does not exist`, http.StatusNotFound, true},
		{"/rooms/%3Cscript%3E", `does not exist`, http.StatusNotFound, true},
		{"/no/such/page", `no route for GET /no/such/page`, http.StatusNotFound, true},
		{"/api/rooms/nope", `"code":"not_found"`, http.StatusNotFound, false},
		{"/api/nothing", `"code":"not_found"`, http.StatusNotFound, false},
		{"/assets/nothing.js", `"code":"not_found"`, http.StatusNotFound, false},
	} {
		t.Run(tc.path, func(t *testing.T) {
			p := get(t, httpClient(t), s.URL()+tc.path)
			if p.status != tc.status || !strings.Contains(p.body, tc.want) {
				t.Fatalf("status %d, want %d with %s:\n%s", p.status, tc.status, tc.want, p.body)
			}
			if tc.html {
				checkPage(t, p)
				if strings.Contains(p.body, "<script>") {
					t.Fatal("the error page reflects markup")
				}
			} else if ct := p.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Fatalf("Content-Type %q, want JSON", ct)
			}
		})
	}
}

func TestReplayPage(t *testing.T) {
	s := startServer(t)
	createRoom(t, s, "quiet", "live")
	createRoom(t, s, "busy", "live")
	hc := httpClient(t)
	var first, last protocol.Comment
	call(t, hc, "POST", s.URL()+"/api/rooms/busy/comments", map[string]any{"text": "one"}, &first)
	call(t, hc, "POST", s.URL()+"/api/rooms/busy/comments", map[string]any{"text": "two"}, &last)
	var room struct {
		CreatedAt protocol.Timestamp `json:"created_at"`
	}
	call(t, hc, "GET", s.URL()+"/api/rooms/busy", nil, &room)

	t.Run("a vod room replays in the room itself", func(t *testing.T) {
		p := get(t, hc, s.URL()+"/rooms/demo/replay")
		if p.status != http.StatusFound || p.header.Get("Location") != "/rooms/demo" {
			t.Fatalf("status %d to %q, want 302 to /rooms/demo", p.status, p.header.Get("Location"))
		}
	})
	t.Run("a live room without comments", func(t *testing.T) {
		p := get(t, hc, s.URL()+"/rooms/quiet/replay")
		checkPage(t, p)
		for _, want := range []string{`data-duration="0"`, "nothing to replay", `aria-label="Play" disabled`} {
			if !strings.Contains(p.body, want) {
				t.Errorf("page lacks %s", want)
			}
		}
	})
	t.Run("a live room's replay spans its comments", func(t *testing.T) {
		p := get(t, hc, s.URL()+"/rooms/busy/replay")
		checkPage(t, p)
		// The room was created moments before its first comment, so the replay starts with the room.
		origin := room.CreatedAt
		duration := time.Duration(last.CreatedAt-origin)*time.Millisecond + 8*time.Second
		for _, want := range []string{
			`data-room-kind="live"`,
			`data-origin="` + fmt.Sprint(int64(origin)) + `"`,
			`data-duration="` + fmt.Sprint(duration.Seconds()) + `"`,
			`js/pages/replay.js`, `id="dm-scrub"`, `data-rate="4"`,
		} {
			if !strings.Contains(p.body, want) {
				t.Errorf("page lacks %s", want)
			}
		}
	})
}

func TestAssetCaching(t *testing.T) {
	s := startServer(t)
	hc := httpClient(t)
	index := get(t, hc, s.URL()+"/")
	version := regexp.MustCompile(`/assets/([0-9a-f]{12})/css/site\.css`).FindStringSubmatch(index.body)
	if version == nil {
		t.Fatal("the index links no versioned stylesheet")
	}
	v := version[1]
	for _, tc := range []struct {
		name, path, cache, ctype string
		status                   int
	}{
		{"versioned module", "/assets/" + v + "/js/pages/room.js", "public, max-age=31536000, immutable", "text/javascript", 200},
		{"versioned import", "/assets/" + v + "/js/player.js", "public, max-age=31536000, immutable", "text/javascript", 200},
		{"plain path", "/assets/js/player.js", "public, max-age=300", "text/javascript", 200},
		{"video", "/assets/video/demo.mp4", "public, max-age=300", "video/mp4", 200},
		{"stylesheet", "/assets/" + v + "/css/danmaku.css", "public, max-age=31536000, immutable", "text/css", 200},
		{"an old version gets today's file, uncached", "/assets/0123456789ab/js/player.js", "no-cache", "text/javascript", 200},
		{"a directory", "/assets/js", "", "application/json", 404},
		{"outside the tree", "/assets/" + v + "/../../go.mod", "", "", 404},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := get(t, hc, s.URL()+tc.path)
			if p.status != tc.status {
				t.Fatalf("status %d, want %d", p.status, tc.status)
			}
			if got := p.header.Get("Cache-Control"); tc.cache != "" && got != tc.cache {
				t.Errorf("Cache-Control %q, want %q", got, tc.cache)
			}
			if got := p.header.Get("Content-Type"); !strings.HasPrefix(got, tc.ctype) {
				t.Errorf("Content-Type %q, want %s", got, tc.ctype)
			}
		})
	}
}

func TestAssetRangesAndRevalidation(t *testing.T) {
	s := startServer(t)
	hc := httpClient(t)
	url := s.URL() + "/assets/video/demo.mp4"
	full := get(t, hc, url)
	etag := full.header.Get("ETag")
	if full.status != http.StatusOK || etag == "" || full.header.Get("Accept-Ranges") != "bytes" {
		t.Fatalf("status %d, ETag %q, Accept-Ranges %q", full.status, etag, full.header.Get("Accept-Ranges"))
	}
	for _, tc := range []struct {
		name   string
		header []string
		status int
		body   string // expected body, when checked
		cr     string // Content-Range
	}{
		{"a range, as a seeking video asks", []string{"Range", "bytes=100-199"}, http.StatusPartialContent, full.body[100:200], "bytes 100-199/" + fmt.Sprint(int64(len(full.body)))},
		{"an open range", []string{"Range", "bytes=889900-"}, http.StatusPartialContent, full.body[889900:], "bytes 889900-889921/889922"},
		{"a range past the end", []string{"Range", "bytes=999999999-"}, http.StatusRequestedRangeNotSatisfiable, "", "bytes */889922"},
		{"unchanged", []string{"If-None-Match", etag}, http.StatusNotModified, "", ""},
		{"a range if unchanged", []string{"Range", "bytes=0-9", "If-Range", etag}, http.StatusPartialContent, full.body[:10], "bytes 0-9/889922"},
		{"a range of another version", []string{"Range", "bytes=0-9", "If-Range", `"old"`}, http.StatusOK, full.body, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := get(t, hc, url, tc.header...)
			if p.status != tc.status {
				t.Fatalf("status %d, want %d", p.status, tc.status)
			}
			if tc.body != "" && p.body != tc.body {
				t.Errorf("body of %d bytes, want %d", len(p.body), len(tc.body))
			}
			if got := p.header.Get("Content-Range"); got != tc.cr {
				t.Errorf("Content-Range %q, want %q", got, tc.cr)
			}
		})
	}
	req, _ := http.NewRequest("HEAD", url, nil)
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.ContentLength != int64(len(full.body)) {
		t.Fatalf("HEAD: status %d, length %d", resp.StatusCode, resp.ContentLength)
	}
	if status := call(t, hc, "POST", url, "x", nil); status != http.StatusBadRequest {
		t.Fatalf("POST to an asset: status %d, want 400", status)
	}
}

// TestTokenHint: the command that prints a moderator token shows only to
// moderators, and to the operator on a fresh install (only the demo room)
// from the server's own machine; not to visitors once the site is in use,
// nor to visitors from elsewhere (here: through a trusted proxy).
func TestTokenHint(t *testing.T) {
	const command = `id="token-command"`
	s := startServer(t, func(c *app.Config) { c.ProxyHeader, c.TrustedProxies = "X-Real-IP", []string{"127.0.0.1"} })
	for _, tc := range []struct {
		name   string
		path   string
		header []string
		want   bool
	}{
		{"index, fresh install, from this machine", "/", nil, true},
		{"login, fresh install, from this machine", "/login", nil, true},
		{"index, fresh install, from elsewhere", "/", []string{"X-Real-IP", "203.0.113.9"}, false},
		{"login, fresh install, from elsewhere", "/login", []string{"X-Real-IP", "203.0.113.9"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := strings.Contains(get(t, httpClient(t), s.URL()+tc.path, tc.header...).body, command); got != tc.want {
				t.Errorf("hint shown %t, want %t", got, tc.want)
			}
		})
	}
	createRoom(t, s, "in-use", "vod")
	if strings.Contains(get(t, httpClient(t), s.URL()+"/login").body, command) {
		t.Error("a visitor of a site in use sees the token command")
	}
	if !strings.Contains(get(t, moderatorClient(t, s), s.URL()+"/login").body, command) {
		t.Error("a moderator does not see the token command")
	}
}
