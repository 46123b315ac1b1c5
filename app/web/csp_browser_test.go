package web

import (
	"fmt"
	"strings"
	"testing"

	"github.com/danmaku/danmaku/app"
	"github.com/danmaku/danmaku/app/apptest"
)

// TestConnectSrc loads a room page under the CSP the server itself sends
// (no test policy on top) in Chromium: the page's own socket (ws: to its own
// host, which CSP Level 3's 'self' covers) connects, a socket to an allowed
// origin's WebSocket form is let through, and sockets and requests to any
// other host are blocked as connect-src violations.
func TestConnectSrc(t *testing.T) {
	needBrowser(t)
	const allowed = "http://127.0.0.3:9" // nothing listens there: only the policy's verdict matters
	s := apptest.Start(t, func(c *app.Config) { c.AllowedOrigins = []string{allowed} })
	p := newForeignTab(t, "viewer")
	p.open(s.URL() + "/rooms/demo")
	p.waitConnected()
	if v := eval[[]string](p, `window.__violations`); len(v) > 0 {
		t.Fatalf("the page's own socket and requests broke the policy: %s", strings.Join(v, "; "))
	}

	for _, tc := range []struct {
		name, open string // open: JavaScript that connects somewhere
		blocked    bool
	}{
		{"a socket to the allowed origin", `new WebSocket('ws://127.0.0.3:9/ws')`, false},
		{"a secure socket to the allowed origin's host on another port", `new WebSocket('wss://127.0.0.3:10/ws')`, true},
		{"a socket to another host", `new WebSocket('ws://127.0.0.2:9/ws')`, true},
		{"a secure socket to another site", `new WebSocket('wss://danmaku.invalid/ws')`, true},
		{"a fetch to another host", `fetch('http://127.0.0.2:9/api').catch(() => {})`, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := p.in(t)
			// A blocked connection to a marker host follows each attempt: once
			// its violation is in, the attempt's own verdict is in too.
			before := eval[int](p, `window.__violations.length`)
			eval[bool](p, fmt.Sprintf(`(() => { try { %s } catch (e) {} fetch('http://127.0.0.4:9/marker').catch(() => {}); return true })()`, tc.open))
			p.wait(`window.__violations.some((v) => v.includes('127.0.0.4'))`, "the marker's violation")
			got := eval[[]string](p, fmt.Sprintf(`window.__violations.slice(%d).filter((v) => !v.includes('127.0.0.4'))`, before))
			eval[bool](p, `(window.__violations = window.__violations.filter((v) => !v.includes('127.0.0.4')), true)`)
			if tc.blocked && (len(got) != 1 || !strings.HasPrefix(got[0], "connect-src")) {
				t.Errorf("violations %q, want one of connect-src", got)
			}
			if !tc.blocked && len(got) > 0 {
				t.Errorf("blocked: %q", got)
			}
		})
	}
}
