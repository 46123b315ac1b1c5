package app_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/danmaku/danmaku/app"
	"github.com/danmaku/danmaku/app/auth"
	"github.com/danmaku/danmaku/app/protocol"
)

// browser is an HTTP client with its own cookie jar that does not follow
// redirects, so tests can look at them.
func browser(t *testing.T) *http.Client {
	t.Helper()
	hc := httpClient(t)
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return hc
}

// sessionSetCookie returns the danmaku_session Set-Cookie header of p.
func sessionSetCookie(t *testing.T, p page) *http.Cookie {
	t.Helper()
	for _, c := range p.cookies() {
		if c.Name == "danmaku_session" {
			return c
		}
	}
	t.Fatalf("no danmaku_session cookie set; headers %v", p.header)
	return nil
}

// socketOf dials with hc's cookies and returns the welcome's user.
func socketOf(t *testing.T, s *testServer, hc *http.Client) (*wsClient, *protocol.Me) {
	t.Helper()
	c := dial(t, s, "?room=demo", dialOpts{jar: hc.Jar})
	return c, c.next(protocol.TypeWelcome).User
}

func TestNicknameLogin(t *testing.T) {
	s := startServer(t)
	hc := browser(t)
	resp := get(t, hc, s.URL()+"/login?next=/rooms/demo")
	if resp.status != http.StatusOK || !strings.Contains(resp.body, `name="nickname"`) || !strings.Contains(resp.body, `name="token"`) ||
		!strings.Contains(resp.body, `value="/rooms/demo"`) {
		t.Fatalf("login page: %d\n%s", resp.status, resp.body)
	}
	_, before := socketOf(t, s, hc) // the guest identity this browser got with the page

	resp = postForm(t, hc, s.URL()+"/login", url.Values{"nickname": {"  Alice Liddell "}, "next": {"/rooms/demo"}})
	if resp.status != http.StatusSeeOther || resp.header.Get("Location") != "/rooms/demo" {
		t.Fatalf("login: %d to %q, want 303 to /rooms/demo", resp.status, resp.header.Get("Location"))
	}
	k := sessionSetCookie(t, resp)
	if !k.HttpOnly || k.SameSite != http.SameSiteLaxMode || k.Secure || k.Path != "/" {
		t.Fatalf("cookie %+v: want HttpOnly, SameSite=Lax, not Secure over plain HTTP, path /", k)
	}
	_, me := socketOf(t, s, hc)
	want := auth.Identity{ID: before.ID, Name: "Alice Liddell", Roles: []string{auth.RoleViewer}, Guest: true}
	wantUser(t, me, want) // the same guest (its likes stay), now with a name, and only a viewer

	// Over TLS (as a proxy reports it) the cookie is Secure.
	resp = postForm(t, browser(t), s.URL()+"/login", url.Values{"nickname": {"Bob"}}, "X-Forwarded-Proto", "https")
	if k := sessionSetCookie(t, resp); !k.Secure {
		t.Fatalf("cookie over TLS: %+v, want Secure", k)
	}

	for _, bad := range []string{
		"a", strings.Repeat("x", 25), "admin", "Ad-Min", "MODERATOR", "mod", "guest-4f2a", "system.",
		"evil\u202eesrever", "zero\u200bwidth", "<script>", "new\nline", "tab\tbed", "---", "bad\xffutf8",
		"Ｍod", "аdmin", "Ѕystem", // look-alikes: fullwidth M, Cyrillic а and Ѕ
	} {
		t.Run("refuses "+bad, func(t *testing.T) {
			resp := postForm(t, browser(t), s.URL()+"/login", url.Values{"nickname": {bad}})
			if resp.status != http.StatusUnprocessableEntity || !strings.Contains(resp.body, "Pick another nickname") {
				t.Fatalf("status %d, want 422 with the form again", resp.status)
			}
			for _, c := range resp.cookies() { // only the plain guest identity the request came with
				if id, _, err := auth.NewSigner([]byte(testSecret)).Verify(c.Value); err != nil || !strings.HasPrefix(id.Name, "guest-") {
					t.Fatalf("a refused nickname got a session: %+v, %v", id, err)
				}
			}
		})
	}
	for i, next := range []string{"//evil.example/", "https://evil.example/", "/\\evil.example", "javascript:alert(1)", ""} {
		t.Run("redirects home instead of to "+next, func(t *testing.T) {
			// A name each: another guest's look-alike would be refused.
			resp := postForm(t, browser(t), s.URL()+"/login", url.Values{"nickname": {"Carol " + string(rune('A'+i))}, "next": {next}})
			if resp.status != http.StatusSeeOther || resp.header.Get("Location") != "/" {
				t.Fatalf("%d to %q, want 303 to /", resp.status, resp.header.Get("Location"))
			}
		})
	}
}

