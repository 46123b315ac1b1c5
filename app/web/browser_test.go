package web

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/danmaku/danmaku/app/apptest"
)

// The browser tests drive Debian's Chromium with chromedp: one headless
// browser for the whole package (started on first use), one browser context
// per simulated viewer (own cookies and localStorage), real servers from
// apptest. Locally they skip when Chromium is missing; with CI=true that is
// a failure.

// waitFor bounds every wait on a condition in a page. Generous: CI machines
// are busy running the other packages' tests at the same time.
const waitFor = 20 * time.Second

// pageCSP is the strict policy the server's pages must work under; tests add
// it to every page they load (the production header is set elsewhere).
const pageCSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"media-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"

// pageProbe runs before any page script: it records CSP violations, uncaught
// errors, and every comment element that enters the overlay (with the wall
// clock, the video time and whether it was own), so tests can assert on what
// appeared even after it left the screen.
const pageProbe = `(() => {
  window.__violations = [];
  window.__errors = [];
  window.__seen = [];
  document.addEventListener('securitypolicyviolation', (e) =>
    window.__violations.push(e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline') + ' at ' + e.sourceFile + ':' + e.lineNumber));
  window.addEventListener('error', (e) => window.__errors.push(String(e.message) + ' at ' + e.filename + ':' + e.lineno));
  window.addEventListener('unhandledrejection', (e) => window.__errors.push('unhandled rejection: ' + String(e.reason && (e.reason.message || e.reason.code) || e.reason)));
  new MutationObserver((records) => {
    for (const r of records) for (const n of r.addedNodes) {
      if (n.nodeType !== 1 || !n.classList.contains('dm-item')) continue;
      window.__seen.push({
        id: n.dataset.id, text: n.querySelector('.dm-text')?.textContent ?? '', mode: n.dataset.mode,
        own: n.classList.contains('dm-own'), at: Date.now(), perf: performance.now(),
        vt: document.getElementById('dm-video')?.currentTime ?? null,
      });
    }
  }).observe(document, { childList: true, subtree: true });
})();`

var shared struct {
	once   sync.Once
	ctx    context.Context
	cancel context.CancelFunc
	err    error
	dir    string
}

func TestMain(m *testing.M) {
	apptest.ServeIfChild() // the killed server of TestReconnect runs in a child process
	code := m.Run()
	if shared.cancel != nil {
		shared.cancel()
	}
	if shared.dir != "" {
		os.RemoveAll(shared.dir)
	}
	os.Exit(code)
}

// findChromium returns the path of a Chromium-like browser, or "".
func findChromium() string {
	if p := os.Getenv("DANMAKU_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// needBrowser returns the shared browser, starting it on first use.
func needBrowser(t *testing.T) context.Context {
	t.Helper()
	bin := findChromium()
	if bin == "" {
		missingTool(t, "chromium", "apt-get install -y chromium fonts-wqy-microhei")
	}
	shared.once.Do(func() {
		shared.dir, shared.err = os.MkdirTemp("", "danmaku-chromium-")
		if shared.err != nil {
			return
		}
		opts := append(chromedp.DefaultExecAllocatorOptions[:],
			chromedp.ExecPath(bin),
			chromedp.UserDataDir(shared.dir),
			chromedp.DisableGPU,
			chromedp.WindowSize(1280, 800),
			chromedp.Flag("disable-component-update", true),
			chromedp.Flag("mute-audio", true),
			chromedp.Flag("autoplay-policy", "no-user-gesture-required"),
		)
		if os.Geteuid() == 0 {
			opts = append(opts, chromedp.NoSandbox)
		}
		alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
		ctx, cancelCtx := chromedp.NewContext(alloc)
		shared.ctx = ctx
		shared.cancel = func() { cancelCtx(); cancelAlloc() }
		shared.err = chromedp.Do(ctx) // starts the browser; its life is bound to ctx, not to a test
	})
	if shared.err != nil {
		t.Fatalf("starting %s: %v", bin, shared.err)
	}
	return shared.ctx
}

// tab is one browser tab in a browser context of its own: one viewer.
// Its methods fail the test t; in(t) hands the tab to a subtest.
type tab struct {
	t       *testing.T
	name    string
	ctx     context.Context
	dialogs *dialogLog
}

// dialogLog records the dialogs a tab's pages opened.
type dialogLog struct {
	mu   sync.Mutex
	list []string
}

// in returns the tab reporting to t (a subtest).
func (p *tab) in(t *testing.T) *tab {
	q := *p
	q.t = t
	return &q
}

// newTab opens a tab in a fresh browser context. Every document it loads gets
// the strict CSP and the page probe; dialogs are recorded and dismissed.
func newTab(t *testing.T, name string) *tab {
	t.Helper()
	return openTab(t, name, true)
}

// newForeignTab opens a tab whose pages keep only the CSP their own server
// sends: for pages of another site that the test serves itself.
func newForeignTab(t *testing.T, name string) *tab {
	t.Helper()
	return openTab(t, name, false)
}

func openTab(t *testing.T, name string, strictCSP bool) *tab {
	t.Helper()
	ctx, cancel := chromedp.NewContext(needBrowser(t), chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	p := &tab{t: t, name: name, ctx: ctx, dialogs: &dialogLog{}}
	dialogs := chromedp.Events(ctx, page.JavascriptDialogOpening)
	paused := chromedp.Events(ctx, fetch.RequestPaused)
	go func() {
		for ev, err := range dialogs {
			if err != nil {
				return
			}
			p.dialogs.mu.Lock()
			p.dialogs.list = append(p.dialogs.list, string(ev.Type)+": "+ev.Message)
			p.dialogs.mu.Unlock()
			_, _ = chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: false})
		}
	}()
	go func() {
		for ev, err := range paused {
			if err != nil {
				return
			}
			headers := ev.ResponseHeaders
			if strictCSP {
				headers = append(headers, &fetch.HeaderEntry{Name: "Content-Security-Policy", Value: pageCSP})
			}
			_, _ = chromedp.Call(ctx, fetch.ContinueResponse, fetch.ContinueResponseParams{
				RequestID: ev.RequestID, ResponseCode: ev.ResponseStatusCode, ResponseHeaders: headers,
			})
		}
	}()
	p.run(chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		if _, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: pageProbe}); err != nil {
			return err
		}
		_, err := chromedp.Call(ctx, fetch.Enable, fetch.EnableParams{Patterns: []*fetch.RequestPattern{
			{ResourceType: network.ResourceTypeDocument, RequestStage: fetch.RequestStageResponse},
		}})
		return err
	}))
	return p
}

