package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// The browser tests run the DOM parts of assets/js (the stage, the player
// glue, the composer) in headless Chromium: a page under testdata/browser
// runs its checks and resolves window.runTests() with the results, which
// the test reads over the DevTools protocol.
//
// Chromium is optional locally (the test skips without it); set
// DANMAKU_REQUIRE_BROWSER=true to make its absence a failure, and
// DANMAKU_SCREENSHOT_DIR=/some/dir to save a PNG of each page afterwards.

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

// requireChromium returns the browser to test with, or skips the test
// without one (fails it when DANMAKU_REQUIRE_BROWSER=true).
func requireChromium(t *testing.T) string {
	t.Helper()
	bin := findChromium()
	if bin == "" {
		if os.Getenv("DANMAKU_REQUIRE_BROWSER") == "true" {
			t.Fatal("no chromium on PATH and DANMAKU_REQUIRE_BROWSER=true (apt-get install -y chromium)")
		}
		t.Skip("no chromium on PATH, skipping the browser tests (apt-get install -y chromium)")
	}
	return bin
}

// cdp is a minimal DevTools protocol client: enough to open a page and
// evaluate an expression in it.
type cdp struct {
	conn    *websocket.Conn
	mu      sync.Mutex
	nextID  int
	waiters map[int]chan cdpReply
	done    chan struct{}
}

type cdpReply struct {
	Result json.RawMessage `json:"result"`
	Error  *struct {
		Message string `json:"message"`
	} `json:"error"`
}

func dialCDP(ctx context.Context, wsURL string) (*cdp, error) {
	conn, _, err := websocket.DefaultDialer.DialContext(ctx, wsURL, nil)
	if err != nil {
		return nil, err
	}
	c := &cdp{conn: conn, waiters: map[int]chan cdpReply{}, done: make(chan struct{})}
	go c.read()
	return c, nil
}

func (c *cdp) read() {
	defer close(c.done)
	for {
		var msg struct {
			ID int `json:"id"`
			cdpReply
		}
		if err := c.conn.ReadJSON(&msg); err != nil {
			return
		}
		if msg.ID == 0 {
			continue // an event
		}
		c.mu.Lock()
		ch := c.waiters[msg.ID]
		delete(c.waiters, msg.ID)
		c.mu.Unlock()
		if ch != nil {
			ch <- msg.cdpReply
		}
	}
}

// call sends a command (to a page session when session is not empty) and waits for its reply.
func (c *cdp) call(ctx context.Context, session, method string, params any, out any) error {
	c.mu.Lock()
	c.nextID++
	id := c.nextID
	ch := make(chan cdpReply, 1)
	c.waiters[id] = ch
	msg := map[string]any{"id": id, "method": method, "params": params}
	if session != "" {
		msg["sessionId"] = session
	}
	err := c.conn.WriteJSON(msg)
	c.mu.Unlock()
	if err != nil {
		return err
	}
	select {
	case r := <-ch:
		if r.Error != nil {
			return fmt.Errorf("%s: %s", method, r.Error.Message)
		}
		if out != nil {
			return json.Unmarshal(r.Result, out)
		}
		return nil
	case <-c.done:
		return fmt.Errorf("%s: browser connection closed", method)
	case <-ctx.Done():
		return fmt.Errorf("%s: %w", method, ctx.Err())
	}
}

