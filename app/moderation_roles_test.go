package app_test

import (
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/danmaku/danmaku/app/auth"
	"github.com/danmaku/danmaku/app/protocol"
)

// getPage fetches a page and returns its status and body.
func getPage(t *testing.T, hc *http.Client, url string) (int, string) {
	t.Helper()
	resp, err := hc.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

// heldComment posts a comment the nospoilers chain holds and returns its id.
func heldComment(t *testing.T, s *testServer, text string) int64 {
	t.Helper()
	var e apiError
	if status := call(t, httpClient(t), "POST", s.URL()+"/api/rooms/demo/comments", map[string]any{"text": text, "time": 1}, &e); status != http.StatusAccepted || e.Error.Code != "held" {
		t.Fatalf("posting %q: status %d %+v, want 202 held", text, status, e.Error)
	}
	var q struct{ Comments []modComment }
	call(t, clientAs(t, s, mod1), "GET", s.URL()+"/api/admin/comments?status=held&limit=1", nil, &q)
	if len(q.Comments) != 1 || q.Comments[0].Text != text {
		t.Fatalf("held comments %+v", q.Comments)
	}
	return q.Comments[0].ID
}

func TestEveryModeratorEndpointChecksTheRoleOnEveryRequest(t *testing.T) {
	s := startServer(t, withPlugins(t, `plugins: [{name: nospoilers, config: {words: [spoiler]}}]`))
	toApprove, toReject := heldComment(t, s, "spoiler one"), heldComment(t, s, "spoiler two")
	type endpoint struct {
		method, path string
		body         any
		ok           int
	}
	endpoints := []endpoint{
		{"GET", "/api/admin/plugins", nil, http.StatusOK},
		{"POST", "/api/admin/plugins/reload", nil, http.StatusOK},
		{"GET", "/api/admin/held", nil, http.StatusOK},
		{"GET", "/api/admin/comments?room=demo", nil, http.StatusOK},
		{"POST", "/api/admin/comments/approve", map[string]any{"ids": []int64{toApprove}}, http.StatusOK},
		{"POST", "/api/admin/comments/reject", map[string]any{"ids": []int64{toReject}}, http.StatusOK},
		{"POST", "/api/admin/comments/delete", map[string]any{"ids": []int64{1}}, http.StatusOK},
		{"GET", "/api/admin/bans", nil, http.StatusOK},
		{"POST", "/api/admin/bans", map[string]any{"user_id": "someone"}, http.StatusCreated},
		{"DELETE", "/api/admin/bans/1", nil, http.StatusOK},
	}
	for _, who := range []struct {
		name   string
		hc     *http.Client
		status int
		code   string
	}{
		{"guest", httpClient(t), http.StatusUnauthorized, "unauthorized"},
		{"viewer", clientAs(t, s, viewer1), http.StatusForbidden, "forbidden"},
	} {
		for _, ep := range endpoints {
			t.Run(who.name+" "+ep.method+" "+ep.path, func(t *testing.T) {
				var e apiError
				if status := call(t, who.hc, ep.method, s.URL()+ep.path, ep.body, &e); status != who.status || string(e.Error.Code) != who.code {
					t.Fatalf("status %d %+v, want %d %s", status, e.Error, who.status, who.code)
				}
			})
		}
	}
	mod := clientAs(t, s, mod1)
	for _, ep := range endpoints {
		t.Run("moderator "+ep.method+" "+ep.path, func(t *testing.T) {
			var e apiError
			if status := call(t, mod, ep.method, s.URL()+ep.path, ep.body, &e); status != ep.ok {
				t.Fatalf("status %d %+v, want %d", status, e.Error, ep.ok)
			}
		})
	}
	// The guests' and viewers' attempts changed nothing: each action worked once, for the moderator.
	var q struct{ Comments []modComment }
	call(t, mod, "GET", s.URL()+"/api/admin/comments?room=demo&limit=3", nil, &q)
	for _, c := range q.Comments {
		if c.ModeratedBy != "" && c.ModeratedBy != mod1.ID {
			t.Errorf("comment %d moderated by %q", c.ID, c.ModeratedBy)
		}
	}

	t.Run("a moderator signed in again as a viewer is refused at the next request", func(t *testing.T) {
		jar := jarAs(t, s, mod1)
		hc := &http.Client{Jar: jar, Timeout: waitFor}
		if status := call(t, hc, "GET", s.URL()+"/api/admin/held", nil, nil); status != http.StatusOK {
			t.Fatalf("as moderator: %d", status)
		}
		setSession(t, s, jar, token(t, s, auth.Identity{ID: mod1.ID, Name: mod1.Name, Roles: []string{auth.RoleViewer}}, time.Hour))
		var e apiError
		if status := call(t, hc, "GET", s.URL()+"/api/admin/held", nil, &e); status != http.StatusForbidden {
			t.Fatalf("after the role was taken away: status %d %+v, want 403", status, e.Error)
		}
		if status, _ := getPage(t, hc, s.URL()+"/admin"); status != http.StatusForbidden {
			t.Fatalf("page after the role was taken away: status %d, want 403", status)
		}
	})

	t.Run("moderators' changes from another site are refused", func(t *testing.T) {
		req, _ := http.NewRequest("POST", s.URL()+"/api/admin/bans", strings.NewReader(`{"user_id":"x"}`))
		req.Header.Set("Origin", "https://evil.example")
		resp, err := mod.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			t.Fatalf("cross-site ban: status %d, want 403", resp.StatusCode)
		}
	})
}