func TestTokenLoginAndLogout(t *testing.T) {
	s := startServer(t)
	hc := browser(t)
	tok := token(t, s, alice, time.Hour)

	resp := postForm(t, hc, s.URL()+"/login", url.Values{"token": {"garbage"}})
	if resp.status != http.StatusUnauthorized || !strings.Contains(resp.body, "invalid token") {
		t.Fatalf("bad token: %d\n%s", resp.status, resp.body)
	}
	resp = postForm(t, hc, s.URL()+"/login", url.Values{"token": {tok}, "next": {"/"}})
	if resp.status != http.StatusSeeOther {
		t.Fatalf("login: %d", resp.status)
	}
	k := sessionSetCookie(t, resp)
	if k.Value == tok || k.Expires.IsZero() || k.Expires.After(time.Now().Add(time.Hour+time.Minute)) {
		t.Fatalf("cookie %+v: want a session of its own, not the tok, expiring with it", k)
	}
	if st, err := auth.NewSigner([]byte(testSecret)).Parse(k.Value); err != nil || st.Session == "" || st.Identity.ID != alice.ID {
		t.Fatalf("the cookie holds %+v, %v: want a session token of Alice", st, err)
	}
	home := get(t, hc, s.URL()+"/").body
	if !strings.Contains(home, "Alice") || !strings.Contains(home, `href="/logout"`) {
		t.Fatalf("home page does not show the signed-in user and a sign-out link:\n%s", home)
	}

	// Two sockets of Alice's browser, two of Alice elsewhere (a bot with her
	// tok, and her moderator socket from another session), and one of
	// another user.
	tab1, me := socketOf(t, s, hc)
	wantUser(t, me, alice)
	tab2, _ := socketOf(t, s, hc)
	bot := dial(t, s, "?room=demo", dialOpts{header: bearerHeader(tok)})
	mod, _ := modSocket(t, s, alice) // her moderator socket, from another session
	bot.next(protocol.TypeWelcome)
	bob := dial(t, s, "?room=demo", dialOpts{header: bearerHeader(token(t, s, auth.Identity{ID: "u2", Name: "Bob"}, time.Hour))})
	bob.next(protocol.TypeWelcome)

	resp = get(t, hc, s.URL()+"/logout")
	if resp.status != http.StatusOK || !strings.Contains(resp.body, `action="/logout"`) {
		t.Fatalf("GET /logout should ask first: %d\n%s", resp.status, resp.body)
	}
	resp = postForm(t, hc, s.URL()+"/logout", nil)
	if resp.status != http.StatusSeeOther {
		t.Fatalf("logout: %d", resp.status)
	}
	if k := sessionSetCookie(t, resp); k.Value != "" || k.MaxAge >= 0 {
		t.Fatalf("logout cookie %+v, want it cleared", k)
	}
	// Signing out ends this browser's session: its sockets close. Alice's
	// other sessions and her bot's token are not this session
	// (TestSignOutEverywhere ends them), and Bob is someone else.
	for name, c := range map[string]*wsClient{"tab 1": tab1, "tab 2": tab2} {
		if code := c.waitClosed(); code != websocket.ClosePolicyViolation || c.reason() != "signed out" {
			t.Fatalf("%s closed with %d %q, want 1008 signed out", name, code, c.reason())
		}
	}
	for name, c := range map[string]*wsClient{"Alice's bot": bot, "Bob": bob} {
		c.send(map[string]string{"type": "ping", "ref": "b"})
		if f := c.next(protocol.TypePong); f.Ref != "b" {
			t.Fatalf("%s's socket was affected: %+v", name, f)
		}
	}
	mod.send(map[string]string{"type": "ping", "ref": "m"})
	mod.modNext("pong", nil)
	// The browser is a guest again.
	if _, me := socketOf(t, s, hc); !me.Guest {
		t.Fatalf("after logout the browser is %+v, want a guest", me)
	}
}