// startChromium launches headless Chromium and returns a DevTools client.
func startChromium(t *testing.T, ctx context.Context, bin string) *cdp {
	t.Helper()
	dir := t.TempDir()
	cmd := exec.Command(bin,
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--no-first-run", "--no-default-browser-check", "--mute-audio",
		"--autoplay-policy=no-user-gesture-required",
		"--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0",
		"--user-data-dir="+dir, "--window-size=1280,800", "about:blank")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", bin, err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	// Chromium writes the chosen port and browser path to DevToolsActivePort.
	var lines []string
	deadline := time.Now().Add(30 * time.Second)
	for {
		b, err := os.ReadFile(filepath.Join(dir, "DevToolsActivePort"))
		if err == nil {
			lines = strings.Split(strings.TrimSpace(string(b)), "\n")
			if len(lines) == 2 {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("chromium did not open its DevTools port within 30s; stderr:\n%s", stderr.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	c, err := dialCDP(ctx, "ws://127.0.0.1:"+lines[0]+lines[1])
	if err != nil {
		t.Fatalf("connect to chromium: %v", err)
	}
	t.Cleanup(func() { _ = c.conn.Close() })
	return c
}

// browserResult is what window.runTests() resolves with.
type browserResult struct {
	Name  string `json:"name"`
	OK    bool   `json:"ok"`
	Error string `json:"error"`
	Note  string `json:"note"`
}

// newTab opens a blank tab and attaches to it, returning its target and session ids.
func (c *cdp) newTab(ctx context.Context) (target, session string, err error) {
	var t struct {
		TargetID string `json:"targetId"`
	}
	if err := c.call(ctx, "", "Target.createTarget", map[string]any{"url": "about:blank"}, &t); err != nil {
		return "", "", err
	}
	var att struct {
		SessionID string `json:"sessionId"`
	}
	if err := c.call(ctx, "", "Target.attachToTarget", map[string]any{"targetId": t.TargetID, "flatten": true}, &att); err != nil {
		return "", "", err
	}
	return t.TargetID, att.SessionID, nil
}

// evaluate runs expr (which may be a promise) in the page of session and
// decodes its value into out (when non-nil); an exception in the page is an error.
func (c *cdp) evaluate(ctx context.Context, session, expr string, out any) error {
	var r struct {
		Result struct {
			Value json.RawMessage `json:"value"`
		} `json:"result"`
		ExceptionDetails *struct {
			Text      string `json:"text"`
			Exception *struct {
				Description string `json:"description"`
			} `json:"exception"`
		} `json:"exceptionDetails"`
	}
	if err := c.call(ctx, session, "Runtime.evaluate", map[string]any{
		"expression": expr, "awaitPromise": true, "returnByValue": true,
	}, &r); err != nil {
		return err
	}
	if e := r.ExceptionDetails; e != nil {
		msg := e.Text
		if e.Exception != nil {
			msg += " " + e.Exception.Description
		}
		return fmt.Errorf("in the page: %s", msg)
	}
	if out != nil {
		if err := json.Unmarshal(r.Result.Value, out); err != nil {
			return fmt.Errorf("decode %s: %w", r.Result.Value, err)
		}
	}
	return nil
}

// runBrowserPage opens url in a fresh tab and returns the results of window.runTests().
func runBrowserPage(t *testing.T, ctx context.Context, c *cdp, url string) []browserResult {
	t.Helper()
	target, s, err := c.newTab(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.call(ctx, s, "Page.navigate", map[string]any{"url": url}, nil); err != nil {
		t.Fatal(err)
	}
	// Wait until the test module has defined window.runTests, then run it.
	expr := `new Promise((resolve, reject) => {
		const start = Date.now();
		(function wait() {
			if (typeof window.runTests === 'function') return window.runTests().then(resolve, reject);
			if (window.loadError) return reject(new Error(window.loadError));
			if (Date.now() - start > 20000) return reject(new Error('window.runTests never appeared (module failed to load?)'));
			setTimeout(wait, 50);
		})();
	})`
	var results []browserResult
	if err := c.evaluate(ctx, s, expr, &results); err != nil {
		t.Fatalf("the browser test page failed: %v", err)
	}
	if dir := os.Getenv("DANMAKU_SCREENSHOT_DIR"); dir != "" {
		saveScreenshot(t, ctx, c, s, filepath.Join(dir, strings.TrimSuffix(filepath.Base(url), ".html")+".png"))
	}
	_ = c.call(ctx, "", "Target.closeTarget", map[string]any{"targetId": target}, nil)
	return results
}

// saveScreenshot writes a PNG of the page as the checks left it (for looking at the rendering).
func saveScreenshot(t *testing.T, ctx context.Context, c *cdp, session, path string) {
	t.Helper()
	var shot struct {
		Data []byte `json:"data"` // base64 in JSON, decoded by encoding/json
	}
	if err := c.call(ctx, session, "Page.captureScreenshot", map[string]any{"format": "png"}, &shot); err != nil {
		t.Errorf("screenshot: %v", err)
		return
	}
	if err := os.WriteFile(path, shot.Data, 0o644); err != nil {
		t.Errorf("screenshot: %v", err)
		return
	}
	t.Logf("screenshot saved to %s", path)
}

// TestBrowser runs the in-browser checks of the overlay in headless Chromium.
func TestBrowser(t *testing.T) {
	bin := requireChromium(t)
	mux := http.NewServeMux()
	mux.Handle("/assets/", http.StripPrefix("/assets/", http.FileServer(http.Dir(filepath.Join("..", "..", "assets")))))
	mux.Handle("/test/", http.StripPrefix("/test/", http.FileServer(http.Dir(filepath.Join("testdata", "browser")))))
	srv := httptest.NewServer(mux)
	defer srv.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	c := startChromium(t, ctx, bin)

	pages, err := filepath.Glob(filepath.Join("testdata", "browser", "*.html"))
	if err != nil || len(pages) == 0 {
		t.Fatalf("no browser test pages in testdata/browser (err=%v)", err)
	}
	for _, p := range pages {
		name := filepath.Base(p)
		t.Run(strings.TrimSuffix(name, ".html"), func(t *testing.T) {
			results := runBrowserPage(t, ctx, c, srv.URL+"/test/"+name)
			if len(results) == 0 {
				t.Fatal("the page ran no checks")
			}
			for _, r := range results {
				if !r.OK {
					t.Errorf("%s: %s", r.Name, r.Error)
				}
				if r.Note != "" {
					t.Logf("%s: %s", r.Name, r.Note)
				}
			}
			t.Logf("%d browser checks run", len(results))
		})
	}
}
