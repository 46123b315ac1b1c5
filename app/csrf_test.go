package app_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/danmaku/danmaku/app"
	"github.com/danmaku/danmaku/app/protocol"
)

func TestCrossSiteWritesAreRefused(t *testing.T) {
	s := startServer(t, func(c *app.Config) { c.AllowedOrigins = []string{"https://player.example"} })
	self := "http://" + s.Addr()
	hc := browser(t)
	get(t, hc, s.URL()+"/") // the browser gets its session cookie from a page
	tok := token(t, s, alice, time.Hour)

	post := func(t *testing.T, header []string, via *http.Client) (int, string) {
		t.Helper()
		req, err := http.NewRequest("POST", s.URL()+"/api/rooms/demo/comments", strings.NewReader(`{"text":"csrf?"}`))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "text/plain") // what a cross-site form or no-cors fetch can send
		resp := do(t, via, req, header...)
		return resp.status, resp.body
	}
	h := func(kv ...string) []string { return kv }
	for _, tc := range []struct {
		name   string
		header []string
		via    *http.Client
		status int
	}{
		{"cookie from another site's page", h("Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site"), hc, http.StatusForbidden},
		{"cookie, Origin only (older browser)", h("Origin", "https://evil.example"), hc, http.StatusForbidden},
		{"cookie, Sec-Fetch-Site only", h("Sec-Fetch-Site", "cross-site"), hc, http.StatusForbidden},
		{"cookie from a sibling subdomain", h("Origin", "http://sub.127.0.0.1", "Sec-Fetch-Site", "same-site"), hc, http.StatusForbidden},
		{"cookie from an opaque origin (sandboxed frame)", h("Origin", "null"), hc, http.StatusForbidden},
		{"no cookie from another site", h("Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site"), httpClient(t), http.StatusForbidden},
		{"same origin", h("Origin", self, "Sec-Fetch-Site", "same-origin"), hc, http.StatusCreated},
		{"same origin, Origin only", h("Origin", self), hc, http.StatusCreated},
		{"same origin, Sec-Fetch-Site only", h("Sec-Fetch-Site", "same-origin"), hc, http.StatusCreated},
		{"allow-listed origin", h("Origin", "https://player.example", "Sec-Fetch-Site", "cross-site"), hc, http.StatusCreated},
		{"non-browser client with cookies", nil, hc, http.StatusCreated},
		{"non-browser client without cookies", nil, httpClient(t), http.StatusCreated},
		{"Bearer token from anywhere", h("Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site"), bearerClient(t, tok), http.StatusCreated},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, body := post(t, tc.header, tc.via)
			if status != tc.status {
				t.Fatalf("status %d (%s), want %d", status, body, tc.status)
			}
			if status == http.StatusForbidden && !strings.Contains(body, `"code":"forbidden"`) {
				t.Fatalf("body %s, want the forbidden error", body)
			}
		})
	}

	// Sign-in and sign-out forms are protected the same way (login CSRF).
	for _, path := range []string{"/login", "/logout"} {
		resp := postForm(t, hc, s.URL()+path, url.Values{"nickname": {"Mallory"}}, "Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site")
		if resp.status != http.StatusForbidden {
			t.Fatalf("cross-site POST %s: %d, want 403", path, resp.status)
		}
	}
	// Only the allowed comments were stored: 7 of them.
	var page struct{ Comments []protocol.Comment }
	call(t, httpClient(t), "GET", s.URL()+"/api/rooms/demo/comments?after_seq=12", nil, &page)
	if len(page.Comments) != 7 {
		t.Fatalf("%d comments stored, want the 7 allowed ones", len(page.Comments))
	}
}

func TestCrossOriginHandshakeWithAValidCookieIsRefused(t *testing.T) {
	s := startServer(t)
	jar := signedInJar(t, s, token(t, s, alice, time.Hour))
	_, resp, err := tryDial(t, s, "?room=demo", dialOpts{jar: jar, origin: "https://evil.example"})
	if err == nil {
		t.Fatal("a cross-site page opened a socket with the viewer's cookie")
	}
	if resp == nil || resp.StatusCode != http.StatusForbidden {
		t.Fatalf("response %v, want 403", resp)
	}
	if got := resp.Header.Get("Set-Cookie"); got != "" {
		t.Fatalf("the refused handshake set a cookie: %q", got)
	}
	// The same cookie from the server's own page works.
	c := dial(t, s, "?room=demo", dialOpts{jar: jar, origin: "http://" + s.Addr()})
	wantUser(t, c.next(protocol.TypeWelcome).User, alice)
	if n := viewers(t, s, "demo"); n != 1 {
		t.Fatalf("%d viewers, want only the same-origin one", n)
	}
}

// viewers returns a room's viewer count, from the REST API.
func viewers(t *testing.T, s *testServer, room string) int {
	t.Helper()
	var r struct{ Viewers int }
	if status := call(t, moderatorClient(t, s), "GET", s.URL()+"/api/rooms/"+room, nil, &r); status != http.StatusOK {
		t.Fatalf("GET room %s: %d", room, status)
	}
	return r.Viewers
}
