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

// requireChromium returns the browser to test with, skipping the test
// without one (failing it when DANMAKU_REQUIRE_BROWSER=true).
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

// openTab opens a blank tab and returns its DevTools session and target id.
func openTab(t *testing.T, ctx context.Context, c *cdp) (session, targetID string) {
	t.Helper()
	var target struct {
		TargetID string `json:"targetId"`
	}
	if err := c.call(ctx, "", "Target.createTarget", map[string]any{"url": "about:blank"}, &target); err != nil {
		t.Fatal(err)
	}
	var att struct {
		SessionID string `json:"sessionId"`
	}
	if err := c.call(ctx, "", "Target.attachToTarget", map[string]any{"targetId": target.TargetID, "flatten": true}, &att); err != nil {
		t.Fatal(err)
	}
	return att.SessionID, target.TargetID
}

// evalJS evaluates expr in the page (awaiting a promise) and returns its JSON value.
func evalJS(t *testing.T, ctx context.Context, c *cdp, session, expr string) json.RawMessage {
	t.Helper()
	var out struct {
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
	if err := c.call(ctx, session, "Runtime.evaluate", map[string]any{"expression": expr, "awaitPromise": true, "returnByValue": true}, &out); err != nil {
		t.Fatal(err)
	}
	if e := out.ExceptionDetails; e != nil {
		msg := e.Text
		if e.Exception != nil {
			msg += " " + e.Exception.Description
		}
		t.Fatalf("in the page: %s", msg)
	}
	return out.Result.Value
}

// browserResult is what window.runTests() resolves with.
type browserResult struct {
	Name  string `json:"name"`
	OK    bool   `json:"ok"`
	Error string `json:"error"`
	Note  string `json:"note"`
}

// runBrowserPage opens url in a fresh tab and returns the results of window.runTests().
func runBrowserPage(t *testing.T, ctx context.Context, c *cdp, url string) []browserResult {
	t.Helper()
	s, targetID := openTab(t, ctx, c)
	if err := c.call(ctx, s, "Page.navigate", map[string]any{"url": url}, nil); err != nil {
		t.Fatal(err)
	}
	// Wait until the test module has defined window.runTests, then run it.
	value := evalJS(t, ctx, c, s, `new Promise((resolve, reject) => {
		const start = Date.now();
		(function wait() {
			if (typeof window.runTests === 'function') return window.runTests().then(resolve, reject);
			if (window.loadError) return reject(new Error(window.loadError));
			if (Date.now() - start > 20000) return reject(new Error('window.runTests never appeared (module failed to load?)'));
			setTimeout(wait, 50);
		})();
	})`)
	var results []browserResult
	if err := json.Unmarshal(value, &results); err != nil {
		t.Fatalf("decode results %s: %v", value, err)
	}
	if dir := os.Getenv("DANMAKU_SCREENSHOT_DIR"); dir != "" {
		saveScreenshot(t, ctx, c, s, filepath.Join(dir, strings.TrimSuffix(filepath.Base(url), ".html")+".png"))
	}
	_ = c.call(ctx, "", "Target.closeTarget", map[string]any{"targetId": targetID}, nil)
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
	fakeServer(mux)
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

// fakeServer adds a stand-in for the Danmaku server's REST API and WebSocket
// for room "demo", so the page scripts (pages/room.js, pages/replay.js) can
// run against the documented protocol.
func fakeServer(mux *http.ServeMux) {
	type user struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	}
	type comment struct {
		ID    int64   `json:"id"`
		Room  string  `json:"room"`
		Seq   int64   `json:"seq"`
		Time  float64 `json:"time"`
		Text  string  `json:"text"`
		Mode  string  `json:"mode"`
		Color string  `json:"color"`
		Size  string  `json:"size"`
		User  user    `json:"user"`
		Likes int64   `json:"likes"`
	}
	var (
		mu       sync.Mutex
		comments []comment
	)
	for i := int64(1); i <= 40; i++ {
		comments = append(comments, comment{ID: i, Room: "demo", Seq: i, Time: float64(i) * 0.25, Text: fmt.Sprintf("seeded %d", i),
			Mode: "scroll", Color: "#ffffff", Size: "medium", User: user{"u1", "seed"}})
	}
	writeJSON := func(w http.ResponseWriter, v any) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(v)
	}
	mux.HandleFunc("GET /api/rooms/demo/comments", func(w http.ResponseWriter, r *http.Request) {
		var from, to float64
		_, _ = fmt.Sscan(r.URL.Query().Get("from"), &from)
		_, _ = fmt.Sscan(r.URL.Query().Get("to"), &to)
		mu.Lock()
		defer mu.Unlock()
		out := []comment{}
		for _, c := range comments {
			if c.Time >= from && c.Time < to {
				out = append(out, c)
			}
		}
		writeJSON(w, map[string]any{"comments": out})
	})
	mux.HandleFunc("POST /api/comments/{id}/like", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, map[string]any{"likes": 1})
	})
	upgrader := websocket.Upgrader{}
	mux.HandleFunc("GET /ws", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("room") != "demo" {
			http.Error(w, "unknown room", http.StatusNotFound)
			return
		}
		conn, err := upgrader.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer conn.Close()
		me := user{"viewer-1", "Viewer"}
		mu.Lock()
		last := comments[len(comments)-1].Seq
		mu.Unlock()
		_ = conn.WriteJSON(map[string]any{"type": "welcome", "room": "demo", "viewers": 7, "last_seq": last, "user": me})
		for {
			var in struct {
				Type      string  `json:"type"`
				Ref       string  `json:"ref"`
				Text      string  `json:"text"`
				Time      float64 `json:"time"`
				Mode      string  `json:"mode"`
				Color     string  `json:"color"`
				Size      string  `json:"size"`
				CommentID *int64  `json:"comment_id"`
			}
			if err := conn.ReadJSON(&in); err != nil {
				return
			}
			switch in.Type {
			case "comment":
				if strings.Contains(in.Text, "reject me") {
					_ = conn.WriteJSON(map[string]any{"type": "ack", "ref": in.Ref, "ok": false,
						"error": map[string]string{"code": "invalid", "message": "the fake server refused it"}})
					continue
				}
				mu.Lock()
				c := comment{ID: int64(len(comments) + 1), Room: "demo", Seq: int64(len(comments) + 1), Time: in.Time,
					Text: in.Text, Mode: in.Mode, Color: in.Color, Size: in.Size, User: me}
				comments = append(comments, c)
				mu.Unlock()
				// Broadcast first, then the ack: the client must not show it twice.
				_ = conn.WriteJSON(map[string]any{"type": "comments", "room": "demo", "items": []comment{c}})
				_ = conn.WriteJSON(map[string]any{"type": "ack", "ref": in.Ref, "ok": true, "comment": c})
			case "like":
				likes := int64(1)
				_ = conn.WriteJSON(map[string]any{"type": "ack", "ref": in.Ref, "ok": true, "comment_id": in.CommentID, "likes": likes})
				if in.CommentID == nil {
					_ = conn.WriteJSON(map[string]any{"type": "likes", "room": "demo", "room_likes": 42})
				}
			}
		}
	})
}
