package app_test

import (
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/gorilla/websocket"

	"github.com/danmaku/danmaku/app"
	"github.com/danmaku/danmaku/app/apptest"
	"github.com/danmaku/danmaku/app/auth"
	"github.com/danmaku/danmaku/app/protocol"
)

// signIn signs a new browser in at /login with tok and returns it, with
// the session cookie it got.
func signIn(t *testing.T, s *testServer, tok string) (*http.Client, *http.Cookie) {
	t.Helper()
	hc := browser(t)
	resp := postForm(t, hc, s.URL()+"/login", url.Values{"token": {tok}, "next": {"/"}})
	if resp.status != http.StatusSeeOther {
		t.Fatalf("sign in: %d\n%s", resp.status, resp.body)
	}
	return hc, sessionSetCookie(t, resp)
}

// jarWith is a cookie jar holding only cookie, as a copied cookie would be.
func jarWith(t *testing.T, s *testServer, cookie *http.Cookie) http.CookieJar {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(s.URL())
	if err != nil {
		t.Fatal(err)
	}
	jar.SetCookies(u, []*http.Cookie{{Name: cookie.Name, Value: cookie.Value, Path: "/"}})
	return jar
}

// wantRefused fails unless dialing path with opts is refused with status.
func wantRefused(t *testing.T, s *testServer, path string, opts dialOpts, status int) {
	t.Helper()
	c, resp, err := tryDial(t, s, path, opts)
	if err == nil {
		c.conn.Close()
		t.Fatalf("dial %s succeeded, want %d", path, status)
	}
	if resp == nil || resp.StatusCode != status {
		t.Fatalf("dial %s: %v %+v, want status %d", path, err, resp, status)
	}
}

// wantClosedSignedOut fails unless every socket is closed with 1008 "signed out".
func wantClosedSignedOut(t *testing.T, socks map[string]*wsClient) {
	t.Helper()
	for name, c := range socks {
		if code := c.waitClosed(); code != websocket.ClosePolicyViolation || c.reason() != "signed out" {
			t.Fatalf("%s closed with %d %q, want 1008 signed out", name, code, c.reason())
		}
	}
}

// wantOpen fails unless every viewer socket still answers a ping.
func wantOpen(t *testing.T, socks map[string]*wsClient) {
	t.Helper()
	for name, c := range socks {
		c.send(map[string]string{"type": "ping", "ref": name})
		if f := c.next(protocol.TypePong); f.Ref != name {
			t.Fatalf("%s: %+v, want its pong", name, f)
		}
	}
}

func TestLogoutRefusesACopiedCookie(t *testing.T) {
	s := startServer(t)
	hc, cookie := signIn(t, s, token(t, s, alice, time.Hour))
	copied := &http.Client{Jar: jarWith(t, s, cookie), Timeout: waitFor}

	// Before the sign-out the copy works as well as the original: REST, a
	// moderator's socket, and a viewer's socket as Alice.
	if status := call(t, copied, "GET", s.URL()+"/api/admin/held", nil, nil); status != http.StatusOK {
		t.Fatalf("the copied cookie before sign-out: %d, want 200", status)
	}
	copiedMod := dial(t, s, "/admin", dialOpts{jar: copied.Jar})
	copiedMod.modNext("snapshot", nil)
	copiedViewer, me := socketOf(t, s, copied)
	wantUser(t, me, alice)

	if resp := postForm(t, hc, s.URL()+"/logout", nil); resp.status != http.StatusSeeOther {
		t.Fatalf("logout: %d", resp.status)
	}

	// The sockets the copy had open are closed at once,
	wantClosedSignedOut(t, map[string]*wsClient{"the copy's moderator socket": copiedMod, "the copy's viewer socket": copiedViewer})
	// and the copy opens nothing new: REST refuses it,
	var e apiError
	if status := call(t, copied, "GET", s.URL()+"/api/admin/held", nil, &e); status != http.StatusUnauthorized || e.Error.Code != "unauthorized" {
		t.Fatalf("the copied cookie after sign-out: %d %+v, want 401", status, e)
	}
	// so does the moderators' socket,
	wantRefused(t, s, "/admin", dialOpts{jar: jarWith(t, s, cookie)}, http.StatusUnauthorized)
	// and a viewer's socket is no longer Alice's but a new guest's.
	if _, me := socketOf(t, s, &http.Client{Jar: jarWith(t, s, cookie)}); me.ID == alice.ID || !me.Guest {
		t.Fatalf("the copied cookie after sign-out made a socket of %+v, want a new guest", me)
	}
	// The copy as a Bearer token, and in an auth frame, is refused too.
	if status := call(t, bearerClient(t, cookie.Value), "GET", s.URL()+"/api/admin/held", nil, nil); status != http.StatusUnauthorized {
		t.Fatalf("the copied session token as Bearer: %d, want 401", status)
	}
	guest := dial(t, s, "?room=demo")
	guest.next(protocol.TypeWelcome)
	guest.send(map[string]string{"type": "auth", "ref": "a", "token": cookie.Value})
	if f := guest.next(protocol.TypeError); f.Ref != "a" || f.Code != "unauthorized" {
		t.Fatalf("auth frame with the ended session: %+v, want unauthorized", f)
	}
}