func TestModerationPage(t *testing.T) {
	s := startServer(t)
	for _, tc := range []struct {
		name   string
		hc     *http.Client
		status int
		want   string
	}{
		{"guest", httpClient(t), http.StatusUnauthorized, "Sign in as a moderator"},
		{"viewer", clientAs(t, s, viewer1), http.StatusForbidden, "does not have the moderator role"},
		{"moderator", clientAs(t, s, mod1), http.StatusOK, `id="held-rows"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, body := getPage(t, tc.hc, s.URL()+"/admin")
			if status != tc.status || !strings.Contains(body, tc.want) {
				t.Fatalf("status %d, want %d with %q:\n%s", status, tc.status, tc.want, body)
			}
		})
	}
	p := get(t, clientAs(t, s, mod1), s.URL()+"/admin")
	if cc := p.header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control %q, want no-store: the page lists held comments and bans", cc)
	}
	checkMarkup(t, p)
	script := regexp.MustCompile(`<script type="module" src="(/assets/[0-9a-f]{12}/)js/pages/admin\.js"></script>`).FindStringSubmatch(p.body)
	if script == nil || !strings.Contains(p.body, `href="`+script[1]+`css/admin.css"`) || !strings.Contains(p.body, "Signed in as Mod") {
		t.Fatalf("page lacks its versioned script and stylesheet, or who is signed in:\n%s", p.body)
	}
	// admin.js imports its modules by relative path: under the same version.
	for _, asset := range []string{"js/pages/admin.js", "js/admin-state.js", "css/admin.css"} {
		if status, _ := getPage(t, httpClient(t), s.URL()+script[1]+asset); status != http.StatusOK {
			t.Errorf("GET %s%s: %d", script[1], asset, status)
		}
	}
}

func TestModeratorSocket(t *testing.T) {
	s := startServer(t, withPlugins(t, `plugins: [{name: nospoilers, config: {words: [spoiler]}}]`))
	held := heldComment(t, s, "a spoiler")

	t.Run("handshake needs the role", func(t *testing.T) {
		for _, tc := range []struct {
			name   string
			jar    http.CookieJar
			status int
		}{
			{"guest", nil, http.StatusUnauthorized},
			{"viewer", jarAs(t, s, viewer1), http.StatusForbidden},
		} {
			_, resp, err := tryDial(t, s, "/admin", dialOpts{jar: tc.jar})
			if err == nil || resp == nil || resp.StatusCode != tc.status {
				t.Errorf("%s: %v %v, want %d", tc.name, resp, err, tc.status)
			}
		}
		_, resp, err := tryDial(t, s, "/admin", dialOpts{jar: jarAs(t, s, mod1), origin: "https://evil.example"})
		if err == nil || resp == nil || resp.StatusCode != http.StatusForbidden {
			t.Errorf("moderator from another site: %v %v, want 403", resp, err)
		}
	})

	mod, snap := modSocket(t, s, mod1)
	if snap.User.ID != mod1.ID || len(snap.Held) != 1 || snap.Held[0].ID != held || len(snap.Recent) == 0 || snap.Stats.LoadedAt == "" {
		t.Fatalf("snapshot %+v", snap)
	}

	t.Run("feed and actions", func(t *testing.T) {
		viewer := dial(t, s, "?room=demo")
		viewer.next(protocol.TypeWelcome)
		ack := viewer.comment("c", "live one")
		if got := mod.feedUntil(func(m modComment) bool { return m.ID == ack.Comment.ID }); got.Status != "visible" || got.IP == "" {
			t.Errorf("feed pushed %+v, want the visible comment with its address", got)
		}
		viewer.comments(1)

		mod.send(map[string]any{"type": "delete", "ref": "d", "ids": []int64{ack.Comment.ID}})
		var res struct {
			OK     bool
			Result struct{ Comments []modComment }
		}
		mod.modNext("ack", &res)
		if !res.OK || len(res.Result.Comments) != 1 || res.Result.Comments[0].Status != "deleted" {
			t.Fatalf("delete over the socket: %+v", res)
		}
		if r := viewer.next(protocol.TypeRetract); len(r.IDs) != 1 || r.IDs[0] != ack.Comment.ID {
			t.Errorf("viewer got %+v", r)
		}
		mod.send(map[string]any{"type": "approve", "ref": "a", "ids": []int64{held}})
		mod.modNext("ack", &res)
		if !res.OK || res.Result.Comments[0].Status != "visible" {
			t.Fatalf("approve over the socket: %+v", res)
		}
		if got := viewer.comments(1)[0]; got.ID != held {
			t.Errorf("viewer got %+v, want the approved comment", got)
		}
		mod.send(map[string]any{"type": "ban", "ref": "b", "ban": map[string]any{"user_id": "u9", "duration": "1h"}})
		var banned struct {
			OK     bool
			Result struct{ Ban ban }
		}
		var bans struct{ Bans []ban }
		// The feed's bans frame may come before or after the action's ack.
		mod.modFrames(map[string]any{"ack": &banned, "bans": &bans})
		if !banned.OK || banned.Result.Ban.UserID != "u9" {
			t.Fatalf("ban over the socket: %+v", banned)
		}
		if len(bans.Bans) != 1 || bans.Bans[0].ID != banned.Result.Ban.ID {
			t.Errorf("bans frame %+v", bans)
		}
		mod.send(map[string]any{"type": "unban", "ref": "u", "id": banned.Result.Ban.ID})
		mod.modNext("ack", &res)
		if !res.OK {
			t.Errorf("unban over the socket: %+v", res)
		}
	})

	t.Run("bad frames get errors and the socket stays", func(t *testing.T) {
		for _, tc := range []struct{ raw, typ, code string }{
			{`nope`, "error", "bad_request"},
			{`{"type":"explode","ref":"x"}`, "ack", "bad_request"},
			{`{"type":"approve","ref":"y","ids":[999999]}`, "ack", "not_found"},
			{`{"type":"approve","ref":"y","ids":[]}`, "ack", "invalid"},
			{`{"type":"ban","ref":"z"}`, "ack", "invalid"},
			{`{"type":"unban","ref":"z","id":12345}`, "ack", "not_found"},
			{`{"type":"auth","ref":"t","token":"forged"}`, "ack", "unauthorized"},
		} {
			mod.sendRaw(websocket.TextMessage, []byte(tc.raw))
			f := mod.nextSkipping(tc.typ, "stats", "bans", "comments")
			code := f.Code
			if f.Error != nil {
				code = string(f.Error.Code)
			}
			if f.OK || code != tc.code {
				t.Errorf("%s: %s frame %+v %+v, want code %s", tc.raw, f.Type, f, f.Error, tc.code)
			}
		}
		mod.send(map[string]any{"type": "ping", "ref": "alive"})
		if f := mod.modNextPong(); f.Ref != "alive" {
			t.Errorf("pong %+v", f)
		}
	})
}

func TestModeratorSocketChecksTheRoleOnEveryFrame(t *testing.T) {
	s := startServer(t)
	demoted := auth.Identity{ID: mod1.ID, Name: mod1.Name, Roles: []string{auth.RoleViewer}}
	for _, tc := range []struct {
		name  string
		token func() string
		code  string
	}{
		{"token replaced by a viewer's", func() string { return token(t, s, demoted, time.Hour) }, "forbidden"},
		{"session expired", func() string { return token(t, s, mod1, -time.Second) }, "unauthorized"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mod, _ := modSocket(t, s, mod1)
			mod.send(map[string]any{"type": "ping", "ref": "before"})
			mod.modNextPong()
			mod.send(map[string]any{"type": "auth", "ref": "a", "token": tc.token()})
			if f := mod.nextSkipping("ack", "stats", "bans", "comments"); !f.OK {
				t.Fatalf("auth: %+v", f.Error)
			}
			// A push may find the session gone first and close the socket,
			// so the write may fail; the refusal comes either way.
			_ = mod.conn.WriteJSON(map[string]any{"type": "delete", "ref": "next", "ids": []int64{1}})
			f := mod.nextSkipping(protocol.TypeError, "stats", "bans", "comments")
			if f.Code != tc.code || f.Ref != "next" && f.Ref != "" {
				t.Fatalf("next frame: %+v, want error %s", f, tc.code)
			}
			if code := mod.waitClosed(); code != websocket.ClosePolicyViolation {
				t.Fatalf("close code %d, want 1008", code)
			}
			if got := replay(t, s, httpClient(t), "demo"); !hasID(got, 1) {
				t.Error("the refused delete deleted the comment")
			}
		})
	}
	t.Run("pushes stop too", func(t *testing.T) {
		mod, _ := modSocket(t, s, mod1)
		mod.send(map[string]any{"type": "auth", "ref": "a", "token": token(t, s, demoted, time.Hour)})
		mod.nextSkipping("ack", "stats", "bans", "comments")
		viewer := dial(t, s, "?room=demo")
		viewer.next(protocol.TypeWelcome)
		viewer.comment("c", "news for moderators") // the feed pushes it to the socket, which may no longer see it
		f := mod.nextSkipping(protocol.TypeError, "stats", "bans")
		if f.Code != "forbidden" {
			t.Fatalf("got %+v, want error forbidden", f)
		}
		if code := mod.waitClosed(); code != websocket.ClosePolicyViolation {
			t.Fatalf("close code %d, want 1008", code)
		}
	})
}