func TestGuestsWatchOnly(t *testing.T) {
	s := startServer(t, func(c *app.Config) { c.Guests = app.GuestsWatch })
	guest := browser(t)
	c, me := socketOf(t, s, guest)
	if !me.Guest {
		t.Fatalf("%+v, want a guest", me)
	}
	for _, f := range []map[string]any{
		{"type": "comment", "ref": "c", "text": "hi"},
		{"type": "like", "ref": "l"},
		{"type": "like", "ref": "l2", "comment_id": 1},
	} {
		c.send(f)
		if ack := c.ack(); ack.OK || ack.Error.Code != "unauthorized" || ack.Error.Message == "" {
			t.Fatalf("guest %s: %+v, want a failed ack, unauthorized", f["type"], ack)
		}
	}
	for _, path := range []string{"/api/rooms/demo/comments", "/api/rooms/demo/like", "/api/comments/1/like"} {
		var e apiError
		if status := call(t, guest, "POST", s.URL()+path, map[string]any{"text": "hi"}, &e); status != http.StatusUnauthorized || e.Error.Code != "unauthorized" {
			t.Fatalf("guest POST %s: %d %+v, want 401 unauthorized", path, status, e)
		}
	}
	// Watching still works, over REST too.
	if status := call(t, guest, "GET", s.URL()+"/api/rooms/demo/comments", nil, nil); status != http.StatusOK {
		t.Fatalf("guest read: %d", status)
	}
	// Nicknames would be guests too, so the login page offers only tokens.
	if p := get(t, guest, s.URL()+"/login"); strings.Contains(p.body, `name="nickname"`) {
		t.Fatal("the login page offers nicknames where guests cannot send")
	}
	if resp := postForm(t, guest, s.URL()+"/login", url.Values{"nickname": {"Dora"}}); resp.status != http.StatusForbidden {
		t.Fatalf("nickname login: %d, want 403", resp.status)
	}
	// A signed-in viewer may send.
	bob := bearerClient(t, token(t, s, auth.Identity{ID: "u2", Name: "Bob", Roles: []string{auth.RoleViewer}}, time.Hour))
	if status := call(t, bob, "POST", s.URL()+"/api/rooms/demo/comments", map[string]any{"text": "hi"}, nil); status != http.StatusCreated {
		t.Fatalf("signed-in POST: %d", status)
	}
}

func TestGuestsOff(t *testing.T) {
	s := startServer(t, func(c *app.Config) { c.Guests = app.GuestsOff })
	anon := browser(t)
	resp := get(t, anon, s.URL()+"/")
	if resp.status != http.StatusSeeOther || resp.header.Get("Location") != "/login?next=%2F" {
		t.Fatalf("home page: %d to %q, want 303 to /login?next=%%2F", resp.status, resp.header.Get("Location"))
	}
	if resp.header.Get("Set-Cookie") != "" {
		t.Fatalf("no guest cookie should be set: %q", resp.header.Get("Set-Cookie"))
	}
	var e apiError
	if status := call(t, anon, "GET", s.URL()+"/api/rooms", nil, &e); status != http.StatusUnauthorized || e.Error.Code != "unauthorized" {
		t.Fatalf("anonymous API call: %d %+v, want 401", status, e)
	}
	resp = get(t, anon, s.URL()+"/login?next=%2F")
	if resp.status != http.StatusOK || strings.Contains(resp.body, `name="nickname"`) {
		t.Fatalf("login page: %d, nickname form shown: %v", resp.status, strings.Contains(resp.body, `name="nickname"`))
	}
	resp = postForm(t, anon, s.URL()+"/login", url.Values{"token": {token(t, s, auth.NewGuest(), time.Hour)}})
	if resp.status != http.StatusUnauthorized {
		t.Fatalf("guest token login: %d, want 401", resp.status)
	}
	resp = postForm(t, anon, s.URL()+"/login", url.Values{"token": {token(t, s, alice, time.Hour)}, "next": {"/"}})
	if resp.status != http.StatusSeeOther {
		t.Fatalf("token login: %d", resp.status)
	}
	if resp := get(t, anon, s.URL()+"/"); resp.status != http.StatusOK {
		t.Fatalf("home page after signing in: %d", resp.status)
	}
	if status := call(t, anon, "GET", s.URL()+"/api/rooms", nil, nil); status != http.StatusOK {
		t.Fatalf("API after signing in: %d", status)
	}
}