// run runs actions in the tab, failing the test on error.
func (p *tab) run(actions ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, waitFor)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		p.t.Fatalf("%s: %v", p.name, err)
	}
}

// open loads url and waits for the page's scripts to have run.
func (p *tab) open(url string) {
	p.t.Helper()
	p.run(chromedp.Navigate(url))
	p.wait(`document.readyState === 'complete'`, "the page to load")
}

// follow runs actions that navigate (a form post, a link) and waits for
// the new page; it returns the new page's HTTP status.
func (p *tab) follow(actions ...chromedp.Action[chromedp.Void]) int64 {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, waitFor)
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, actions...)
	if err != nil {
		p.t.Fatalf("%s: %v", p.name, err)
	}
	p.wait(`document.readyState === 'complete'`, "the new page to load")
	return resp.Status
}

// reload reloads the page and waits for it as open does.
func (p *tab) reload() {
	p.t.Helper()
	p.run(chromedp.Reload())
	p.wait(`document.readyState === 'complete'`, "the page to load again")
}

// eval evaluates a JavaScript expression in p (promises are awaited) and decodes its value.
func eval[T any](p *tab, expr string) T {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, waitFor)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		p.t.Fatalf("%s: evaluating %s: %v", p.name, expr, err)
	}
	return v
}

// waitValue waits until the expression is truthy in p and returns its value.
// It polls inside the page (every frame, or 50 ms) rather than through
// chromedp.Poll, whose new Function() the pages' CSP forbids.
func waitValue[T any](p *tab, expr, what string) T {
	p.t.Helper()
	js := fmt.Sprintf(`(async () => {
		const deadline = performance.now() + %d;
		for (;;) {
			const v = await (async () => (%s))();
			if (v) return v;
			if (performance.now() > deadline) return null;
			await new Promise((r) => { requestAnimationFrame(r); setTimeout(r, 50); });
		}
	})()`, (waitFor - time.Second).Milliseconds(), expr)
	raw := eval[json.RawMessage](p, js)
	if string(raw) == "null" {
		p.t.Fatalf("%s: timed out waiting for %s (%s)\n%s", p.name, what, expr, p.diagnose())
	}
	var v T
	if err := json.Unmarshal(raw, &v); err != nil {
		p.t.Fatalf("%s: %s: decoding %s: %v", p.name, what, raw, err)
	}
	return v
}

// wait waits until the expression is truthy in p.
func (p *tab) wait(expr, what string) {
	p.t.Helper()
	waitValue[json.RawMessage](p, expr, what)
}

// diagnose describes the page's state for a failure message.
func (p *tab) diagnose() string {
	ctx, cancel := context.WithTimeout(p.ctx, 5*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](`JSON.stringify({
		url: location.href,
		status: document.getElementById('dm-status')?.textContent,
		items: [...document.querySelectorAll('.dm-item')].map((e) => e.textContent).slice(0, 20),
		seen: (window.__seen || []).map((e) => [e.text, e.id, e.vt, e.at]).slice(-20),
		errors: window.__errors, violations: window.__violations,
		video: document.getElementById('dm-video') && { t: document.getElementById('dm-video').currentTime, paused: document.getElementById('dm-video').paused },
	})`))
	if err != nil {
		return "(no page state: " + err.Error() + ")"
	}
	return "page state: " + s
}

// checkClean asserts the page broke no CSP rule, threw nothing and opened no dialog.
func (p *tab) checkClean() {
	p.t.Helper()
	state := eval[struct {
		Violations []string `json:"violations"`
		Errors     []string `json:"errors"`
	}](p, `({violations: window.__violations, errors: window.__errors})`)
	if len(state.Violations) > 0 {
		p.t.Errorf("%s: CSP violations: %s", p.name, strings.Join(state.Violations, "; "))
	}
	if len(state.Errors) > 0 {
		p.t.Errorf("%s: page errors: %s", p.name, strings.Join(state.Errors, "; "))
	}
	if d := p.openedDialogs(); len(d) > 0 {
		p.t.Errorf("%s: dialogs opened: %s", p.name, strings.Join(d, "; "))
	}
}

func (p *tab) openedDialogs() []string {
	p.dialogs.mu.Lock()
	defer p.dialogs.mu.Unlock()
	return append([]string(nil), p.dialogs.list...)
}

// click clicks the element matching the CSS selector with the mouse.
func (p *tab) click(sel string) {
	p.t.Helper()
	p.run(chromedp.Click(chromedp.CSS(sel)))
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// missingTool skips the test when a program it needs is missing, or fails it
// in CI (CI=true), where a missing browser must never pass silently.
func missingTool(t *testing.T, name, hint string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s not found on PATH (required in CI): %s", name, hint)
	}
	t.Skipf("%s not found on PATH, skipping: %s", name, hint)
}
