package web

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/danmaku/danmaku/app"
	"github.com/danmaku/danmaku/app/auth"
	"github.com/danmaku/danmaku/plugins"
	_ "github.com/danmaku/danmaku/plugins/all" // the built-in plugins, as main.go registers them
)

// strictCSP is the policy the moderation page must work under.
const strictCSP = "default-src 'self'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'"

// TestModerationPageInBrowser drives /admin of a real server in headless
// Chromium, under a strict CSP: the held queue shows up live, approving
// from the page publishes the comment, and deleting it retracts it.
func TestModerationPageInBrowser(t *testing.T) {
	bin := requireChromium(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	srv := startApp(t)
	// The page is served through a proxy that adds the CSP the server will send.
	target, _ := url.Parse(srv.URL())
	proxy := httputil.NewSingleHostReverseProxy(target)
	proxy.ModifyResponse = func(r *http.Response) error {
		r.Header.Set("Content-Security-Policy", strictCSP)
		return nil
	}
	front := httptest.NewServer(proxy)
	defer front.Close()

	secret := []byte("browser-test-secret-browser-test-secret")
	tok, err := auth.NewSigner(secret).Issue(auth.Identity{ID: "m1", Name: "Mod", Roles: []string{"moderator"}}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	post := func(path, body string) int { // as a new guest
		t.Helper()
		req, _ := http.NewRequest("POST", front.URL+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if status := post("/api/rooms/demo/comments", `{"text":"spoiler: it was a dream","time":1}`); status != http.StatusAccepted {
		t.Fatalf("held comment: status %d", status)
	}

	c := startChromium(t, ctx, bin)
	page, _ := openTab(t, ctx, c)
	if err := c.call(ctx, page, "Page.addScriptToEvaluateOnNewDocument", map[string]any{
		"source": `window.cspViolations = []; document.addEventListener('securitypolicyviolation', (e) => window.cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));
window.pageErrors = []; window.addEventListener('error', (e) => window.pageErrors.push(String(e.message)));`,
	}, nil); err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(front.URL)
	if err := c.call(ctx, page, "Network.setCookie", map[string]any{
		"name": "danmaku_session", "value": tok, "domain": u.Hostname(), "path": "/", "httpOnly": true,
	}, nil); err != nil {
		t.Fatal(err)
	}
	if err := c.call(ctx, page, "Page.navigate", map[string]any{"url": front.URL + "/admin"}, nil); err != nil {
		t.Fatal(err)
	}

	waitJS(t, ctx, c, page, "the live status", `document.getElementById('mod-status')?.dataset.state === 'open'`)
	waitJS(t, ctx, c, page, "the held comment in the queue",
		`[...document.querySelectorAll('#held-rows tr')].some((tr) => tr.textContent.includes('spoiler: it was a dream'))`)
	waitJS(t, ctx, c, page, "the plugin counters", `document.querySelectorAll('#plugin-rows tr').length === 1`)

	evalJS(t, ctx, c, page, `document.querySelector('#held-rows .mod-approve').click()`)
	waitJS(t, ctx, c, page, "an empty queue after approving", `document.querySelectorAll('#held-rows tr').length === 0 && !document.getElementById('held-empty').hidden`)
	waitJS(t, ctx, c, page, "the approved comment shown visible",
		`[...document.querySelectorAll('#recent-rows tr')].some((tr) => tr.dataset.status === 'visible' && tr.textContent.includes('spoiler: it was a dream'))`)

	// A comment arriving now shows up live, and deleting it from the page works.
	if status := post("/api/rooms/demo/comments", `{"text":"fresh from REST"}`); status != http.StatusCreated {
		t.Fatalf("comment: status %d", status)
	}
	waitJS(t, ctx, c, page, "the new comment in the recent list",
		`[...document.querySelectorAll('#recent-rows tr')].some((tr) => tr.textContent.includes('fresh from REST'))`)
	evalJS(t, ctx, c, page, `[...document.querySelectorAll('#recent-rows tr')].find((tr) => tr.textContent.includes('fresh from REST')).querySelector('.mod-delete').click()`)
	waitJS(t, ctx, c, page, "the deleted comment marked deleted",
		`[...document.querySelectorAll('#recent-rows tr')].some((tr) => tr.dataset.status === 'deleted' && tr.textContent.includes('fresh from REST'))`)

	// Ban from a row: the form fills in, the ban shows in the list.
	evalJS(t, ctx, c, page, `document.querySelector('#recent-rows .mod-ban-user').click()`)
	evalJS(t, ctx, c, page, `document.getElementById('ban-reason').value = 'spoilers'; document.getElementById('ban-form').requestSubmit()`)
	waitJS(t, ctx, c, page, "the ban in the list", `[...document.querySelectorAll('#ban-rows tr')].some((tr) => tr.textContent.includes('spoilers'))`)
	waitJS(t, ctx, c, page, "the ban confirmed", `document.getElementById('mod-message').textContent.startsWith('Banned user g-')`)

	if dir := os.Getenv("DANMAKU_SCREENSHOT_DIR"); dir != "" {
		evalJS(t, ctx, c, page, `window.scrollTo(0, 0)`)
		saveScreenshot(t, ctx, c, page, filepath.Join(dir, "admin.png"))
	}
	var problems struct{ CSP, Errors []string }
	raw := evalJS(t, ctx, c, page, `({csp: window.cspViolations, errors: window.pageErrors})`)
	if err := json.Unmarshal(raw, &problems); err != nil {
		t.Fatal(err)
	}
	if len(problems.CSP) > 0 || len(problems.Errors) > 0 {
		t.Fatalf("CSP violations %v, script errors %v", problems.CSP, problems.Errors)
	}
}

// startApp runs a real server whose nospoilers chain holds comments naming a spoiler.
func startApp(t *testing.T) *app.App {
	t.Helper()
	pcfg, err := plugins.ParseConfig([]byte(`plugins: [{name: nospoilers, config: {words: [spoiler]}}]`))
	if err != nil {
		t.Fatal(err)
	}
	root := filepath.Join("..", "..")
	cfg := app.DefaultConfig()
	cfg.Addr = "127.0.0.1:0"
	cfg.DBPath = filepath.Join(t.TempDir(), "danmaku.db")
	cfg.Migrations = os.DirFS(filepath.Join(root, "migrations"))
	cfg.Templates = os.DirFS(filepath.Join(root, "templates"))
	cfg.Assets = os.DirFS(filepath.Join(root, "assets"))
	cfg.Secret = "browser-test-secret-browser-test-secret"
	cfg.FlushEvery = 20 * time.Millisecond
	cfg.Plugins = pcfg
	cfg.Logger = slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	a, err := app.New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := a.Shutdown(ctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
	})
	return a
}

// waitJS waits, inside the page, until cond is true (10s at most).
func waitJS(t *testing.T, ctx context.Context, c *cdp, session, what, cond string) {
	t.Helper()
	evalJS(t, ctx, c, session, fmt.Sprintf(`new Promise((resolve, reject) => {
		const start = Date.now();
		(function poll() {
			let ok = false;
			try { ok = (%s); } catch (e) {}
			if (ok) return resolve(true);
			if (Date.now() - start > 10000) return reject(new Error('timed out waiting for %s'));
			setTimeout(poll, 20);
		})();
	})`, cond, what))
}