func TestRoomCreationNeedsAModerator(t *testing.T) {
	s := startServer(t)
	room := 0
	create := func(hc *http.Client) (int, string) {
		room++
		var e apiError
		status := call(t, hc, "POST", s.URL()+"/api/rooms", map[string]any{"id": "r" + string(rune('a'+room))}, &e)
		return status, string(e.Error.Code)
	}
	viewer := auth.Identity{ID: "u3", Name: "Vic", Roles: []string{auth.RoleViewer}}
	admin := auth.Identity{ID: "u4", Name: "Ada", Roles: []string{auth.RoleAdmin}}
	for _, tc := range []struct {
		name   string
		hc     *http.Client
		status int
		code   string
	}{
		{"guest", httpClient(t), http.StatusUnauthorized, "unauthorized"},
		{"viewer", bearerClient(t, token(t, s, viewer, time.Hour)), http.StatusForbidden, "forbidden"},
		{"guest token claiming nothing", bearerClient(t, token(t, s, auth.NewGuest(), time.Hour)), http.StatusUnauthorized, "unauthorized"},
		{"moderator", bearerClient(t, token(t, s, alice, time.Hour)), http.StatusCreated, ""},
		{"admin holds every role", bearerClient(t, token(t, s, admin, time.Hour)), http.StatusCreated, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if status, code := create(tc.hc); status != tc.status || code != tc.code {
				t.Fatalf("%d %q, want %d %q", status, code, tc.status, tc.code)
			}
		})
	}

	// The role is checked on every request: a browser signed in as a
	// moderator loses it when it signs out, or signs in as a viewer.
	hc := browser(t)
	postForm(t, hc, s.URL()+"/login", url.Values{"token": {token(t, s, alice, time.Hour)}})
	if status, _ := create(hc); status != http.StatusCreated {
		t.Fatalf("signed-in moderator: %d", status)
	}
	postForm(t, hc, s.URL()+"/login", url.Values{"token": {token(t, s, viewer, time.Hour)}})
	if status, _ := create(hc); status != http.StatusForbidden {
		t.Fatalf("after switching to a viewer: %d, want 403", status)
	}
	postForm(t, hc, s.URL()+"/logout", nil)
	if status, _ := create(hc); status != http.StatusUnauthorized {
		t.Fatalf("after signing out: %d, want 401", status)
	}
}

// TestNicknamesThatLookLikeAnotherUsersAreRefused: a guest may not take a
// nickname that looks like the name of a signed-in user the server knows
// (signed in here, or seen commenting), nor like that of another guest
// seen lately; the guest who holds a name may take it again.
func TestNicknamesThatLookLikeAnotherUsersAreRefused(t *testing.T) {
	s := startServer(t)
	if resp := postForm(t, browser(t), s.URL()+"/login", url.Values{"token": {token(t, s, alice, time.Hour)}}); resp.status != http.StatusSeeOther {
		t.Fatalf("alice signing in: %d", resp.status)
	}
	commenter := bearerClient(t, token(t, s, auth.Identity{ID: "u-zed", Name: "Zed Smith", Roles: []string{auth.RoleViewer}}, time.Hour))
	if status := call(t, commenter, "POST", s.URL()+"/api/rooms/demo/comments", map[string]any{"text": "hi"}, nil); status != http.StatusCreated {
		t.Fatalf("comment: %d", status)
	}
	bob := browser(t)
	if resp := postForm(t, bob, s.URL()+"/login", url.Values{"nickname": {"Bob"}}); resp.status != http.StatusSeeOther {
		t.Fatalf("the first Bob: %d", resp.status)
	}
	for _, tc := range []struct{ name, nickname string }{
		{"a signed-in user's name", "Alice"},
		{"it with a Cyrillic А", "Аlice"},
		{"it in capitals, spaced", "A L I C E"},
		{"a commenter's name with a Cyrillic е", "Zеd Smith"},
		{"another guest's nickname", "Bob"},
		{"it with a Cyrillic о", "Bоb"},
		{"it with a zero", "B0B"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp := postForm(t, browser(t), s.URL()+"/login", url.Values{"nickname": {tc.nickname}})
			if resp.status != http.StatusConflict || !strings.Contains(resp.body, "Pick another nickname") {
				t.Fatalf("status %d, want 409 with the form again", resp.status)
			}
		})
	}
	if resp := postForm(t, bob, s.URL()+"/login", url.Values{"nickname": {"Bob"}}); resp.status != http.StatusSeeOther {
		t.Errorf("Bob taking his own nickname again: %d", resp.status)
	}
	if resp := postForm(t, browser(t), s.URL()+"/login", url.Values{"nickname": {"Bobby"}}); resp.status != http.StatusSeeOther {
		t.Errorf("a name that only starts like another: %d", resp.status)
	}
}
