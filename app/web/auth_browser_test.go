package web

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/danmaku/danmaku/app/auth"
)

// page is one Chromium tab driven over DevTools.
type page struct {
	t       *testing.T
	ctx     context.Context
	c       *cdp
	session string
}

// openPage opens a tab that records CSP violations from the first script on.
func openPage(t *testing.T, ctx context.Context, c *cdp) *page {
	t.Helper()
	session, _ := openTab(t, ctx, c)
	p := &page{t: t, ctx: ctx, c: c, session: session}
	if err := c.call(ctx, p.session, "Page.enable", map[string]any{}, nil); err != nil {
		t.Fatal(err)
	}
	if err := c.call(ctx, p.session, "Page.addScriptToEvaluateOnNewDocument", map[string]any{"source": `
		window.cspViolations = [];
		document.addEventListener('securitypolicyviolation', (e) => window.cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));
	`}, nil); err != nil {
		t.Fatal(err)
	}
	return p
}

// eval runs expr (which may be a promise) in the page and decodes its value into out.
func (p *page) eval(expr string, out any) {
	p.t.Helper()
	v := evalJS(p.t, p.ctx, p.c, p.session, expr)
	if out != nil {
		if err := json.Unmarshal(v, out); err != nil {
			p.t.Fatalf("decode %s: %v", v, err)
		}
	}
}

// signIn pastes token into the sign-in form and waits for the home page.
func (p *page) signIn(base, token string) {
	p.t.Helper()
	p.goTo(base + "/login")
	p.eval(`document.getElementById('dm-token').value = '`+token+`';
		document.getElementById('dm-login-token').submit()`, nil)
	p.waitLoaded(base + "/")
}

// goTo navigates and waits until the new document has loaded.
func (p *page) goTo(url string) {
	p.t.Helper()
	if err := p.c.call(p.ctx, p.session, "Page.navigate", map[string]any{"url": url}, nil); err != nil {
		p.t.Fatal(err)
	}
	p.waitLoaded(url)
}

