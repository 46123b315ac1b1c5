package web

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/danmaku/danmaku/app/apptest"
	"github.com/danmaku/danmaku/app/auth"
)

// connectJS connects the page's own client.js with opts (a JS object
// literal) and resolves with the user from welcome, or from authed when it
// expects one, and the author of a comment it sent.
const connectJS = `(async () => {
	const { createClient } = await import('/assets/js/client.js');
	const opts = %s;
	const client = createClient({ room: 'demo', ...opts });
	const user = await new Promise((resolve, reject) => {
		setTimeout(() => reject(new Error('no welcome')), 10000);
		client.on(opts.token ? 'authed' : 'welcome', (m) => resolve(m.user));
		client.on('state', (s, info) => s === 'closed' && reject(new Error('closed ' + info.code + ' ' + info.reason)));
		client.connect();
	});
	const ack = await client.sendComment({ text: 'from ' + user.name, time: 1 });
	client.close();
	return { user, by: ack.user.name };
})()`

// signedIn is what connectJS resolves with.
type signedIn struct {
	User struct {
		ID, Name string
		Guest    bool
		Roles    []string
	}
	By string
}

// TestSignInFromABrowser drives the real server's pages in Chromium: the
// nickname and token forms set the session cookie, the page's own client
// connects with it, with a token in the URL and with an auth frame; a
// Bearer call from the page works too, and another site can neither open a
// socket nor post with the viewer's cookie. No page breaks the CSP.
func TestSignInFromABrowser(t *testing.T) {
	needBrowser(t)
	s := apptest.Start(t)
	token := apptest.Token(t, auth.Identity{ID: "u1", Name: "Alice", Roles: []string{auth.RoleModerator}}, time.Hour)
	base := s.URL()
	p := newTab(t, "viewer")
	connect := func(p *tab, opts string) signedIn { return eval[signedIn](p, fmt.Sprintf(connectJS, opts)) }
	signIn := func(p *tab) {
		p.open(base + "/login")
		p.follow(chromedp.SendKeys(chromedp.ID("dm-token"), token), chromedp.Click(chromedp.CSS(`#dm-login-token button[type="submit"]`)))
	}
	header := func(p *tab) string { return eval[string](p, `document.querySelector('header').textContent`) }

	step(t, "nickname form sets the session cookie", func(t *testing.T) {
		p := p.in(t)
		p.open(base + "/login?next=/")
		p.follow(chromedp.SendKeys(chromedp.ID("dm-nickname"), "Browser Bob"), chromedp.Click(chromedp.CSS(`#dm-login-nickname button[type="submit"]`)))
		if eval[bool](p, `document.cookie.includes('danmaku_session')`) {
			t.Fatal("the session cookie is readable from JavaScript (want HttpOnly)")
		}
		if r := connect(p, `{}`); r.User.Name != "Browser Bob" || !r.User.Guest || r.By != "Browser Bob" {
			t.Fatalf("over the cookie: %+v", r)
		}
		p.checkClean()
	})
	step(t, "token in the URL", func(t *testing.T) {
		if r := connect(p.in(t), `{url: '/ws?token=`+token+`'}`); r.User.ID != "u1" || r.By != "Alice" {
			t.Fatalf("with ?token=: %+v", r)
		}
	})
	step(t, "auth frame", func(t *testing.T) {
		r := connect(p.in(t), `{token: async () => '`+token+`'}`)
		if r.User.ID != "u1" || r.User.Guest || len(r.User.Roles) != 1 || r.By != "Alice" {
			t.Fatalf("with an auth frame: %+v", r)
		}
	})
	step(t, "Bearer header on REST", func(t *testing.T) {
		p := p.in(t)
		status := eval[int](p, `fetch('/api/rooms', {method: 'POST', headers: {Authorization: 'Bearer `+token+`', 'Content-Type': 'application/json'},
			body: JSON.stringify({id: 'from-browser'})}).then((r) => r.status)`)
		if status != 201 {
			t.Fatalf("creating a room with a Bearer token: %d", status)
		}
		if status := eval[int](p, `fetch('/api/rooms', {method: 'POST', body: JSON.stringify({id: 'no-token'})}).then((r) => r.status)`); status != 401 {
			t.Fatalf("creating a room as a guest: %d, want 401", status)
		}
	})
	step(t, "token form and sign-out", func(t *testing.T) {
		p := p.in(t)
		signIn(p)
		if h := header(p); !strings.Contains(h, "Alice") || !strings.Contains(h, "Sign out") {
			t.Fatalf("header after signing in: %q", h)
		}
		if r := connect(p, `{}`); r.User.ID != "u1" {
			t.Fatalf("over the cookie after the token form: %+v", r)
		}
		p.open(base + "/logout")
		p.follow(chromedp.Click(chromedp.CSS(`form[action="/logout"] button[type="submit"]`)))
		if h := header(p); !strings.Contains(h, "Sign in") {
			t.Fatalf("header after signing out: %q", h)
		}
		p.checkClean()
	})
	step(t, "another site cannot use the cookie", func(t *testing.T) {
		// A page of another site (localhost is another site than 127.0.0.1
		// to the browser), served without any CSP so that nothing but the
		// server's own checks stands in the way.
		evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, "<!doctype html><title>elsewhere</title>")
		}))
		defer evil.Close()
		q := newForeignTab(t, "victim")
		signIn(q)
		q.open(strings.Replace(evil.URL, "127.0.0.1", "localhost", 1) + "/")
		outcome := eval[struct{ Socket, Post string }](q, `(async () => {
			const socket = await new Promise((resolve) => {
				const ws = new WebSocket('`+strings.Replace(base, "http", "ws", 1)+`/ws?room=demo');
				ws.onopen = () => resolve('opened');
				ws.onclose = (e) => resolve('closed ' + e.code);
			});
			const post = await fetch('`+base+`/api/rooms/demo/comments', {method: 'POST', mode: 'no-cors', credentials: 'include',
				headers: {'Content-Type': 'text/plain'}, body: JSON.stringify({text: 'cross-site'})}).then(() => 'sent', (e) => String(e));
			return {Socket: socket, Post: post};
		})()`)
		if !strings.HasPrefix(outcome.Socket, "closed") {
			t.Fatalf("a page on another site opened a socket: %s", outcome.Socket)
		}
		q.open(base + "/")
		if n := eval[int](q, `fetch('/api/rooms/demo/comments?after_seq=12').then((r) => r.json()).then((b) => b.comments.filter((c) => c.text === 'cross-site').length)`); n != 0 {
			// (The fetch itself reports a network error: the server's
			// Cross-Origin-Resource-Policy hides the answer, not the request.)
			t.Fatalf("the cross-site POST was stored (fetch said %s)", outcome.Post)
		}
	})
}