func TestSignOutEverywhere(t *testing.T) {
	s := startServer(t)
	tok := token(t, s, alice, time.Hour) // what the operator printed for Alice
	laptop, _ := signIn(t, s, tok)
	phone, phoneCookie := signIn(t, s, tok)
	bob := auth.Identity{ID: "u2", Name: "Bob", Roles: []string{auth.RoleModerator}}
	bobBrowser, _ := signIn(t, s, token(t, s, bob, time.Hour))

	laptopTab, _ := socketOf(t, s, laptop)
	phoneTab, _ := socketOf(t, s, phone)
	bot := dial(t, s, "?room=demo", dialOpts{header: bearerHeader(tok)})
	bot.next(protocol.TypeWelcome)
	bobTab, _ := socketOf(t, s, bobBrowser)

	resp := get(t, laptop, s.URL()+"/logout")
	if !strings.Contains(resp.body, `name="everywhere"`) {
		t.Fatalf("the sign-out page offers no sign-out everywhere:\n%s", resp.body)
	}
	if resp := postForm(t, laptop, s.URL()+"/logout", url.Values{"everywhere": {"1"}}); resp.status != http.StatusSeeOther {
		t.Fatalf("sign out everywhere: %d", resp.status)
	}
	wantClosedSignedOut(t, map[string]*wsClient{"the laptop's tab": laptopTab, "the phone's tab": phoneTab, "the bot": bot})
	wantOpen(t, map[string]*wsClient{"Bob's tab": bobTab})

	for name, hc := range map[string]*http.Client{
		"the phone's cookie":           {Jar: jarWith(t, s, phoneCookie), Timeout: waitFor},
		"the token printed before":     bearerClient(t, tok),
		"the laptop, which signed out": laptop,
	} {
		if status := call(t, hc, "GET", s.URL()+"/api/admin/held", nil, nil); status != http.StatusUnauthorized {
			t.Fatalf("%s after sign-out everywhere: %d, want 401", name, status)
		}
	}
	if resp := postForm(t, browser(t), s.URL()+"/login", url.Values{"token": {tok}}); resp.status != http.StatusUnauthorized {
		t.Fatalf("signing in again with the old token: %d, want 401", resp.status)
	}
	if status := call(t, bobBrowser, "GET", s.URL()+"/api/admin/held", nil, nil); status != http.StatusOK {
		t.Fatalf("Bob after Alice signed out everywhere: %d, want 200", status)
	}
	// A token issued after the sign-out works. Token times have whole
	// seconds, so this one is stamped a second ahead, which the server's
	// leeway allows, rather than waiting for the clock to tick over.
	fresh := tokenIssuedAt(t, alice, time.Now().Add(time.Second))
	if status := call(t, bearerClient(t, fresh), "GET", s.URL()+"/api/admin/held", nil, nil); status != http.StatusOK {
		t.Fatalf("a token issued after the sign-out: %d, want 200", status)
	}
}

// tokenIssuedAt mints a sessionless token for id issued at iat.
func tokenIssuedAt(t *testing.T, id auth.Identity, iat time.Time) string {
	t.Helper()
	tok, err := jwt.NewWithClaims(jwt.SigningMethodHS256, auth.Claims{
		Name: id.Name, Roles: id.Roles,
		RegisteredClaims: jwt.RegisteredClaims{
			Subject: id.ID, IssuedAt: jwt.NewNumericDate(iat), ExpiresAt: jwt.NewNumericDate(iat.Add(time.Hour)),
		},
	}).SignedString([]byte(testSecret))
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func TestLogoutAPI(t *testing.T) {
	for _, tc := range []struct {
		name     string
		path     string
		sessions int  // ended: this browser's, or both of Alice's
		both     bool // the other browser's socket closes too
	}{
		{"this session", "/api/logout", 1, false},
		{"everywhere", "/api/logout/everywhere", 2, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := startServer(t)
			hc, cookie := signIn(t, s, token(t, s, alice, time.Hour))
			_, other := signIn(t, s, token(t, s, alice, time.Hour))
			tab, _ := socketOf(t, s, hc)
			otherTab, _ := socketOf(t, s, &http.Client{Jar: jarWith(t, s, other)})
			var out struct{ Sessions, Sockets int }
			if status := call(t, hc, "POST", s.URL()+tc.path, nil, &out); status != http.StatusOK || out.Sessions != tc.sessions {
				t.Fatalf("POST %s: %d %+v, want 200 and %d sessions ended", tc.path, status, out, tc.sessions)
			}
			wantClosedSignedOut(t, map[string]*wsClient{"this browser's tab": tab})
			if status := call(t, &http.Client{Jar: jarWith(t, s, cookie)}, "GET", s.URL()+"/api/admin/held", nil, nil); status != http.StatusUnauthorized {
				t.Fatalf("the cookie after %s: %d, want 401", tc.path, status)
			}
			if tc.both {
				wantClosedSignedOut(t, map[string]*wsClient{"the other browser's tab": otherTab})
			} else {
				wantOpen(t, map[string]*wsClient{"the other browser's tab": otherTab})
			}
		})
	}
	t.Run("a token without a session", func(t *testing.T) {
		s := startServer(t)
		var e apiError
		if status := call(t, bearerClient(t, token(t, s, alice, time.Hour)), "POST", s.URL()+"/api/logout", nil, &e); status != http.StatusBadRequest || e.Error.Code != "bad_request" {
			t.Fatalf("logout with a sessionless token: %d %+v, want 400: it has nothing of its own to end", status, e)
		}
	})
}