// waitLoaded waits until the page shows a loaded document at url.
func (p *page) waitLoaded(url string) {
	p.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !p.loadedAt(url) {
		if time.Now().After(deadline) {
			p.t.Fatalf("the page never finished loading %s", url)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// loadedAt reports whether the page shows a loaded document at url; it is
// false while the page navigates, when evaluating in it can fail.
func (p *page) loadedAt(url string) bool {
	var out struct {
		Result struct {
			Value struct{ URL, Ready string } `json:"value"`
		} `json:"result"`
	}
	err := p.c.call(p.ctx, p.session, "Runtime.evaluate", map[string]any{
		"expression": `({URL: location.href, Ready: document.readyState})`, "returnByValue": true,
	}, &out)
	return err == nil && out.Result.Value.URL == url && out.Result.Value.Ready == "complete"
}

// noViolations fails the test if the page broke its CSP.
func (p *page) noViolations() {
	p.t.Helper()
	var v []string
	p.eval(`window.cspViolations || ['the violation listener is missing']`, &v)
	if len(v) > 0 {
		p.t.Fatalf("CSP violations: %v", v)
	}
}

// connectJS connects the page's own client.js with opts (a JS object
// literal) and resolves with the user from welcome, or from authed when it
// expects one.
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

// TestSignInFromABrowser drives the real server's pages in Chromium: the
// nickname and token forms set the session cookie, the page's own client
// connects with it, with a token in the URL and with an auth frame; a
// Bearer call from the page works too, and another site can neither open a
// socket nor post with the viewer's cookie. No page breaks the CSP.
func TestSignInFromABrowser(t *testing.T) {
	bin := requireChromium(t)
	srv := startApp(t)
	token, err := auth.NewSigner([]byte("browser-test-secret-browser-test-secret")).Issue(
		auth.Identity{ID: "u1", Name: "Alice", Roles: []string{auth.RoleModerator}}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	c := startChromium(t, ctx, bin)
	p := openPage(t, ctx, c)
	base := srv.URL()
	type result struct {
		User struct {
			ID, Name string
			Guest    bool
			Roles    []string
		}
		By string
	}

	t.Run("nickname form sets the session cookie", func(t *testing.T) {
		p.t = t
		p.goTo(base + "/login?next=/")
		p.noViolations()
		p.eval(`document.getElementById('dm-nickname').value = 'Browser Bob';
			document.getElementById('dm-login-nickname').submit()`, nil)
		p.waitLoaded(base + "/")
		var cookieVisible bool
		p.eval(`document.cookie.includes('danmaku_session')`, &cookieVisible)
		if cookieVisible {
			t.Fatal("the session cookie is readable from JavaScript (want HttpOnly)")
		}
		var r result
		p.eval(fmt.Sprintf(connectJS, `{}`), &r)
		if r.User.Name != "Browser Bob" || !r.User.Guest || r.By != "Browser Bob" {
			t.Fatalf("over the cookie: %+v", r)
		}
		p.noViolations()
	})
	t.Run("token in the URL", func(t *testing.T) {
		p.t = t
		var r result
		p.eval(fmt.Sprintf(connectJS, `{url: '/ws?token=`+token+`'}`), &r)
		if r.User.ID != "u1" || r.By != "Alice" {
			t.Fatalf("with ?token=: %+v", r)
		}
	})
	t.Run("auth frame", func(t *testing.T) {
		p.t = t
		var r result
		p.eval(fmt.Sprintf(connectJS, `{token: async () => '`+token+`'}`), &r)
		if r.User.ID != "u1" || r.User.Guest || len(r.User.Roles) != 1 || r.By != "Alice" {
			t.Fatalf("with an auth frame: %+v", r)
		}
	})
	t.Run("Bearer header on REST", func(t *testing.T) {
		p.t = t
		var status int
		p.eval(`fetch('/api/rooms', {method: 'POST', headers: {Authorization: 'Bearer `+token+`', 'Content-Type': 'application/json'},
			body: JSON.stringify({id: 'from-browser'})}).then((r) => r.status)`, &status)
		if status != 201 {
			t.Fatalf("creating a room with a Bearer token: %d", status)
		}
		p.eval(`fetch('/api/rooms', {method: 'POST', body: JSON.stringify({id: 'no-token'})}).then((r) => r.status)`, &status)
		if status != 401 {
			t.Fatalf("creating a room as a guest: %d, want 401", status)
		}
	})
	t.Run("token form and sign-out", func(t *testing.T) {
		p.t = t
		p.signIn(base, token)
		var header string
		p.eval(`document.querySelector('header').textContent`, &header)
		if !strings.Contains(header, "Alice") || !strings.Contains(header, "Sign out") {
			t.Fatalf("header after signing in: %q", header)
		}
		var r result
		p.eval(fmt.Sprintf(connectJS, `{}`), &r)
		if r.User.ID != "u1" {
			t.Fatalf("over the cookie after the token form: %+v", r)
		}
		p.goTo(base + "/logout")
		p.eval(`document.querySelector('form[action="/logout"]').submit()`, nil)
		p.waitLoaded(base + "/")
		p.eval(`document.querySelector('header').textContent`, &header)
		if !strings.Contains(header, "Sign in") {
			t.Fatalf("header after signing out: %q", header)
		}
		p.noViolations()
	})
	t.Run("another site cannot use the cookie", func(t *testing.T) {
		p.t = t
		p.signIn(base, token)
		// localhost is another site than 127.0.0.1 to the browser.
		other := strings.Replace(base, "127.0.0.1", "localhost", 1)
		p.goTo(other + "/login")
		var outcome struct {
			Socket string
			Post   string
		}
		p.eval(`(async () => {
			const socket = await new Promise((resolve) => {
				const ws = new WebSocket('`+strings.Replace(base, "http", "ws", 1)+`/ws?room=demo');
				ws.onopen = () => resolve('opened');
				ws.onclose = (e) => resolve('closed ' + e.code);
			});
			const post = await fetch('`+base+`/api/rooms/demo/comments', {method: 'POST', mode: 'no-cors', credentials: 'include',
				headers: {'Content-Type': 'text/plain'}, body: JSON.stringify({text: 'cross-site'})}).then(() => 'sent', (e) => String(e));
			return {Socket: socket, Post: post};
		})()`, &outcome)
		if !strings.HasPrefix(outcome.Socket, "closed") {
			t.Fatalf("a page on another site opened a socket: %s", outcome.Socket)
		}
		var n int
		p.goTo(base + "/")
		p.eval(`fetch('/api/rooms/demo/comments?after_seq=12').then((r) => r.json()).then((b) => b.comments.filter((c) => c.text === 'cross-site').length)`, &n)
		if n != 0 {
			t.Fatalf("the cross-site POST was stored (%s)", outcome.Post)
		}
	})
}