func TestGuestSessions(t *testing.T) {
	s := startServer(t)
	hc := browser(t)
	first := sessionSetCookie(t, get(t, hc, s.URL()+"/"))
	if d := time.Until(first.Expires); d < 6*24*time.Hour || d > 7*24*time.Hour+time.Minute {
		t.Fatalf("a new guest's cookie lasts %s, want 7 days", d)
	}
	// Coming back renews it to 30 days, keeping the guest.
	back := get(t, hc, s.URL()+"/")
	renewed := sessionSetCookie(t, back)
	if d := time.Until(renewed.Expires); d < 29*24*time.Hour || d > 30*24*time.Hour+time.Minute {
		t.Fatalf("a returning guest's cookie lasts %s, want 30 days", d)
	}
	a, _ := auth.NewSigner([]byte(testSecret)).Parse(first.Value)
	b, _ := auth.NewSigner([]byte(testSecret)).Parse(renewed.Value)
	if a.Session == "" || a.Session != b.Session || a.Identity.ID != b.Identity.ID {
		t.Fatalf("renewal changed the session: %+v → %+v", a, b)
	}
	// And once renewed, a visit sets no cookie.
	if c := get(t, hc, s.URL()+"/").cookies(); len(c) != 0 {
		t.Fatalf("a fresh guest session was sent again: %v", c)
	}
	// Reading the API without a cookie leaves no session behind.
	resp, _ := apptest.Fetch(t, &http.Client{Timeout: waitFor}, "GET", s.URL()+"/api/rooms/demo/comments", nil, nil)
	if resp.StatusCode != http.StatusOK || len(resp.Cookies()) != 0 {
		t.Fatalf("a cookieless API read: %d, cookies %v, want 200 and none", resp.StatusCode, resp.Cookies())
	}
	// A guest signs out like anyone: the cookie is refused after.
	if resp := postForm(t, hc, s.URL()+"/logout", nil); resp.status != http.StatusSeeOther {
		t.Fatalf("guest logout: %d", resp.status)
	}
	if _, me := socketOf(t, s, &http.Client{Jar: jarWith(t, s, renewed)}); me.ID == a.Identity.ID {
		t.Fatal("a guest's ended session still works")
	}
}

// TestSignOutReachesOtherNodes runs two servers on one database, as two
// nodes of a cluster: a sign-out on one is refused by the other once its
// cache of the session is older than -session-recheck.
func TestSignOutReachesOtherNodes(t *testing.T) {
	recheck := func(c *app.Config) { c.SessionRecheck = 50 * time.Millisecond }
	a := startServer(t, recheck)
	bCfg := a.cfg
	bCfg.Addr = "127.0.0.1:0"
	b := startWith(t, bCfg)

	hc, cookie := signIn(t, a, token(t, a, alice, time.Hour))
	onB := &http.Client{Jar: jarWith(t, b, cookie), Timeout: waitFor}
	if status := call(t, onB, "GET", b.URL()+"/api/admin/held", nil, nil); status != http.StatusOK {
		t.Fatalf("the session on the other node: %d, want 200", status)
	}
	modOnB := dial(t, b, "/admin", dialOpts{jar: onB.Jar})
	modOnB.modNext("snapshot", nil)

	if resp := postForm(t, hc, a.URL()+"/logout", nil); resp.status != http.StatusSeeOther {
		t.Fatalf("logout: %d", resp.status)
	}
	deadline := time.Now().Add(waitFor)
	for call(t, onB, "GET", b.URL()+"/api/admin/held", nil, nil) != http.StatusUnauthorized {
		if time.Now().After(deadline) {
			t.Fatalf("the other node still takes the session %s after the sign-out", waitFor)
		}
		time.Sleep(10 * time.Millisecond)
	}
	// The idle moderator socket on the other node is closed by its own
	// recheck, without sending anything.
	wantClosedSignedOut(t, map[string]*wsClient{"the moderator socket on the other node": modOnB})
}
